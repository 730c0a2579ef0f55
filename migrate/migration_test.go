package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestConstructorsAndAccessors(t *testing.T) {
	b := Baseline("1.0.0", "CREATE TABLE t(a)").WithDescription("init")
	if b.Kind() != KindBaseline || b.Version() != "1.0.0" || b.From() != "" || b.Description() != "init" ||
		b.SQL() != "CREATE TABLE t(a)" || b.IsFunc() {
		t.Fatalf("baseline fields wrong: %+v", b)
	}
	i := Incremental("1.1.0", "1.0.0", "ALTER TABLE t ADD b")
	if i.Kind() != KindIncremental || i.Version() != "1.1.0" || i.From() != "1.0.0" || i.Description() != "" {
		t.Fatalf("incremental fields wrong: %+v", i)
	}
	f := IncrementalFunc("1.2.0", "1.1.0", func(*sqlite3.Conn) error { return nil })
	if !f.IsFunc() || f.Kind() != KindIncremental || f.From() != "1.1.0" || f.SQL() != "" {
		t.Fatalf("func migration fields wrong: %+v", f)
	}
	if bf := BaselineFunc("1.0.0", func(*sqlite3.Conn) error { return nil }); !bf.IsFunc() || bf.Kind() != KindBaseline {
		t.Fatalf("baseline func fields wrong: %+v", bf)
	}
}

func TestWithMethodsReturnCopies(t *testing.T) {
	a := Baseline("1.0.0", "x")
	b := a.WithDescription("d")
	if a.Description() != "" || b.Description() != "d" {
		t.Fatalf("WithDescription modified the receiver: %q %q", a.Description(), b.Description())
	}
}

func TestChecksumRules(t *testing.T) {
	sql := "CREATE TABLE t(a);\nINSERT INTO t VALUES (1);"
	if got := Baseline("1.0.0", sql).Checksum(); got != sum(sql) {
		t.Fatalf("SQL checksum = %s, want SHA-256 of the SQL %s", got, sum(sql))
	}
	// Description and version are not part of it; every byte of the SQL is.
	if Baseline("1.0.0", sql).WithDescription("x").Checksum() != Incremental("2.0.0", "1.0.0", sql).Checksum() {
		t.Fatal("checksum depends on description or version")
	}
	if Baseline("1.0.0", sql).Checksum() == Baseline("1.0.0", sql+" ").Checksum() {
		t.Fatal("checksum ignores a changed byte")
	}
	// Revision is ignored for SQL migrations.
	if Baseline("1.0.0", sql).WithRevision("r2").Checksum() != sum(sql) {
		t.Fatal("revision changed an SQL migration's checksum")
	}
	fn := func(*sqlite3.Conn) error { return nil }
	if got := BaselineFunc("1.0.0", fn).Checksum(); got != sum("go:") {
		t.Fatalf("func checksum = %s, want SHA-256 of \"go:\"", got)
	}
	if got := BaselineFunc("1.0.0", fn).WithRevision("r2").Checksum(); got != sum("go:r2") {
		t.Fatalf("func checksum with revision = %s, want SHA-256 of \"go:r2\"", got)
	}
}
