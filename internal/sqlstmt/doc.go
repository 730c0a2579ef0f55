// Package sqlstmt is the engine's one SQL statement layer: it prepares
// exactly one statement, binds arguments to it, steps it, and copies its
// rows out of SQLite's memory. The engine's actors (Exec, Query), and the
// feature packages batch, migrate, schema and check, all run their SQL
// through it, so every statement gets the same argument rules, the same
// one-statement check and the same step loop.
//
// The step loop's guarantee: a row-returning helper either returns every row
// or an error, never part of the rows with a nil error. (ncruces' Stmt.Step
// returns false without calling sqlite3_step once the connection's interrupt
// context is done, so Reset then reports OK: the error is in Stmt.Err, which
// [Finish] checks.)
//
// Statements come from a [Conn]: prepared for one call and finalized after
// it, or drawn from a [Cache] the caller owns (the actors' per-connection
// LRU), in which case they are reset and their bindings cleared after use,
// never finalized here.
//
// The package holds the sentinel errors it returns ([ErrInvalidArg]); the
// actors package and the root package liteactor re-export the same values,
// so errors.Is works across all of them.
package sqlstmt
