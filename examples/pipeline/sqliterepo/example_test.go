package sqliterepo_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/examples/pipeline/domain"
	"github.com/liteactor/liteactor/examples/pipeline/sqliterepo"
)

// Open an engine, put the repository on it, save a pipeline and read it back.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "sqliterepo-example-")
	defer os.RemoveAll(dir)
	eng, err := liteactor.Open(ctx, filepath.Join(dir, "pipelines.db"), liteactor.MinimalConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close(ctx)

	repo, err := sqliterepo.New(ctx, eng) // migrates the schema
	if err != nil {
		fmt.Println(err)
		return
	}
	gz, _ := domain.NewStage("compress", domain.StageCompression, "gzip", map[string]string{"level": "6"})
	sum, _ := domain.NewStage("checksum", domain.StageChecksum, "sha256", nil)
	p, _ := domain.NewPipeline("logs-archive", gz, sum)
	if err := repo.Save(ctx, p); err != nil { // one atomic engine Write
		fmt.Println(err)
		return
	}
	got, _ := repo.FindByName(ctx, "logs-archive")
	fmt.Println(got.Name, len(got.Stages), got.Stages[0].Algorithm, got.Stages[0].Parameters["level"])
	// Output: logs-archive 2 gzip 6
}
