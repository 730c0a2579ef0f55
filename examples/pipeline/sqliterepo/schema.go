package sqliterepo

import (
	"context"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/migrate"
)

// The schema, as the two steps it grew in. Version 1.0.0 is the original layout; 1.1.0 added
// processing metrics and the index FindByConfig uses. A new database gets the baseline and then
// the incremental; a database at 1.0.0 gets only the incremental.

// schemaV1 creates the pipeline tables of version 1.0.0.
const schemaV1 = `
CREATE TABLE pipelines (
	id         TEXT PRIMARY KEY NOT NULL,      -- canonical UUID text
	name       TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
	archived   INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
	created_at TEXT NOT NULL,                  -- RFC 3339, UTC, nine fractional digits
	updated_at TEXT NOT NULL
);
CREATE INDEX pipelines_archived_name ON pipelines (archived, name);

CREATE TABLE pipeline_stages (
	id          TEXT PRIMARY KEY NOT NULL,
	pipeline_id TEXT NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL CHECK (position >= 0),
	name        TEXT NOT NULL CHECK (length(name) > 0),
	stage_type  TEXT NOT NULL CHECK (stage_type IN ('compression', 'encryption', 'checksum', 'transform')),
	algorithm   TEXT NOT NULL CHECK (length(algorithm) > 0)
);
CREATE UNIQUE INDEX pipeline_stages_pipeline_id ON pipeline_stages (pipeline_id, position);

CREATE TABLE stage_parameters (
	stage_id TEXT NOT NULL REFERENCES pipeline_stages (id) ON DELETE CASCADE,
	key      TEXT NOT NULL CHECK (length(key) > 0),
	value    TEXT NOT NULL,
	PRIMARY KEY (stage_id, key)
) WITHOUT ROWID;

CREATE TABLE pipeline_configuration (
	pipeline_id TEXT NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
	key         TEXT NOT NULL CHECK (length(key) > 0),
	value       TEXT NOT NULL,
	PRIMARY KEY (pipeline_id, key)
) WITHOUT ROWID;
`

// schemaV1to1_1 adds processing metrics (one row per pipeline; existing pipelines get a zero
// row) and the configuration lookup index.
const schemaV1to1_1 = `
CREATE TABLE processing_metrics (
	pipeline_id      TEXT PRIMARY KEY NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
	bytes_processed  INTEGER NOT NULL DEFAULT 0 CHECK (bytes_processed >= 0),
	bytes_total      INTEGER NOT NULL DEFAULT 0 CHECK (bytes_total >= bytes_processed),
	chunks_processed INTEGER NOT NULL DEFAULT 0 CHECK (chunks_processed >= 0),
	chunks_total     INTEGER NOT NULL DEFAULT 0 CHECK (chunks_total >= chunks_processed),
	errors           INTEGER NOT NULL DEFAULT 0 CHECK (errors >= 0),
	warnings         INTEGER NOT NULL DEFAULT 0 CHECK (warnings >= 0),
	duration_ns      INTEGER NOT NULL DEFAULT 0 CHECK (duration_ns >= 0)
) WITHOUT ROWID;
INSERT INTO processing_metrics (pipeline_id) SELECT id FROM pipelines;

CREATE INDEX pipeline_configuration_key_value ON pipeline_configuration (key, value);
`

// SchemaVersion is the version Migrations brings a database to.
const SchemaVersion = "1.1.0"

// Migrations returns the repository's schema as a migrate chain: the 1.0.0 baseline and the
// 1.1.0 incremental. A fresh database gets both, in order; a database at 1.0.0 gets the
// incremental only. Each step runs in its own transaction on the engine's writer.
func Migrations() []migrate.Migration {
	return []migrate.Migration{
		migrate.Baseline("1.0.0", schemaV1).
			WithDescription("pipelines, ordered stages with parameters, configuration"),
		migrate.Incremental(SchemaVersion, "1.0.0", schemaV1to1_1).
			WithDescription("processing metrics, configuration lookup index"),
	}
}

// Migrate brings eng's database to SchemaVersion with migrate.Up and reports what it applied
// (nothing if the database is current). Engines and processes sharing the file apply each step
// exactly once. opts are passed to migrate.Up (e.g. migrate.AppName, migrate.Logger).
func Migrate(ctx context.Context, eng *liteactor.Engine, opts ...migrate.Option) (migrate.Report, error) {
	rep, err := migrate.Up(ctx, eng, Migrations(), opts...)
	if err != nil {
		return rep, fmt.Errorf("sqliterepo: migrate: %w", err)
	}
	return rep, nil
}
