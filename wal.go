package liteactor

import (
	"math"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor/messages"
	"github.com/liteactor/liteactor/walmonitor"
)

// WALOff turns off a WALConfig threshold that is on by default (WarnBytes,
// TruncateBytes, IdleTruncate).
const WALOff = math.MaxInt64

// setupWAL builds the WAL monitor and wires it into the writer and readers
// (WAL hook, checkpoint results, read age). It returns the monitor actor's
// props, nil when WAL.Disabled.
func (e *Engine) setupWAL() *actor.Props {
	e.wal = walmonitor.New(e.cfg.WAL.monitorConfig(), walmonitor.Deps{
		Writer: e.wenv, Readers: e.renv, Counters: e.counters, Log: e.log,
	})
	return e.wal.Props()
}

// walStats is Stats.WAL.
func (e *Engine) walStats() messages.WALStats {
	if e.wal == nil {
		return messages.WALStats{}
	}
	return e.wal.Stats()
}

// monitorConfig resolves the defaults for package walmonitor, where zero
// means off.
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
	}
}
