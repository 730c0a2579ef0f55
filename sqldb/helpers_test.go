package sqldb_test

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/sqldb"
	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fixture is an engine on a fresh file, a *sql.DB on it, and the number of
// write transactions committed on any of the engine's connections.
type fixture struct {
	eng     *liteactor.Engine
	db      *sql.DB
	commits *atomic.Int64
	// signal is called by the SQL function signal(), registered on every
	// connection: a statement that calls it tells the test it is running.
	signal *atomic.Pointer[func()]
}

// open opens an engine (MinimalConfig with 2 readers, changed by mod) and
// a *sql.DB on it with opts; both are closed at cleanup.
func open(t *testing.T, mod func(*liteactor.Config), opts ...sqldb.Option) fixture {
	t.Helper()
	commits := new(atomic.Int64)
	signal := new(atomic.Pointer[func()])
	eng, _ := enginetest.Open(t, func(ctx context.Context, path string) (*liteactor.Engine, error) {
		cfg := liteactor.MinimalConfig()
		cfg.Readers = 2
		cfg.InitHook = func(c *sqlite3.Conn) error {
			c.CommitHook(func() bool { commits.Add(1); return true })
			if err := c.CreateFunction("boom", 0, 0, func(sqlite3.Context, ...sqlite3.Value) { panic("boom") }); err != nil {
				return err
			}
			return c.CreateFunction("signal", 0, 0, func(ctx sqlite3.Context, _ ...sqlite3.Value) {
				if fn := signal.Load(); fn != nil {
					(*fn)()
				}
				ctx.ResultInt(1)
			})
		}
		if mod != nil {
			mod(&cfg)
		}
		return liteactor.Open(ctx, path, cfg)
	})
	db := sqldb.OpenDB(eng, opts...)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("db.Close: %v", err)
		}
	})
	return fixture{eng: eng, db: db, commits: commits, signal: signal}
}

// must runs an ExecContext that must succeed.
func (f fixture) must(t *testing.T, query string, args ...any) sql.Result {
	t.Helper()
	res, err := f.db.ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

// count returns SELECT count(*) or sum(...) style single integers.
func (f fixture) int(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// waitReadersIdle waits until no reader is held.
func waitReadersIdle(t *testing.T, eng *liteactor.Engine) {
	t.Helper()
	enginetest.WaitFor(t, "readers idle", func() bool { return eng.Stats().ReadersBusy == 0 })
}

// cancelOnSignal returns a ctx cancelled when a statement calls signal().
func (f fixture) cancelOnSignal() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	fn := func() { cancel() }
	f.signal.Store(&fn)
	return ctx
}

// holdWriter holds the engine's writer until release is called.
func holdWriter(t *testing.T, f fixture) (release func()) {
	t.Helper()
	return enginetest.HoldWriter(t, f.eng)
}
