package backup

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBackupDuring16WritersIsAConsistentSnapshot backs up while 16
// goroutines keep committing rows numbered by a monotonic counter: each
// write inserts max(n)+1, so n follows commit order. A consistent snapshot
// holds exactly the rows committed before its snapshot point: 1..K with no
// gap, where K is at least the last n acknowledged before the backup began
// and at most the last n committed when it returned.
func TestBackupDuring16WritersIsAConsistentSnapshot(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts Options
	}{
		// Pauses stretch the copy over many commits of the writers.
		{"live", Options{PagesPerStep: 4, MaxRestarts: 5, Pause: time.Millisecond}},
		{"live-vacuum-fallback", Options{PagesPerStep: 4, MaxRestarts: 2, Fallback: FallbackVacuumInto, Pause: time.Millisecond}},
		{"snapshot", Options{PagesPerStep: 4, Snapshot: true, Pause: time.Millisecond}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "live.db")
			eng := openEngine(t, path)
			if _, err := eng.Exec(ctx, `CREATE TABLE seq (n INTEGER PRIMARY KEY, writer INTEGER NOT NULL, pad BLOB NOT NULL);
				CREATE INDEX seq_writer ON seq (writer, n)`); err != nil {
				t.Fatal(err)
			}
			var acked atomic.Int64 // highest n whose write has returned
			grown := make(chan struct{})
			var grownOnce sync.Once
			stop := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for w := range 16 {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						res, err := eng.Exec(ctx, `INSERT INTO seq (n, writer, pad) SELECT coalesce(max(n), 0) + 1, ?, randomblob(300) FROM seq`, w)
						if err != nil {
							errs <- fmt.Errorf("writer %d: %w", w, err)
							return
						}
						for {
							cur := acked.Load()
							if res.LastInsertID <= cur || acked.CompareAndSwap(cur, res.LastInsertID) {
								break
							}
						}
						if res.LastInsertID >= 1500 {
							grownOnce.Do(func() { close(grown) })
						}
					}
				})
			}
			// Let the database grow to about 120 pages first.
			select {
			case <-grown:
			case err := <-errs:
				t.Fatal(err)
			case <-time.After(time.Minute):
				t.Fatal("writers made no progress")
			}
			before := acked.Load()
			dst := filepath.Join(t.TempDir(), "copy.db")
			opts := mode.opts
			opts.Verify = true
			res, err := ToFile(ctx, eng, dst, opts)
			if err != nil {
				t.Fatal(err)
			}
			committedAfter := engineInt(t, eng, "SELECT max(n) FROM seq")
			close(stop)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}

			if !res.Verified {
				t.Fatal("copy not verified")
			}
			if rep, err := Verify(ctx, dst); err != nil || !rep.OK {
				t.Fatalf("integrity_check on the copy: %+v, %v", rep, err)
			}
			count := rawInt(t, dst, "SELECT count(*) FROM seq")
			lo := rawInt(t, dst, "SELECT coalesce(min(n), 0) FROM seq")
			k := rawInt(t, dst, "SELECT coalesce(max(n), 0) FROM seq")
			indexed := rawInt(t, dst, "SELECT count(*) FROM seq INDEXED BY seq_writer WHERE writer >= 0")
			if lo != 1 || count != k || indexed != k {
				t.Fatalf("copy holds %d rows (%d through the index) from %d to %d: not a gap-free prefix", count, indexed, lo, k)
			}
			if k < before || k > committedAfter {
				t.Fatalf("copy ends at n=%d; acknowledged before the backup %d, committed after it %d", k, before, committedAfter)
			}
			t.Logf("%s: %+v; copy holds 1..%d (acked before %d, committed after %d)", mode.name, res, k, before, committedAfter)
		})
	}
}
