package schema

import (
	"context"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

// read runs f on a reader of eng with an Inspector.
func read[T any](ctx context.Context, eng *liteactor.Engine, f func(Inspector) (T, error)) (T, error) {
	var out T
	err := eng.Read(ctx, func(conn *sqlite3.Conn) (err error) {
		out, err = f(Inspect(conn))
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// Tables is [Inspector.Tables] on a reader of eng.
func Tables(ctx context.Context, eng *liteactor.Engine) ([]Table, error) {
	return read(ctx, eng, Inspector.Tables)
}

// Columns is [Inspector.Columns] on a reader of eng.
func Columns(ctx context.Context, eng *liteactor.Engine, table string) ([]Column, error) {
	return read(ctx, eng, func(in Inspector) ([]Column, error) { return in.Columns(table) })
}

// Indexes is [Inspector.Indexes] on a reader of eng.
func Indexes(ctx context.Context, eng *liteactor.Engine, table string) ([]Index, error) {
	return read(ctx, eng, func(in Inspector) ([]Index, error) { return in.Indexes(table) })
}

// ForeignKeys is [Inspector.ForeignKeys] on a reader of eng.
func ForeignKeys(ctx context.Context, eng *liteactor.Engine, table string) ([]ForeignKey, error) {
	return read(ctx, eng, func(in Inspector) ([]ForeignKey, error) { return in.ForeignKeys(table) })
}

// TableExists is [Inspector.TableExists] on a reader of eng. It sees every
// write that returned before it was called.
func TableExists(ctx context.Context, eng *liteactor.Engine, name string) (bool, error) {
	return read(ctx, eng, func(in Inspector) (bool, error) { return in.TableExists(name) })
}

// ColumnExists is [Inspector.ColumnExists] on a reader of eng.
func ColumnExists(ctx context.Context, eng *liteactor.Engine, table, column string) (bool, error) {
	return read(ctx, eng, func(in Inspector) (bool, error) { return in.ColumnExists(table, column) })
}

// IndexExists is [Inspector.IndexExists] on a reader of eng.
func IndexExists(ctx context.Context, eng *liteactor.Engine, name string) (bool, error) {
	return read(ctx, eng, func(in Inspector) (bool, error) { return in.IndexExists(name) })
}

// AddColumnIfMissing is [Inspector.AddColumnIfMissing] through eng's writer,
// in one Write: the check and the ALTER are atomic, ordered with the other
// writes, and committed when it returns nil. added is false on any error.
func AddColumnIfMissing(ctx context.Context, eng *liteactor.Engine, table string, col ColumnDef) (added bool, err error) {
	err = eng.Write(ctx, func(conn *sqlite3.Conn) (err error) {
		added, err = Inspect(conn).AddColumnIfMissing(table, col)
		return err
	})
	return added && err == nil, err
}

// CreateIndexIfMissing is [Inspector.CreateIndexIfMissing] through eng's
// writer, in one Write: atomic, ordered with the other writes, committed when
// it returns nil. created is false on any error.
func CreateIndexIfMissing(ctx context.Context, eng *liteactor.Engine, idx IndexDef) (created bool, err error) {
	err = eng.Write(ctx, func(conn *sqlite3.Conn) (err error) {
		created, err = Inspect(conn).CreateIndexIfMissing(idx)
		return err
	})
	return created && err == nil, err
}
