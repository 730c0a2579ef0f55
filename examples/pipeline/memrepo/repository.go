package memrepo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// Repository is an in-memory domain.PipelineRepository. The zero value is not usable; call New.
// All methods are safe for concurrent use; each one is atomic with respect to the others.
type Repository struct {
	clock domain.Clock

	mu         sync.RWMutex
	byID       map[uuid.UUID]*domain.Pipeline
	byName     map[string]uuid.UUID
	stageOwner map[uuid.UUID]uuid.UUID // stage id -> pipeline id
}

var _ domain.PipelineRepository = (*Repository)(nil)

// Option configures a Repository.
type Option func(*Repository)

// WithClock makes the repository take timestamps from c instead of time.Now. A nil c is ignored.
func WithClock(c domain.Clock) Option {
	return func(r *Repository) {
		if c != nil {
			r.clock = c
		}
	}
}

// New returns an empty repository.
func New(opts ...Option) *Repository {
	r := &Repository{
		clock:      domain.SystemClock,
		byID:       map[uuid.UUID]*domain.Pipeline{},
		byName:     map[string]uuid.UUID{},
		stageOwner: map[uuid.UUID]uuid.UUID{},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Save implements domain.PipelineRepository.
func (r *Repository) Save(ctx context.Context, p *domain.Pipeline) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byID[p.ID]; ok {
		return fmt.Errorf("save pipeline %s: %w", p.ID, domain.ErrAlreadyExists)
	}
	if _, ok := r.byName[p.Name]; ok {
		return fmt.Errorf("save pipeline %q: %w", p.Name, domain.ErrDuplicateName)
	}
	if err := r.checkStagesFree(p); err != nil {
		return fmt.Errorf("save pipeline %s: %w", p.ID, err)
	}
	now := domain.Stamp(r.clock())
	p.CreatedAt, p.UpdatedAt = now, now
	r.put(p.Clone())
	return nil
}

// FindByID implements domain.PipelineRepository.
func (r *Repository) FindByID(ctx context.Context, id uuid.UUID) (*domain.Pipeline, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.byID[id]
	if !ok {
		return nil, fmt.Errorf("pipeline %s: %w", id, domain.ErrNotFound)
	}
	return p.Clone(), nil
}

// Update implements domain.PipelineRepository.
func (r *Repository) Update(ctx context.Context, p *domain.Pipeline) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.byID[p.ID]
	if !ok {
		return fmt.Errorf("update pipeline %s: %w", p.ID, domain.ErrNotFound)
	}
	if other, ok := r.byName[p.Name]; ok && other != p.ID {
		return fmt.Errorf("update pipeline %s: name %q: %w", p.ID, p.Name, domain.ErrDuplicateName)
	}
	if err := r.checkStagesFree(p); err != nil {
		return fmt.Errorf("update pipeline %s: %w", p.ID, err)
	}
	r.remove(old)
	p.CreatedAt, p.UpdatedAt = old.CreatedAt, domain.Stamp(r.clock())
	r.put(p.Clone())
	return nil
}

// Delete implements domain.PipelineRepository.
func (r *Repository) Delete(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.byID[id]
	if !ok {
		return fmt.Errorf("delete pipeline %s: %w", id, domain.ErrNotFound)
	}
	r.remove(p)
	return nil
}

// FindByName implements domain.PipelineRepository.
func (r *Repository) FindByName(ctx context.Context, name string) (*domain.Pipeline, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	id, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("pipeline %q: %w", name, domain.ErrNotFound)
	}
	return r.byID[id].Clone(), nil
}

// FindAll implements domain.PipelineRepository.
func (r *Repository) FindAll(ctx context.Context) ([]*domain.Pipeline, error) {
	return r.list(ctx, func(p *domain.Pipeline) bool { return !p.Archived })
}

// ListAll implements domain.PipelineRepository.
func (r *Repository) ListAll(ctx context.Context) ([]*domain.Pipeline, error) {
	return r.list(ctx, func(*domain.Pipeline) bool { return true })
}

// ListArchived implements domain.PipelineRepository.
func (r *Repository) ListArchived(ctx context.Context) ([]*domain.Pipeline, error) {
	return r.list(ctx, func(p *domain.Pipeline) bool { return p.Archived })
}

// FindByConfig implements domain.PipelineRepository.
func (r *Repository) FindByConfig(ctx context.Context, key, value string) ([]*domain.Pipeline, error) {
	if err := domain.CheckConfigKey(key); err != nil {
		return nil, err
	}
	return r.list(ctx, func(p *domain.Pipeline) bool {
		v, ok := p.Configuration[key]
		return !p.Archived && ok && v == value
	})
}

// ListPaginated implements domain.PipelineRepository.
func (r *Repository) ListPaginated(ctx context.Context, page, size int) (domain.Page, error) {
	if err := domain.ValidatePage(page, size); err != nil {
		return domain.Page{}, err
	}
	all, err := r.list(ctx, func(p *domain.Pipeline) bool { return !p.Archived })
	if err != nil {
		return domain.Page{}, err
	}
	pg := domain.Page{Number: page, Size: size, Total: len(all)}
	start := min(pg.Offset(), len(all))
	end := start + min(size, len(all)-start)
	pg.Pipelines = all[start:end:end]
	return pg, nil
}

// Exists implements domain.PipelineRepository.
func (r *Repository) Exists(ctx context.Context, id uuid.UUID) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.byID[id]
	return ok, nil
}

// Count implements domain.PipelineRepository.
func (r *Repository) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := 0
	for _, p := range r.byID {
		if !p.Archived {
			n++
		}
	}
	return n, nil
}

// Archive implements domain.PipelineRepository.
func (r *Repository) Archive(ctx context.Context, id uuid.UUID) error {
	return r.setArchived(ctx, id, true)
}

// Restore implements domain.PipelineRepository.
func (r *Repository) Restore(ctx context.Context, id uuid.UUID) error {
	return r.setArchived(ctx, id, false)
}

func (r *Repository) setArchived(ctx context.Context, id uuid.UUID, archived bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.byID[id]
	if !ok {
		return fmt.Errorf("pipeline %s: %w", id, domain.ErrNotFound)
	}
	if p.Archived != archived {
		p.Archived = archived
		p.UpdatedAt = domain.Stamp(r.clock())
	}
	return nil
}

// list returns copies of the stored pipelines that keep() accepts, ordered by name.
func (r *Repository) list(ctx context.Context, keep func(*domain.Pipeline) bool) ([]*domain.Pipeline, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []*domain.Pipeline{}
	for _, p := range r.byID {
		if keep(p) {
			out = append(out, p.Clone())
		}
	}
	slices.SortFunc(out, func(a, b *domain.Pipeline) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// checkStagesFree fails with ErrAlreadyExists if a stage id of p belongs to another pipeline.
// Caller holds r.mu.
func (r *Repository) checkStagesFree(p *domain.Pipeline) error {
	for _, s := range p.Stages {
		if owner, ok := r.stageOwner[s.ID]; ok && owner != p.ID {
			return fmt.Errorf("stage %s belongs to pipeline %s: %w", s.ID, owner, domain.ErrAlreadyExists)
		}
	}
	return nil
}

// put indexes p, which the repository now owns. Caller holds r.mu for writing.
func (r *Repository) put(p *domain.Pipeline) {
	r.byID[p.ID] = p
	r.byName[p.Name] = p.ID
	for _, s := range p.Stages {
		r.stageOwner[s.ID] = p.ID
	}
}

// remove drops p and its indexes. Caller holds r.mu for writing.
func (r *Repository) remove(p *domain.Pipeline) {
	delete(r.byID, p.ID)
	delete(r.byName, p.Name)
	for _, s := range p.Stages {
		delete(r.stageOwner, s.ID)
	}
}
