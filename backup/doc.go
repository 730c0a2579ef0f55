// Package backup copies a live engine's database to a file and puts such a
// copy back.
//
// Copies:
//   - [ToFile] uses SQLite's online backup API on one of the engine's
//     readers, a bounded number of pages per step with an optional pause
//     between steps and a progress callback. Writers keep going. The copy is
//     always one consistent snapshot; see [Options] for how concurrent writes
//     are handled (bounded restarts, then a fallback).
//   - [VacuumInto] writes a compacted copy (no free pages, rebuilt b-trees)
//     with VACUUM INTO, through the engine's writer.
//   - Every copy is written to a temporary file next to the destination,
//     synced, optionally verified with integrity_check, and only then renamed
//     into place: a failed or cancelled backup never leaves a partial file at
//     the destination.
//
// Restores:
//   - [RestoreFile] puts a copy at a path no connection has open.
//   - [Restore] replaces a running engine's database: it drains and closes
//     the engine, swaps the file, and opens a new engine.
//   - [RestoreOnline] copies a backup into the running engine's database
//     through its writer, without closing it.
//
// What a restore keeps and loses is written on each of them.
package backup
