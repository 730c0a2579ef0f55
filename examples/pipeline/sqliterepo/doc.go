// Package sqliterepo is the SQLite domain.PipelineRepository, built on the liteactor engine.
//
// The schema is a migrate chain (Migrations: a 1.0.0 baseline and a 1.1.0 incremental), applied
// by Migrate or New: pipelines; pipeline_stages (ON DELETE CASCADE, indexed on pipeline_id);
// stage_parameters keyed (stage_id, key); pipeline_configuration keyed (pipeline_id, key);
// processing_metrics. The cascades need foreign keys enforced on the writer connection; the
// engine turns them on, and New checks.
//
// How it uses the engine:
//   - Every mutation (Save, Update, Delete, Archive, Restore) is one engine Write: the pipeline row
//     and all its child rows commit together or not at all, and the existence and uniqueness
//     checks run inside the same transaction, so concurrent callers cannot race them.
//   - Every read is one engine Read (one snapshot). Loading any number of pipelines takes a fixed
//     number of queries: the pipelines, then their stages, stage parameters, configuration and
//     metrics, each fetched for all selected pipelines at once.
//   - SQLite constraint errors become domain errors: the unique name index gives
//     domain.ErrDuplicateName, primary keys give domain.ErrAlreadyExists, CHECK and NOT NULL give
//     domain.ErrInvalid. The SQLite error stays in the chain (errors.Is(err, sqlite3.CONSTRAINT)).
package sqliterepo
