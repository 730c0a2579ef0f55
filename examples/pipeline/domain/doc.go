// Package domain holds the pipeline domain of the liteactor pipeline example: the Pipeline
// aggregate (ordered stages with parameters, configuration, processing metrics), its validation
// rules, the domain errors, and the PipelineRepository port that storage implementations satisfy.
//
// The package knows nothing about storage. Two implementations live next to it: memrepo (in
// memory, for unit tests of services) and sqliterepo (SQLite through the liteactor engine). Both
// pass the same conformance suite, domain/repotest.
package domain
