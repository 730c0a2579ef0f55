package backup

import (
	"context"

	"github.com/liteactor/liteactor"
)

// Operation kinds this package reports through Engine.Observe, so that
// observers log, measure and trace backups and restores like the engine's
// own calls (compare Op.Kind with them). The engine calls a backup or
// restore makes (its Read, Exclusive) are observed inside it.
const (
	// OpBackup is reported once per ToFile or VacuumInto: Op.Detail is the
	// destination path, Outcome.Rows the number of pages copied (0 when it
	// failed), Outcome.Err the error returned.
	OpBackup liteactor.OpKind = "backup"
	// OpRestore is reported once per Restore or RestoreOnline: Op.Detail is
	// the source path, Outcome.Err the error returned. For Restore the
	// engine given is closed by the time observers see the outcome.
	OpRestore liteactor.OpKind = "restore"
)

// observe runs a copy as one operation of kind through eng's observers.
func observe(ctx context.Context, eng *liteactor.Engine, kind liteactor.OpKind, detail string, fn func(context.Context) (Result, error)) (Result, error) {
	var res Result
	err := eng.Observe(ctx, &liteactor.Op{Kind: kind, Detail: detail}, func(ctx context.Context, out *liteactor.Outcome) error {
		var err error
		res, err = fn(ctx)
		if err == nil {
			out.Rows = int64(res.Pages)
		}
		return err
	})
	return res, err
}
