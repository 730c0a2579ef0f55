package maintenance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// Status grades an engine's health.
type Status uint8

const (
	// Healthy: the writer and a reader answered in time and no threshold is
	// crossed.
	Healthy Status = iota
	// Degraded: the engine works, but something needs attention (slow
	// writer, queue nearly full, readers saturated, large WAL, many free
	// pages, stale checkpoint). Reasons say what.
	Degraded
	// Unhealthy: the writer or the readers did not answer (error, closed
	// engine, timeout), or the database file was replaced under the engine
	// (Stats.FileReplaced). Reasons say which.
	Unhealthy
)

// String names the status.
func (s Status) String() string {
	switch s {
	case Healthy:
		return "healthy"
	case Degraded:
		return "degraded"
	case Unhealthy:
		return "unhealthy"
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// HealthOptions sets the probes' time limit and the thresholds. Zero fields
// take the defaults documented on each.
type HealthOptions struct {
	// Timeout bounds each probe (writer round trip, reader round trip);
	// default 5s. A probe that times out makes the engine Unhealthy.
	Timeout time.Duration
	// SlowWrite: a writer round trip slower than this is Degraded; default
	// 1s.
	SlowWrite time.Duration
	// QueueFill: a write queue fuller than this fraction of its capacity is
	// Degraded; default 0.8.
	QueueFill float64
	// WALBytes: a -wal file larger than this is Degraded; default 256 MiB.
	WALBytes int64
	// FreeFraction: more than this fraction of free pages (in a database of
	// at least 1024 pages) is Degraded; default 0.5. Negative disables.
	FreeFraction float64
	// CheckpointAge: when the engine reports its last checkpoint and it is
	// older than this while the WAL is not empty, Degraded; 0 disables.
	CheckpointAge time.Duration
	// SkipQuickCheck skips PRAGMA quick_check(1) in the read probe. The
	// check reads every page (its cost grows with the database), and is
	// what finds corrupt pages: skipped, a corrupt database that still
	// opens can look Healthy.
	SkipQuickCheck bool
}

func (o HealthOptions) withDefaults() HealthOptions {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.SlowWrite <= 0 {
		o.SlowWrite = time.Second
	}
	if o.QueueFill <= 0 {
		o.QueueFill = 0.8
	}
	if o.WALBytes <= 0 {
		o.WALBytes = 256 << 20
	}
	if o.FreeFraction == 0 {
		o.FreeFraction = 0.5
	}
	return o
}

// Health is one health check's findings.
type Health struct {
	// Status is the grade; Reasons say why it is not Healthy.
	Status  Status
	Reasons []string
	// WriteRoundTrip is the time an empty Write took through the admission
	// queue, the writer and COMMIT; 0 if it failed.
	WriteRoundTrip time.Duration
	// ReadRoundTrip is the time a reader took to measure the database; 0 if
	// it failed.
	ReadRoundTrip time.Duration
	// PageSize, PageCount and FreePages describe the database file
	// (free pages are reused before the file grows; VACUUM returns them).
	PageSize, PageCount, FreePages int64
	// WALBytes is the -wal file's size (0 for ":memory:" or no WAL).
	WALBytes int64
	// LastCheckpoint is when the engine last checkpointed, if it reports it
	// (zero otherwise).
	LastCheckpoint time.Time
	// Stats is the engine's snapshot at the check (queue depth and
	// capacity, readers busy and idle, reads waiting, restarts, ...).
	Stats liteactor.Stats
	// CheckedAt is when the check started.
	CheckedAt time.Time
}

// Check probes eng and grades it. It never returns an error: a probe that
// fails makes the result Unhealthy with the failure among the Reasons.
//
// What it checks, and nothing more:
//   - the writer: one trip through the write queue, a Write that really
//     writes (it rewrites user_version inside a savepoint it rolls back, so
//     nothing changes): a database every write fails on (read-only file or
//     connection, full disk, I/O errors) is Unhealthy; a round trip slower
//     than SlowWrite is Degraded;
//   - a reader: one Read that measures the file (page size, count, free
//     pages: too many free pages is Degraded) and, unless SkipQuickCheck,
//     runs PRAGMA quick_check(1): corrupt pages, a broken b-tree or a NOT
//     NULL/CHECK violation make it Unhealthy with SQLite's first finding;
//   - the engine's figures: queue fill, readers saturated, WAL size, the
//     last checkpoint's age (Degraded beyond the thresholds).
//
// It does not compare index contents with their tables (integrity_check
// does: package check), nor foreign keys.
func Check(ctx context.Context, eng *liteactor.Engine, opts HealthOptions) Health {
	opts = opts.withDefaults()
	h := Health{CheckedAt: time.Now()}
	h.Stats = eng.Stats()

	wctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	start := time.Now()
	err := eng.Write(wctx, probeWrite)
	cancel()
	if err != nil {
		h.unhealthy("writer: %v", err)
	} else {
		h.WriteRoundTrip = time.Since(start)
		if h.WriteRoundTrip > opts.SlowWrite {
			h.degraded("writer round trip %s > %s", h.WriteRoundTrip.Round(time.Millisecond), opts.SlowWrite)
		}
	}

	rctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	start = time.Now()
	err = eng.Read(rctx, func(conn *sqlite3.Conn) error {
		var err error
		if h.PageSize, h.PageCount, h.FreePages, err = pages(conn); err != nil {
			return err
		}
		if !opts.SkipQuickCheck {
			return quickCheck(conn)
		}
		return nil
	})
	cancel()
	if err != nil {
		h.unhealthy("reader: %v", err)
	} else {
		h.ReadRoundTrip = time.Since(start)
		if opts.FreeFraction > 0 && h.PageCount >= 1024 && float64(h.FreePages) > opts.FreeFraction*float64(h.PageCount) {
			h.degraded("%d of %d pages free (VACUUM would return them)", h.FreePages, h.PageCount)
		}
	}

	s := h.Stats
	if s.FileReplaced || eng.Stats().FileReplaced {
		h.unhealthy("the database file was replaced, moved or removed under the engine: writes fail with ErrFileReplaced; reopen it")
	}
	if s.QueueCapacity > 0 && float64(s.QueueDepth) > opts.QueueFill*float64(s.QueueCapacity) {
		h.degraded("write queue %d/%d full", s.QueueDepth, s.QueueCapacity)
	}
	if s.ReadersIdle == 0 && s.ReadsWaiting > 0 {
		h.degraded("all %d readers busy, %d reads waiting", s.ReadersBusy, s.ReadsWaiting)
	}
	h.WALBytes = walBytes(eng)
	if h.WALBytes > opts.WALBytes {
		h.degraded("WAL is %d bytes > %d", h.WALBytes, opts.WALBytes)
	}
	h.LastCheckpoint = s.WAL.LastCheckpoint
	if opts.CheckpointAge > 0 && !h.LastCheckpoint.IsZero() && h.WALBytes > 0 && time.Since(h.LastCheckpoint) > opts.CheckpointAge {
		h.degraded("last checkpoint %s ago", time.Since(h.LastCheckpoint).Round(time.Second))
	}
	return h
}

// probeWrite makes the writer really write, then undoes it: user_version
// rewritten with its own value inside a savepoint rolled back. An empty
// transaction would commit even on a connection that cannot write.
func probeWrite(conn *sqlite3.Conn) error {
	v, err := pragmaInt(conn, "user_version")
	if err != nil {
		return err
	}
	if err := conn.Exec("SAVEPOINT health_probe"); err != nil {
		return err
	}
	werr := conn.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
	if err := conn.Exec("ROLLBACK TO health_probe; RELEASE health_probe"); err != nil && werr == nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("probe write: %w", werr)
	}
	return nil
}

// quickCheck runs PRAGMA quick_check(1): nil when it reports "ok".
func quickCheck(conn *sqlite3.Conn) error {
	stmt, _, err := conn.Prepare("PRAGMA quick_check(1)")
	if err != nil {
		return err
	}
	defer stmt.Close()
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return fmt.Errorf("quick_check: %w", err)
		}
		return errors.New("quick_check returned no row")
	}
	if r := stmt.ColumnText(0); r != "ok" {
		return fmt.Errorf("quick_check: %s", r)
	}
	return nil
}

func (h *Health) unhealthy(format string, a ...any) {
	h.Status = Unhealthy
	h.Reasons = append(h.Reasons, fmt.Sprintf(format, a...))
}

func (h *Health) degraded(format string, a ...any) {
	if h.Status < Degraded {
		h.Status = Degraded
	}
	h.Reasons = append(h.Reasons, fmt.Sprintf(format, a...))
}

// Ping returns nil when both the writer (an empty Write through the
// admission queue) and a reader (SELECT 1) answer, else the first error:
// liteactor.ErrClosed, ErrQueueFull, ErrReadTimeout, ctx's, ...
func Ping(ctx context.Context, eng *liteactor.Engine) error {
	if err := eng.Write(ctx, func(*sqlite3.Conn) error { return nil }); err != nil {
		return fmt.Errorf("maintenance: ping writer: %w", err)
	}
	if _, err := eng.Query(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("maintenance: ping reader: %w", err)
	}
	return nil
}

// pages reads page_size, page_count and freelist_count.
func pages(conn *sqlite3.Conn) (size, count, free int64, err error) {
	for _, p := range []struct {
		pragma string
		dst    *int64
	}{{"page_size", &size}, {"page_count", &count}, {"freelist_count", &free}} {
		if *p.dst, err = pragmaInt(conn, p.pragma); err != nil {
			return
		}
	}
	return
}

func pragmaInt(conn *sqlite3.Conn, pragma string) (n int64, err error) {
	found := false
	err = sqlstmt.Query(conn, "PRAGMA "+pragma, nil, func(s *sqlite3.Stmt) error {
		if !found {
			n, found = s.ColumnInt64(0), true
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("PRAGMA %s returned no row", pragma)
	}
	return n, err
}

// walBytes is the engine's -wal file size: the engine's own measurement if
// it reports one, else the file's size on disk.
func walBytes(eng *liteactor.Engine) int64 {
	if b := eng.Stats().WAL.Bytes; b > 0 {
		return b
	}
	path := eng.Path()
	if path == ":memory:" || path == "" || strings.HasPrefix(path, "file:") {
		return 0
	}
	fi, err := os.Stat(path + "-wal")
	if errors.Is(err, os.ErrNotExist) || err != nil {
		return 0
	}
	return fi.Size()
}
