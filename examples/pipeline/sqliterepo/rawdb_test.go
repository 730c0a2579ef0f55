package sqliterepo

// TEMPORARY harness until the engine lands: runs Write/Read on one raw ncruces connection.

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/examples/pipeline/domain"
	"github.com/liteactor/liteactor/examples/pipeline/domain/repotest"
)

type rawDB struct {
	mu sync.Mutex
	c  *sqlite3.Conn
}

func (d *rawDB) Write(ctx context.Context, fn func(*sqlite3.Conn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Exec("BEGIN IMMEDIATE; SAVEPOINT w"); err != nil {
		return err
	}
	if err := fn(d.c); err != nil {
		_ = d.c.Exec("ROLLBACK")
		return err
	}
	return d.c.Exec("RELEASE w; COMMIT")
}

func (d *rawDB) Read(ctx context.Context, fn func(*sqlite3.Conn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Exec("BEGIN"); err != nil {
		return err
	}
	err := fn(d.c)
	_ = d.c.Exec("COMMIT")
	return err
}

func TestRawConformance(t *testing.T) {
	repotest.Run(t, func(t *testing.T, clock domain.Clock) domain.PipelineRepository {
		c, err := sqlite3.Open(filepath.Join(t.TempDir(), "p.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := InitConn(c); err != nil {
			t.Fatal(err)
		}
		if err := c.Exec(schemaV1 + schemaV1to1_1); err != nil {
			t.Fatal(err)
		}
		r, err := newRepository(t.Context(), &rawDB{c: c}, WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}
