package backup

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/check"
)

// Verify runs PRAGMA integrity_check on the database file at path, opened
// read-only on a private connection (immutable when it has no -wal, so it
// takes no locks and leaves no files behind), and returns every finding. A
// file with findings is not an error: look at Report.OK. The error is for a
// check that could not run: a missing file, a file that is not a database
// (sqlite3.NOTADB), or ctx ending (the check is interrupted).
func Verify(ctx context.Context, path string) (check.Report, error) {
	uri, err := readOnlyURI(path)
	if err != nil {
		return check.Report{}, fmt.Errorf("backup: verify: %w", err)
	}
	conn, err := sqlite3.OpenFlags(uri, sqlite3.OPEN_READONLY|sqlite3.OPEN_URI)
	if err != nil {
		return check.Report{}, fmt.Errorf("backup: verify %s: %w", path, err)
	}
	defer conn.Close()
	if ctx.Done() != nil {
		conn.SetInterrupt(ctx)
	}
	rep, err := check.IntegrityConn(conn, check.Options{})
	if err != nil {
		if ctx.Err() != nil {
			return check.Report{}, fmt.Errorf("backup: verify %s: %w (%w)", path, ctx.Err(), err)
		}
		return check.Report{}, fmt.Errorf("backup: verify %s: %w", path, err)
	}
	return rep, nil
}
