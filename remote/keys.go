package remote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/liteactor/liteactor"
	pb "github.com/liteactor/liteactor/remote/remotepb"
	"github.com/ncruces/go-sqlite3"
	"google.golang.org/protobuf/proto"
)

// KeysTable is the table in the served database where the gateway records
// each idempotency key with its outcome, in the same transaction as the
// write. Serve creates it.
const KeysTable = "_liteactor_remote_keys"

const keysSchema = `CREATE TABLE IF NOT EXISTS ` + KeysTable + ` (
	key        TEXT PRIMARY KEY,
	created_ms INTEGER NOT NULL,
	reply      BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ` + KeysTable + `_created ON ` + KeysTable + `(created_ms);`

const (
	sqlLookupKey  = `SELECT reply FROM ` + KeysTable + ` WHERE key = ?`
	sqlRecordKey  = `INSERT INTO ` + KeysTable + `(key, created_ms, reply) VALUES (?, ?, ?)`
	sqlExpireKeys = `DELETE FROM ` + KeysTable + ` WHERE key IN (SELECT key FROM ` + KeysTable +
		` WHERE created_ms < ? ORDER BY created_ms LIMIT ?)`
	keySavepoint = "liteactor_remote"
)

// applied is a keyed write's outcome: the recorded reply (a BatchReply with
// one result per entry, or the recorded error), and whether it came from an
// earlier run of the key.
type applied struct {
	rec       *pb.BatchReply
	duplicate bool
}

// applyKeyed runs stmts atomically, exactly once for key, in one engine
// Write: if the key is recorded, its recorded outcome is returned and
// nothing runs; else the statements run inside a savepoint and the key is
// recorded with their outcome in the same transaction. A failure that
// depends only on the statements and the data (constraint, syntax, type,
// bad argument) is recorded like a success, after rolling the statements
// back: retries of the key get the same error. Any other failure (deadline,
// interrupt, I/O, busy, panic, a rolled-back transaction) returns an error,
// records nothing and commits nothing, so a retry runs the write afresh.
func applyKeyed(ctx context.Context, eng *liteactor.Engine, key string, nowMs int64, stmts []*pb.Statement) (applied, error) {
	var out applied
	err := eng.Write(ctx, func(conn *sqlite3.Conn) error {
		out = applied{}
		blob, found, err := lookupKey(conn, key)
		if err != nil {
			return err
		}
		if found {
			rec := &pb.BatchReply{}
			if err := proto.Unmarshal(blob, rec); err != nil {
				return fmt.Errorf("%w: recorded outcome of key %q: %w", ErrInternal, key, err)
			}
			out = applied{rec: rec, duplicate: true}
			return nil
		}
		if err := conn.Exec("SAVEPOINT " + keySavepoint); err != nil {
			return err
		}
		rec := &pb.BatchReply{}
		for i, st := range stmts {
			res, err := runEntry(conn, st)
			if err != nil {
				if conn.GetAutocommit() || !recordable(err) {
					return err // the engine rolls the whole request back
				}
				if err := conn.Exec("ROLLBACK TO " + keySavepoint + "; RELEASE " + keySavepoint); err != nil {
					return err
				}
				pe := toProto(err)
				pe.Statement = int32(i)
				rec = &pb.BatchReply{Error: pe}
				break
			}
			rec.Results = append(rec.Results, res)
		}
		if rec.Error == nil {
			if err := conn.Exec("RELEASE " + keySavepoint); err != nil {
				return err
			}
		}
		blob, err = proto.Marshal(rec)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInternal, err)
		}
		if err := recordKey(conn, key, nowMs, blob); err != nil {
			return err
		}
		out = applied{rec: rec}
		return nil
	})
	return out, err
}

// recordable reports whether err is a deterministic outcome of the
// statements themselves, which a retry would reproduce.
func recordable(err error) bool {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, liteactor.ErrPanic), errors.Is(err, liteactor.ErrClosed):
		return false
	case errors.Is(err, liteactor.ErrInvalidArg):
		return true
	}
	var code sqlite3.ErrorCode
	if !errors.As(err, &code) {
		return false
	}
	switch code {
	case sqlite3.ERROR, sqlite3.CONSTRAINT, sqlite3.MISMATCH, sqlite3.RANGE, sqlite3.TOOBIG:
		return true
	}
	return false
}

// lookupKey reads key's recorded outcome.
func lookupKey(conn *sqlite3.Conn, key string) ([]byte, bool, error) {
	stmt, _, err := conn.Prepare(sqlLookupKey)
	if err != nil {
		return nil, false, err
	}
	defer stmt.Close()
	if err := stmt.BindText(1, key); err != nil {
		return nil, false, err
	}
	if !stmt.Step() {
		return nil, false, stmt.Err()
	}
	return stmt.ColumnBlob(0, nil), true, nil
}

func recordKey(conn *sqlite3.Conn, key string, nowMs int64, blob []byte) error {
	stmt, _, err := conn.Prepare(sqlRecordKey)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if err := stmt.BindText(1, key); err != nil {
		return err
	}
	if err := stmt.BindInt64(2, nowMs); err != nil {
		return err
	}
	if err := stmt.BindBlob(3, blob); err != nil {
		return err
	}
	return stmt.Exec()
}

// recorded reads key's recorded outcome on a reader (for retries, so that a
// duplicate does not take a turn of the writer).
func recorded(ctx context.Context, eng *liteactor.Engine, key string) (*pb.BatchReply, bool, error) {
	var blob []byte
	var found bool
	err := eng.Read(ctx, func(conn *sqlite3.Conn) error {
		var err error
		blob, found, err = lookupKey(conn, key)
		return err
	})
	if err != nil || !found {
		return nil, false, err
	}
	rec := &pb.BatchReply{}
	if err := proto.Unmarshal(blob, rec); err != nil {
		return nil, false, fmt.Errorf("%w: recorded outcome of key %q: %w", ErrInternal, key, err)
	}
	return rec, true, nil
}

// expireKeys deletes at most limit records created before cutoffMs, in one
// engine Write, and reports how many it deleted.
func expireKeys(ctx context.Context, eng *liteactor.Engine, cutoffMs int64, limit int) (int64, error) {
	var n int64
	err := eng.Write(ctx, func(conn *sqlite3.Conn) error {
		stmt, _, err := conn.Prepare(sqlExpireKeys)
		if err != nil {
			return err
		}
		defer stmt.Close()
		if err := stmt.BindInt64(1, cutoffMs); err != nil {
			return err
		}
		if err := stmt.BindInt64(2, int64(limit)); err != nil {
			return err
		}
		if err := stmt.Exec(); err != nil {
			return err
		}
		n = conn.Changes()
		return nil
	})
	return n, err
}

// runEntry runs one entry of a write: one statement with its arguments, or,
// without arguments, a script of several statements. Its result is that of
// the last statement.
func runEntry(conn *sqlite3.Conn, st *pb.Statement) (*pb.ExecResult, error) {
	sql, args := st.GetSql(), st.GetArgs()
	res := &pb.ExecResult{}
	n := 0
	for {
		stmt, tail, err := conn.Prepare(sql)
		if err != nil {
			return nil, err
		}
		if stmt == nil {
			break
		}
		n++
		if n > 1 && len(args) > 0 {
			stmt.Close()
			return nil, fmt.Errorf("%w: several statements with arguments", liteactor.ErrInvalidArg)
		}
		if txControl(stmt.SQL()) {
			stmt.Close()
			return nil, fmt.Errorf("%w: transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is not allowed remotely: every request is its own transaction", liteactor.ErrInvalidArg)
		}
		if n == 1 {
			if err := bindValues(stmt, args); err != nil {
				stmt.Close()
				return nil, err
			}
		}
		err = stmt.Exec()
		stmt.Close()
		if err != nil {
			return nil, err
		}
		res.RowsAffected, res.LastInsertId = conn.Changes(), conn.LastInsertRowID()
		sql = tail
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no SQL statement", liteactor.ErrInvalidArg)
	}
	return res, nil
}

// txControl reports whether sql starts with a transaction-control keyword,
// after white space and comments.
func txControl(sql string) bool {
	for {
		sql = strings.TrimLeftFunc(sql, unicode.IsSpace)
		switch {
		case strings.HasPrefix(sql, "--"):
			i := strings.IndexByte(sql, '\n')
			if i < 0 {
				return false
			}
			sql = sql[i+1:]
			continue
		case strings.HasPrefix(sql, "/*"):
			i := strings.Index(sql, "*/")
			if i < 0 {
				return false
			}
			sql = sql[i+2:]
			continue
		}
		break
	}
	end := strings.IndexFunc(sql, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(sql)
	}
	switch strings.ToUpper(sql[:end]) {
	case "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE":
		return true
	}
	return false
}
