package reliability_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/internal/powervfs"
)

// TestSyncIntervalQuiet: under SyncNormal a quiet service's writes become
// durable within WAL.SyncInterval without any checkpoint. A handful of
// writes (no checkpoint comes due: CheckpointPages is huge and the monitor
// is off), then the test waits until the engine reports an interval fsync
// that began after the last acknowledgement, cuts the power dropping every
// unsynced write, and finds every acknowledged write in the image. With
// SyncInterval WALOff the same cut loses them (the behaviour the interval
// fixes), which shows the test's cut really drops what was not synced.
func TestSyncIntervalQuiet(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
	}{{"interval", 10 * time.Millisecond}, {"off", liteactor.WALOff}} {
		t.Run(tc.name, func(t *testing.T) {
			v := powervfs.New("syncinterval")
			defer v.Close()
			path := filepath.Join(t.TempDir(), "q.db")
			cfg := liteactor.MinimalConfig() // SyncNormal, WAL monitor off
			cfg.WAL.SyncInterval = tc.interval
			e, err := liteactor.Open(context.Background(), v.URI(path), cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			led := &ledger{pairs: map[int64]time.Time{}, tables: map[string]time.Time{}}
			if _, err := e.Exec(ctx, "CREATE TABLE pairs (id INTEGER NOT NULL, half INTEGER NOT NULL, pad BLOB, PRIMARY KEY (id, half))"); err != nil {
				t.Fatal(err)
			}
			led.ackTable("pairs")
			for id := range int64(10) {
				if err := writePair(ctx, e, id); err != nil {
					t.Fatal(err)
				}
				led.ackPair(id)
			}
			last := time.Now()
			if tc.interval != liteactor.WALOff {
				enginetest.WaitFor(t, "an interval fsync after the last write", func() bool {
					return e.Stats().WAL.LastSync.After(last)
				})
			} else if s := e.Stats().WAL; s.Syncs != 0 {
				t.Fatalf("SyncInterval WALOff: %d interval fsyncs", s.Syncs)
			}
			led.syncedAt = e.Stats().WAL.LastSync
			v.Cut()
			led.cutAt = time.Now()
			e.Close(ctx)
			if _, err := v.WriteImage(powervfs.DropAll, nil); err != nil {
				t.Fatal(err)
			}
			r := inspectImage(t, path, led)
			if r.integrity != "ok" {
				t.Fatalf("integrity_check: %s", r.integrity)
			}
			switch {
			case tc.interval != liteactor.WALOff && r.lost > 0:
				t.Fatalf("%d of %d acknowledged writes lost although an interval fsync followed them", r.lost, r.acked)
			case tc.interval == liteactor.WALOff && r.lost == 0:
				t.Fatalf("without interval fsyncs the cut lost nothing of %d writes: the test's cut does not drop unsynced writes", r.acked)
			}
		})
	}
}
