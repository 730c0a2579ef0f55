// Package migrate applies versioned schema migrations to a liteactor engine,
// records them with checksums in a history table, and validates, repairs or
// resets the schema they built. It uses only the engine's public API.
//
// # Versions and the chain
//
// A version is a strict semantic version MAJOR.MINOR.PATCH ("1.4.0"; no "v",
// no pre-release, no build metadata), ordered numerically. Migrations are
// made with Baseline, Incremental, BaselineFunc and IncrementalFunc, or read
// from files with LoadFS. A baseline builds the whole schema of its version
// on a fresh database; an incremental moves a database from its From version
// to its Version. Before anything runs, Up (and Reset, and CheckChain) refuse
// a list in which a version is invalid (the error names it), two baselines
// or two incrementals share a version, two incrementals start from the same
// version, an incremental does not move forward, there is no baseline, the
// newest baseline cannot reach the highest version (a missing link), or an
// incremental above the newest baseline leads nowhere.
//
// Older lineage may stay in the list after squashing: an earlier baseline
// and its incrementals may end, at or below the newest baseline, where no
// incremental leads on. A fresh database still gets the newest baseline; a
// database on such a line gets ErrNoPath at its own Up, before anything is
// applied, and Unreachable lists those versions.
//
// # Applying
//
// On a fresh database the newest baseline is applied, then the incrementals
// above it in order. On an existing database only incrementals apply, each
// from the version the database is at. Each migration runs in its own
// transaction on the engine's writer, and the decision of what to apply is
// taken inside it, so engines and processes sharing a file apply each
// migration exactly once. A failing migration leaves no trace: its
// statements and its history row are rolled back and the database stays at
// the previous version; the *MigrationError names the version and, for SQL,
// the failing statement (index, line and text). SQL runs statement by
// statement; transaction control statements (BEGIN, COMMIT, END, ROLLBACK,
// SAVEPOINT, RELEASE) are refused. Table rebuilds that need PRAGMA
// foreign_keys=OFF use the ForeignKeysOff option.
//
// # Current version
//
// Current returns the highest version recorded in the history table. On a
// fresh database (no history table, or an empty one) it returns "" and a nil
// error, even if the database holds tables created by other means: migrate
// then treats it as fresh and applies the newest baseline.
//
// # History and checksums
//
// The history table (DefaultTable, or the Table option) has one row per
// applied migration: version, kind, from_version, description, checksum,
// applied_at (RFC 3339, UTC, microseconds), execution_us (its statements'
// run time), app_name (the AppName option) and schema_delta (JSON: the
// tables, indexes, views and triggers it created, changed or dropped, with
// their SQL; Validate and Repair use it). The checksum of an SQL migration is
// the hex SHA-256 of its SQL text, byte for byte; that of a Go-function
// migration is the SHA-256 of "go:" followed by its revision (see
// Migration.WithRevision), since Go code cannot be hashed. When Up finds an
// applied migration whose checksum differs from the one given now it
// returns ErrChecksumMismatch naming the version, unless AcceptChecksumChange
// names it (then the new checksum is stored). Applied migrations no longer in
// the list are not checked.
//
// # Files
//
// LoadFS reads <version>_<description>.sql files: a file whose description is
// "baseline" or starts with "baseline_" is a baseline, every other file an
// incremental from the next lower version in the directory, unless a
// "-- migrate:from X.Y.Z" comment line at the top says otherwise.
//
// # Recovery
//
// Validate runs integrity_check and foreign_key_check and verifies that
// every object the applied migrations created still exists as recorded.
// Repair recreates what is missing from the recorded SQL and reindexes
// damaged indexes, in one transaction, never dropping anything: if one step
// fails nothing changes. Reset drops everything and applies the chain anew,
// in one transaction, and only with ConfirmReset.
package migrate
