// Package batch moves many rows in and out of a database efficiently.
//
// Writing: [BulkInsert] (and the shorthands [Insert], [Replace], [Ignore],
// [Upsert]) sends rows as multi-row INSERT statements, each carrying as many
// rows as SQLite's bound-variable limit allows, every identifier quoted and
// every value bound. The whole batch commits atomically in one engine Write,
// or, with [Options.CommitEvery], in several commits. [Inserter] does the same
// on a connection the caller already holds, inside its own engine closure.
//
// Reading: [Rows] and [Pages] walk a large table in key order, one page per
// engine Read, by keyset pagination (WHERE key > last key ORDER BY key
// LIMIT n), so every page costs the same however deep the walk is, unlike
// OFFSET.
package batch
