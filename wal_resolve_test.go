package liteactor

import (
	"testing"
	"time"

	"github.com/liteactor/liteactor/walmonitor"
)

// TestSyncIntervalResolution: the interval fsync applies to SyncNormal
// only; zero takes the default and WALOff turns it off. ReadBarrierMax
// resolves the same way (0: default, WALOff: no barrier).
func TestSyncIntervalResolution(t *testing.T) {
	for _, tc := range []struct {
		sync Synchronous
		set  time.Duration
		want time.Duration
	}{
		{SyncNormal, 0, walmonitor.DefaultSyncInterval},
		{SyncNormal, 50 * time.Millisecond, 50 * time.Millisecond},
		{SyncNormal, WALOff, 0},
		{SyncFull, 0, 0},
		{SyncFull, 50 * time.Millisecond, 0},
		{SyncOff, 0, 0},
	} {
		c := DefaultConfig()
		c.Synchronous, c.WAL.SyncInterval = tc.sync, tc.set
		if got := c.syncInterval(); got != tc.want {
			t.Errorf("Synchronous %d, SyncInterval %s: resolved %s, want %s", tc.sync, tc.set, got, tc.want)
		}
	}
	for set, want := range map[time.Duration]time.Duration{0: walmonitor.DefaultBarrierMax, WALOff: 0, time.Minute: time.Minute} {
		w := WALConfig{ReadBarrierMax: set}
		if got := w.monitorConfig().BarrierMax; got != want {
			t.Errorf("ReadBarrierMax %s: resolved %s, want %s", set, got, want)
		}
	}
}
