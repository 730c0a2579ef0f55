package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// RestoreOptions tunes the restores.
type RestoreOptions struct {
	// SkipVerify skips the integrity_check of the source that every restore
	// otherwise runs before it touches anything (a source with findings
	// fails with ErrVerify).
	SkipVerify bool
	// KeepPrevious, when not empty, is a path (which must not exist) where
	// the database being replaced is first copied, with everything committed
	// to it, so the restore can be undone.
	KeepPrevious string
}

// RestoreFile makes the database at dst a copy of the database at src.
// Nothing may have dst open (no engine, no other process): its main file is
// replaced by rename and its -wal, -shm and -journal files are deleted. dst
// need not exist. The copy is read from src with the backup API (so a src
// with a -wal is copied with its committed WAL content), written to a
// temporary file next to dst, synced, then renamed over dst: dst is either
// wholly the old database or wholly the new one. src must not be dst.
//
// Keeps: everything in src (schema, rows, indexes, triggers, views,
// user_version, application_id, page size, auto_vacuum, journal mode).
// Loses: everything that was in dst (unless KeepPrevious).
func RestoreFile(ctx context.Context, src, dst string, opts RestoreOptions) error {
	if err := samePath(src, dst); err != nil {
		return err
	}
	if err := verifySource(ctx, src, opts); err != nil {
		return err
	}
	// The restored file keeps dst's permissions, or takes src's when dst
	// does not exist yet.
	mode := fileMode(src)
	if fi, err := os.Stat(dst); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	tmp := tempPath(dst)
	defer removeFiles(tmp, true)
	if err := copyDatabase(src, tmp, mode); err != nil {
		return err
	}
	if err := keepPrevious(dst, opts.KeepPrevious); err != nil {
		return err
	}
	return place(tmp, dst, true)
}

// Restore replaces the database of the running engine eng with a copy of
// src: it verifies src, copies it next to eng's file, drains and closes eng
// (eng.Close: every admitted write runs and commits, the WAL is
// checkpointed and truncated, every connection closed), renames the copy
// over the file after deleting the stale -wal and -shm, and opens a new
// engine on it with cfg. eng must be the only user of the file (no other
// engine or process) and its path a plain file path.
//
// It returns the engine to use from now on:
//   - on success, the new engine; eng is closed and answers ErrClosed;
//   - on a failure before eng was closed (bad src, copy error), eng itself,
//     untouched and running;
//   - on a failure after (Close or rename failed), a new engine on the
//     original, unchanged database, with the error;
//   - nil when the final Open failed: the file then holds the restored
//     database and Open may be retried.
//
// Keeps: everything in src (schema, rows, indexes, triggers, views,
// user_version, application_id, page size, auto_vacuum); the file's path.
// Loses: every write committed to eng's database, including those drained
// by Close and those that returned after the backup src was taken (unless
// KeepPrevious keeps the old database aside); the old engine's statistics,
// statement caches, temporary tables and per-connection settings (the new
// engine applies cfg's); calls made on eng once Close began get
// liteactor.ErrClosed and never run. Holders of eng must switch to the
// returned engine: Restore cannot redirect them.
func Restore(ctx context.Context, eng *liteactor.Engine, src string, cfg liteactor.Config, opts RestoreOptions) (*liteactor.Engine, error) {
	var next *liteactor.Engine
	err := eng.Observe(ctx, &liteactor.Op{Kind: OpRestore, Detail: src}, func(ctx context.Context, _ *liteactor.Outcome) error {
		var err error
		next, err = restore(ctx, eng, src, cfg, opts)
		return err
	})
	if next == nil && errors.Is(err, liteactor.ErrVetoed) {
		next = eng
	}
	return next, err
}

func restore(ctx context.Context, eng *liteactor.Engine, src string, cfg liteactor.Config, opts RestoreOptions) (*liteactor.Engine, error) {
	path := eng.Path()
	if path == ":memory:" || path == "" || strings.HasPrefix(path, "file:") {
		return eng, fmt.Errorf("%w: %q (use RestoreOnline)", ErrNotFile, path)
	}
	if err := samePath(src, path); err != nil {
		return eng, err
	}
	if err := verifySource(ctx, src, opts); err != nil {
		return eng, err
	}
	tmp := tempPath(path)
	defer removeFiles(tmp, true)
	if err := copyDatabase(src, tmp, fileMode(path)); err != nil {
		return eng, err
	}
	if err := ctx.Err(); err != nil {
		return eng, err
	}
	// From here on eng is gone: on failure reopen the original file, with a
	// context that has not ended, so the caller is never left without one.
	reopen := func(cause error) (*liteactor.Engine, error) {
		next, err := liteactor.Open(context.WithoutCancel(ctx), path, cfg)
		if err != nil {
			return nil, fmt.Errorf("backup: restore failed (%w) and reopening the original failed: %w", cause, err)
		}
		return next, fmt.Errorf("backup: restore failed, original database reopened: %w", cause)
	}
	if err := eng.Close(ctx); err != nil {
		return reopen(fmt.Errorf("close engine: %w", err))
	}
	if err := keepPrevious(path, opts.KeepPrevious); err != nil {
		return reopen(err)
	}
	if err := place(tmp, path, true); err != nil {
		return reopen(err)
	}
	next, err := liteactor.Open(ctx, path, cfg)
	if err != nil {
		return nil, fmt.Errorf("backup: restored, but opening the restored database failed: %w", err)
	}
	return next, nil
}

// RestoreOnline copies src into eng's database through eng's writer with
// the backup API, without closing eng: it runs as one Exclusive request, in
// order with the other writes, as one transaction. Reads already running
// keep their snapshot; every read and write that starts after it returns
// sees the restored content. It works for ":memory:" engines too. In WAL
// mode SQLite refuses (sqlite3.READONLY) when src's page size differs from
// the database's; use [Restore] then.
//
// Keeps: the engine, its connections, callers' *Engine, its statistics;
// everything in src (schema, rows, indexes, triggers, views, user_version,
// application_id). Loses: every write committed before it ran (unless
// KeepPrevious, which is copied inside the same Exclusive request, so it
// holds exactly what was replaced). The WAL grows by the size of the
// database until the next checkpoint.
func RestoreOnline(ctx context.Context, eng *liteactor.Engine, src string, opts RestoreOptions) error {
	return eng.Observe(ctx, &liteactor.Op{Kind: OpRestore, Detail: src}, func(ctx context.Context, _ *liteactor.Outcome) error {
		return restoreOnline(ctx, eng, src, opts)
	})
}

func restoreOnline(ctx context.Context, eng *liteactor.Engine, src string, opts RestoreOptions) error {
	if err := verifySource(ctx, src, opts); err != nil {
		return err
	}
	if opts.KeepPrevious != "" {
		if err := checkDestination(opts.KeepPrevious, false); err != nil {
			return err
		}
	}
	// The backup API keeps a WAL destination in WAL mode, but into any other
	// destination (a ":memory:" engine's memdb) it copies the source's
	// header as is, and a WAL header there makes the database unreadable.
	// Such a destination gets a rollback-journal copy of src.
	rows, err := eng.Query(ctx, "PRAGMA journal_mode")
	if err != nil {
		return fmt.Errorf("backup: restore online: %w", err)
	}
	if mode, _ := rows.Values[0][0].(string); mode != "wal" {
		dir, err := os.MkdirTemp("", "liteactor-restore-")
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		defer os.RemoveAll(dir)
		plain := filepath.Join(dir, "source.db")
		if err := copyDatabase(src, plain, defaultMode); err != nil {
			return err
		}
		if err := setRollbackJournal(plain); err != nil {
			return err
		}
		src = plain
	}
	uri, err := readOnlyURI(src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		if opts.KeepPrevious != "" {
			if err := conn.Backup("main", opts.KeepPrevious); err != nil {
				return fmt.Errorf("keep previous: %w", err)
			}
		}
		return conn.Restore("main", uri)
	})
	if err != nil {
		return fmt.Errorf("backup: restore online: %w", err)
	}
	return nil
}

func verifySource(ctx context.Context, src string, opts RestoreOptions) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: restore source: %w", err)
	}
	if opts.SkipVerify {
		return nil
	}
	rep, err := Verify(ctx, src)
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("%w: %s: %d findings, first: %s", ErrVerify, src, len(rep.Findings), rep.Findings[0])
	}
	return nil
}

// copyDatabase copies the database at src (with its committed WAL content)
// to the new file dst, created with mode, with the backup API.
func copyDatabase(src, dst string, mode os.FileMode) error {
	uri, err := readOnlyURI(src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := createTemp(dst, mode); err != nil {
		return err
	}
	conn, err := sqlite3.OpenFlags(uri, sqlite3.OPEN_READONLY|sqlite3.OPEN_URI)
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", src, err)
	}
	defer conn.Close()
	if err := conn.Backup("main", dst); err != nil {
		return fmt.Errorf("backup: copy %s: %w", src, err)
	}
	return syncFile(dst)
}

// setRollbackJournal switches the database file at path (which nothing else
// has open) out of WAL mode.
func setRollbackJournal(path string) error {
	conn, err := sqlite3.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = conn.Exec("PRAGMA journal_mode=DELETE")
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: leave WAL mode on %s: %w", path, err)
	}
	return nil
}

// keepPrevious copies the database at path (if it exists) to keep (if set).
func keepPrevious(path, keep string) error {
	if keep == "" {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := checkDestination(keep, false); err != nil {
		return err
	}
	if err := copyDatabase(path, keep, fileMode(path)); err != nil {
		removeFiles(keep, true)
		return fmt.Errorf("backup: keep previous: %w", err)
	}
	return syncDir(filepath.Dir(keep))
}

// samePath refuses a restore of a file onto itself.
func samePath(src, dst string) error {
	a, errA := filepath.Abs(src)
	b, errB := filepath.Abs(dst)
	if errA == nil && errB == nil && a == b {
		return fmt.Errorf("backup: restore source and destination are the same file: %s", a)
	}
	if fa, err := os.Stat(src); err == nil {
		if fb, err := os.Stat(dst); err == nil && os.SameFile(fa, fb) {
			return fmt.Errorf("backup: restore source and destination are the same file: %s", dst)
		}
	}
	return nil
}
