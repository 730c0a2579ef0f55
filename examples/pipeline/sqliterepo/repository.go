package sqliterepo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/examples/pipeline/domain"
)

// ErrForeignKeysOff: the engine's writer connection does not enforce foreign keys, so deletes
// would not cascade. The engine turns them on; a Config.InitHook that runs
// "PRAGMA foreign_keys=OFF" causes this.
var ErrForeignKeysOff = errors.New("sqliterepo: foreign keys are not enforced on the engine's writer connection")

// Repository is the SQLite domain.PipelineRepository. It is safe for concurrent use: the engine
// serialises its writes and runs its reads on its reader pool.
type Repository struct {
	db    *liteactor.Engine
	clock domain.Clock
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

// New brings eng's schema up to date (Migrate; a no-op if it is current) and returns a
// repository on it. It fails with
// ErrForeignKeysOff if the writer connection does not enforce foreign keys, or with the
// migration's error. The repository does not own eng: close the engine yourself when done.
func New(ctx context.Context, eng *liteactor.Engine, opts ...Option) (*Repository, error) {
	r := &Repository{db: eng, clock: domain.SystemClock}
	for _, o := range opts {
		o(r)
	}
	on := false
	err := eng.WriteTx(ctx, func(tx *liteactor.Tx) error { return tx.QueryRow(`PRAGMA foreign_keys`).Scan(&on) })
	if err != nil {
		return nil, fmt.Errorf("sqliterepo: check foreign keys: %w", err)
	}
	if !on {
		return nil, ErrForeignKeysOff
	}
	if _, err := Migrate(ctx, eng); err != nil {
		return nil, err
	}
	return r, nil
}

// Save implements domain.PipelineRepository in one engine Write.
func (r *Repository) Save(ctx context.Context, p *domain.Pipeline) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	now := domain.Stamp(r.clock())
	if err := r.db.WriteTx(ctx, func(tx *liteactor.Tx) error { return insertPipeline(tx, p, now, now) }); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = now, now
	return nil
}

// Update implements domain.PipelineRepository in one engine Write.
func (r *Repository) Update(ctx context.Context, p *domain.Pipeline) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	now := domain.Stamp(r.clock())
	var created time.Time
	err := r.db.WriteTx(ctx, func(tx *liteactor.Tx) (err error) {
		created, err = replacePipeline(tx, p, now)
		return err
	})
	if err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = created, now
	return nil
}

// Delete implements domain.PipelineRepository in one engine Write; the schema's ON DELETE
// CASCADE removes the children.
func (r *Repository) Delete(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.db.WriteTx(ctx, func(tx *liteactor.Tx) error { return deletePipeline(tx, id) })
}

// Archive implements domain.PipelineRepository in one engine Write.
func (r *Repository) Archive(ctx context.Context, id uuid.UUID) error {
	return r.setArchived(ctx, id, true)
}

// Restore implements domain.PipelineRepository in one engine Write.
func (r *Repository) Restore(ctx context.Context, id uuid.UUID) error {
	return r.setArchived(ctx, id, false)
}

func (r *Repository) setArchived(ctx context.Context, id uuid.UUID, archived bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := domain.Stamp(r.clock())
	return r.db.WriteTx(ctx, func(tx *liteactor.Tx) error { return setArchived(tx, id, archived, now) })
}

// FindByID implements domain.PipelineRepository in one engine Read.
func (r *Repository) FindByID(ctx context.Context, id uuid.UUID) (*domain.Pipeline, error) {
	return r.findOne(ctx, "pipeline "+id.String(), selectByID, id)
}

// FindByName implements domain.PipelineRepository in one engine Read.
func (r *Repository) FindByName(ctx context.Context, name string) (*domain.Pipeline, error) {
	return r.findOne(ctx, fmt.Sprintf("pipeline %q", name), selectByName, name)
}

// FindAll implements domain.PipelineRepository in one engine Read of five queries.
func (r *Repository) FindAll(ctx context.Context) ([]*domain.Pipeline, error) {
	return r.list(ctx, selectActive)
}

// ListAll implements domain.PipelineRepository in one engine Read of five queries.
func (r *Repository) ListAll(ctx context.Context) ([]*domain.Pipeline, error) {
	return r.list(ctx, selectEvery)
}

// ListArchived implements domain.PipelineRepository in one engine Read of five queries.
func (r *Repository) ListArchived(ctx context.Context) ([]*domain.Pipeline, error) {
	return r.list(ctx, selectArchived)
}

// FindByConfig implements domain.PipelineRepository in one engine Read of five queries.
func (r *Repository) FindByConfig(ctx context.Context, key, value string) ([]*domain.Pipeline, error) {
	if err := domain.CheckConfigKey(key); err != nil {
		return nil, err
	}
	return r.list(ctx, selectByConfigKV, key, value)
}

// ListPaginated implements domain.PipelineRepository: the count and the page come from one
// engine Read (one snapshot), in six queries.
func (r *Repository) ListPaginated(ctx context.Context, page, size int) (domain.Page, error) {
	if err := domain.ValidatePage(page, size); err != nil {
		return domain.Page{}, err
	}
	if err := ctx.Err(); err != nil {
		return domain.Page{}, err
	}
	pg := domain.Page{Number: page, Size: size}
	err := r.db.ReadTx(ctx, func(tx *liteactor.Tx) (err error) {
		if pg.Total, err = countActive(tx); err != nil {
			return err
		}
		pg.Pipelines, err = loadPipelines(tx, selectActive, ` LIMIT ? OFFSET ?`, size, pg.Offset())
		return err
	})
	if err != nil {
		return domain.Page{}, err
	}
	return pg, nil
}

// Exists implements domain.PipelineRepository in one engine Read.
func (r *Repository) Exists(ctx context.Context, id uuid.UUID) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var ok bool
	err := r.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pipelines WHERE id = ?)`, id).Scan(&ok)
	return ok, err
}

// Count implements domain.PipelineRepository in one engine Read.
func (r *Repository) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	err := r.db.QueryRow(ctx, `SELECT count(*) FROM pipelines WHERE archived = 0`).Scan(&n)
	return n, err
}

func (r *Repository) findOne(ctx context.Context, what, where string, args ...any) (*domain.Pipeline, error) {
	ps, err := r.list(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%s: %w", what, domain.ErrNotFound)
	}
	return ps[0], nil
}

func (r *Repository) list(ctx context.Context, where string, args ...any) ([]*domain.Pipeline, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*domain.Pipeline
	err := r.db.ReadTx(ctx, func(tx *liteactor.Tx) (err error) {
		out, err = loadPipelines(tx, where, "", args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
