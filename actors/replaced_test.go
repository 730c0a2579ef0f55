package actors

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

// openWAL opens a writer connection on a fresh file in WAL mode with one
// table, inside a write transaction (where the journal pointer is the WAL).
func openWAL(t testing.TB) (*Conn, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.db")
	c, err := OpenWriter(&ConnConfig{URI: path, Synchronous: "NORMAL", JournalSizeLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Exec("CREATE TABLE t(x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	return c, path
}

// TestFileIdent: the identity taken through ncruces' checksum layer and
// ours matches the file in place and not once the path is unlinked or
// names another file, for the database and for the -wal file.
func TestFileIdent(t *testing.T) {
	for _, op := range []sqlite3.FcntlOpcode{sqlite3.FCNTL_FILE_POINTER, sqlite3.FCNTL_JOURNAL_POINTER} {
		c, path := openWAL(t)
		if op == sqlite3.FCNTL_JOURNAL_POINTER {
			path += "-wal"
		}
		f := fileIdent(c.Conn, op)
		if f == nil || f.name != path {
			t.Fatalf("op %d: identity %+v, want one for %s", op, f, path)
		}
		if f.moved() || f.movedPortable() {
			t.Fatalf("op %d: moved before anything happened", op)
		}
		if err := os.Rename(path, path+".old"); err != nil {
			t.Fatal(err)
		}
		if !f.moved() || !f.movedPortable() {
			t.Fatalf("op %d: not moved after a rename away", op)
		}
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if !f.moved() || !f.movedPortable() {
			t.Fatalf("op %d: not moved with another file at the path", op)
		}
		if err := os.Rename(path+".old", path); err != nil {
			t.Fatal(err)
		}
		if f.moved() || f.movedPortable() {
			t.Fatalf("op %d: moved once the file is back at its path", op)
		}
	}
}

// BenchmarkFileCheck is the writer's check before each COMMIT: one stat of
// the database file's path (the descriptor's identity is taken once).
func BenchmarkFileCheck(b *testing.B) {
	c, _ := openWAL(b)
	f := fileIdent(c.Conn, sqlite3.FCNTL_FILE_POINTER)
	b.ReportAllocs()
	for b.Loop() {
		if f.moved() {
			b.Fatal("moved")
		}
	}
}
