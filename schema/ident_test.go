package schema

import (
	"errors"
	"testing"
)

func TestQuoteHandlesHostileNames(t *testing.T) {
	cases := map[string]string{
		"plain":              `"plain"`,
		"with space":         `"with space"`,
		`say "hi"`:           `"say ""hi"""`,
		"select":             `"select"`,
		`"`:                  `""""`,
		"it's":               `"it's"`,
		"ünïcødé 表":          `"ünïcødé 表"`,
		`x"; DROP TABLE t--`: `"x""; DROP TABLE t--"`,
	}
	for in, want := range cases {
		got, err := Quote(in)
		if err != nil || got != want {
			t.Errorf("Quote(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a\x00b"} {
		if _, err := Quote(bad); !errors.Is(err, ErrInvalidIdentifier) {
			t.Errorf("Quote(%q) err = %v, want ErrInvalidIdentifier", bad, err)
		}
	}
}

func TestQuoteList(t *testing.T) {
	got, err := QuoteList([]string{"a", "b c", `d"`})
	if err != nil || got != `"a", "b c", "d"""` {
		t.Fatalf("QuoteList = %q, %v", got, err)
	}
	if _, err := QuoteList([]string{"a", ""}); !errors.Is(err, ErrInvalidIdentifier) {
		t.Fatalf("QuoteList with empty name: %v", err)
	}
}

func TestAddColumnSQL(t *testing.T) {
	got, err := AddColumnSQL("order items", ColumnDef{Name: "group", Type: "DECIMAL(10, 2)", Constraints: "NOT NULL DEFAULT 0"})
	want := `ALTER TABLE "order items" ADD COLUMN "group" DECIMAL(10, 2) NOT NULL DEFAULT 0`
	if err != nil || got != want {
		t.Fatalf("AddColumnSQL = %q, %v; want %q", got, err, want)
	}
	got, err = AddColumnSQL("t", ColumnDef{Name: "c"})
	if err != nil || got != `ALTER TABLE "t" ADD COLUMN "c"` {
		t.Fatalf("AddColumnSQL without type = %q, %v", got, err)
	}
	for _, typ := range []string{"INT); DROP TABLE t; --", "TEXT'", "(1)", "VARCHAR(a)", `"INT"`} {
		if _, err := AddColumnSQL("t", ColumnDef{Name: "c", Type: typ}); !errors.Is(err, ErrInvalidDefinition) {
			t.Errorf("type %q accepted: %v", typ, err)
		}
	}
	for _, typ := range []string{"INTEGER", "UNSIGNED BIG INT", "VARCHAR(255)", "NUMERIC(-1, +2)", "blob"} {
		if _, err := AddColumnSQL("t", ColumnDef{Name: "c", Type: typ}); err != nil {
			t.Errorf("type %q rejected: %v", typ, err)
		}
	}
	if _, err := AddColumnSQL("", ColumnDef{Name: "c"}); !errors.Is(err, ErrInvalidIdentifier) {
		t.Errorf("empty table accepted: %v", err)
	}
}

func TestCreateIndexSQL(t *testing.T) {
	got, err := CreateIndexSQL(IndexDef{Name: "by where", Table: "select", Columns: []string{"from", `a"b`}, Unique: true, Where: `"from" IS NOT NULL`})
	want := `CREATE UNIQUE INDEX IF NOT EXISTS "by where" ON "select" ("from", "a""b") WHERE "from" IS NOT NULL`
	if err != nil || got != want {
		t.Fatalf("CreateIndexSQL = %q, %v; want %q", got, err, want)
	}
	if _, err := CreateIndexSQL(IndexDef{Name: "i", Table: "t"}); !errors.Is(err, ErrInvalidDefinition) {
		t.Fatalf("index without columns: %v", err)
	}
	if _, err := CreateIndexSQL(IndexDef{Name: "i", Table: "t", Columns: []string{"a\x00"}}); !errors.Is(err, ErrInvalidIdentifier) {
		t.Fatalf("NUL column: %v", err)
	}
}
