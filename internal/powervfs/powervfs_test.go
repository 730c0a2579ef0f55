package powervfs_test

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/liteactor/liteactor/internal/powervfs"
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

func newVFS(t *testing.T) *powervfs.VFS {
	v := powervfs.New("powervfs-test")
	t.Cleanup(v.Close)
	return v
}

// openDB opens a WAL database through v with the given synchronous mode
// and inserts n rows, one transaction each.
func openDB(t *testing.T, v *powervfs.VFS, sync string, n int) (*sqlite3.Conn, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.db")
	c, err := sqlite3.Open(v.URI(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"PRAGMA journal_mode=WAL", "PRAGMA synchronous=" + sync, "CREATE TABLE t(x)"} {
		if err := c.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for range n {
		if err := c.Exec("INSERT INTO t VALUES (randomblob(5000))"); err != nil {
			t.Fatal(err)
		}
	}
	return c, path
}

// rows opens path with plain SQLite and counts t's rows (-1: no table t).
func rows(t *testing.T, path string) int {
	t.Helper()
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _, err := c.Prepare("SELECT count(*) FROM t")
	if err != nil {
		return -1
	}
	defer s.Close()
	if !s.Step() {
		t.Fatal(s.Err())
	}
	return s.ColumnInt(0)
}

// cutAndImage cuts the power, closes c, and writes the image.
func cutAndImage(t *testing.T, v *powervfs.VFS, c *sqlite3.Conn, loss powervfs.Loss) powervfs.Image {
	t.Helper()
	v.Cut()
	c.Close() // its checkpoint fails: the disk is off
	im, err := v.WriteImage(loss, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// TestSyncedSurvives: with synchronous=FULL every commit is synced, so
// nothing is pending and every row survives even DropAll.
func TestSyncedSurvives(t *testing.T) {
	v := newVFS(t)
	c, path := openDB(t, v, "FULL", 20)
	if st := v.Stats(); st.Syncs == 0 || st.PendingWrites != 0 {
		t.Fatalf("stats after FULL commits: %+v; want syncs and nothing pending", st)
	}
	cutAndImage(t, v, c, powervfs.DropAll)
	if n := rows(t, path); n != 20 {
		t.Fatalf("%d rows after the cut, want 20", n)
	}
}

// TestUnsyncedIsLost: with synchronous=NORMAL and no checkpoint, the WAL
// is never synced: DropAll loses every commit (even the table), KeepAll
// (a process crash) none.
func TestUnsyncedIsLost(t *testing.T) {
	for _, tc := range []struct {
		loss powervfs.Loss
		want int
	}{{powervfs.DropAll, -1}, {powervfs.KeepAll, 20}} {
		t.Run(tc.loss.String(), func(t *testing.T) {
			v := newVFS(t)
			c, path := openDB(t, v, "NORMAL", 20)
			if st := v.Stats(); st.PendingWrites == 0 {
				t.Fatalf("stats: %+v; want pending writes", st)
			}
			cutAndImage(t, v, c, tc.loss)
			if n := rows(t, path); n != tc.want {
				t.Fatalf("%d rows after the cut, want %d", n, tc.want)
			}
		})
	}
}

// TestRandomTears: a random subset keeps some sectors of a write and drops
// others; the image still opens, and what survives is a prefix of the
// commits (WAL frames are checksummed in a chain).
func TestRandomTears(t *testing.T) {
	v := newVFS(t)
	c, path := openDB(t, v, "NORMAL", 50)
	im := cutAndImage(t, v, c, powervfs.Random)
	if im.Torn == 0 || im.KeptOps == 0 || im.DroppedOps == 0 {
		t.Fatalf("image %+v: want torn writes, kept and dropped sectors", im)
	}
	if n := rows(t, path); n > 50 {
		t.Fatalf("%d rows after the cut, more than written", n)
	}
}

// TestAfterCut: once the power is cut, writes fail with an I/O error and
// nothing more is recorded; WriteImage before Cut is refused.
func TestAfterCut(t *testing.T) {
	v := newVFS(t)
	c, _ := openDB(t, v, "FULL", 1)
	defer c.Close()
	if _, err := v.WriteImage(powervfs.DropAll, nil); !errors.Is(err, powervfs.ErrNotCut) {
		t.Fatalf("WriteImage before Cut: %v, want ErrNotCut", err)
	}
	v.Cut()
	if err := c.Exec("INSERT INTO t VALUES (1)"); !errors.Is(err, sqlite3.IOERR) {
		t.Fatalf("insert after the cut: %v, want IOERR", err)
	}
	if _, err := v.WriteImage(powervfs.Random, nil); err == nil {
		t.Fatal("Random without an rng accepted")
	}
}

// TestNames: every VFS has its own name, and Close unregisters it.
func TestNames(t *testing.T) {
	a, b := powervfs.New("x"), powervfs.New("x")
	if a.Name() == b.Name() {
		t.Fatalf("two VFSs named %q", a.Name())
	}
	a.Close()
	b.Close()
	if vfs.Find(a.Name()) != nil || vfs.Find(b.Name()) != nil {
		t.Fatal("Close left the VFS registered")
	}
}
