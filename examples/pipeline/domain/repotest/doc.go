// Package repotest is the conformance suite for domain.PipelineRepository implementations.
// One suite, run against every implementation, pins down the repository contract: every method,
// cascade delete, duplicate names and ids, pagination edges, archive and restore, context
// cancellation and concurrent use.
//
// An implementation's test calls Run with a factory that returns a fresh, empty repository that
// takes its timestamps from the given clock:
//
//	func TestConformance(t *testing.T) {
//		repotest.Run(t, func(t *testing.T, clock domain.Clock) domain.PipelineRepository {
//			return memrepo.New(memrepo.WithClock(clock))
//		})
//	}
package repotest
