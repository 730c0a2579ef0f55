package osvfs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/liteactor/liteactor/internal/osvfs"
	"github.com/ncruces/go-sqlite3"
)

// TestURI opens paths whose names hold URI syntax ('?', '#', '%', a
// leading "//", a relative path) through the URI and checks the file
// SQLite created is the one named.
func TestURI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range []string{
		filepath.Join(dir, "plain.db"),
		filepath.Join(dir, "what?vfs=memdb#frag%41.db"),
		"//" + filepath.Join(dir, "slashes.db")[1:],
		"relative.db",
	} {
		c, err := sqlite3.OpenFlags(osvfs.URI(name), sqlite3.OPEN_READWRITE|sqlite3.OPEN_CREATE|sqlite3.OPEN_URI)
		if err != nil {
			t.Fatalf("open %q: %v", name, err)
		}
		if err := c.Exec("CREATE TABLE t(x)"); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(name); err != nil || fi.Size() == 0 {
			t.Fatalf("%q: the database is not at that path: %v", name, err)
		}
	}
}

// BenchmarkInsert measures the layer's cost: autocommit inserts on one
// connection in WAL mode, synchronous=NORMAL (no fsync per commit, so the
// VFS calls are a larger share of the time), through ncruces' OS VFS and
// through this package's.
func BenchmarkInsert(b *testing.B) {
	for _, bc := range []struct {
		name string
		uri  func(string) string
	}{
		{"os", func(p string) string { return p }},
		{"osvfs", osvfs.URI},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := sqlite3.OpenFlags(bc.uri(filepath.Join(b.TempDir(), "b.db")), sqlite3.OPEN_READWRITE|sqlite3.OPEN_CREATE|sqlite3.OPEN_URI)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			for _, s := range []string{"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "CREATE TABLE t(a INTEGER, b TEXT)"} {
				if err := c.Exec(s); err != nil {
					b.Fatal(err)
				}
			}
			s, _, err := c.Prepare("INSERT INTO t VALUES (?, 'some text')")
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for i := 0; b.Loop(); i++ {
				s.BindInt(1, i)
				if err := s.Exec(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
