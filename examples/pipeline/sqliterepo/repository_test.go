package sqliterepo_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/examples/pipeline/domain"
	"github.com/liteactor/liteactor/examples/pipeline/domain/repotest"
	"github.com/liteactor/liteactor/examples/pipeline/sqliterepo"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// openEngine opens an engine on a fresh file and closes it when the test ends.
func openEngine(t *testing.T, cfg liteactor.Config) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(t.Context(), filepath.Join(t.TempDir(), "pipelines.db"), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return eng
}

func testConfig() liteactor.Config {
	cfg := liteactor.DefaultConfig()
	cfg.Readers = 2
	return cfg
}

func newRepo(t *testing.T, eng *liteactor.Engine, opts ...sqliterepo.Option) *sqliterepo.Repository {
	t.Helper()
	r, err := sqliterepo.New(t.Context(), eng, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func TestConformance(t *testing.T) {
	repotest.Run(t, func(t *testing.T, clock domain.Clock) domain.PipelineRepository {
		return newRepo(t, openEngine(t, testConfig()), sqliterepo.WithClock(clock))
	})
}

func samplePipeline(t *testing.T, name string) *domain.Pipeline {
	t.Helper()
	a, err := domain.NewStage("compress", domain.StageCompression, "zstd", map[string]string{"level": "3"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := domain.NewStage("hash", domain.StageChecksum, "blake3", map[string]string{"out": "hex", "keyed": "no"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := domain.NewPipeline(name, a, b)
	if err != nil {
		t.Fatal(err)
	}
	p.Configuration["env"] = "prod"
	p.Metrics = domain.ProcessingMetrics{BytesProcessed: 1, BytesTotal: 2}
	return p
}

// rowCounts returns the number of rows in every table of the schema.
func rowCounts(t *testing.T, eng *liteactor.Engine) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"pipelines", "pipeline_stages", "stage_parameters", "pipeline_configuration", "processing_metrics"} {
		rows, err := eng.Query(t.Context(), `SELECT count(*) FROM `+table)
		if err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = rows.Values[0][0].(int64)
	}
	return out
}

// The rows of a deleted pipeline are gone from every child table, through ON DELETE CASCADE;
// the other pipeline's rows stay.
func TestDeleteCascadesInTheSchema(t *testing.T) {
	eng := openEngine(t, testConfig())
	repo := newRepo(t, eng)
	keep, gone := samplePipeline(t, "keep"), samplePipeline(t, "gone")
	for _, p := range []*domain.Pipeline{keep, gone} {
		if err := repo.Save(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	}
	both := map[string]int64{"pipelines": 2, "pipeline_stages": 4, "stage_parameters": 6, "pipeline_configuration": 2, "processing_metrics": 2}
	if got := rowCounts(t, eng); !equalCounts(got, both) {
		t.Fatalf("rows after two saves = %v, want %v", got, both)
	}
	if err := repo.Delete(t.Context(), gone.ID); err != nil {
		t.Fatal(err)
	}
	one := map[string]int64{"pipelines": 1, "pipeline_stages": 2, "stage_parameters": 3, "pipeline_configuration": 1, "processing_metrics": 1}
	if got := rowCounts(t, eng); !equalCounts(got, one) {
		t.Fatalf("rows after delete = %v, want %v", got, one)
	}
	rows, err := eng.Query(t.Context(), `SELECT count(*) FROM pipeline_stages WHERE pipeline_id = ?`, keep.ID.String())
	if err != nil || rows.Values[0][0].(int64) != 2 {
		t.Fatalf("stages of the kept pipeline: %v, %v", rows, err)
	}
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Domain errors keep the SQLite constraint error in their chain.
func TestConstraintErrorsMapToDomainErrors(t *testing.T) {
	eng := openEngine(t, testConfig())
	repo := newRepo(t, eng)
	first := samplePipeline(t, "first")
	if err := repo.Save(t.Context(), first); err != nil {
		t.Fatal(err)
	}
	err := repo.Save(t.Context(), samplePipeline(t, "first"))
	if !errors.Is(err, domain.ErrDuplicateName) || !errors.Is(err, sqlite3.CONSTRAINT_UNIQUE) {
		t.Fatalf("duplicate name: %v, want ErrDuplicateName and sqlite3.CONSTRAINT_UNIQUE", err)
	}
	again := samplePipeline(t, "second")
	again.ID = first.ID
	err = repo.Save(t.Context(), again)
	if !errors.Is(err, domain.ErrAlreadyExists) || !errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY) {
		t.Fatalf("duplicate id: %v, want ErrAlreadyExists and sqlite3.CONSTRAINT_PRIMARYKEY", err)
	}
	// A row that breaks a CHECK (written around the repository) maps to ErrInvalid.
	err = eng.Write(t.Context(), func(c *sqlite3.Conn) error {
		return c.Exec(`UPDATE processing_metrics SET bytes_total = -1`)
	})
	if !errors.Is(err, sqlite3.CONSTRAINT_CHECK) {
		t.Fatalf("CHECK constraint not enforced: %v", err)
	}
}

// Loading pipelines takes the same number of queries for 1 pipeline as for 40.
func TestLoadingTakesAFixedNumberOfQueries(t *testing.T) {
	var selects atomic.Int64
	cfg := testConfig()
	cfg.InitHook = func(c *sqlite3.Conn) error {
		return c.Trace(sqlite3.TRACE_STMT, func(_ sqlite3.TraceEvent, _, arg2 any) error {
			if sql, _ := arg2.(string); strings.HasPrefix(strings.TrimSpace(sql), "SELECT") && strings.Contains(sql, "pipeline") {
				selects.Add(1)
			}
			return nil
		})
	}
	eng := openEngine(t, cfg)
	repo := newRepo(t, eng)
	ctx := t.Context()
	count := func(op func() error) int64 {
		t.Helper()
		before := selects.Load()
		if err := op(); err != nil {
			t.Fatal(err)
		}
		return selects.Load() - before
	}
	listAll := func() error { _, err := repo.ListAll(ctx); return err }
	page := func() error { _, err := repo.ListPaginated(ctx, 1, 100); return err }
	byConfig := func() error { _, err := repo.FindByConfig(ctx, "env", "prod"); return err }

	if n := count(listAll); n != 1 {
		t.Fatalf("ListAll on an empty repository ran %d SELECTs, want 1", n)
	}
	if err := repo.Save(ctx, samplePipeline(t, "p-00")); err != nil {
		t.Fatal(err)
	}
	one := map[string]int64{"ListAll": count(listAll), "ListPaginated": count(page), "FindByConfig": count(byConfig)}
	for i := 1; i < 40; i++ {
		if err := repo.Save(ctx, samplePipeline(t, fmt.Sprintf("p-%02d", i))); err != nil {
			t.Fatal(err)
		}
	}
	forty := map[string]int64{"ListAll": count(listAll), "ListPaginated": count(page), "FindByConfig": count(byConfig)}
	want := map[string]int64{"ListAll": 5, "ListPaginated": 6, "FindByConfig": 5}
	if !equalCounts(one, want) || !equalCounts(forty, want) {
		t.Fatalf("SELECTs with 1 pipeline %v, with 40 %v; want %v for both", one, forty, want)
	}
	all, err := repo.ListAll(ctx)
	if err != nil || len(all) != 40 || len(all[39].Stages) != 2 || len(all[39].Stages[1].Parameters) != 2 {
		t.Fatalf("ListAll loaded %d pipelines (%v)", len(all), err)
	}
}

// The stage, parameter, configuration and metrics lookups use indexes, not table scans.
func TestChildLookupsUseIndexes(t *testing.T) {
	eng := openEngine(t, testConfig())
	newRepo(t, eng)
	for _, c := range []struct {
		sql, index string
		args       []any
	}{
		{`SELECT id FROM pipeline_stages WHERE pipeline_id IN (SELECT value FROM json_each(?)) ORDER BY pipeline_id, position`,
			"pipeline_stages_pipeline_id", []any{`["x"]`}},
		{`SELECT pipeline_id FROM pipeline_configuration WHERE key = ? AND value = ?`,
			"pipeline_configuration_key_value", []any{"k", "v"}},
		{`SELECT p.id FROM pipelines p WHERE p.archived = 0 ORDER BY p.name LIMIT 10`, "pipelines_archived_name", nil},
	} {
		rows, err := eng.Query(t.Context(), `EXPLAIN QUERY PLAN `+c.sql, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		plan := ""
		for _, r := range rows.Values {
			plan += r[len(r)-1].(string) + "; "
		}
		if !strings.Contains(plan, c.index) {
			t.Fatalf("plan for %q = %s; want it to use %s", c.sql, plan, c.index)
		}
	}
}

// Save reaches the engine through one Write: a Save and a Delete of other rows in the same
// group-commit batch do not see each other's partial state. Here: a failing Save leaves no rows.
func TestFailedSaveLeavesNoRows(t *testing.T) {
	eng := openEngine(t, testConfig())
	repo := newRepo(t, eng)
	owner := samplePipeline(t, "owner")
	if err := repo.Save(t.Context(), owner); err != nil {
		t.Fatal(err)
	}
	before := rowCounts(t, eng)
	thief := samplePipeline(t, "thief")
	thief.Stages[1].ID = owner.Stages[0].ID // fails on the second stage insert
	if err := repo.Save(t.Context(), thief); !errors.Is(err, domain.ErrAlreadyExists) {
		t.Fatalf("Save: %v, want ErrAlreadyExists", err)
	}
	if after := rowCounts(t, eng); !equalCounts(before, after) {
		t.Fatalf("a failed Save left rows: before %v, after %v", before, after)
	}
}
