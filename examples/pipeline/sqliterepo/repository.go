package sqliterepo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"

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
	err := eng.Write(ctx, func(c *sqlite3.Conn) error {
		return queryOnce(c, `PRAGMA foreign_keys`, func(s *sqlite3.Stmt) error {
			on = s.ColumnBool(0)
			return nil
		})
	})
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
	if err := r.db.Write(ctx, func(c *sqlite3.Conn) error { return insertPipeline(c, p, now, now) }); err != nil {
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
	err := r.db.Write(ctx, func(c *sqlite3.Conn) (err error) {
		created, err = replacePipeline(c, p, now)
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
	return r.db.Write(ctx, func(c *sqlite3.Conn) error { return deletePipeline(c, id) })
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
	return r.db.Write(ctx, func(c *sqlite3.Conn) error { return setArchived(c, id, archived, now) })
}

// FindByID implements domain.PipelineRepository in one engine Read.
func (r *Repository) FindByID(ctx context.Context, id uuid.UUID) (*domain.Pipeline, error) {
	return r.findOne(ctx, "pipeline "+id.String(), selectByID, id.String())
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
	err := r.db.Read(ctx, func(c *sqlite3.Conn) (err error) {
		if pg.Total, err = countActive(c); err != nil {
			return err
		}
		pg.Pipelines, err = loadPipelines(c, selectActive, ` LIMIT ? OFFSET ?`, size, pg.Offset())
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
	err := r.db.Read(ctx, func(c *sqlite3.Conn) (err error) {
		ok, err = pipelineExists(c, id)
		return err
	})
	return ok, err
}

// Count implements domain.PipelineRepository in one engine Read.
func (r *Repository) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	err := r.db.Read(ctx, func(c *sqlite3.Conn) (err error) {
		n, err = countActive(c)
		return err
	})
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
	err := r.db.Read(ctx, func(c *sqlite3.Conn) (err error) {
		out, err = loadPipelines(c, where, "", args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
