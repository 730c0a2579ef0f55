package migrate

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// txnControl are the leading keywords of statements a migration may not run:
// the transaction belongs to this package (or to the engine's group commit).
var txnControl = map[string]bool{
	"BEGIN": true, "COMMIT": true, "END": true, "ROLLBACK": true, "SAVEPOINT": true, "RELEASE": true,
}

// runScript executes sql statement by statement on conn (which must be inside
// a transaction), preparing each one from the tail of the previous, so that a
// failure names the failing statement: its 1-based index, the line it starts
// on and its text. The error is a *MigrationError.
func runScript(conn *sqlite3.Conn, version, sql string) error {
	rest := sql
	for n := 1; ; n++ {
		start := len(sql) - len(rest) + sqlstmt.SkipSpace(rest)
		line := 1 + strings.Count(sql[:start], "\n")
		// Checked before Prepare: the engine's authorizer refuses these at
		// prepare time with a less telling error.
		if kw := leadingKeyword(sql[start:]); txnControl[kw] {
			return &MigrationError{Version: version, Statement: n, Line: line, SQL: abridge(sql[start:], true),
				Err: fmt.Errorf("%w: %s", ErrTransactionControl, kw)}
		}
		stmt, tail, err := conn.Prepare(rest)
		if err != nil {
			return &MigrationError{Version: version, Statement: n, Line: line, SQL: abridge(sql[start:], true), Err: err}
		}
		if stmt == nil {
			return nil // only whitespace and comments left
		}
		text := strings.TrimSpace(sql[start : len(sql)-len(tail)])
		err = stmt.Exec()
		if cerr := stmt.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &MigrationError{Version: version, Statement: n, Line: line, SQL: abridge(text, false), Err: err}
		}
		if tail == "" {
			return nil
		}
		rest = tail
	}
}

// leadingKeyword returns the first word of a statement, upper-cased.
func leadingKeyword(stmt string) string {
	stmt = stmt[sqlstmt.SkipSpace(stmt):]
	end := strings.IndexFunc(stmt, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '_')
	})
	if end < 0 {
		end = len(stmt)
	}
	return strings.ToUpper(stmt[:end])
}

// abridge shortens a statement for an error message. When cut is set, s is
// the rest of a script that failed to compile, and the text is cut at its
// first semicolon (the statement's probable end).
func abridge(s string, cut bool) string {
	if cut {
		if i := strings.IndexByte(s, ';'); i >= 0 {
			s = s[:i+1]
		}
	}
	s = strings.TrimSpace(s)
	if n := 200; len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}
