package migrate

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
	"github.com/liteactor/liteactor/schema"
)

// Record is one row of the history table: one applied migration.
type Record struct {
	Version     string        // the version the migration brought the database to
	Kind        Kind          // baseline or incremental
	From        string        // the version an incremental started from; empty for a baseline
	Description string        // the migration's description
	Checksum    string        // hex SHA-256 (see Migration.Checksum)
	AppliedAt   time.Time     // when its transaction ran (stored as RFC 3339, UTC, microseconds)
	Duration    time.Duration // how long its statements took (microsecond resolution)
	AppName     string        // the AppName option of the call that applied it
}

// historyRow is a Record with what the migration did to the schema.
type historyRow struct {
	Record
	delta schemaDelta
}

// timeLayout is RFC 3339 with a fixed six-digit fraction, so that the
// applied_at text sorts in time order.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

func ensureHistoryTable(conn *sqlite3.Conn, table string) error {
	return conn.Exec(`CREATE TABLE IF NOT EXISTS ` + sqlite3.QuoteIdentifier(table) + ` (
	version      TEXT NOT NULL PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (kind IN ('baseline', 'incremental')),
	from_version TEXT NOT NULL,
	description  TEXT NOT NULL,
	checksum     TEXT NOT NULL,
	applied_at   TEXT NOT NULL,
	execution_us INTEGER NOT NULL,
	app_name     TEXT NOT NULL,
	schema_delta TEXT NOT NULL
)`)
}

// loadHistory returns the history rows in the order they were applied, or
// nil if the history table does not exist (a fresh database).
func loadHistory(conn *sqlite3.Conn, table string) ([]historyRow, error) {
	ok, err := schema.Inspect(conn).TableExists(table)
	if err != nil || !ok {
		return nil, err
	}
	var rows []historyRow
	err = sqlstmt.Query(conn, `SELECT version, kind, from_version, description, checksum, applied_at, execution_us, app_name, schema_delta
		FROM `+sqlite3.QuoteIdentifier(table)+` ORDER BY rowid`, nil,
		func(s *sqlite3.Stmt) error {
			r := historyRow{Record: Record{
				Version:     s.ColumnText(0),
				Kind:        Kind(s.ColumnText(1)),
				From:        s.ColumnText(2),
				Description: s.ColumnText(3),
				Checksum:    s.ColumnText(4),
				Duration:    time.Duration(s.ColumnInt64(6)) * time.Microsecond,
				AppName:     s.ColumnText(7),
			}}
			at, err := time.Parse(time.RFC3339Nano, s.ColumnText(5))
			if err != nil {
				return fmt.Errorf("migrate: history of %s: applied_at: %w", r.Version, err)
			}
			r.AppliedAt = at
			if err := json.Unmarshal([]byte(s.ColumnText(8)), &r.delta); err != nil {
				return fmt.Errorf("migrate: history of %s: schema_delta: %w", r.Version, err)
			}
			rows = append(rows, r)
			return nil
		})
	return rows, err
}

func insertHistory(conn *sqlite3.Conn, table string, r historyRow) error {
	delta, err := json.Marshal(r.delta)
	if err != nil {
		return err
	}
	return sqlstmt.Exec(conn, `INSERT INTO `+sqlite3.QuoteIdentifier(table)+`
		(version, kind, from_version, description, checksum, applied_at, execution_us, app_name, schema_delta)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Version, string(r.Kind), r.From, r.Description, r.Checksum,
		r.AppliedAt.UTC().Format(timeLayout), r.Duration.Microseconds(), r.AppName, string(delta))
}

func updateChecksum(conn *sqlite3.Conn, table, version, checksum string) error {
	return sqlstmt.Exec(conn, `UPDATE `+sqlite3.QuoteIdentifier(table)+` SET checksum = ? WHERE version = ?`, checksum, version)
}

// currentVersion is the highest version in the history; "" for none.
func currentVersion(rows []historyRow) string {
	cur := ""
	for _, r := range rows {
		if compareVersions(r.Version, cur) > 0 {
			cur = r.Version
		}
	}
	return cur
}

func records(rows []historyRow) []Record {
	out := make([]Record, len(rows))
	for i, r := range rows {
		out[i] = r.Record
	}
	return out
}
