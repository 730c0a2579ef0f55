package migrate

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/ncruces/go-sqlite3"
)

// Kind says how a migration is applied: a baseline builds the whole schema of
// its version on a fresh database; an incremental moves an existing database
// from one version to the next.
type Kind string

const (
	// KindBaseline is the kind of migrations made with Baseline or BaselineFunc.
	KindBaseline Kind = "baseline"
	// KindIncremental is the kind of migrations made with Incremental or
	// IncrementalFunc.
	KindIncremental Kind = "incremental"
)

// Migration is one step of a schema's history. It is an immutable value:
// the With* methods return a modified copy. Versions are checked when a plan
// is built (Up, Reset, CheckChain), not by the constructors, so that every
// problem in a list is reported in one place with the version named.
type Migration struct {
	kind        Kind
	version     string
	from        string
	description string
	sql         string
	fn          func(*sqlite3.Conn) error
	revision    string
}

// Baseline returns a migration that creates the complete schema at version on
// a fresh database. sql may hold several statements separated by semicolons;
// they run one by one in a single transaction.
func Baseline(version, sql string) Migration {
	return Migration{kind: KindBaseline, version: version, sql: sql}
}

// Incremental returns a migration that moves a database at version from to
// version. sql may hold several statements; they run one by one in a single
// transaction.
func Incremental(version, from, sql string) Migration {
	return Migration{kind: KindIncremental, version: version, from: from, sql: sql}
}

// BaselineFunc is Baseline with a Go function instead of SQL. fn runs on the
// writer connection inside the migration's transaction: it must not begin,
// commit or roll back a transaction itself, and must not keep conn. Its
// checksum follows the rule in WithRevision.
func BaselineFunc(version string, fn func(*sqlite3.Conn) error) Migration {
	return Migration{kind: KindBaseline, version: version, fn: fn}
}

// IncrementalFunc is Incremental with a Go function instead of SQL; the rules
// of BaselineFunc apply.
func IncrementalFunc(version, from string, fn func(*sqlite3.Conn) error) Migration {
	return Migration{kind: KindIncremental, version: version, from: from, fn: fn}
}

// WithDescription returns a copy of m with a human-readable description,
// recorded in the history table. The description is not part of the checksum.
func (m Migration) WithDescription(description string) Migration {
	m.description = description
	return m
}

// WithRevision returns a copy of m with a revision label for a Go-function
// migration. The code of a Go function cannot be hashed, so the checksum of a
// Go-function migration is the SHA-256 of "go:" followed by its revision
// (empty by default). Change the revision when you change what an
// already-released function does: databases that ran the old revision then
// report ErrChecksumMismatch, as they would for changed SQL. The revision of
// an SQL migration is ignored: its checksum is the SHA-256 of its SQL text.
func (m Migration) WithRevision(revision string) Migration {
	m.revision = revision
	return m
}

// Kind reports whether m is a baseline or an incremental.
func (m Migration) Kind() Kind { return m.kind }

// Version is the version the database is at after m.
func (m Migration) Version() string { return m.version }

// From is the version an incremental starts from; empty for a baseline.
func (m Migration) From() string { return m.from }

// Description is the text set by WithDescription (or derived from the file
// name by LoadFS).
func (m Migration) Description() string { return m.description }

// SQL is the migration's SQL text; empty for a Go-function migration.
func (m Migration) SQL() string { return m.sql }

// IsFunc reports whether m is a Go-function migration.
func (m Migration) IsFunc() bool { return m.fn != nil }

// Checksum is the hex SHA-256 recorded in the history table: of the SQL text,
// byte for byte, for an SQL migration; of "go:" + revision for a Go-function
// migration (see WithRevision).
func (m Migration) Checksum() string {
	var sum [sha256.Size]byte
	if m.fn != nil {
		sum = sha256.Sum256([]byte("go:" + m.revision))
	} else {
		sum = sha256.Sum256([]byte(m.sql))
	}
	return hex.EncodeToString(sum[:])
}

// name is how errors and logs refer to m.
func (m Migration) name() string {
	if m.kind == KindBaseline {
		return "baseline " + m.version
	}
	return "incremental " + m.version + " (from " + m.from + ")"
}
