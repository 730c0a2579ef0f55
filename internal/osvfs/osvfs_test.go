package osvfs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/liteactor/liteactor"
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

// BenchmarkEngineExec measures the layer under the engine: one caller's
// acknowledged Exec (synchronous=NORMAL) on a file path, which the engine
// opens through this package, and on a "file:" URI, which it opens on
// ncruces' OS VFS as given.
func BenchmarkEngineExec(b *testing.B) {
	for _, bc := range []struct {
		name string
		uri  func(string) string
	}{
		{"os", func(p string) string { return "file:" + p }},
		{"osvfs", func(p string) string { return p }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := liteactor.MinimalConfig()
			cfg.Synchronous = liteactor.SyncNormal
			e, err := liteactor.Open(context.Background(), bc.uri(filepath.Join(b.TempDir(), "e.db")), cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close(context.Background())
			ctx := context.Background()
			if _, err := e.Exec(ctx, "CREATE TABLE t(a INTEGER, b TEXT)"); err != nil {
				b.Fatal(err)
			}
			for i := 0; b.Loop(); i++ {
				if _, err := e.Exec(ctx, "INSERT INTO t VALUES (?, 'some text')", i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
