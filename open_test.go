package liteactor_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"
)

var errHook = errors.New("test: InitHook refuses")

// memoryName records the name of the memdb database the engine's
// connections open, from inside InitHook, and fails the call numbered
// failOn (1: the writer's, 2: the first reader's; 0: never).
type memoryName struct {
	mu     sync.Mutex
	name   string
	calls  int
	failOn int
}

func (m *memoryName) hook(c *sqlite3.Conn) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	m.name = strings.TrimPrefix(c.Filename("main").String(), "/")
	if m.calls == m.failOn {
		return errHook
	}
	return nil
}

// released fails the test if the engine's memdb database is still
// registered: opening it without CREATE must fail with CANTOPEN.
func (m *memoryName) released(t *testing.T) {
	t.Helper()
	m.mu.Lock()
	name := m.name
	m.mu.Unlock()
	if name == "" {
		t.Fatal("InitHook never saw the memory database's name")
	}
	c, err := sqlite3.OpenFlags("file:/"+name+"?vfs=memdb", sqlite3.OPEN_READWRITE|sqlite3.OPEN_URI)
	if err == nil {
		c.Close()
		t.Fatalf("memory database %q is still registered after the failed Open", name)
	}
	if !errors.Is(err, sqlite3.CANTOPEN) {
		t.Fatalf("opening the released memory database: %v, want CANTOPEN", err)
	}
}

// TestOpenInitHookErrorLeavesNothing makes InitHook fail on the writer's
// connection, then on a reader's (after the writer's was opened): Open
// returns the hook's error, and no goroutine, connection or memory
// database is left.
func TestOpenInitHookErrorLeavesNothing(t *testing.T) {
	for _, failOn := range []int{1, 2} {
		func() {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			m := &memoryName{failOn: failOn}
			cfg := liteactor.MinimalConfig()
			cfg.InitHook = m.hook
			e, err := liteactor.Open(context.Background(), ":memory:", cfg)
			if err == nil {
				e.Close(context.Background())
				t.Fatalf("failing InitHook on call %d: Open succeeded", failOn)
			}
			if !errors.Is(err, errHook) {
				t.Fatalf("failing InitHook on call %d: got %v, want the hook's error", failOn, err)
			}
			m.released(t)
		}()
	}
}

// TestOpenNotADatabaseLeavesNothing: a file that is not a database fails
// Open with NOTADB and leaves no goroutine behind (the file itself is
// checked by TestFileThatIsNotADatabase).
func TestOpenNotADatabaseLeavesNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := liteactor.Open(context.Background(), path, liteactor.DefaultConfig()); !errors.Is(err, sqlite3.NOTADB) {
		t.Fatalf("got %v, want NOTADB", err)
	}
}

// openUnder is a parent actor that opens an engine as its child (Config.Parent)
// when told to, after taking the child name "taken" itself.
type openUnder struct {
	cfg    liteactor.Config
	result chan error
}

type openNow struct{}

func (p *openUnder) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(openNow); !ok {
		return
	}
	if _, err := ctx.SpawnNamed(actor.PropsFromFunc(func(actor.Context) {}), "taken"); err != nil {
		p.result <- err
		return
	}
	cfg := p.cfg
	cfg.Parent, cfg.Name = ctx, "taken"
	e, err := liteactor.Open(context.Background(), ":memory:", cfg)
	if err == nil {
		e.Close(context.Background())
		err = errors.New("Open succeeded under a taken name")
	}
	p.result <- err
}

// TestOpenSpawnFailureLeavesNothing spawns the engine under a service's
// actor (Config.Parent, Config.ActorSystem) with a child name that is
// already taken: Open fails to spawn its supervisor, and closes its
// connections, stops its dispatchers and releases its memory database.
func TestOpenSpawnFailureLeavesNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	defer system.Shutdown()
	m := &memoryName{}
	cfg := liteactor.MinimalConfig()
	cfg.ActorSystem, cfg.InitHook = system, m.hook
	p := &openUnder{cfg: cfg, result: make(chan error, 1)}
	parent := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return p }))
	system.Root.Send(parent, openNow{})
	err := <-p.result
	if err == nil || !errors.Is(err, actor.ErrNameExists) {
		t.Fatalf("got %v, want a spawn failure wrapping actor.ErrNameExists", err)
	}
	m.released(t)
	if err := system.Root.StopFuture(parent).Wait(); err != nil {
		t.Fatal(err)
	}
}
