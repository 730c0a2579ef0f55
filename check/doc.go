// Package check runs SQLite's consistency checks and returns their findings
// as typed results: integrity_check (every finding), quick_check, and
// foreign_key_check (one violation per offending row, with its table, rowid,
// parent table and constraint index).
//
// The engine-level functions ([Integrity], [Quick], [ForeignKeys]) run on a
// reader (eng.Read): they see one snapshot, never block the writer, and may
// run while writes go on. The Conn variants run on a connection the caller
// holds, such as one opened on a backup copy.
//
// A check that finds problems is not an error: the error result is for a
// check that could not run. Findings are in the report.
package check
