package faultvfs_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/liteactor/liteactor/internal/faultvfs"
	"github.com/ncruces/go-sqlite3"
)

func open(t *testing.T, v *faultvfs.VFS) *sqlite3.Conn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.db")
	c, err := sqlite3.Open("file:" + path + "?vfs=" + v.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for _, s := range []string{"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "CREATE TABLE t(x)"} {
		if err := c.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return c
}

func register(t *testing.T) *faultvfs.VFS {
	v := faultvfs.Register("faultvfs-" + t.Name())
	t.Cleanup(v.Unregister)
	return v
}

// TestWALModeWorks: the wrapper forwards shared memory, so the database is
// really in WAL mode and the WAL file is written through the wrapper.
func TestWALModeWorks(t *testing.T) {
	v := register(t)
	c := open(t, v)
	s, _, err := c.Prepare("PRAGMA journal_mode")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Step() || s.ColumnText(0) != "wal" {
		t.Fatalf("journal_mode = %q, want wal", s.ColumnText(0))
	}
	if v.Ops(faultvfs.OpWrite) == 0 || v.Ops(faultvfs.OpSync) == 0 {
		t.Fatalf("writes %d, syncs %d seen: the wrapper is not in the path", v.Ops(faultvfs.OpWrite), v.Ops(faultvfs.OpSync))
	}
}

func TestFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault faultvfs.Fault
		want  error
	}{
		{"wal write", faultvfs.Fault{Op: faultvfs.OpWrite, Files: faultvfs.WAL}, sqlite3.IOERR},
		{"wal sync", faultvfs.Fault{Op: faultvfs.OpSync, Files: faultvfs.WAL}, sqlite3.IOERR},
		{"full disk", faultvfs.Fault{Op: faultvfs.OpWrite, Full: true}, sqlite3.FULL},
		{"write after 2", faultvfs.Fault{Op: faultvfs.OpWrite, After: 2, Count: 1}, sqlite3.IOERR},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := register(t)
			c := open(t, v)
			v.Inject(tc.fault)
			var err error
			for i := 0; i < 10 && err == nil; i++ {
				err = c.Exec("INSERT INTO t VALUES (randomblob(3000))")
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("insert under %+v: %v, want %v", tc.fault, err, tc.want)
			}
			if v.Failed() == 0 || v.LastFailure() == "" {
				t.Fatalf("Failed() = %d, LastFailure %q: no operation was failed", v.Failed(), v.LastFailure())
			}
			v.Clear()
			if err := c.Exec("INSERT INTO t VALUES (1)"); err != nil {
				t.Fatalf("insert after Clear: %v", err)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	v := register(t)
	c := open(t, v)
	if err := c.Exec("INSERT INTO t VALUES (randomblob(10000))"); err != nil {
		t.Fatal(err)
	}
	v.Inject(faultvfs.Fault{Op: faultvfs.OpTruncate, Files: faultvfs.WAL, Count: 1})
	_, _, err := c.WALCheckpoint("main", sqlite3.CHECKPOINT_TRUNCATE)
	if !errors.Is(err, sqlite3.IOERR) {
		t.Fatalf("TRUNCATE checkpoint with a failing truncate: %v, want IOERR", err)
	}
	if _, _, err := c.WALCheckpoint("main", sqlite3.CHECKPOINT_TRUNCATE); err != nil {
		t.Fatalf("second checkpoint (fault spent): %v", err)
	}
	if v.Failed() != 1 {
		t.Fatalf("Failed() = %d, want 1 (Count: 1)", v.Failed())
	}
}
