package reliability_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(crashChild())
	}
	code := m.Run()
	if code == 0 {
		if err := waitNoGoroutines(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// waitNoGoroutines polls, with a deadline, until no goroutine is left but
// those in opts. protoactor's dead-letter log throttle keeps a goroutine
// alive for up to its 1s interval after the last dead letter (a message sent
// to an actor that has stopped), longer than goleak's own retries.
func waitNoGoroutines(opts ...goleak.Option) error {
	var err error
	enginetest.Poll(5*time.Second, func() bool {
		err = goleak.Find(opts...)
		return err == nil
	})
	return err
}

// testConfig is MinimalConfig with n readers, a Block queue (no write is
// refused) and short timeouts.
func testConfig(readers int) liteactor.Config {
	cfg := liteactor.MinimalConfig()
	cfg.Readers = readers
	cfg.Queue = liteactor.QueueConfig{Capacity: 256, Overflow: liteactor.Block}
	return cfg
}

// open opens an engine on path and closes it at cleanup if the test has not.
func open(t testing.TB, path string, cfg liteactor.Config) *liteactor.Engine {
	t.Helper()
	e, err := liteactor.Open(context.Background(), path, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { closeEngine(t, e) })
	return e
}

func closeEngine(t testing.TB, e *liteactor.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Close(ctx); err != nil {
		t.Errorf("close: %v", err)
	}
}

func mustExec(t testing.TB, e *liteactor.Engine, sql string, args ...any) liteactor.Result {
	t.Helper()
	r, err := e.Exec(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
	return r
}

func queryInt(t testing.TB, e *liteactor.Engine, sql string, args ...any) int64 {
	t.Helper()
	rows, err := e.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("query %q: %v", sql, err)
	}
	if len(rows.Values) != 1 || len(rows.Values[0]) != 1 {
		t.Fatalf("query %q: %d rows, want one value", sql, len(rows.Values))
	}
	v, ok := rows.Values[0][0].(int64)
	if !ok {
		t.Fatalf("query %q: %T %v, want int64", sql, rows.Values[0][0], rows.Values[0][0])
	}
	return v
}

func integrityOK(t testing.TB, e *liteactor.Engine) {
	t.Helper()
	rows, err := e.Query(context.Background(), "PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	if len(rows.Values) != 1 || rows.Values[0][0] != "ok" {
		t.Fatalf("integrity_check: %v", rows.Values)
	}
}

// waitRestarts polls Stats, with a deadline, until the restart counters
// satisfy ok: an actor answers the request that broke its connection before
// it crashes, so the restart is counted a moment after the caller returns.
func waitRestarts(t testing.TB, e *liteactor.Engine, what string, ok func(writer, reader uint64) bool) {
	t.Helper()
	var r liteactor.Stats
	if err := enginetest.Poll(enginetest.Timeout, func() bool {
		r = e.Stats()
		return ok(r.Restarts.Writer, r.Restarts.Reader)
	}); err != nil {
		t.Fatalf("restarts: writer %d, reader %d; want %s", r.Restarts.Writer, r.Restarts.Reader, what)
	}
}
