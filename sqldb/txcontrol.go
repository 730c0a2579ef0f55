package sqldb

import (
	"fmt"
	"strings"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// checkTxControl refuses, inside a read-write transaction, a statement that
// would end or nest it: BEGIN, COMMIT, END and ROLLBACK (ROLLBACK TO a
// savepoint, SAVEPOINT and RELEASE stay allowed, as ORMs use them for
// nested transactions). On the writer the engine's authorizer is off for
// the transaction (it runs in Engine.Exclusive), so the bridge checks the
// statement's leading keywords itself; a ROLLBACK that still gets through
// is caught afterwards, since the connection is then in autocommit mode
// (ErrTxAborted).
func checkTxControl(sql string) error {
	kw, rest := keyword(sql)
	switch kw {
	case "BEGIN", "COMMIT", "END":
	case "ROLLBACK":
		next, rest := keyword(rest)
		if next == "TRANSACTION" {
			next, _ = keyword(rest)
		}
		if next == "TO" {
			return nil
		}
	default:
		return nil
	}
	return fmt.Errorf("%w: %s inside a transaction: use Tx.Commit or Tx.Rollback", liteactor.ErrInvalidArg, kw)
}

// keyword returns sql's first word (letters only, upper-cased) after white
// space and comments, and what follows it.
func keyword(sql string) (string, string) {
	sql = sql[sqlstmt.SkipSpace(sql):]
	i := 0
	for i < len(sql) && (sql[i]|0x20 >= 'a' && sql[i]|0x20 <= 'z') {
		i++
	}
	return strings.ToUpper(sql[:i]), sql[i:]
}
