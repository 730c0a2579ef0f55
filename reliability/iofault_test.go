package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/internal/faultvfs"
	"github.com/ncruces/go-sqlite3"
)

// pairWriter writes pairs of rows through Write and remembers which writes
// were acknowledged.
type pairWriter struct {
	e      *liteactor.Engine
	mu     sync.Mutex
	next   int64
	acked  map[int64]bool
	failed map[int64]error
}

func newPairWriter(t *testing.T, e *liteactor.Engine) *pairWriter {
	mustExec(t, e, "CREATE TABLE IF NOT EXISTS pairs (id INTEGER NOT NULL, half INTEGER NOT NULL, pad BLOB, PRIMARY KEY (id, half))")
	return &pairWriter{e: e, acked: map[int64]bool{}, failed: map[int64]error{}}
}

func (p *pairWriter) write(ctx context.Context) (int64, error) {
	p.mu.Lock()
	p.next++
	id := p.next
	p.mu.Unlock()
	err := p.e.Write(ctx, func(c *sqlite3.Conn) error {
		for half := range 2 {
			if err := c.Exec(fmt.Sprintf("INSERT INTO pairs VALUES (%d, %d, randomblob(1500))", id, half)); err != nil {
				return err
			}
		}
		return nil
	})
	p.mu.Lock()
	if err == nil {
		p.acked[id] = true
	} else {
		p.failed[id] = err
	}
	p.mu.Unlock()
	return id, err
}

// burst runs n writes from 4 goroutines.
func (p *pairWriter) burst(n int) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				p.write(context.Background())
			}
		})
	}
	wg.Wait()
}

// checkPairs reopens path on the plain VFS and checks: integrity, no write
// half-applied, every acknowledged write present, and none of the writes in
// mustBeAbsent present. It returns how many of the failed writes are
// present.
func checkPairs(t *testing.T, path string, acked map[int64]bool, mustBeAbsent []int64, failed map[int64]error) int {
	t.Helper()
	e, err := liteactor.Open(context.Background(), path, testConfig(1))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer closeEngine(t, e)
	integrityOK(t, e)
	rows, err := e.Query(context.Background(), "SELECT id, count(*) FROM pairs GROUP BY id")
	if err != nil {
		t.Fatal(err)
	}
	present := map[int64]bool{}
	for _, r := range rows.Values {
		if r[1].(int64) != 2 {
			t.Fatalf("write %d half-applied: %d of 2 rows", r[0], r[1])
		}
		present[r[0].(int64)] = true
	}
	for id := range acked {
		if !present[id] {
			t.Fatalf("write %d was acknowledged but is not on disk", id)
		}
	}
	for _, id := range mustBeAbsent {
		if present[id] {
			t.Fatalf("write %d failed during a persistent fault but is on disk", id)
		}
	}
	n := 0
	for id := range failed {
		if present[id] {
			n++
		}
	}
	return n
}

// TestIOFaults injects, through the fault-injecting VFS, a failing WAL
// write, a failing WAL fsync (synchronous=FULL), a full disk, a failing
// database write during checkpoints and a failing truncate, each after a
// few operations that succeed, while writes run. It checks that:
//   - every failed write reports what happened: errors.Is(err, sqlite3.IOERR)
//     or, for the full disk, sqlite3.FULL;
//   - while the fault lasts, no write is acknowledged whose commit cannot
//     reach the disk (and, for write faults, none of those writes is on disk
//     afterwards);
//   - once the fault clears, the writer recovers and every write succeeds;
//   - after Close, reopening on the plain VFS finds every acknowledged write,
//     no half-applied write, and integrity_check ok.
func TestIOFaults(t *testing.T) {
	cases := []struct {
		name   string
		fault  faultvfs.Fault
		sync   liteactor.Synchronous
		want   error
		absent bool // failed writes cannot have reached the disk
	}{
		{"wal write", faultvfs.Fault{Op: faultvfs.OpWrite, Files: faultvfs.WAL, After: 7}, liteactor.SyncNormal, sqlite3.IOERR, true},
		{"wal fsync", faultvfs.Fault{Op: faultvfs.OpSync, Files: faultvfs.WAL, After: 3}, liteactor.SyncFull, sqlite3.IOERR, false},
		{"full disk", faultvfs.Fault{Op: faultvfs.OpWrite, Full: true, After: 11}, liteactor.SyncNormal, sqlite3.FULL, true},
		{"intermittent wal write", faultvfs.Fault{Op: faultvfs.OpWrite, Files: faultvfs.WAL, After: 5, Count: 3}, liteactor.SyncNormal, sqlite3.IOERR, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := faultvfs.Register(fmt.Sprintf("faultvfs-io-%d", i))
			defer v.Unregister()
			path := filepath.Join(t.TempDir(), "f.db")
			cfg := testConfig(2)
			cfg.Synchronous = tc.sync
			cfg.MaxBatch = 8
			e := open(t, "file:"+path+"?vfs="+v.Name(), cfg)
			p := newPairWriter(t, e)
			p.burst(40)
			if len(p.failed) > 0 {
				t.Fatalf("writes failed before any fault: %v", p.failed)
			}

			v.Inject(tc.fault)
			p.burst(60)
			// Sequential writes after the fault has fired: with a persistent
			// fault none may be acknowledged.
			var during []int64
			if tc.fault.Count == 0 {
				if v.Failed() == 0 {
					t.Fatalf("the fault never fired (%d writes, %d syncs seen)", v.Ops(faultvfs.OpWrite), v.Ops(faultvfs.OpSync))
				}
				for range 10 {
					id, err := p.write(context.Background())
					if err == nil {
						t.Fatalf("write %d acknowledged while every %v on %v fails", id, tc.fault.Op, tc.fault.Files)
					}
					during = append(during, id)
				}
			}
			failures := len(p.failed)
			kinds := map[string]int{}
			for id, err := range p.failed {
				if !errors.Is(err, tc.want) {
					t.Errorf("write %d failed with %v, want errors.Is %v", id, err, tc.want)
				}
				kinds[errorShape(err)]++
			}
			if failures == 0 {
				t.Fatalf("no write failed under %+v", tc.fault)
			}

			v.Clear()
			recoverWrites(t, p)
			before := len(p.failed)
			p.burst(60)
			if len(p.failed) != before {
				t.Fatalf("writes still fail after the fault cleared: %d new failures", len(p.failed)-before)
			}
			st := e.Stats()
			t.Logf("%s: %d ops failed by the VFS (last: %s); %d writes failed %v, %d acknowledged; writer restarts %d",
				tc.name, v.TotalFailed(), strings.ReplaceAll(v.LastFailure(), filepath.Dir(path)+"/", ""), failures, kinds, len(p.acked), st.Restarts.Writer)
			closeEngine(t, e)
			if !tc.absent {
				during = nil
			}
			if n := checkPairs(t, path, p.acked, during, p.failed); n > 0 {
				t.Logf("%s: %d writes that reported an error are on disk (the fault hit after their commit record was written)", tc.name, n)
			}
		})
	}
}

// errorShape is an error's message with digits and SQLite's detail removed,
// to count failures by kind.
func errorShape(err error) string {
	s := err.Error()
	if i := strings.Index(s, " ("); i > 0 {
		s = s[:i]
	}
	return s
}

// recoverWrites waits, with a deadline, for the first write to succeed
// after a fault cleared.
func recoverWrites(t *testing.T, p *pairWriter) {
	t.Helper()
	var err error
	if enginetest.Poll(enginetest.Timeout, func() bool {
		_, err = p.write(context.Background())
		return err == nil
	}) != nil {
		t.Fatalf("the writer did not recover after the fault cleared: %v", err)
	}
}

// TestCheckpointFaults fails the database-file writes of a checkpoint, then
// the WAL truncate of a TRUNCATE checkpoint: the checkpoint reports
// sqlite3.IOERR, writes keep succeeding meanwhile (they only need the WAL),
// and the next checkpoint after the fault clears succeeds.
func TestCheckpointFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault faultvfs.Fault
		mode  sqlite3.CheckpointMode
	}{
		{"db write", faultvfs.Fault{Op: faultvfs.OpWrite, Files: faultvfs.MainDB}, sqlite3.CHECKPOINT_PASSIVE},
		{"db fsync", faultvfs.Fault{Op: faultvfs.OpSync, Files: faultvfs.MainDB}, sqlite3.CHECKPOINT_FULL},
		{"wal truncate", faultvfs.Fault{Op: faultvfs.OpTruncate, Files: faultvfs.WAL}, sqlite3.CHECKPOINT_TRUNCATE},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := faultvfs.Register(fmt.Sprintf("faultvfs-ckpt-%d", i))
			defer v.Unregister()
			path := filepath.Join(t.TempDir(), "c.db")
			e := open(t, "file:"+path+"?vfs="+v.Name(), testConfig(1))
			p := newPairWriter(t, e)
			p.burst(30)
			v.Inject(tc.fault)
			_, err := e.Checkpoint(context.Background(), tc.mode)
			if !errors.Is(err, sqlite3.IOERR) {
				t.Fatalf("checkpoint under %+v: %v, want sqlite3.IOERR", tc.fault, err)
			}
			p.burst(30)
			if len(p.failed) > 0 {
				t.Fatalf("writes failed while only the checkpoint's I/O fails: %v", p.failed)
			}
			v.Clear()
			if _, err := e.Checkpoint(context.Background(), tc.mode); err != nil {
				t.Fatalf("checkpoint after the fault cleared: %v", err)
			}
			p.burst(10)
			closeEngine(t, e)
			checkPairs(t, path, p.acked, nil, nil)
		})
	}
}

// TestCloseUnderFault closes the engine while every write to the database
// file fails, so Close's final checkpoint cannot copy the WAL back: Close
// still closes everything, and reopening finds every acknowledged write in
// the WAL.
func TestCloseUnderFault(t *testing.T) {
	v := faultvfs.Register("faultvfs-close")
	defer v.Unregister()
	path := filepath.Join(t.TempDir(), "c.db")
	e, err := liteactor.Open(context.Background(), "file:"+path+"?vfs="+v.Name(), testConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	p := newPairWriter(t, e)
	p.burst(50)
	v.Inject(faultvfs.Fault{Op: faultvfs.OpWrite | faultvfs.OpTruncate, Files: faultvfs.MainDB})
	p.burst(20)
	if len(p.failed) > 0 {
		t.Fatalf("writes failed with only the database file failing: %v", p.failed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Logf("Close under a database-file fault: %v", err)
	}
	if v.Failed() == 0 {
		t.Fatal("Close's checkpoint never wrote the database file: the fault was not exercised")
	}
	v.Clear()
	checkPairs(t, path, p.acked, nil, nil)
	t.Logf("%d acknowledged writes survived a Close whose checkpoint failed %d times", len(p.acked), v.Failed())
}
