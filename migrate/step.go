package migrate

import (
	"errors"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// stepResult is the outcome of one applyNext call.
type stepResult struct {
	before    string     // the database's version when the step began ("" = fresh)
	attempted bool       // a migration was chosen and run
	rec       historyRow // the chosen migration's record (valid when attempted)
}

// applyNext runs inside a write transaction on conn: it creates the history
// table if needed, checks the applied migrations' checksums, and applies the
// one migration that follows the database's version, recording it. Deciding
// and applying under the same write lock is what makes two engines (or two
// processes) on one file apply each migration exactly once: the second one
// finds the first's history row and moves on from there.
//
// res is filled as the step goes, so that the caller knows which migration
// was attempted even when the migration panics.
func applyNext(conn *sqlite3.Conn, c *chain, o *options, res *stepResult) error {
	*res = stepResult{}
	if err := ensureHistoryTable(conn, o.table); err != nil {
		return err
	}
	rows, err := loadHistory(conn, o.table)
	if err != nil {
		return err
	}
	if err := verifyChecksums(conn, rows, c, o, true); err != nil {
		return err
	}
	res.before = currentVersion(rows)
	m, ok, err := c.next(res.before)
	if err != nil || !ok {
		return err
	}
	res.attempted = true
	res.rec = newRecord(m, o)
	return applyMigration(conn, m, o, &res.rec)
}

func newRecord(m Migration, o *options) historyRow {
	return historyRow{Record: Record{
		Version:     m.version,
		Kind:        m.kind,
		From:        m.from,
		Description: m.description,
		Checksum:    m.Checksum(),
		AppName:     o.appName,
	}}
}

// applyMigration runs m on conn (inside a transaction) and inserts its
// history row, filling rec's time, duration and schema delta.
func applyMigration(conn *sqlite3.Conn, m Migration, o *options, rec *historyRow) error {
	before, err := snapshot(conn, o.table)
	if err != nil {
		return err
	}
	rec.AppliedAt = o.now()
	start := time.Now()
	if m.fn != nil {
		err = runFunc(conn, m)
	} else {
		err = runScript(conn, m.version, m.sql)
	}
	rec.Duration = time.Since(start)
	if err != nil {
		return err
	}
	after, err := snapshot(conn, o.table)
	if err != nil {
		return err
	}
	rec.delta = diffSchema(before, after)
	return insertHistory(conn, o.table, *rec)
}

// runFunc calls a Go-function migration. A panic is not recovered here: it
// reaches the engine, which rolls the transaction back and returns ErrPanic;
// Up then names the version.
func runFunc(conn *sqlite3.Conn, m Migration) error {
	if err := m.fn(conn); err != nil {
		return &MigrationError{Version: m.version, Err: err}
	}
	if conn.GetAutocommit() {
		return &MigrationError{Version: m.version, Err: fmt.Errorf("%w: the function ended the transaction", ErrTransactionControl)}
	}
	return nil
}

// verifyChecksums compares each applied migration that is still in the chain
// with its recorded checksum. A difference is ErrChecksumMismatch unless the
// options accept it; an accepted difference is logged and, when write is set,
// the new checksum is stored.
func verifyChecksums(conn *sqlite3.Conn, rows []historyRow, c *chain, o *options, write bool) error {
	var errs []error
	for _, r := range rows {
		m, ok := c.lookup(r.Kind, r.Version)
		if !ok {
			continue
		}
		sum := m.Checksum()
		if sum == r.Checksum {
			continue
		}
		if !o.accepts(r.Version) {
			errs = append(errs, fmt.Errorf("%w: %s %s was applied with checksum %s, the migration given now has %s",
				ErrChecksumMismatch, r.Kind, r.Version, r.Checksum, sum))
			continue
		}
		o.logger.Warn().Str("component", "migrate").Str("op", "checksum").Str("version", r.Version).
			Str("recorded", r.Checksum).Str("now", sum).Bool("stored", write).
			Msg("accepted changed checksum of an applied migration")
		if write {
			if err := updateChecksum(conn, o.table, r.Version, sum); err != nil {
				return err
			}
		}
	}
	return errors.Join(errs...)
}
