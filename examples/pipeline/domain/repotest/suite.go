package repotest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// Factory returns a fresh, empty repository whose timestamps come from clock. It registers its
// own cleanup with t (t.Cleanup) if the repository holds resources.
type Factory func(t *testing.T, clock domain.Clock) domain.PipelineRepository

// startTime is the suite clock's first reading: not UTC and with nanoseconds, so the suite checks
// that repositories normalise to UTC and keep full precision.
func startTime() time.Time {
	return time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))
}

// env is what each case gets: a fresh repository, its clock and a context.
type env struct {
	t     *testing.T
	repo  domain.PipelineRepository
	clock *Clock
	ctx   context.Context
}

// Run runs every conformance case as a subtest of t, each on a fresh repository from newRepo.
func Run(t *testing.T, newRepo Factory) {
	cases := []struct {
		name string
		fn   func(e *env)
	}{
		{"SaveThenFindByID", testSaveThenFindByID},
		{"SaveStampsUTCTimestamps", testSaveStampsUTCTimestamps},
		{"SaveRejectsInvalid", testSaveRejectsInvalid},
		{"SaveDuplicateName", testSaveDuplicateName},
		{"SaveDuplicateID", testSaveDuplicateID},
		{"SaveStageOwnedByAnotherPipelineIsAtomic", testSaveStageOwnedElsewhere},
		{"StoredCopiesAreIsolated", testStoredCopiesAreIsolated},
		{"FindByIDNotFound", testFindByIDNotFound},
		{"FindByName", testFindByName},
		{"UpdateReplacesEverything", testUpdateReplacesEverything},
		{"UpdateKeepsOwnStageIDs", testUpdateKeepsOwnStageIDs},
		{"UpdateErrorsLeaveStoredUnchanged", testUpdateErrors},
		{"DeleteCascades", testDeleteCascades},
		{"DeleteLeavesOthers", testDeleteLeavesOthers},
		{"ListingsOrderAndFilter", testListings},
		{"ListingsEmpty", testListingsEmpty},
		{"ListPaginated", testListPaginated},
		{"ListPaginatedInvalid", testListPaginatedInvalid},
		{"ExistsAndCount", testExistsAndCount},
		{"ArchiveAndRestore", testArchiveAndRestore},
		{"ArchiveRestoreNotFound", testArchiveRestoreNotFound},
		{"FindByConfig", testFindByConfig},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentSavesOfOneName", testConcurrentSameName},
		{"ConcurrentUse", testConcurrentUse},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := NewClock(startTime())
			e := &env{t: t, repo: newRepo(t, clock.Now), clock: clock, ctx: t.Context()}
			c.fn(e)
		})
	}
}

// --- builders -------------------------------------------------------------------------------

func stage(t *testing.T, name string, typ domain.StageType, alg string, params map[string]string) domain.PipelineStage {
	t.Helper()
	s, err := domain.NewStage(name, typ, alg, params)
	if err != nil {
		t.Fatalf("NewStage(%q): %v", name, err)
	}
	return s
}

// sample returns a valid pipeline with three stages, configuration and metrics.
func sample(t *testing.T, name string) *domain.Pipeline {
	t.Helper()
	p, err := domain.NewPipeline(name,
		stage(t, "compress", domain.StageCompression, "zstd", map[string]string{"level": "3", "window": "22"}),
		stage(t, "encrypt", domain.StageEncryption, "aes256gcm", map[string]string{"key_id": "k-1"}),
		stage(t, "verify", domain.StageChecksum, "sha256", nil),
	)
	if err != nil {
		t.Fatalf("NewPipeline(%q): %v", name, err)
	}
	p.Configuration = map[string]string{"env": "prod", "owner": "team-a", "empty": ""}
	p.Metrics = domain.ProcessingMetrics{
		BytesProcessed: 1 << 20, BytesTotal: 2 << 20, ChunksProcessed: 16, ChunksTotal: 32,
		Errors: 1, Warnings: 2, Duration: 1500 * time.Millisecond,
	}
	return p
}

func (e *env) save(name string) *domain.Pipeline {
	e.t.Helper()
	p := sample(e.t, name)
	if err := e.repo.Save(e.ctx, p); err != nil {
		e.t.Fatalf("Save(%q): %v", name, err)
	}
	return p
}

func (e *env) find(id uuid.UUID) *domain.Pipeline {
	e.t.Helper()
	p, err := e.repo.FindByID(e.ctx, id)
	if err != nil {
		e.t.Fatalf("FindByID(%s): %v", id, err)
	}
	return p
}

// --- assertions -----------------------------------------------------------------------------

func wantErr(t *testing.T, op string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want one wrapping %v", op, err, target)
	}
}

// same fails unless got is want field by field (times compared as instants, nil and empty maps
// alike), and got's timestamps are in UTC.
func same(t *testing.T, want, got *domain.Pipeline) {
	t.Helper()
	if got == nil {
		t.Fatalf("got nil pipeline, want %q", want.Name)
	}
	if got.ID != want.ID || got.Name != want.Name || got.Archived != want.Archived {
		t.Fatalf("got pipeline {%s %q archived=%v}, want {%s %q archived=%v}",
			got.ID, got.Name, got.Archived, want.ID, want.Name, want.Archived)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("%q: got created/updated %v / %v, want %v / %v",
			want.Name, got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
	}
	if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Fatalf("%q: timestamps not in UTC: %v / %v", want.Name, got.CreatedAt.Location(), got.UpdatedAt.Location())
	}
	if len(got.Stages) != len(want.Stages) {
		t.Fatalf("%q: got %d stages, want %d", want.Name, len(got.Stages), len(want.Stages))
	}
	for i, w := range want.Stages {
		g := got.Stages[i]
		if g.ID != w.ID || g.Name != w.Name || g.Type != w.Type || g.Algorithm != w.Algorithm {
			t.Fatalf("%q: stage %d: got {%s %q %s %q}, want {%s %q %s %q}", want.Name, i,
				g.ID, g.Name, g.Type, g.Algorithm, w.ID, w.Name, w.Type, w.Algorithm)
		}
		if !maps.Equal(g.Parameters, w.Parameters) {
			t.Fatalf("%q: stage %q: got parameters %v, want %v", want.Name, w.Name, g.Parameters, w.Parameters)
		}
	}
	if !maps.Equal(got.Configuration, want.Configuration) {
		t.Fatalf("%q: got configuration %v, want %v", want.Name, got.Configuration, want.Configuration)
	}
	if got.Metrics != want.Metrics {
		t.Fatalf("%q: got metrics %+v, want %+v", want.Name, got.Metrics, want.Metrics)
	}
}

func names(ps []*domain.Pipeline) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

func sameNames(t *testing.T, op string, got []*domain.Pipeline, want ...string) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: got a nil slice, want a non-nil one", op)
	}
	if g := names(got); !slices.Equal(g, want) {
		t.Fatalf("%s: got %q, want %q", op, g, want)
	}
}

// --- cases ----------------------------------------------------------------------------------

func testSaveThenFindByID(e *env) {
	p := sample(e.t, "ingest")
	if err := e.repo.Save(e.ctx, p); err != nil {
		e.t.Fatalf("Save: %v", err)
	}
	want := sample(e.t, "ingest")
	want.ID, want.Stages = p.ID, p.Stages
	want.CreatedAt, want.UpdatedAt = startTime(), startTime()
	same(e.t, want, p) // Save wrote the timestamps back into p
	same(e.t, want, e.find(p.ID))
}

func testSaveStampsUTCTimestamps(e *env) {
	a := e.save("a")
	at := e.clock.Advance(90 * time.Minute)
	b := e.save("b")
	ga, gb := e.find(a.ID), e.find(b.ID)
	if !ga.CreatedAt.Equal(startTime()) || !ga.UpdatedAt.Equal(startTime()) {
		e.t.Fatalf("a: got %v / %v, want %v", ga.CreatedAt, ga.UpdatedAt, startTime())
	}
	if !gb.CreatedAt.Equal(at) || gb.CreatedAt.Nanosecond() != at.Nanosecond() {
		e.t.Fatalf("b: got %v, want %v with full nanoseconds", gb.CreatedAt, at)
	}
	if gb.CreatedAt.Location() != time.UTC {
		e.t.Fatalf("b: location %v, want UTC", gb.CreatedAt.Location())
	}
}

func testSaveRejectsInvalid(e *env) {
	mutations := map[string]func(p *domain.Pipeline){
		"nil id":               func(p *domain.Pipeline) { p.ID = uuid.Nil },
		"empty name":           func(p *domain.Pipeline) { p.Name = "" },
		"padded name":          func(p *domain.Pipeline) { p.Name = " x " },
		"no stages":            func(p *domain.Pipeline) { p.Stages = nil },
		"unknown stage type":   func(p *domain.Pipeline) { p.Stages[0].Type = "teleport" },
		"wrong algorithm":      func(p *domain.Pipeline) { p.Stages[0].Algorithm = "sha256" },
		"duplicate stage name": func(p *domain.Pipeline) { p.Stages[1].Name = p.Stages[0].Name },
		"duplicate stage id":   func(p *domain.Pipeline) { p.Stages[1].ID = p.Stages[0].ID },
		"blank parameter key":  func(p *domain.Pipeline) { p.Stages[0].Parameters[""] = "x" },
		"blank config key":     func(p *domain.Pipeline) { p.Configuration[""] = "x" },
		"negative metric":      func(p *domain.Pipeline) { p.Metrics.Errors = -1 },
		"processed > total":    func(p *domain.Pipeline) { p.Metrics.BytesProcessed = p.Metrics.BytesTotal + 1 },
	}
	for what, mutate := range mutations {
		p := sample(e.t, "bad")
		mutate(p)
		wantErr(e.t, "Save("+what+")", e.repo.Save(e.ctx, p), domain.ErrInvalid)
	}
	wantErr(e.t, "Save(nil)", e.repo.Save(e.ctx, nil), domain.ErrInvalid)
	all, err := e.repo.ListAll(e.ctx)
	if err != nil || len(all) != 0 {
		e.t.Fatalf("after invalid saves: ListAll = %q, %v; want nothing stored", names(all), err)
	}
}

func testSaveDuplicateName(e *env) {
	first := e.save("dup")
	second := sample(e.t, "dup")
	e.clock.Advance(time.Second)
	wantErr(e.t, "Save(same name)", e.repo.Save(e.ctx, second), domain.ErrDuplicateName)
	if ok, err := e.repo.Exists(e.ctx, second.ID); err != nil || ok {
		e.t.Fatalf("Exists(rejected) = %v, %v; want false", ok, err)
	}
	same(e.t, first, e.find(first.ID))

	// The name stays taken while its pipeline is archived.
	if err := e.repo.Archive(e.ctx, first.ID); err != nil {
		e.t.Fatalf("Archive: %v", err)
	}
	wantErr(e.t, "Save(name of archived)", e.repo.Save(e.ctx, sample(e.t, "dup")), domain.ErrDuplicateName)
	// Names are case-sensitive.
	e.save("DUP")
}

func testSaveDuplicateID(e *env) {
	first := e.save("one")
	again := sample(e.t, "two")
	again.ID = first.ID
	wantErr(e.t, "Save(same id)", e.repo.Save(e.ctx, again), domain.ErrAlreadyExists)
	same(e.t, first, e.find(first.ID))
	if _, err := e.repo.FindByName(e.ctx, "two"); !errors.Is(err, domain.ErrNotFound) {
		e.t.Fatalf("FindByName(two) after rejected save: %v, want ErrNotFound", err)
	}
}

func testSaveStageOwnedElsewhere(e *env) {
	first := e.save("owner")
	thief := sample(e.t, "thief")
	thief.Stages[2].ID = first.Stages[1].ID // the last stage written collides
	wantErr(e.t, "Save(stage id of another pipeline)", e.repo.Save(e.ctx, thief), domain.ErrAlreadyExists)
	// Nothing of the rejected pipeline may remain: not its row, not its first stages.
	if ok, err := e.repo.Exists(e.ctx, thief.ID); err != nil || ok {
		e.t.Fatalf("Exists(rejected) = %v, %v; want false", ok, err)
	}
	if _, err := e.repo.FindByName(e.ctx, "thief"); !errors.Is(err, domain.ErrNotFound) {
		e.t.Fatalf("FindByName(thief): %v, want ErrNotFound", err)
	}
	same(e.t, first, e.find(first.ID))
	// Its other stage ids were not left behind either: a pipeline can use them now.
	honest := sample(e.t, "thief")
	honest.Stages[0].ID, honest.Stages[1].ID = thief.Stages[0].ID, thief.Stages[1].ID
	if err := e.repo.Save(e.ctx, honest); err != nil {
		e.t.Fatalf("Save reusing the rejected pipeline's stage ids: %v", err)
	}
}

func testStoredCopiesAreIsolated(e *env) {
	p := e.save("iso")
	want := p.Clone()
	p.Name = "changed"
	p.Stages[0].Parameters["level"] = "19"
	p.Stages = p.Stages[:1]
	p.Configuration["env"] = "dev"
	same(e.t, want, e.find(want.ID))

	got := e.find(want.ID)
	got.Stages[0].Parameters["level"] = "1"
	got.Configuration["new"] = "x"
	got.Archived = true
	same(e.t, want, e.find(want.ID))

	list, err := e.repo.FindAll(e.ctx)
	if err != nil || len(list) != 1 {
		e.t.Fatalf("FindAll = %d, %v", len(list), err)
	}
	list[0].Configuration["env"] = "dev"
	same(e.t, want, e.find(want.ID))
}

func testFindByIDNotFound(e *env) {
	e.save("present")
	_, err := e.repo.FindByID(e.ctx, uuid.New())
	wantErr(e.t, "FindByID(unknown)", err, domain.ErrNotFound)
	_, err = e.repo.FindByID(e.ctx, uuid.Nil)
	wantErr(e.t, "FindByID(nil uuid)", err, domain.ErrNotFound)
}

func testFindByName(e *env) {
	a := e.save("alpha")
	b := e.save("beta")
	got, err := e.repo.FindByName(e.ctx, "alpha")
	if err != nil {
		e.t.Fatalf("FindByName(alpha): %v", err)
	}
	same(e.t, a, got)
	for _, n := range []string{"Alpha", "alph", "", "gamma"} {
		_, err := e.repo.FindByName(e.ctx, n)
		wantErr(e.t, fmt.Sprintf("FindByName(%q)", n), err, domain.ErrNotFound)
	}
	at := e.clock.Advance(time.Minute)
	if err := e.repo.Archive(e.ctx, b.ID); err != nil {
		e.t.Fatalf("Archive: %v", err)
	}
	got, err = e.repo.FindByName(e.ctx, "beta")
	if err != nil {
		e.t.Fatalf("FindByName(archived beta): %v", err)
	}
	b.Archived, b.UpdatedAt = true, at
	same(e.t, b, got)
}

func testUpdateReplacesEverything(e *env) {
	p := e.save("before")
	other := e.save("other")
	created := p.CreatedAt
	droppedID := p.Stages[1].ID // "encrypt", removed below

	at := e.clock.Advance(time.Hour)
	p.Name = "after"
	p.Stages = []domain.PipelineStage{
		p.Stages[2], // reordered: verify first
		stage(e.t, "reshape", domain.StageTransform, "csv-to-parquet", map[string]string{"rows": "1000"}),
		p.Stages[0], // encrypt dropped
	}
	p.Stages[2].Parameters = map[string]string{"level": "9"} // "window" dropped, level changed
	p.Configuration = map[string]string{"env": "staging", "region": "eu"}
	p.Metrics = domain.ProcessingMetrics{BytesProcessed: 10, BytesTotal: 10, ChunksProcessed: 1, ChunksTotal: 1, Duration: time.Second}
	p.CreatedAt, p.UpdatedAt = time.Time{}, time.Time{} // ignored: the repository owns them
	if err := e.repo.Update(e.ctx, p); err != nil {
		e.t.Fatalf("Update: %v", err)
	}
	if !p.CreatedAt.Equal(created) || !p.UpdatedAt.Equal(at) {
		e.t.Fatalf("Update wrote back %v / %v, want %v / %v", p.CreatedAt, p.UpdatedAt, created, at)
	}
	same(e.t, p, e.find(p.ID))
	got, err := e.repo.FindByName(e.ctx, "after")
	if err != nil {
		e.t.Fatalf("FindByName(after): %v", err)
	}
	same(e.t, p, got)
	_, err = e.repo.FindByName(e.ctx, "before")
	wantErr(e.t, "FindByName(old name)", err, domain.ErrNotFound)

	// The old name and the dropped stage's id are free again; other's stage ids are not.
	reuse := sample(e.t, "before")
	reuse.Stages[1].ID = other.Stages[1].ID
	wantErr(e.t, "Save(stage id of other)", e.repo.Save(e.ctx, reuse), domain.ErrAlreadyExists)
	reuse.Stages[1].ID = droppedID
	if err := e.repo.Save(e.ctx, reuse); err != nil {
		e.t.Fatalf("Save(old name, dropped stage id): %v", err)
	}
	same(e.t, other, e.find(other.ID))
	same(e.t, p, e.find(p.ID))
}

func testUpdateKeepsOwnStageIDs(e *env) {
	p := e.save("keep")
	at := e.clock.Advance(time.Second)
	p.Stages[0].Parameters["level"] = "5"
	p.Stages[1].Name = "seal"
	if err := e.repo.Update(e.ctx, p); err != nil {
		e.t.Fatalf("Update with the same stage ids: %v", err)
	}
	if !p.UpdatedAt.Equal(at) {
		e.t.Fatalf("UpdatedAt = %v, want %v", p.UpdatedAt, at)
	}
	same(e.t, p, e.find(p.ID))
	// An update that changes nothing still succeeds and stamps UpdatedAt.
	at = e.clock.Advance(time.Second)
	if err := e.repo.Update(e.ctx, p); err != nil {
		e.t.Fatalf("Update unchanged: %v", err)
	}
	if got := e.find(p.ID); !got.UpdatedAt.Equal(at) {
		e.t.Fatalf("UpdatedAt = %v, want %v", got.UpdatedAt, at)
	}
}

func testUpdateErrors(e *env) {
	a := e.save("a")
	b := e.save("b")
	e.clock.Advance(time.Minute)

	missing := sample(e.t, "missing")
	wantErr(e.t, "Update(unknown id)", e.repo.Update(e.ctx, missing), domain.ErrNotFound)
	if _, err := e.repo.FindByName(e.ctx, "missing"); !errors.Is(err, domain.ErrNotFound) {
		e.t.Fatalf("Update of an unknown id stored it: %v", err)
	}

	bad := a.Clone()
	bad.Stages = nil
	wantErr(e.t, "Update(no stages)", e.repo.Update(e.ctx, bad), domain.ErrInvalid)
	wantErr(e.t, "Update(nil)", e.repo.Update(e.ctx, nil), domain.ErrInvalid)

	taken := a.Clone()
	taken.Name = "b"
	taken.Configuration["changed"] = "yes"
	wantErr(e.t, "Update(name of b)", e.repo.Update(e.ctx, taken), domain.ErrDuplicateName)

	steal := a.Clone()
	steal.Stages[0].Parameters["changed"] = "yes"
	stolen := b.Stages[0].Clone()
	stolen.Name = "stolen"
	steal.Stages = append(steal.Stages, stolen)
	wantErr(e.t, "Update(stage id of b)", e.repo.Update(e.ctx, steal), domain.ErrAlreadyExists)

	same(e.t, a, e.find(a.ID))
	same(e.t, b, e.find(b.ID))
}

func testDeleteCascades(e *env) {
	p := e.save("doomed")
	if err := e.repo.Delete(e.ctx, p.ID); err != nil {
		e.t.Fatalf("Delete: %v", err)
	}
	_, err := e.repo.FindByID(e.ctx, p.ID)
	wantErr(e.t, "FindByID(deleted)", err, domain.ErrNotFound)
	_, err = e.repo.FindByName(e.ctx, "doomed")
	wantErr(e.t, "FindByName(deleted)", err, domain.ErrNotFound)
	wantErr(e.t, "Delete again", e.repo.Delete(e.ctx, p.ID), domain.ErrNotFound)
	if ok, err := e.repo.Exists(e.ctx, p.ID); err != nil || ok {
		e.t.Fatalf("Exists(deleted) = %v, %v", ok, err)
	}

	// Reuse the same id, name and stage ids with no parameters, configuration or metrics: if the
	// delete left any child rows behind, they would show up (or collide) here.
	at := e.clock.Advance(time.Hour)
	again := &domain.Pipeline{ID: p.ID, Name: "doomed"}
	for _, s := range p.Stages {
		s.Parameters = nil
		again.Stages = append(again.Stages, s)
	}
	if err := e.repo.Save(e.ctx, again); err != nil {
		e.t.Fatalf("Save with the deleted pipeline's ids: %v", err)
	}
	got := e.find(p.ID)
	want := again.Clone()
	want.CreatedAt, want.UpdatedAt = at, at
	same(e.t, want, got)
	for _, s := range got.Stages {
		if len(s.Parameters) != 0 {
			e.t.Fatalf("stage %q kept parameters %v across delete", s.Name, s.Parameters)
		}
	}
	if len(got.Configuration) != 0 || got.Metrics != (domain.ProcessingMetrics{}) {
		e.t.Fatalf("configuration %v / metrics %+v survived delete", got.Configuration, got.Metrics)
	}
	list, err := e.repo.FindByConfig(e.ctx, "env", "prod")
	if err != nil || len(list) != 0 {
		e.t.Fatalf("FindByConfig after delete = %q, %v; want none", names(list), err)
	}
}

func testDeleteLeavesOthers(e *env) {
	a, b, c := e.save("a"), e.save("b"), e.save("c")
	if err := e.repo.Delete(e.ctx, b.ID); err != nil {
		e.t.Fatalf("Delete(b): %v", err)
	}
	wantErr(e.t, "Delete(unknown)", e.repo.Delete(e.ctx, uuid.New()), domain.ErrNotFound)
	same(e.t, a, e.find(a.ID))
	same(e.t, c, e.find(c.ID))
	all, err := e.repo.ListAll(e.ctx)
	if err != nil {
		e.t.Fatalf("ListAll: %v", err)
	}
	sameNames(e.t, "ListAll", all, "a", "c")
}

func testListings(e *env) {
	byName := map[string]*domain.Pipeline{}
	for _, n := range []string{"charlie", "alpha", "delta", "bravo", "Zulu"} {
		byName[n] = e.save(n)
		e.clock.Advance(time.Second)
	}
	if err := e.repo.Archive(e.ctx, byName["delta"].ID); err != nil {
		e.t.Fatalf("Archive: %v", err)
	}
	byName["delta"].Archived, byName["delta"].UpdatedAt = true, e.clock.Now()

	all, err := e.repo.FindAll(e.ctx)
	if err != nil {
		e.t.Fatalf("FindAll: %v", err)
	}
	sameNames(e.t, "FindAll", all, "Zulu", "alpha", "bravo", "charlie") // byte order: upper case first
	every, err := e.repo.ListAll(e.ctx)
	if err != nil {
		e.t.Fatalf("ListAll: %v", err)
	}
	sameNames(e.t, "ListAll", every, "Zulu", "alpha", "bravo", "charlie", "delta")
	for _, p := range every {
		same(e.t, byName[p.Name], p) // listings load whole aggregates
	}
	archived, err := e.repo.ListArchived(e.ctx)
	if err != nil {
		e.t.Fatalf("ListArchived: %v", err)
	}
	sameNames(e.t, "ListArchived", archived, "delta")
	same(e.t, byName["delta"], archived[0])
	if n, err := e.repo.Count(e.ctx); err != nil || n != 4 {
		e.t.Fatalf("Count = %d, %v; want 4", n, err)
	}
}

func testListingsEmpty(e *env) {
	for op, f := range map[string]func(context.Context) ([]*domain.Pipeline, error){
		"FindAll":      e.repo.FindAll,
		"ListAll":      e.repo.ListAll,
		"ListArchived": e.repo.ListArchived,
		"FindByConfig": func(ctx context.Context) ([]*domain.Pipeline, error) { return e.repo.FindByConfig(ctx, "env", "prod") },
	} {
		got, err := f(e.ctx)
		if err != nil {
			e.t.Fatalf("%s on empty repository: %v", op, err)
		}
		sameNames(e.t, op, got)
	}
	if n, err := e.repo.Count(e.ctx); err != nil || n != 0 {
		e.t.Fatalf("Count = %d, %v; want 0", n, err)
	}
	pg, err := e.repo.ListPaginated(e.ctx, 1, 10)
	if err != nil {
		e.t.Fatalf("ListPaginated on empty repository: %v", err)
	}
	sameNames(e.t, "ListPaginated(1, 10)", pg.Pipelines)
	if pg.Total != 0 || pg.TotalPages() != 0 || pg.HasNext() || pg.Number != 1 || pg.Size != 10 {
		e.t.Fatalf("empty page = %+v (pages %d, next %v)", pg, pg.TotalPages(), pg.HasNext())
	}
}

func testListPaginated(e *env) {
	byName := map[string]*domain.Pipeline{}
	for _, n := range []string{"e", "c", "a", "d", "b", "archived"} {
		byName[n] = e.save(n)
	}
	if err := e.repo.Archive(e.ctx, byName["archived"].ID); err != nil {
		e.t.Fatalf("Archive: %v", err)
	}
	check := func(page, size int, next bool, want ...string) {
		e.t.Helper()
		op := fmt.Sprintf("ListPaginated(%d, %d)", page, size)
		pg, err := e.repo.ListPaginated(e.ctx, page, size)
		if err != nil {
			e.t.Fatalf("%s: %v", op, err)
		}
		sameNames(e.t, op, pg.Pipelines, want...)
		if pg.Total != 5 || pg.Number != page || pg.Size != size || pg.HasNext() != next {
			e.t.Fatalf("%s: got {total %d number %d size %d next %v}, want {5 %d %d %v}",
				op, pg.Total, pg.Number, pg.Size, pg.HasNext(), page, size, next)
		}
		for _, p := range pg.Pipelines {
			same(e.t, byName[p.Name], p)
		}
	}
	check(1, 2, true, "a", "b")
	check(2, 2, true, "c", "d")
	check(3, 2, false, "e")                     // partial last page
	check(4, 2, false)                          // past the end: empty, not an error
	check(1, 5, false, "a", "b", "c", "d", "e") // exact page boundary
	check(2, 5, false)
	check(5, 1, false, "e")
	check(6, 1, false)
	check(1, domain.MaxPageSize, false, "a", "b", "c", "d", "e")
	check(math.MaxInt, domain.MaxPageSize, false) // offset would overflow
	pg, _ := e.repo.ListPaginated(e.ctx, 1, 2)
	if pg.TotalPages() != 3 {
		e.t.Fatalf("TotalPages = %d, want 3", pg.TotalPages())
	}
}

func testListPaginatedInvalid(e *env) {
	e.save("only")
	for _, c := range [][2]int{{0, 10}, {-1, 10}, {1, 0}, {1, -5}, {1, domain.MaxPageSize + 1}, {math.MinInt, math.MinInt}} {
		_, err := e.repo.ListPaginated(e.ctx, c[0], c[1])
		wantErr(e.t, fmt.Sprintf("ListPaginated(%d, %d)", c[0], c[1]), err, domain.ErrInvalid)
	}
}

func testExistsAndCount(e *env) {
	a := e.save("a")
	b := e.save("b")
	for id, want := range map[uuid.UUID]bool{a.ID: true, b.ID: true, uuid.New(): false, uuid.Nil: false} {
		if got, err := e.repo.Exists(e.ctx, id); err != nil || got != want {
			e.t.Fatalf("Exists(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
	if err := e.repo.Archive(e.ctx, b.ID); err != nil {
		e.t.Fatalf("Archive: %v", err)
	}
	if got, err := e.repo.Exists(e.ctx, b.ID); err != nil || !got {
		e.t.Fatalf("Exists(archived) = %v, %v; want true", got, err)
	}
	if n, err := e.repo.Count(e.ctx); err != nil || n != 1 {
		e.t.Fatalf("Count with one archived = %d, %v; want 1", n, err)
	}
	if err := e.repo.Delete(e.ctx, a.ID); err != nil {
		e.t.Fatalf("Delete: %v", err)
	}
	if n, err := e.repo.Count(e.ctx); err != nil || n != 0 {
		e.t.Fatalf("Count = %d, %v; want 0", n, err)
	}
}

func testArchiveAndRestore(e *env) {
	p := e.save("cold")
	keep := e.save("warm")

	archivedAt := e.clock.Advance(time.Hour)
	if err := e.repo.Archive(e.ctx, p.ID); err != nil {
		e.t.Fatalf("Archive: %v", err)
	}
	p.Archived, p.UpdatedAt = true, archivedAt
	same(e.t, p, e.find(p.ID))

	// Archived pipelines leave the active views and appear in the archived one.
	all, _ := e.repo.FindAll(e.ctx)
	sameNames(e.t, "FindAll", all, "warm")
	byCfg, _ := e.repo.FindByConfig(e.ctx, "env", "prod")
	sameNames(e.t, "FindByConfig", byCfg, "warm")
	pg, _ := e.repo.ListPaginated(e.ctx, 1, 10)
	sameNames(e.t, "ListPaginated", pg.Pipelines, "warm")
	if pg.Total != 1 {
		e.t.Fatalf("page total = %d, want 1", pg.Total)
	}
	arch, err := e.repo.ListArchived(e.ctx)
	if err != nil {
		e.t.Fatalf("ListArchived: %v", err)
	}
	sameNames(e.t, "ListArchived", arch, "cold")

	// Archiving again changes nothing, not even UpdatedAt.
	e.clock.Advance(time.Hour)
	if err := e.repo.Archive(e.ctx, p.ID); err != nil {
		e.t.Fatalf("Archive twice: %v", err)
	}
	same(e.t, p, e.find(p.ID))

	restoredAt := e.clock.Advance(time.Hour)
	if err := e.repo.Restore(e.ctx, p.ID); err != nil {
		e.t.Fatalf("Restore: %v", err)
	}
	p.Archived, p.UpdatedAt = false, restoredAt
	same(e.t, p, e.find(p.ID))
	all, _ = e.repo.FindAll(e.ctx)
	sameNames(e.t, "FindAll after restore", all, "cold", "warm")
	arch, _ = e.repo.ListArchived(e.ctx)
	sameNames(e.t, "ListArchived after restore", arch)

	// Restoring an active pipeline changes nothing.
	e.clock.Advance(time.Hour)
	if err := e.repo.Restore(e.ctx, keep.ID); err != nil {
		e.t.Fatalf("Restore(active): %v", err)
	}
	same(e.t, keep, e.find(keep.ID))
}

func testArchiveRestoreNotFound(e *env) {
	e.save("present")
	wantErr(e.t, "Archive(unknown)", e.repo.Archive(e.ctx, uuid.New()), domain.ErrNotFound)
	wantErr(e.t, "Restore(unknown)", e.repo.Restore(e.ctx, uuid.New()), domain.ErrNotFound)
}

func testFindByConfig(e *env) {
	set := func(name string, cfg map[string]string) {
		p := sample(e.t, name)
		p.Configuration = cfg
		if err := e.repo.Save(e.ctx, p); err != nil {
			e.t.Fatalf("Save(%s): %v", name, err)
		}
	}
	set("p1", map[string]string{"env": "prod", "tier": "gold"})
	set("p2", map[string]string{"env": "dev"})
	set("p3", map[string]string{"tier": "prod"}) // value matches, key does not
	set("p4", map[string]string{"env": "prod", "region": ""})
	set("p5", nil)

	for _, c := range []struct {
		key, value string
		want       []string
	}{
		{"env", "prod", []string{"p1", "p4"}},
		{"env", "dev", []string{"p2"}},
		{"env", "PROD", nil},
		{"tier", "prod", []string{"p3"}},
		{"region", "", []string{"p4"}}, // present with an empty value
		{"owner", "", nil},             // absent is not empty
		{"missing", "x", nil},
	} {
		got, err := e.repo.FindByConfig(e.ctx, c.key, c.value)
		if err != nil {
			e.t.Fatalf("FindByConfig(%q, %q): %v", c.key, c.value, err)
		}
		sameNames(e.t, fmt.Sprintf("FindByConfig(%q, %q)", c.key, c.value), got, c.want...)
	}
	_, err := e.repo.FindByConfig(e.ctx, "", "prod")
	wantErr(e.t, "FindByConfig(blank key)", err, domain.ErrInvalid)
}

func testCanceledContext(e *env) {
	p := e.save("present")
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	fresh := sample(e.t, "fresh")
	calls := map[string]func() error{
		"Save":          func() error { return e.repo.Save(ctx, fresh) },
		"FindByID":      func() error { _, err := e.repo.FindByID(ctx, p.ID); return err },
		"Update":        func() error { return e.repo.Update(ctx, p.Clone()) },
		"Delete":        func() error { return e.repo.Delete(ctx, p.ID) },
		"FindByName":    func() error { _, err := e.repo.FindByName(ctx, p.Name); return err },
		"FindAll":       func() error { _, err := e.repo.FindAll(ctx); return err },
		"ListAll":       func() error { _, err := e.repo.ListAll(ctx); return err },
		"ListPaginated": func() error { _, err := e.repo.ListPaginated(ctx, 1, 10); return err },
		"Exists":        func() error { _, err := e.repo.Exists(ctx, p.ID); return err },
		"Count":         func() error { _, err := e.repo.Count(ctx); return err },
		"Archive":       func() error { return e.repo.Archive(ctx, p.ID) },
		"Restore":       func() error { return e.repo.Restore(ctx, p.ID) },
		"ListArchived":  func() error { _, err := e.repo.ListArchived(ctx); return err },
		"FindByConfig":  func() error { _, err := e.repo.FindByConfig(ctx, "env", "prod"); return err },
	}
	for op, call := range calls {
		wantErr(e.t, op+" with a canceled context", call(), context.Canceled)
	}
	// Nothing changed.
	same(e.t, p, e.find(p.ID))
	if ok, _ := e.repo.Exists(e.ctx, fresh.ID); ok {
		e.t.Fatalf("Save with a canceled context stored the pipeline")
	}
}

func testConcurrentSameName(e *env) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		p := sample(e.t, "contested")
		wg.Go(func() { errs[i] = e.repo.Save(e.ctx, p) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, domain.ErrDuplicateName):
			e.t.Fatalf("concurrent Save: %v, want nil or ErrDuplicateName", err)
		}
	}
	if won != 1 {
		e.t.Fatalf("%d of %d concurrent saves of one name succeeded, want exactly 1", won, n)
	}
	if c, err := e.repo.Count(e.ctx); err != nil || c != 1 {
		e.t.Fatalf("Count = %d, %v; want 1", c, err)
	}
}

func testConcurrentUse(e *env) {
	const workers, each = 4, 6
	var wg sync.WaitGroup
	errc := make(chan error, workers*each*4)
	for w := range workers {
		mine := make([]*domain.Pipeline, each) // built here: t.Fatal must not run in the goroutines
		for i := range mine {
			mine[i] = sample(e.t, fmt.Sprintf("w%d-%02d", w, i))
		}
		wg.Go(func() {
			for i, p := range mine {
				if err := e.repo.Save(e.ctx, p); err != nil {
					errc <- fmt.Errorf("Save: %w", err)
					return
				}
				p.Configuration["worker"] = fmt.Sprint(w)
				if err := e.repo.Update(e.ctx, p); err != nil {
					errc <- fmt.Errorf("Update: %w", err)
				}
				if i%3 == 0 {
					if err := e.repo.Archive(e.ctx, p.ID); err != nil {
						errc <- fmt.Errorf("Archive: %w", err)
					}
				}
				if _, err := e.repo.ListPaginated(e.ctx, 1, 5); err != nil {
					errc <- fmt.Errorf("ListPaginated: %w", err)
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		e.t.Fatal(err)
	}
	all, err := e.repo.ListAll(e.ctx)
	if err != nil || len(all) != workers*each {
		e.t.Fatalf("ListAll = %d, %v; want %d", len(all), err, workers*each)
	}
	if n, _ := e.repo.Count(e.ctx); n != workers*(each-each/3) {
		e.t.Fatalf("Count = %d, want %d", n, workers*(each-each/3))
	}
	for w := range workers {
		got, err := e.repo.FindByConfig(e.ctx, "worker", fmt.Sprint(w))
		if err != nil || len(got) != each-each/3 {
			e.t.Fatalf("FindByConfig(worker=%d) = %d, %v; want %d", w, len(got), err, each-each/3)
		}
	}
}
