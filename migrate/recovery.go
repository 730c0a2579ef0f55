package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// Validate checks the database on one reader snapshot: PRAGMA
// integrity_check, PRAGMA foreign_key_check, and that every table, index,
// view and trigger the applied migrations created (as recorded in the
// history table when each ran) still exists with the recorded definition.
// Objects created outside migrations are not checked. It changes nothing.
// The error wraps ErrValidationFailed when something was found (the
// Validation lists it) and is another error when the checks could not run.
// Option: Table.
func Validate(ctx context.Context, eng *liteactor.Engine, opts ...Option) (Validation, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return Validation{}, err
	}
	var v Validation
	err = eng.Read(ctx, func(conn *sqlite3.Conn) error {
		var err error
		v, err = validateConn(conn, o.table)
		return err
	})
	if err != nil {
		return v, err
	}
	return v, v.Err()
}

// Repair fixes what Validate finds and can be fixed without losing data, in
// one write transaction: it creates again every missing object from the SQL
// recorded when its migration ran (tables, then indexes, views, triggers),
// and rebuilds with REINDEX each index integrity_check names. It never drops
// or rewrites an existing object: a damaged table, a changed definition or a
// foreign-key violation is left as it is and reported in Remaining.
//
// If any step fails (say a unique index cannot be recreated over the
// duplicates that got in while it was missing), the whole repair is rolled
// back, the database is exactly as before, and the error names the object.
// After a repair it validates again: the error wraps ErrValidationFailed
// when something remains. Options: Table, Logger.
func Repair(ctx context.Context, eng *liteactor.Engine, opts ...Option) (RepairReport, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return RepairReport{}, err
	}
	log := o.logger.With().Str("component", "migrate").Str("op", "repair").Logger()
	v, err := Validate(ctx, eng, opts...)
	if !errors.Is(err, ErrValidationFailed) {
		return RepairReport{Remaining: v}, err
	}
	var rep RepairReport
	err = eng.Write(ctx, func(conn *sqlite3.Conn) error {
		var err error
		rep, err = repairConn(conn, o.table, v.Integrity)
		return err
	})
	if err != nil {
		log.Error().Err(err).Msg("repair failed and was rolled back")
		return RepairReport{Remaining: v}, err
	}
	for _, obj := range rep.Recreated {
		log.Warn().Str("type", obj.Type).Str("name", obj.Name).Str("version", obj.Version).Msg("recreated missing object")
	}
	for _, name := range rep.Reindexed {
		log.Warn().Str("index", name).Msg("rebuilt damaged index")
	}
	rep.Remaining, err = Validate(ctx, eng, opts...)
	if err != nil {
		log.Error().Err(err).Msg("problems remain after repair")
	}
	return rep, err
}

// Reset drops every table, view, index and trigger of the database
// (including the history table) and applies ms as on a fresh database: the
// newest baseline, then the incrementals above it. It refuses with
// ErrResetNotConfirmed unless ConfirmReset is given, and checks the chain
// first.
//
// The whole reset is one transaction, run through Engine.Exclusive with
// PRAGMA foreign_keys=OFF and PRAGMA foreign_key_check before COMMIT: if
// dropping or any migration fails, nothing is dropped and the database is
// exactly as before. Dropping a virtual table needs its module registered on
// the writer connection (Config.InitHook). With DryRun it changes nothing and
// lists what would run. Options: ConfirmReset, DryRun, AppName, WithHook,
// Logger, Table.
func Reset(ctx context.Context, eng *liteactor.Engine, ms []Migration, opts ...Option) (Report, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return Report{}, err
	}
	if !o.confirmReset {
		return Report{}, fmt.Errorf("%w: pass migrate.ConfirmReset() to drop everything in %s", ErrResetNotConfirmed, eng.Path())
	}
	c, err := newChain(ms)
	if err != nil {
		return Report{}, err
	}
	log := o.logger.With().Str("component", "migrate").Str("op", "reset").Logger()
	if o.dryRun {
		return dryRun(ctx, eng, c, o, log, true)
	}
	var rep Report
	var recs []historyRow
	err = eng.Observe(ctx, &liteactor.Op{Kind: OpMigrate, Detail: "reset"}, func(ctx context.Context, out *liteactor.Outcome) error {
		err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
			return inOwnTransaction(conn, true, func(conn *sqlite3.Conn) error {
				rows, err := loadHistory(conn, o.table)
				if err != nil {
					return err
				}
				rep.Before = currentVersion(rows)
				recs, err = resetConn(conn, c, o)
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("migrate: reset: %w", err)
		}
		out.Rows = int64(len(recs))
		return nil
	})
	if err != nil {
		log.Error().Err(err).Msg("reset failed and was rolled back; nothing changed")
		rep.After = rep.Before
		var me *MigrationError
		if len(recs) > 0 && errors.As(err, &me) {
			if herr := callHook(ctx, o, log, Event{Record: recs[len(recs)-1].Record, Err: err}); herr != nil {
				return rep, errors.Join(err, herr)
			}
		}
		return rep, err
	}
	log.Warn().Str("before", rep.Before).Int("migrations", len(recs)).Msg("database reset")
	rep.After = ""
	for _, r := range recs {
		rep.Applied = append(rep.Applied, r.Record)
		rep.After = r.Version
		if err := callHook(ctx, o, log, Event{Record: r.Record}); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
