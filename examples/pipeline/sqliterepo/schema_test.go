package sqliterepo_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
	"github.com/liteactor/liteactor/examples/pipeline/sqliterepo"
	"github.com/liteactor/liteactor/migrate"
)

// A fresh database gets the baseline then the incremental; a second run applies nothing.
func TestMigrateFreshDatabase(t *testing.T) {
	eng := openEngine(t, testConfig())
	rep, err := sqliterepo.Migrate(t.Context(), eng)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if rep.Before != "" || rep.After != sqliterepo.SchemaVersion || len(rep.Applied) != 2 ||
		rep.Applied[0].Version != "1.0.0" || rep.Applied[0].Kind != migrate.KindBaseline ||
		rep.Applied[1].Version != "1.1.0" || rep.Applied[1].From != "1.0.0" {
		t.Fatalf("first Migrate report: %+v", rep)
	}
	rep, err = sqliterepo.Migrate(t.Context(), eng)
	if err != nil || len(rep.Applied) != 0 || rep.After != sqliterepo.SchemaVersion {
		t.Fatalf("second Migrate: %+v, %v; want nothing applied", rep, err)
	}
	if v, err := migrate.Current(t.Context(), eng); err != nil || v != sqliterepo.SchemaVersion {
		t.Fatalf("Current = %q, %v", v, err)
	}
	if err := migrate.CheckChain(sqliterepo.Migrations()); err != nil {
		t.Fatalf("CheckChain: %v", err)
	}
}

// A database still at 1.0.0, holding a pipeline, is upgraded by New: the pipeline gets a zero
// metrics row and loads whole.
func TestMigrateUpgradesA100Database(t *testing.T) {
	eng := openEngine(t, testConfig())
	if _, err := migrate.Up(t.Context(), eng, sqliterepo.Migrations()[:1]); err != nil {
		t.Fatalf("Up to 1.0.0: %v", err)
	}
	id, sid := uuid.New(), uuid.New()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO pipelines (id, name, archived, created_at, updated_at) VALUES (?, 'legacy', 0, ?, ?)`,
			[]any{id.String(), "2024-06-01T12:00:00.000000000Z", "2024-06-02T12:00:00Z"}},
		{`INSERT INTO pipeline_stages (id, pipeline_id, position, name, stage_type, algorithm) VALUES (?, ?, 0, 'gz', 'compression', 'gzip')`,
			[]any{sid.String(), id.String()}},
		{`INSERT INTO stage_parameters (stage_id, key, value) VALUES (?, 'level', '9')`, []any{sid.String()}},
	} {
		if _, err := eng.Exec(t.Context(), q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	repo := newRepo(t, eng)
	if v, err := migrate.Current(t.Context(), eng); err != nil || v != sqliterepo.SchemaVersion {
		t.Fatalf("after New: Current = %q, %v", v, err)
	}
	p, err := repo.FindByID(t.Context(), id)
	if err != nil {
		t.Fatalf("FindByID(legacy): %v", err)
	}
	if p.Name != "legacy" || len(p.Stages) != 1 || p.Stages[0].Parameters["level"] != "9" ||
		p.Metrics != (domain.ProcessingMetrics{}) || p.UpdatedAt.Format("2006-01-02T15") != "2024-06-02T12" {
		t.Fatalf("legacy pipeline after upgrade: %+v", p)
	}
	// And it can be updated with metrics now.
	p.Metrics.BytesTotal = 10
	if err := repo.Update(t.Context(), p); err != nil {
		t.Fatalf("Update(legacy): %v", err)
	}
}
