package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// ToFile copies eng's database to dst with SQLite's online backup API on one
// of eng's readers, opts.PagesPerStep pages per step, pausing opts.Pause
// between steps. Writers keep going throughout (in WAL mode a reader never
// blocks them); the reader is busy for the whole copy.
//
// The copy is one consistent snapshot of the database: in Snapshot mode the
// one the read transaction pinned at the start; in live mode (the default)
// the state after the last restart, or, after MaxRestarts restarts, the
// snapshot of the final one-step copy (FallbackOneStep) or of VACUUM INTO
// (FallbackVacuumInto, which runs through the writer and holds writes back
// while it runs). It contains exactly the transactions committed before that
// snapshot.
//
// The copy is built in a temporary file next to dst, synced, verified if
// opts.Verify, and renamed into place; on any error dst is untouched and the
// temporary file removed. Errors: [ErrExists], [ErrTooManyRestarts],
// [ErrVerify], the engine's (liteactor.ErrClosed, ErrReadTimeout), SQLite's,
// the file system's, or ctx's.
func ToFile(ctx context.Context, eng *liteactor.Engine, dst string, opts Options) (Result, error) {
	return observe(ctx, eng, OpBackup, dst, func(ctx context.Context) (Result, error) { return toFile(ctx, eng, dst, opts) })
}

func toFile(ctx context.Context, eng *liteactor.Engine, dst string, opts Options) (Result, error) {
	start := time.Now()
	opts, err := opts.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if err := checkDestination(dst, opts.Overwrite); err != nil {
		return Result{}, err
	}
	tmp := tempPath(dst)
	defer removeFiles(tmp, true)
	mode := fileMode(eng.Path())
	if err := createTemp(tmp, mode); err != nil {
		return Result{}, err
	}
	var out stepOutcome
	err = eng.Read(ctx, func(conn *sqlite3.Conn) (err error) {
		out, err = copyStepped(ctx, conn, tmp, opts)
		return err
	})
	res := Result{Path: dst, Method: out.method, Pages: out.pages, Steps: out.steps, Restarts: out.restarts}
	if errors.Is(err, errFallbackVacuum) {
		if err := removeFiles(tmp, true); err != nil {
			return res, fmt.Errorf("backup: %w", err)
		}
		if err := createTemp(tmp, mode); err != nil {
			return res, err
		}
		err = vacuumInto(ctx, eng, tmp)
		res.Method = MethodVacuumInto
	}
	if err != nil {
		return res, err
	}
	return finish(ctx, res, tmp, dst, opts.Overwrite, opts.Verify, start)
}

// VacuumOptions tunes [VacuumInto].
type VacuumOptions struct {
	// Overwrite and Verify are as in [Options].
	Overwrite bool
	Verify    bool
}

// VacuumInto writes a compacted copy of eng's database to dst with VACUUM
// INTO: no free pages, every table and index rebuilt, usually smaller than
// the database and the fastest to read afterwards. It runs through eng's
// writer with Exclusive (VACUUM cannot run inside a transaction nor on a
// query_only reader), so writes queued behind it wait until it is done;
// reads go on. The copy is a consistent snapshot holding every write that
// returned before VacuumInto was called. Like [ToFile] it goes through a
// temporary file and never leaves a partial dst.
func VacuumInto(ctx context.Context, eng *liteactor.Engine, dst string, opts VacuumOptions) (Result, error) {
	return observe(ctx, eng, OpBackup, dst, func(ctx context.Context) (Result, error) { return vacuumIntoFile(ctx, eng, dst, opts) })
}

func vacuumIntoFile(ctx context.Context, eng *liteactor.Engine, dst string, opts VacuumOptions) (Result, error) {
	start := time.Now()
	if err := checkDestination(dst, opts.Overwrite); err != nil {
		return Result{}, err
	}
	tmp := tempPath(dst)
	defer removeFiles(tmp, true)
	if err := createTemp(tmp, fileMode(eng.Path())); err != nil {
		return Result{}, err
	}
	if err := vacuumInto(ctx, eng, tmp); err != nil {
		return Result{}, err
	}
	return finish(ctx, Result{Path: dst, Method: MethodVacuumInto}, tmp, dst, opts.Overwrite, opts.Verify, start)
}

func vacuumInto(ctx context.Context, eng *liteactor.Engine, tmp string) error {
	err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		return conn.Exec("VACUUM INTO " + sqlite3.Quote(tmp))
	})
	if err != nil {
		return fmt.Errorf("backup: vacuum into: %w", err)
	}
	return nil
}

// finish verifies the copy if asked, measures it, and puts it in place.
func finish(ctx context.Context, res Result, tmp, dst string, overwrite, verify bool, start time.Time) (Result, error) {
	if verify {
		rep, err := Verify(ctx, tmp)
		if err != nil {
			return res, err
		}
		if !rep.OK {
			return res, fmt.Errorf("%w: %d findings, first: %s", ErrVerify, len(rep.Findings), rep.Findings[0])
		}
		res.Verified = true
	}
	res.Bytes = fileSize(tmp)
	if res.Pages == 0 {
		if n, err := pageCount(tmp); err == nil {
			res.Pages = n
		}
	}
	if err := place(tmp, dst, overwrite); err != nil {
		return res, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

// FromConn is the stepped copy of [ToFile] on a connection the caller holds
// and does not write to while it runs (for example inside eng.Read, or a
// connection to a database no engine owns). In Snapshot mode conn must be
// inside a transaction. FallbackVacuumInto needs the engine and is treated
// as FallbackFail here.
func FromConn(ctx context.Context, conn *sqlite3.Conn, dst string, opts Options) (Result, error) {
	start := time.Now()
	opts, err := opts.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if opts.Fallback == FallbackVacuumInto {
		opts.Fallback = FallbackFail
	}
	if err := checkDestination(dst, opts.Overwrite); err != nil {
		return Result{}, err
	}
	tmp := tempPath(dst)
	defer removeFiles(tmp, true)
	mode := os.FileMode(0)
	if f := conn.Filename("main"); f != nil {
		mode = fileMode(f.String())
	}
	if err := createTemp(tmp, mode); err != nil {
		return Result{}, err
	}
	out, err := copyStepped(ctx, conn, tmp, opts)
	res := Result{Path: dst, Method: out.method, Pages: out.pages, Steps: out.steps, Restarts: out.restarts}
	if err != nil {
		return res, err
	}
	return finish(ctx, res, tmp, dst, opts.Overwrite, opts.Verify, start)
}

// pageCount reads the page count of a database file no one else writes.
func pageCount(path string) (int, error) {
	uri, err := readOnlyURI(path)
	if err != nil {
		return 0, err
	}
	conn, err := sqlite3.OpenFlags(uri, sqlite3.OPEN_READONLY|sqlite3.OPEN_URI)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	n, found := 0, false
	err = sqlstmt.Query(conn, "PRAGMA page_count", nil, func(s *sqlite3.Stmt) error {
		if !found {
			n, found = s.ColumnInt(0), true
		}
		return nil
	})
	if err == nil && !found {
		err = os.ErrNotExist
	}
	return n, err
}
