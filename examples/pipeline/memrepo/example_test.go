package memrepo_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
	"github.com/liteactor/liteactor/examples/pipeline/memrepo"
)

// A service under test gets a memrepo instead of the SQLite repository.
func Example() {
	ctx := context.Background()
	repo := memrepo.New()

	zstd, _ := domain.NewStage("compress", domain.StageCompression, "zstd", map[string]string{"level": "3"})
	p, _ := domain.NewPipeline("nightly-backup", zstd)
	p.Configuration["env"] = "prod"
	if err := repo.Save(ctx, p); err != nil {
		fmt.Println(err)
		return
	}

	again, _ := domain.NewPipeline("nightly-backup", zstd)
	err := repo.Save(ctx, again)
	fmt.Println(errors.Is(err, domain.ErrDuplicateName))

	found, _ := repo.FindByConfig(ctx, "env", "prod")
	fmt.Println(len(found), found[0].Name, found[0].Stages[0].Parameters["level"])
	// Output:
	// true
	// 1 nightly-backup 3
}
