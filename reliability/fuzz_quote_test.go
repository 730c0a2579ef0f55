package reliability_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/liteactor/liteactor/schema"
	"github.com/ncruces/go-sqlite3"
)

// FuzzQuoteIdentifier: schema.Quote makes any name (spaces, quotes,
// keywords, comment and statement separators, any bytes but NUL) one SQL
// identifier: CREATE TABLE with it is exactly one statement, and SQLite
// records exactly that name for the table and its column. Empty names and
// names with NUL are refused with ErrInvalidIdentifier.
func FuzzQuoteIdentifier(f *testing.F) {
	for _, s := range []string{"t", "select", `a"b`, `"; DROP TABLE x; --`, "a b", "`x`", "[x]", "é", "\xff\xfe", "", "a\x00b", "x)--", "'", `""`} {
		f.Add(s)
	}
	c, err := sqlite3.Open(":memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { c.Close() })
	f.Fuzz(func(t *testing.T, name string) {
		q, err := schema.Quote(name)
		if name == "" || strings.IndexByte(name, 0) >= 0 {
			if !errors.Is(err, schema.ErrInvalidIdentifier) {
				t.Fatalf("Quote(%q) = %q, %v; want ErrInvalidIdentifier", name, q, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Quote(%q): %v", name, err)
		}
		if strings.HasPrefix(strings.ToLower(name), "sqlite_") {
			return // reserved for SQLite's own tables, whatever the quoting
		}
		s, tail, err := c.Prepare("CREATE TABLE " + q + " (" + q + " INTEGER)")
		if err != nil {
			t.Fatalf("CREATE TABLE with Quote(%q) = %s: %v", name, q, err)
		}
		defer s.Close()
		if tail != "" {
			t.Fatalf("Quote(%q) = %s left SQL after the statement: %q", name, q, tail)
		}
		if err := s.Exec(); err != nil {
			t.Fatalf("CREATE TABLE %s: %v", q, err)
		}
		defer c.Exec("DROP TABLE " + q)
		r, _, err := c.Prepare("SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table'")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if !r.Step() || r.ColumnText(0) != name || r.ColumnText(1) != name {
			t.Fatalf("Quote(%q) = %s: SQLite recorded table %q, column %q", name, q, r.ColumnText(0), r.ColumnText(1))
		}
		if r.Step() {
			t.Fatalf("Quote(%q) = %s created more than one table", name, q)
		}
	})
}
