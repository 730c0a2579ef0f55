package maintenance

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// VacuumOptions tunes [Vacuum].
type VacuumOptions struct {
	// Checkpoint runs wal_checkpoint(TRUNCATE) after the VACUUM so the
	// database file itself shrinks now (the rebuilt pages otherwise sit in
	// the WAL until the next checkpoint). It waits up to the engine's busy
	// timeout for readers on older snapshots.
	Checkpoint bool
}

// VacuumResult reports a VACUUM's effect.
type VacuumResult struct {
	// PageSize of the database.
	PageSize int64
	// PagesBefore/After and FreeBefore/After are page counts; the database's
	// logical size is pages × PageSize.
	PagesBefore, PagesAfter int64
	FreeBefore, FreeAfter   int64
	// FileBytesBefore/After are the main file's size on disk (0 for
	// ":memory:"); FileBytesAfter reflects the VACUUM only once the WAL
	// has been checkpointed (VacuumOptions.Checkpoint).
	FileBytesBefore, FileBytesAfter int64
	// Duration of the VACUUM itself.
	Duration time.Duration
}

// BytesBefore is the logical size before: PagesBefore × PageSize.
func (r VacuumResult) BytesBefore() int64 { return r.PagesBefore * r.PageSize }

// BytesAfter is the logical size after: PagesAfter × PageSize.
func (r VacuumResult) BytesAfter() int64 { return r.PagesAfter * r.PageSize }

// Vacuum rebuilds the database with VACUUM through eng.Exclusive: alone on
// the writer, outside any transaction (VACUUM cannot run inside one), in
// order with the other writes, which wait until it is done; reads go on
// (readers keep their snapshots). Free pages are returned, tables and
// indexes are rewritten contiguously. VACUUM needs free disk space of up to
// twice the database's size. Errors: the engine's, SQLite's, ctx's (a
// cancelled VACUUM is interrupted and rolled back).
func Vacuum(ctx context.Context, eng *liteactor.Engine, opts VacuumOptions) (VacuumResult, error) {
	var r VacuumResult
	r.FileBytesBefore = mainFileBytes(eng)
	err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		var err error
		if r.PageSize, r.PagesBefore, r.FreeBefore, err = pages(conn); err != nil {
			return err
		}
		start := time.Now()
		if err := conn.Exec("VACUUM"); err != nil {
			return err
		}
		r.Duration = time.Since(start)
		_, r.PagesAfter, r.FreeAfter, err = pages(conn)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("maintenance: vacuum: %w", err)
	}
	if opts.Checkpoint {
		if _, err := eng.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE); err != nil {
			return r, fmt.Errorf("maintenance: checkpoint after vacuum: %w", err)
		}
	}
	r.FileBytesAfter = mainFileBytes(eng)
	return r, nil
}

// mainFileBytes is the database file's size on disk; 0 for memory
// databases or on error.
func mainFileBytes(eng *liteactor.Engine) int64 {
	path := eng.Path()
	if path == ":memory:" || path == "" || strings.HasPrefix(path, "file:") {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
