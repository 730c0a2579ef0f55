// Package memrepo is an in-memory domain.PipelineRepository for unit tests of services that use
// the repository. It follows the same contract as the SQLite implementation (both pass
// domain/repotest), is safe for concurrent use, and stores deep copies, so nothing a caller does
// to a pipeline after Save or after a Find changes what is stored.
package memrepo
