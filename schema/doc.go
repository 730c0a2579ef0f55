// Package schema reads the schema of a database (tables, columns, indexes,
// foreign keys) and applies additive DDL safely: every identifier is quoted,
// and "add if missing" operations tolerate the object already existing.
//
// Two layers:
//   - [Inspect] wraps a *sqlite3.Conn the caller already holds, for use inside
//     an engine closure (eng.Read, eng.Write, or a migration step); its DDL
//     methods run in whatever transaction the connection is in.
//   - The package-level functions ([Tables], [AddColumnIfMissing], ...) take a
//     *liteactor.Engine and run the inspection on a reader (eng.Read) and the
//     DDL through the writer (eng.Write, so it is atomic and ordered with the
//     other writes).
//
// Names are matched the way SQLite matches them: ASCII case-insensitively.
// Only the "main" schema is inspected; tables whose names begin with
// "sqlite_" (SQLite's own) are not listed.
package schema
