package liteactor

import (
	"math"
	"time"

	"github.com/liteactor/liteactor/walmonitor"
)

// WALOff turns off a WALConfig threshold that is on by default (WarnBytes,
// TruncateBytes, IdleTruncate, SyncInterval, ReadBarrierMax).
const WALOff = math.MaxInt64

// monitorConfig resolves the defaults (walmonitor's table) for package
// walmonitor, where zero means off.
func (w *WALConfig) monitorConfig() walmonitor.Config {
	def := func(v, d int64) int64 {
		switch v {
		case 0:
			return d
		case WALOff:
			return 0
		}
		return v
	}
	return walmonitor.Config{
		Disabled:        w.Disabled,
		Interval:        time.Duration(def(int64(w.Interval), int64(walmonitor.DefaultInterval))),
		WarnBytes:       def(w.WarnBytes, walmonitor.DefaultWarnBytes),
		CheckpointPages: int(def(int64(w.CheckpointPages), walmonitor.DefaultCheckpointPages)),
		TruncateBytes:   def(w.TruncateBytes, walmonitor.DefaultTruncateBytes),
		IdleTruncate:    time.Duration(def(int64(w.IdleTruncate), int64(walmonitor.DefaultIdleTruncate))),
		ReadTxnMaxAge:   w.ReadTxnMaxAge,
		BarrierMax:      time.Duration(def(int64(w.ReadBarrierMax), int64(walmonitor.DefaultBarrierMax))),
	}
}

// journalSizeLimit resolves JournalSizeLimit: 0 takes walmonitor's
// default; negative is passed on (SQLite's default, no limit).
func (w *WALConfig) journalSizeLimit() int64 {
	if w.JournalSizeLimit == 0 {
		return walmonitor.DefaultJournalSizeLimit
	}
	return w.JournalSizeLimit
}

// syncInterval resolves WAL.SyncInterval for the writer: 0 (no interval
// fsync) unless the mode is SyncNormal.
func (c *Config) syncInterval() time.Duration {
	if c.Synchronous != SyncNormal {
		return 0
	}
	switch c.WAL.SyncInterval {
	case 0:
		return walmonitor.DefaultSyncInterval
	case WALOff:
		return 0
	}
	return c.WAL.SyncInterval
}
