package sqldb

import (
	"strings"
)

// result is the driver.Result of an Exec: SQLite's changes() and
// last_insert_rowid() for the statement (see liteactor.Result).
type result struct {
	rows, id int64
}

func (r result) LastInsertId() (int64, error) { return r.id, nil }
func (r result) RowsAffected() (int64, error) { return r.rows, nil }

func upperTrim(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
