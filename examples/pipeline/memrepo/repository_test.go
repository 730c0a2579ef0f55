package memrepo_test

import (
	"testing"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
	"github.com/liteactor/liteactor/examples/pipeline/domain/repotest"
	"github.com/liteactor/liteactor/examples/pipeline/memrepo"
)

func TestConformance(t *testing.T) {
	repotest.Run(t, func(t *testing.T, clock domain.Clock) domain.PipelineRepository {
		return memrepo.New(memrepo.WithClock(clock))
	})
}
