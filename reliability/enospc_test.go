package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// noTmpfsEnv opts out of the tests that need to mount a tmpfs (root, and a
// kernel that allows it). Without it, those tests fail when they cannot
// mount.
const noTmpfsEnv = "LITEACTOR_NO_TMPFS"

// mountTmpfs mounts a tmpfs of size bytes on a fresh directory and
// unmounts it at cleanup (registered first, so it runs after the cleanups
// of what the test opens on it).
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size))
	if err != nil {
		if os.Getenv(noTmpfsEnv) != "" {
			t.Skipf("cannot mount a tmpfs (%v) and %s is set", err, noTmpfsEnv)
		}
		t.Fatalf("cannot mount a tmpfs on %s: %v (this test needs root; set %s=1 to skip it explicitly)", dir, err, noTmpfsEnv)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fill writes a file of zeros at path until the file system is full.
func fill(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	var n int64
	for {
		w, err := f.Write(buf)
		n += int64(w)
		if errors.Is(err, syscall.ENOSPC) {
			return n
		}
		if err != nil {
			t.Fatalf("fill: %v", err)
		}
	}
}

// TestRealDiskFull fills a real (tmpfs) file system under a running engine
// opened on a plain file path: writes then fail with an error that
// errors.Is(err, sqlite3.FULL) (not a bare I/O error, which ncruces v0.37
// alone reports), nothing is acknowledged that is not on disk, writes
// resume once space is freed, and after Close a plain SQLite connection
// finds every acknowledged write, no half-applied Write, and
// integrity_check ok.
func TestRealDiskFull(t *testing.T) {
	dir := mountTmpfs(t, 2<<20)
	path := filepath.Join(dir, "full.db")
	cfg := testConfig(2)
	cfg.Synchronous = liteactor.SyncFull
	cfg.MaxBatch = 8
	e := open(t, path, cfg)
	p := newPairWriter(t, e)
	p.burst(20)
	if len(p.failed) > 0 {
		t.Fatalf("writes failed before the disk was full: %v", p.failed)
	}

	filler := filepath.Join(dir, "filler")
	filled := fill(t, filler)

	// Write until the disk-full error shows (the WAL may have some room
	// left in its last block).
	deadline := time.Now().Add(30 * time.Second)
	var fullErr error
	for fullErr == nil {
		if _, err := p.write(context.Background()); err != nil {
			fullErr = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write failed after filling the disk (%d bytes of filler, %d writes acknowledged)", filled, len(p.acked))
		}
	}
	if !errors.Is(fullErr, sqlite3.FULL) {
		t.Fatalf("write on a full disk: %v; want errors.Is(err, sqlite3.FULL)", fullErr)
	}
	// While the disk stays full, every write fails, each with FULL.
	for range 5 {
		id, err := p.write(context.Background())
		if err == nil {
			t.Fatalf("write %d acknowledged on a full disk", id)
		}
		if !errors.Is(err, sqlite3.FULL) {
			t.Fatalf("write %d on a full disk: %v; want errors.Is(err, sqlite3.FULL)", id, err)
		}
	}
	if _, err := e.Exec(context.Background(), "CREATE TABLE more (x BLOB)"); !errors.Is(err, sqlite3.FULL) {
		t.Fatalf("CREATE TABLE on a full disk: %v; want errors.Is(err, sqlite3.FULL)", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	recoverWrites(t, p)
	before := len(p.failed)
	p.burst(40)
	if len(p.failed) != before {
		t.Fatalf("writes still fail after space was freed: %d new failures", len(p.failed)-before)
	}
	mustExec(t, e, "CREATE TABLE more (x BLOB)")
	t.Logf("full disk: first failure %q; %d writes failed, %d acknowledged", fullErr, len(p.failed), len(p.acked))
	closeEngine(t, e)
	checkPlain(t, path, p.acked)
}

// checkPlain opens path with plain SQLite (ncruces' default VFS, not the
// engine) and checks integrity_check, that no pair is half-applied, and
// that every acknowledged pair is present.
func checkPlain(t *testing.T, path string, acked map[int64]bool) {
	t.Helper()
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatalf("plain open: %v", err)
	}
	defer c.Close()
	if msg := integrity(c); msg != "ok" {
		t.Fatalf("integrity_check: %s", msg)
	}
	present, half, err := pairsPresent(c)
	if err != nil {
		t.Fatal(err)
	}
	if half >= 0 {
		t.Fatalf("write %d half-applied", half)
	}
	for id := range acked {
		if !present[id] {
			t.Fatalf("write %d was acknowledged but is not on disk", id)
		}
	}
}

// integrity runs PRAGMA integrity_check and returns its result, or the
// error that prevented it.
func integrity(c *sqlite3.Conn) string {
	s, _, err := c.Prepare("PRAGMA integrity_check")
	if err != nil {
		return err.Error()
	}
	defer s.Close()
	msg := ""
	for s.Step() {
		if msg != "" {
			msg += "; "
		}
		msg += s.ColumnText(0)
	}
	if err := s.Err(); err != nil {
		return err.Error()
	}
	return msg
}

// pairsPresent returns the ids of the complete pairs in table pairs, and
// the id of a half-applied pair (-1 if none).
func pairsPresent(c *sqlite3.Conn) (map[int64]bool, int64, error) {
	s, _, err := c.Prepare("SELECT id, count(*) FROM pairs GROUP BY id")
	if err != nil {
		return nil, 0, err
	}
	defer s.Close()
	present := map[int64]bool{}
	for s.Step() {
		if s.ColumnInt64(1) != 2 {
			return present, s.ColumnInt64(0), nil
		}
		present[s.ColumnInt64(0)] = true
	}
	return present, -1, s.Err()
}
