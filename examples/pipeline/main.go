// Command pipeline demonstrates the repository pattern on the liteactor engine: a pipeline
// domain (domain), its SQLite repository (sqliterepo) with a migrated schema, and what each
// repository call does. It works on a database in a temporary directory and prints each step.
//
//	go run ./examples/pipeline
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/examples/pipeline/domain"
	"github.com/liteactor/liteactor/examples/pipeline/sqliterepo"
	"github.com/liteactor/liteactor/migrate"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(1)
	}
}

// run performs the demo, writing what happens to out.
func run(ctx context.Context, out io.Writer) (err error) {
	dir, err := os.MkdirTemp("", "liteactor-pipeline-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pipelines.db")

	eng, err := liteactor.Open(ctx, path, liteactor.DefaultConfig())
	if err != nil {
		return err
	}
	defer func() {
		if cerr := eng.Close(context.Background()); err == nil {
			err = cerr
		}
	}()
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	// The schema is a migrate chain; New would apply it too, Migrate reports what it did.
	rep, err := sqliterepo.Migrate(ctx, eng, migrate.AppName("pipeline-example"))
	if err != nil {
		return err
	}
	for _, m := range rep.Applied {
		say("migrated %s (%s): %s", m.Version, m.Kind, m.Description)
	}
	repo, err := sqliterepo.New(ctx, eng)
	if err != nil {
		return err
	}
	say("opened %s at schema %s", filepath.Base(path), rep.After)

	// 1. Build and save three pipelines; each Save is one atomic engine Write.
	backup, err := build("secure-backup", map[string]string{"env": "prod", "team": "storage"},
		stageSpec{"compress", domain.StageCompression, "zstd", map[string]string{"level": "19"}},
		stageSpec{"encrypt", domain.StageEncryption, "aes256gcm", map[string]string{"key_id": "kms://backup"}},
		stageSpec{"verify", domain.StageChecksum, "sha256", nil})
	if err != nil {
		return err
	}
	logs, err := build("log-shipping", map[string]string{"env": "prod", "team": "observability"},
		stageSpec{"compress", domain.StageCompression, "gzip", map[string]string{"level": "6"}},
		stageSpec{"verify", domain.StageChecksum, "blake3", nil})
	if err != nil {
		return err
	}
	media, err := build("media-transcode", map[string]string{"env": "staging"},
		stageSpec{"transcode", domain.StageTransform, "h264-to-av1", map[string]string{"crf": "30", "preset": "6"}},
		stageSpec{"verify", domain.StageChecksum, "sha512", nil})
	if err != nil {
		return err
	}
	for _, p := range []*domain.Pipeline{backup, logs, media} {
		if err := repo.Save(ctx, p); err != nil {
			return err
		}
		say("saved %-16s %d stages, created %s", p.Name, len(p.Stages), p.CreatedAt.Format(time.RFC3339))
	}

	// 2. Domain errors come back as errors.Is-testable sentinels.
	dup, err := build("secure-backup", nil, stageSpec{"verify", domain.StageChecksum, "sha256", nil})
	if err != nil {
		return err
	}
	err = repo.Save(ctx, dup)
	say("saving a second %q: duplicate name = %v", dup.Name, errors.Is(err, domain.ErrDuplicateName))
	bad := backup.Clone()
	bad.Stages[0].Algorithm = "rar"
	err = repo.Update(ctx, bad)
	say("updating with algorithm %q: invalid = %v (%v)", "rar", errors.Is(err, domain.ErrInvalid), err)

	// 3. Record a run's metrics and change the configuration in one Update.
	backup.Metrics = domain.ProcessingMetrics{
		BytesProcessed: 768 << 20, BytesTotal: 1 << 30, ChunksProcessed: 96, ChunksTotal: 128,
		Warnings: 1, Duration: 4 * time.Second,
	}
	backup.Configuration["schedule"] = "nightly"
	if err := repo.Update(ctx, backup); err != nil {
		return err
	}
	got, err := repo.FindByID(ctx, backup.ID)
	if err != nil {
		return err
	}
	say("updated %s: %.0f%% done, %.1f MiB/s, schedule=%s",
		got.Name, 100*got.Metrics.Progress(), got.Metrics.Throughput()/(1<<20), got.Configuration["schedule"])

	// 4. Queries over many pipelines take a fixed number of SQL queries.
	prod, err := repo.FindByConfig(ctx, "env", "prod")
	if err != nil {
		return err
	}
	say("env=prod: %v", names(prod))
	for page := 1; ; page++ {
		pg, err := repo.ListPaginated(ctx, page, 2)
		if err != nil {
			return err
		}
		say("page %d/%d (size 2): %v", pg.Number, pg.TotalPages(), names(pg.Pipelines))
		if !pg.HasNext() {
			break
		}
	}

	// 5. Archive hides a pipeline from the active views; Restore brings it back.
	if err := repo.Archive(ctx, logs.ID); err != nil {
		return err
	}
	active, err := repo.Count(ctx)
	if err != nil {
		return err
	}
	archived, err := repo.ListArchived(ctx)
	if err != nil {
		return err
	}
	say("archived %s: %d active, archived %v", logs.Name, active, names(archived))
	if err := repo.Restore(ctx, logs.ID); err != nil {
		return err
	}
	active, err = repo.Count(ctx)
	if err != nil {
		return err
	}
	say("restored %s: %d active", logs.Name, active)

	// 6. Delete cascades to stages, parameters, configuration and metrics.
	before, err := childRows(ctx, eng)
	if err != nil {
		return err
	}
	if err := repo.Delete(ctx, media.ID); err != nil {
		return err
	}
	after, err := childRows(ctx, eng)
	if err != nil {
		return err
	}
	say("deleted %s: child rows %d -> %d", media.Name, before, after)
	_, err = repo.FindByName(ctx, media.Name)
	say("finding it again: not found = %v", errors.Is(err, domain.ErrNotFound))

	st := eng.Stats()
	say("engine: %d writes in %d transactions, %d reads", st.Completed, st.Batches, st.Reads)
	return nil
}

type stageSpec struct {
	name   string
	typ    domain.StageType
	alg    string
	params map[string]string
}

func build(name string, cfg map[string]string, specs ...stageSpec) (*domain.Pipeline, error) {
	var stages []domain.PipelineStage
	for _, s := range specs {
		st, err := domain.NewStage(s.name, s.typ, s.alg, s.params)
		if err != nil {
			return nil, err
		}
		stages = append(stages, st)
	}
	p, err := domain.NewPipeline(name, stages...)
	if err != nil {
		return nil, err
	}
	for k, v := range cfg {
		p.Configuration[k] = v
	}
	return p, nil
}

func names(ps []*domain.Pipeline) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// childRows counts the rows of all child tables together.
func childRows(ctx context.Context, eng *liteactor.Engine) (int64, error) {
	rows, err := eng.Query(ctx, `SELECT (SELECT count(*) FROM pipeline_stages) + (SELECT count(*) FROM stage_parameters)
		+ (SELECT count(*) FROM pipeline_configuration) + (SELECT count(*) FROM processing_metrics)`)
	if err != nil {
		return 0, err
	}
	return rows.Values[0][0].(int64), nil
}
