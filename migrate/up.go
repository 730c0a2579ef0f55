package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// Report is what Up or Reset did or, in a dry run, would do.
type Report struct {
	DryRun  bool     // nothing was changed; Applied lists what would run
	Before  string   // the database's version when the call began ("" = fresh)
	After   string   // its version when the call ended (or would end)
	Applied []Record // the migrations applied (or planned), in order
}

// Up brings the database to the newest version of ms.
//
// Before anything runs, ms is checked as CheckChain describes; a bad chain
// changes nothing. On a fresh database (no history table, or an empty one)
// the newest baseline is applied, then the incrementals above it in chain
// order; on an existing database only incrementals apply, each starting from
// the version the database is at (ErrNoPath if none does, ErrDatabaseAhead if
// the database is newer than every migration).
//
// Each migration runs in its own transaction on the engine's writer: by
// default inside Engine.Write (a savepoint of a group-commit BEGIN IMMEDIATE
// transaction); with ForeignKeysOff inside Engine.Exclusive, in a BEGIN
// IMMEDIATE transaction of its own. Which migration to apply is decided
// inside that transaction from the history table, so engines or processes
// sharing a file apply each migration exactly once: whoever comes second
// finds it recorded and goes on from there. In the same transaction the
// recorded checksums of applied migrations are compared with ms
// (ErrChecksumMismatch unless AcceptChecksumChange), the migration's SQL
// runs statement by statement, and its history row is written.
//
// A failing migration is rolled back whole: no statement of it and no
// history row remain, and the database stays at the previous version. The
// error is a *MigrationError (errors.Is ErrMigrationFailed and the cause)
// naming the version and, for SQL, the failing statement. Migrations applied
// before it in this call stay applied; Report lists them.
//
// Each migration applied is reported to the engine's observers as one
// OpMigrate operation (see OpMigrate), with the engine's own Write or
// Exclusive nested inside it.
//
// Options: DryRun, AppName, WithHook, Logger, ForeignKeysOff,
// AcceptChecksumChange, Table.
func Up(ctx context.Context, eng *liteactor.Engine, ms []Migration, opts ...Option) (Report, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return Report{}, err
	}
	c, err := newChain(ms)
	if err != nil {
		return Report{}, err
	}
	log := o.logger.With().Str("component", "migrate").Str("op", "up").Logger()
	if o.dryRun {
		return dryRun(ctx, eng, c, o, log, false)
	}
	rows, err := readHistoryWith(ctx, eng, o)
	if err != nil {
		return Report{}, err
	}
	cur := currentVersion(rows)
	var rep Report
	for first := true; ; first = false {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		res, err := upStep(ctx, eng, c, o, cur)
		if first {
			rep.Before, rep.After = res.before, res.before
		}
		if err != nil {
			if !res.attempted {
				return rep, err
			}
			log.Error().Err(err).Str("version", res.rec.Version).Str("kind", string(res.rec.Kind)).Msg("migration failed and was rolled back")
			if herr := callHook(ctx, o, log, Event{Record: res.rec.Record, Err: err}); herr != nil {
				return rep, errors.Join(err, herr)
			}
			return rep, err
		}
		if !res.attempted {
			if res.before != cur {
				// Another engine or process migrated the database since
				// the plan was made: plan again from where it is.
				cur = res.before
				continue
			}
			rep.After = res.before
			log.Debug().Str("version", rep.After).Int("applied", len(rep.Applied)).Msg("database is up to date")
			return rep, nil
		}
		rep.Applied = append(rep.Applied, res.rec.Record)
		rep.After = res.rec.Version
		cur = res.rec.Version
		log.Info().Str("version", res.rec.Version).Str("kind", string(res.rec.Kind)).Str("from", res.rec.From).
			Str("description", res.rec.Description).Dur("duration", res.rec.Duration).Msg("migration applied")
		if err := callHook(ctx, o, log, Event{Record: res.rec.Record}); err != nil {
			return rep, err
		}
	}
}

// upStep applies the migration that follows cur, the version the database
// was last seen at, in one transaction on the writer, reported to the
// engine's observers as an OpMigrate operation named for that migration.
// Inside the transaction it first checks that the database is still at
// cur: if another engine or process has moved it, nothing is applied and
// res.before says where it is now. When no migration follows cur (the
// database is up to date, or cannot be migrated) the step still runs, to
// check checksums and report the error, but is not reported as a
// migration. A failed migration's error is a *MigrationError.
func upStep(ctx context.Context, eng *liteactor.Engine, c *chain, o *options, cur string) (stepResult, error) {
	var res stepResult
	step := func(conn *sqlite3.Conn) error {
		rows, err := loadHistory(conn, o.table)
		if err != nil {
			return err
		}
		if now := currentVersion(rows); now != cur {
			res = stepResult{before: now}
			return nil
		}
		return applyNext(conn, c, o, &res)
	}
	run := func(ctx context.Context) error {
		var err error
		if o.fkOff {
			err = eng.Exclusive(ctx, func(conn *sqlite3.Conn) error { return inOwnTransaction(conn, true, step) })
		} else {
			err = eng.Write(ctx, step)
		}
		if err != nil && res.attempted {
			err = asMigrationError(res.rec.Version, err)
		}
		return err
	}
	m, ok, _ := c.next(cur)
	if !ok {
		return res, run(ctx)
	}
	err := eng.Observe(ctx, &liteactor.Op{Kind: OpMigrate, Detail: m.version}, func(ctx context.Context, out *liteactor.Outcome) error {
		err := run(ctx)
		if err == nil && res.attempted {
			out.Rows = 1
		}
		return err
	})
	return res, err
}

// asMigrationError names the version on an error that does not already.
func asMigrationError(version string, err error) error {
	var me *MigrationError
	if errors.As(err, &me) {
		return err
	}
	return &MigrationError{Version: version, Err: err}
}

// callHook runs the hook, if any, and logs the call.
func callHook(ctx context.Context, o *options, log zerolog.Logger, ev Event) error {
	if o.hook == nil {
		return nil
	}
	err := o.hook(ctx, ev)
	l := log.Debug()
	if err != nil {
		l = log.Error().Err(err)
	}
	l.Str("version", ev.Version).Bool("dry_run", ev.DryRun).AnErr("migration_err", ev.Err).Msg("migration hook called")
	if err != nil {
		return fmt.Errorf("migrate: hook after %s: %w", ev.Version, err)
	}
	return nil
}

// dryRun reads the history on a reader and lists what would run. For Reset
// (fresh) the chain is planned from an empty database and checksums are not
// compared, since everything would be dropped.
func dryRun(ctx context.Context, eng *liteactor.Engine, c *chain, o *options, log zerolog.Logger, fresh bool) (Report, error) {
	var rows []historyRow
	err := eng.Read(ctx, func(conn *sqlite3.Conn) error {
		var err error
		if rows, err = loadHistory(conn, o.table); err != nil || fresh {
			return err
		}
		return verifyChecksums(conn, rows, c, o, false)
	})
	if err != nil {
		return Report{}, err
	}
	rep := Report{DryRun: true, Before: currentVersion(rows)}
	start := rep.Before
	if fresh {
		start = ""
	}
	path, err := c.path(start)
	if err != nil {
		return rep, err
	}
	rep.After = start
	for _, m := range path {
		rec := newRecord(m, o).Record
		rep.Applied = append(rep.Applied, rec)
		rep.After = m.version
		log.Info().Str("version", m.version).Str("kind", string(m.kind)).Bool("dry_run", true).Msg("migration would run")
		if err := callHook(ctx, o, log, Event{Record: rec, DryRun: true}); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// Current returns the version the database is at: the highest version in
// the history table. A fresh database, with no history table or an empty
// one, returns "" and a nil error, also when it holds tables created by
// other means. It reads on a reader and sees every write that returned
// before the call. Option: Table.
func Current(ctx context.Context, eng *liteactor.Engine, opts ...Option) (string, error) {
	rows, err := readHistory(ctx, eng, opts)
	return currentVersion(rows), err
}

// History returns one Record per applied migration, in the order they were
// applied; an empty slice on a fresh database. Option: Table.
func History(ctx context.Context, eng *liteactor.Engine, opts ...Option) ([]Record, error) {
	rows, err := readHistory(ctx, eng, opts)
	return records(rows), err
}

func readHistory(ctx context.Context, eng *liteactor.Engine, opts []Option) ([]historyRow, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	return readHistoryWith(ctx, eng, o)
}

// readHistoryWith reads the history table on a reader.
func readHistoryWith(ctx context.Context, eng *liteactor.Engine, o *options) ([]historyRow, error) {
	var rows []historyRow
	err := eng.Read(ctx, func(conn *sqlite3.Conn) error {
		var err error
		rows, err = loadHistory(conn, o.table)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}
