// Package store is sqlc's output for query.sql (sqlc v1.27.0, engine
// sqlite, database/sql; see ../sqlc.yaml). db.go, models.go and
// query.sql.go are written out by hand exactly as sqlc generates them,
// because sqlc could not be built on the machine this example was written
// on; `sqlc generate` in examples/sqlc regenerates them. Nothing in them
// knows about liteactor: they take any DBTX, here the *sql.DB of
// sqldb.OpenDB.
package store
