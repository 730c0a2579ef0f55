package liteactor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

// bounded runs fn and fails the test if it does not return within
// enginetest.Timeout (a hang, not a timing assertion).
func bounded[T any](t *testing.T, what string, fn func() T) T {
	t.Helper()
	ch := make(chan T, 1)
	go func() { ch <- fn() }()
	select {
	case v := <-ch:
		return v
	case <-time.After(enginetest.Timeout):
		t.Fatalf("%s: no return within %v (wedged)", what, enginetest.Timeout)
		var zero T
		return zero
	}
}

// Finding 2: after SQLite rolled back the engine's transaction under a
// Write (INSERT OR ROLLBACK conflict), the callback's later statements must
// not run in autocommit and commit.
func TestWriteAfterSQLiteRollbackCommitsNothing(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	mustExec(t, e, "INSERT INTO t VALUES (1)")
	for name, after := range map[string]string{
		"plain inserts":       "INSERT INTO t VALUES (11); INSERT INTO t VALUES (12)",
		"own savepoint":       "SAVEPOINT mine; INSERT INTO t VALUES (11); RELEASE mine",
		"savepoint left open": "SAVEPOINT mine; INSERT INTO t VALUES (11); INSERT INTO t VALUES (12)",
	} {
		t.Run(name, func(t *testing.T) {
			err := e.Write(ctx, func(c *sqlite3.Conn) error {
				if err := c.Exec("INSERT INTO t VALUES (10)"); err != nil {
					return err
				}
				_ = c.Exec("INSERT OR ROLLBACK INTO t VALUES (1)") // conflicts: SQLite rolls back everything; ignored
				for _, s := range strings.Split(after, ";") {
					_ = c.Exec(s) // errors ignored, as a careless callback would
				}
				return nil
			})
			if err == nil || !strings.Contains(err.Error(), "rolled back") {
				t.Fatalf("Write: %v, want the rollback explained", err)
			}
			if n := count(t, e, "SELECT count(*) FROM t WHERE id >= 10"); n != 0 {
				t.Fatalf("%d rows of the failed Write committed", n)
			}
			mustExec(t, e, "INSERT INTO t VALUES (2) ON CONFLICT DO NOTHING") // the writer still commits
		})
	}
}

// Finding 2: the engine's savepoint name is compared as SQLite compares
// names (case-insensitively).
func TestEngineSavepointNameDeniedInAnyCase(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	for _, stmt := range []string{"RELEASE LITEACTOR_WRITE", `RELEASE "Liteactor_Write"`, "ROLLBACK TO LiteActor_Write"} {
		err := e.Write(ctx, func(c *sqlite3.Conn) error {
			if err := c.Exec("INSERT INTO t VALUES (5)"); err != nil {
				return err
			}
			return c.Exec(stmt)
		})
		if !errors.Is(err, liteactor.ErrInvalidArg) {
			t.Errorf("%s in Write: %v, want ErrInvalidArg", stmt, err)
		}
		if n := count(t, e, "SELECT count(*) FROM t"); n != 0 {
			t.Fatalf("%s: the failed Write's row was committed", stmt)
		}
	}
}

// Finding 3: statements a callback leaves in progress are reset after it,
// so the next batch commits and the WAL is not pinned.
func TestLeakedStatementsReset(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, v)")
	// An INSERT ... RETURNING stepped once and never reset.
	if err := e.Write(ctx, func(c *sqlite3.Conn) error {
		s, _, err := c.Prepare("INSERT INTO t(v) VALUES ('leak') RETURNING id")
		if err != nil {
			return err
		}
		s.Step()
		return nil
	}); err != nil {
		t.Fatalf("Write leaking a RETURNING statement: %v", err)
	}
	for i := range 5 {
		bounded(t, "Exec after a leaked statement", func() error {
			_, err := e.Exec(ctx, "INSERT INTO t(v) VALUES (?)", i)
			if err != nil {
				t.Errorf("Exec %d after a leaked RETURNING statement: %v", i, err)
			}
			return err
		})
	}
	// A SELECT left mid-scan in a Write, a Read and an Exclusive.
	for i := range 200 {
		mustExec(t, e, "INSERT INTO t(v) VALUES (?)", i)
	}
	leak := func(c *sqlite3.Conn) error {
		s, _, err := c.Prepare("SELECT * FROM t")
		if err != nil {
			return err
		}
		s.Step()
		return nil
	}
	for name, run := range map[string]func() error{
		"Write":     func() error { return e.Write(ctx, leak) },
		"Read":      func() error { return e.Read(ctx, leak) },
		"Exclusive": func() error { return e.Exclusive(ctx, leak) },
	} {
		if err := run(); err != nil {
			t.Fatalf("%s leaking a SELECT: %v", name, err)
		}
		mustExec(t, e, "INSERT INTO t(v) VALUES ('after')")
		res, err := e.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE)
		if err != nil || res.LogFrames != 0 {
			t.Fatalf("checkpoint after a SELECT leaked by %s: %+v, %v (the WAL is pinned)", name, res, err)
		}
	}
}

// Finding 4: statements that would change a shared connection's state are
// refused with ErrInvalidArg naming them; read-only PRAGMAs keep working;
// Exclusive may change state, and the writer's connection is replaced after.
func TestConnectionStatePolicy(t *testing.T) {
	cfg := liteactor.MinimalConfig()
	cfg.Readers = 1
	e, path := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER CHECK (n > 0))")
	mustExec(t, e, "CREATE INDEX t_n ON t(n)")
	refused := []string{
		"PRAGMA query_only=1", "PRAGMA locking_mode=EXCLUSIVE", "PRAGMA ignore_check_constraints=1",
		"PRAGMA writable_schema=ON", "PRAGMA journal_mode=DELETE", "PRAGMA synchronous=OFF",
		"PRAGMA wal_autocheckpoint=0", "PRAGMA main.cache_size=10", "PRAGMA Recursive_Triggers=1",
		"PRAGMA wal_checkpoint(RESTART)", "PRAGMA wal_checkpoint", "PRAGMA schema_version=99",
		"ATTACH ':memory:' AS x", "DETACH main",
	}
	for _, sql := range refused {
		if _, err := e.Exec(ctx, sql); !errors.Is(err, liteactor.ErrInvalidArg) || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(strings.Fields(sql)[0])) {
			t.Errorf("Exec(%q): %v, want ErrInvalidArg naming it", sql, err)
		}
		if err := e.Write(ctx, func(c *sqlite3.Conn) error { return c.Exec(sql) }); !errors.Is(err, liteactor.ErrInvalidArg) {
			t.Errorf("Write running %q: %v, want ErrInvalidArg", sql, err)
		}
		if _, err := e.Query(ctx, sql); !errors.Is(err, liteactor.ErrInvalidArg) {
			t.Errorf("Query(%q): %v, want ErrInvalidArg", sql, err)
		}
	}
	into := filepath.Join(filepath.Dir(path), "copy.db")
	if _, err := e.Query(ctx, "VACUUM INTO ?", into); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Errorf("VACUUM INTO on a reader: %v, want ErrInvalidArg", err)
	}
	if _, err := os.Stat(into); !os.IsNotExist(err) {
		t.Errorf("refused VACUUM INTO left %s behind (%v)", into, err)
	}
	// Reads of connection state and schema queries work on both sides.
	for _, sql := range []string{"PRAGMA table_info(t)", "PRAGMA index_list(t)", "PRAGMA foreign_key_list(t)",
		"PRAGMA user_version", "PRAGMA query_only", "PRAGMA journal_mode", "PRAGMA integrity_check(5)",
		"PRAGMA foreign_key_check(t)", "SELECT * FROM pragma_table_info('t')"} {
		if _, err := e.Query(ctx, sql); err != nil {
			t.Errorf("Query(%q): %v", sql, err)
		}
		if _, err := e.Exec(ctx, sql); err != nil {
			t.Errorf("Exec(%q): %v", sql, err)
		}
	}
	mustExec(t, e, "PRAGMA user_version=3")
	mustExec(t, e, "PRAGMA foreign_keys=OFF") // a no-op inside the engine's transaction
	// Nothing leaked into the connections: writes work, CHECK holds, FKs on.
	mustExec(t, e, "INSERT INTO t VALUES (1, 1)")
	if _, err := e.Exec(ctx, "INSERT INTO t VALUES (2, -1)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("CHECK violation after refused PRAGMAs: %v, want CONSTRAINT", err)
	}
	if n := count(t, e, "PRAGMA foreign_keys"); n != 1 {
		t.Fatalf("writer's foreign_keys = %d", n)
	}
	// Exclusive may change the connection; the next request gets a fresh one.
	before := e.Stats().Restarts.Writer
	if err := e.Exclusive(ctx, func(c *sqlite3.Conn) error {
		return c.Exec("PRAGMA ignore_check_constraints=1; PRAGMA query_only=1")
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Exec(ctx, "INSERT INTO t VALUES (3, -1)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("CHECK violation after an Exclusive set ignore_check_constraints: %v, want CONSTRAINT", err)
	}
	mustExec(t, e, "INSERT INTO t VALUES (4, 4)")
	if after := e.Stats().Restarts.Writer; after != before+1 {
		t.Errorf("writer restarts %d -> %d, want one replacement", before, after)
	}
}

// Finding 5: calls from inside a callback that would wait for the actor
// running it fail at once with ErrReentrant, even with a background ctx:
// writes and Close from a Write or Exclusive callback, reads and Close from
// a Read callback (with one reader). Calls to the other side run.
func TestReentrantCallsFail(t *testing.T) {
	cfg := liteactor.MinimalConfig()
	cfg.Readers = 1
	e, _ := open(t, cfg)
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	type call struct {
		write bool // the writer's side (else a reader's; Close is both)
		run   func(id int) error
	}
	inner := map[string]call{
		"Exec":      {true, func(id int) error { _, err := e.Exec(ctx, "INSERT INTO t VALUES (?)", id); return err }},
		"Write":     {true, func(int) error { return e.Write(ctx, func(*sqlite3.Conn) error { return nil }) }},
		"Exclusive": {true, func(int) error { return e.Exclusive(ctx, func(*sqlite3.Conn) error { return nil }) }},
		"Query":     {false, func(int) error { _, err := e.Query(ctx, "SELECT 1"); return err }},
		"Read":      {false, func(int) error { return e.Read(ctx, func(*sqlite3.Conn) error { return nil }) }},
		"Checkpoint": {true, func(int) error {
			_, err := e.Checkpoint(ctx, sqlite3.CHECKPOINT_PASSIVE)
			return err
		}},
		"WriteQuery": {true, func(int) error { _, err := e.WriteQuery(ctx, "SELECT 1"); return err }},
		"QueryRow":   {false, func(int) error { var n int; return e.QueryRow(ctx, "SELECT 1").Scan(&n) }},
		"Close":      {},
	}
	outer := map[string]struct {
		write bool
		id    int
		run   func(func(*sqlite3.Conn) error) error
	}{
		"Write":     {true, 1, func(fn func(*sqlite3.Conn) error) error { return e.Write(ctx, fn) }},
		"Exclusive": {true, 2, func(fn func(*sqlite3.Conn) error) error { return e.Exclusive(ctx, fn) }},
		"Read":      {false, 3, func(fn func(*sqlite3.Conn) error) error { return e.Read(ctx, fn) }},
	}
	for on, o := range outer {
		for name, c := range inner {
			if name == "Close" {
				c.run = func(int) error { return e.Close(ctx) }
			}
			refused := name == "Close" || c.write == o.write
			var innerErr error
			err := bounded(t, name+" inside "+on, func() error {
				return o.run(func(*sqlite3.Conn) error { innerErr = c.run(o.id); return nil })
			})
			if err != nil || refused != errors.Is(innerErr, liteactor.ErrReentrant) || (!refused && innerErr != nil) {
				t.Errorf("%s inside %s: inner %v, outer %v; want refused=%v", name, on, innerErr, err, refused)
			}
		}
	}
	rows, err := e.Query(ctx, "SELECT id FROM t")
	if err != nil || len(rows.Values) != 1 || rows.Values[0][0] != int64(3) {
		t.Fatalf("rows %v, %v: want only the Exec made from the Read callback", rows, err)
	}
	mustExec(t, e, "INSERT INTO t VALUES (4)") // the engine serves on (and Close at cleanup works)
}

// Finding 6: every Close honours its own ctx; a Close whose drain completed
// returns nil even with a cancelled ctx.
func TestCloseHonoursEachCtx(t *testing.T) {
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	release := enginetest.HoldWriter(t, e)
	first := make(chan error, 1)
	go func() { first <- e.Close(context.Background()) }()
	enginetest.WaitFor(t, "Close started", func() bool {
		// Queued behind the held writer until Close starts (then withdrawn
		// at its deadline); refused with ErrClosed once it has.
		qctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		_, err := e.Exec(qctx, "INSERT INTO t VALUES (1)")
		return errors.Is(err, liteactor.ErrClosed)
	})
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := bounded(t, "second Close", func() error { return e.Close(short) }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Close with a short deadline: %v, want DeadlineExceeded", err)
	}
	release()
	if err := bounded(t, "first Close", func() error { return <-first }); err != nil {
		t.Fatalf("first Close after the drain: %v", err)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Fatalf("Close after Close: %v", err)
	}
}

func TestCloseWithCancelledCtxAfterCompleteDrain(t *testing.T) {
	for i := range 5 { // the old code chose between ready cases at random
		e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), liteactor.MinimalConfig())
		if err != nil {
			t.Fatal(err)
		}
		// Nothing was ever submitted: the drain is complete at once.
		done, cancel := context.WithCancel(context.Background())
		cancel()
		if err := e.Close(done); err != nil {
			t.Fatalf("run %d: Close with nothing to drain and a cancelled ctx: %v, want nil", i, err)
		}
	}
}

// Finding 7: bad input is ErrInvalidArg, never a panic, a restart or a
// silently truncated statement.
func TestBadInputIsInvalidArg(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(v TEXT)")
	before := e.Stats().Restarts
	for name, err := range map[string]error{
		"Write(nil)":     e.Write(ctx, nil),
		"Read(nil)":      e.Read(ctx, nil),
		"Exclusive(nil)": e.Exclusive(ctx, nil),
	} {
		if !errors.Is(err, liteactor.ErrInvalidArg) || errors.Is(err, liteactor.ErrPanic) {
			t.Errorf("%s: %v, want ErrInvalidArg", name, err)
		}
	}
	if _, err := e.Exec(ctx, "INSERT INTO t VALUES ('a')\x00; INSERT INTO t VALUES ('b')"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Errorf("Exec with a NUL byte: %v, want ErrInvalidArg", err)
	}
	if _, err := e.Query(ctx, "SELECT 1\x00 garbage"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Errorf("Query with a NUL byte: %v, want ErrInvalidArg", err)
	}
	if n := count(t, e, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("%d rows from a refused statement", n)
	}
	if after := e.Stats().Restarts; after != before {
		t.Errorf("restarts %+v -> %+v: bad input replaced a connection", before, after)
	}
}

// Finding 7: typed messages sent by value or of an unknown type get an
// error reply wrapping ErrInvalidArg.
func TestFrontDoorAnswersMessagesItDoesNotTake(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	cfg := liteactor.MinimalConfig()
	cfg.ActorSystem = system
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close(context.Background())
	out := make(chan any, 1)
	svc := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &service{eng: e, out: out} }))
	defer func() { system.Root.StopFuture(svc).Wait() }()
	type custom struct{ X int }
	for _, msg := range []any{messages.Exec{SQL: "SELECT 1"}, messages.Query{SQL: "SELECT 1"}, messages.Write{}, &custom{}, "text",
		&messages.Write{}, &messages.Exec{SQL: "SELECT 1\x00"}} {
		var got error
		switch r := ask(t, system, svc, out, msg).(type) {
		case *messages.ExecResult:
			got = r.Err
		case *messages.QueryResult:
			got = r.Err
		case *messages.Done:
			got = r.Err
		default:
			t.Fatalf("%T: reply %T", msg, r)
		}
		if !errors.Is(got, liteactor.ErrInvalidArg) {
			t.Errorf("%#v: reply error %v, want ErrInvalidArg", msg, got)
		}
	}
}

// Finding 8 (documented): when SQLite rolls back the whole transaction
// under one request of a batch, the batch-mates that had already run run
// again in a fresh transaction: their callbacks run twice, their effects
// commit once.
func TestBatchMateCallbackRunsAgainAfterSQLiteRollback(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	mustExec(t, e, "INSERT INTO t VALUES (1)")
	release := enginetest.HoldWriter(t, e)
	var runs int
	first := make(chan error, 1)
	go func() {
		first <- e.Write(ctx, func(c *sqlite3.Conn) error { runs++; return c.Exec("INSERT INTO t VALUES (2)") })
	}()
	waitQueued(t, e, 1, 0)
	second := make(chan error, 1)
	go func() { _, err := e.Exec(ctx, "INSERT OR ROLLBACK INTO t VALUES (1)"); second <- err }()
	waitQueued(t, e, 2, 0)
	release()
	if err := <-first; err != nil {
		t.Fatalf("batch-mate: %v", err)
	}
	if err := <-second; !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("OR ROLLBACK conflict: %v", err)
	}
	if runs != 2 {
		t.Fatalf("batch-mate's callback ran %d times, want 2 (documented re-execution)", runs)
	}
	if n := count(t, e, "SELECT count(*) FROM t WHERE id = 2"); n != 1 {
		t.Fatalf("batch-mate's row present %d times", n)
	}
}

// deadLetterProbe asks the engine's front door and forwards whatever comes
// back, DeadLetterResponse included.
type deadLetterProbe struct {
	to  *actor.PID
	out chan any
}

func (p *deadLetterProbe) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *send:
		ctx.Request(p.to, m.msg)
	case *messages.ExecResult, *actor.DeadLetterResponse:
		p.out <- m
	}
}

// Finding 7 (documented): a typed request sent after Close has stopped the
// engine gets protoactor's *actor.DeadLetterResponse, not silence.
func TestRequestAfterCloseGetsDeadLetterResponse(t *testing.T) {
	// A short throttle interval: protoactor's dead-letter throttle goroutine
	// ends within it (goleak).
	system := actor.NewActorSystem(actor.WithDeadLetterThrottleInterval(10 * time.Millisecond))
	defer system.Shutdown()
	cfg := liteactor.MinimalConfig()
	cfg.ActorSystem = system
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan any, 1)
	probe := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &deadLetterProbe{to: e.PID(), out: out} }))
	defer func() { system.Root.StopFuture(probe).Wait() }()
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	system.Root.Send(probe, &send{&messages.Exec{SQL: "SELECT 1"}})
	select {
	case r := <-out:
		if _, ok := r.(*actor.DeadLetterResponse); !ok {
			if er, ok := r.(*messages.ExecResult); !ok || !errors.Is(er.Err, liteactor.ErrClosed) {
				t.Fatalf("reply %T %+v, want DeadLetterResponse or ErrClosed", r, r)
			}
		}
	case <-time.After(enginetest.Timeout):
		t.Fatal("no reply to a request sent after Close")
	}
}
