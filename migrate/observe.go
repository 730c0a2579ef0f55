package migrate

import "github.com/liteactor/liteactor"

// OpMigrate is the kind of operation this package reports through
// Engine.Observe, so that observers log, measure and trace migrations like
// the engine's own calls (compare Op.Kind with it):
//   - Up reports each migration it applies as one operation: Op.Detail is
//     the migration's version, Outcome.Rows is 1 when this call applied it
//     and 0 when another engine or process had applied it first, and
//     Outcome.Err is the error Up returns for it. The engine's Write (or
//     Exclusive) that runs the migration is observed inside it.
//   - Reset reports itself as one operation with Op.Detail "reset" and
//     Outcome.Rows the number of migrations it applied.
const OpMigrate liteactor.OpKind = "migrate"
