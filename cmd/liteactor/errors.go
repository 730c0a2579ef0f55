package main

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// describe renders err on one line, followed by the SQLite result code it
// carries, if any: "open x.db: sqlite3: file is not a database (SQLITE_NOTADB)".
func describe(err error) string {
	msg := oneLine(err)
	if code := sqliteCode(err); code != "" {
		msg += " (" + code + ")"
	}
	return msg
}

// sqliteCode names the SQLite result code in err's chain: the extended code
// when it has a name here, else the primary one with the extended number.
func sqliteCode(err error) string {
	var primary sqlite3.ErrorCode
	var extended sqlite3.ExtendedErrorCode
	var se *sqlite3.Error
	switch {
	case errors.As(err, &se):
		primary, extended = se.Code(), se.ExtendedCode()
	case errors.As(err, &extended):
		primary = extended.Code()
	case errors.As(err, &primary):
		extended = sqlite3.ExtendedErrorCode(primary)
	default:
		return ""
	}
	if name, ok := extendedNames[extended]; ok {
		return name
	}
	name, ok := primaryNames[primary]
	if !ok {
		name = fmt.Sprintf("SQLITE_%d", int(primary))
	}
	if sqlite3.ExtendedErrorCode(primary) != extended {
		name += fmt.Sprintf(", extended %d", int(extended))
	}
	return name
}

var primaryNames = map[sqlite3.ErrorCode]string{
	sqlite3.ERROR: "SQLITE_ERROR", sqlite3.INTERNAL: "SQLITE_INTERNAL", sqlite3.PERM: "SQLITE_PERM",
	sqlite3.ABORT: "SQLITE_ABORT", sqlite3.BUSY: "SQLITE_BUSY", sqlite3.LOCKED: "SQLITE_LOCKED",
	sqlite3.NOMEM: "SQLITE_NOMEM", sqlite3.READONLY: "SQLITE_READONLY", sqlite3.INTERRUPT: "SQLITE_INTERRUPT",
	sqlite3.IOERR: "SQLITE_IOERR", sqlite3.CORRUPT: "SQLITE_CORRUPT", sqlite3.NOTFOUND: "SQLITE_NOTFOUND",
	sqlite3.FULL: "SQLITE_FULL", sqlite3.CANTOPEN: "SQLITE_CANTOPEN", sqlite3.PROTOCOL: "SQLITE_PROTOCOL",
	sqlite3.EMPTY: "SQLITE_EMPTY", sqlite3.SCHEMA: "SQLITE_SCHEMA", sqlite3.TOOBIG: "SQLITE_TOOBIG",
	sqlite3.CONSTRAINT: "SQLITE_CONSTRAINT", sqlite3.MISMATCH: "SQLITE_MISMATCH", sqlite3.MISUSE: "SQLITE_MISUSE",
	sqlite3.NOLFS: "SQLITE_NOLFS", sqlite3.AUTH: "SQLITE_AUTH", sqlite3.FORMAT: "SQLITE_FORMAT",
	sqlite3.RANGE: "SQLITE_RANGE", sqlite3.NOTADB: "SQLITE_NOTADB", sqlite3.NOTICE: "SQLITE_NOTICE",
	sqlite3.WARNING: "SQLITE_WARNING",
}

var extendedNames = map[sqlite3.ExtendedErrorCode]string{
	sqlite3.BUSY_RECOVERY: "SQLITE_BUSY_RECOVERY", sqlite3.BUSY_SNAPSHOT: "SQLITE_BUSY_SNAPSHOT",
	sqlite3.BUSY_TIMEOUT: "SQLITE_BUSY_TIMEOUT", sqlite3.IOERR_READ: "SQLITE_IOERR_READ",
	sqlite3.IOERR_SHORT_READ: "SQLITE_IOERR_SHORT_READ", sqlite3.IOERR_WRITE: "SQLITE_IOERR_WRITE",
	sqlite3.IOERR_FSYNC: "SQLITE_IOERR_FSYNC", sqlite3.IOERR_LOCK: "SQLITE_IOERR_LOCK",
	sqlite3.CORRUPT_INDEX: "SQLITE_CORRUPT_INDEX", sqlite3.CANTOPEN_ISDIR: "SQLITE_CANTOPEN_ISDIR",
	sqlite3.READONLY_DBMOVED: "SQLITE_READONLY_DBMOVED", sqlite3.CONSTRAINT_UNIQUE: "SQLITE_CONSTRAINT_UNIQUE",
	sqlite3.CONSTRAINT_FOREIGNKEY: "SQLITE_CONSTRAINT_FOREIGNKEY", sqlite3.CONSTRAINT_NOTNULL: "SQLITE_CONSTRAINT_NOTNULL",
	sqlite3.CONSTRAINT_PRIMARYKEY: "SQLITE_CONSTRAINT_PRIMARYKEY", sqlite3.CONSTRAINT_CHECK: "SQLITE_CONSTRAINT_CHECK",
}
