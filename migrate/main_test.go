package migrate

import (
	"context"
	"github.com/rs/zerolog"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine (an engine's actors, timers)
// outlives the tests.
// When childEnv is set, the binary is a child process of
// TestTwoProcessesOnOneFileMigrateConcurrently instead.
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(runChild(path))
	}
	goleak.VerifyTestMain(m)
}

// openEngine opens an engine on path (a fresh file in a temporary directory
// when path is ""), closed when the test ends.
func openEngine(t *testing.T, path string, tweak ...func(*liteactor.Config)) *liteactor.Engine {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "app.db")
	}
	cfg := liteactor.MinimalConfig()
	for _, f := range tweak {
		f(&cfg)
	}
	eng, err := liteactor.Open(context.Background(), path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := eng.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return eng
}

func scalar(t *testing.T, eng *liteactor.Engine, sql string, args ...any) any {
	t.Helper()
	rows, err := eng.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if len(rows.Values) != 1 || len(rows.Values[0]) != 1 {
		t.Fatalf("%s: %d rows", sql, len(rows.Values))
	}
	return rows.Values[0][0]
}

func zerologTo(w io.Writer) zerolog.Logger { return zerolog.New(w) }
