package liteactor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// lockedBuffer is a bytes.Buffer safe for the engine's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(l.b.Bytes(), []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(line, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func TestProtoactorLogsRouteIntoZerolog(t *testing.T) {
	var buf lockedBuffer
	cfg := liteactor.MinimalConfig()
	cfg.Logger = zerolog.New(&buf).Level(zerolog.DebugLevel)
	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A panicking callback makes the supervisor log the restart.
	e.Write(context.Background(), func(*sqlite3.Conn) error { panic("log me") })
	enginetest.WaitFor(t, "restart", func() bool { return e.Stats().Restarts.Writer == 1 })
	if err := e.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	var fromActors, fromEngine bool
	for _, l := range buf.lines() {
		if l["component"] == "protoactor" && l["message"] != nil {
			fromActors = true
		}
		if l["component"] == "supervisor" && l["db"] == "liteactor" {
			fromEngine = true
		}
	}
	if !fromActors || !fromEngine {
		t.Errorf("want protoactor's and the supervisor's lines in the zerolog output (protoactor %v, supervisor %v):\n%s", fromActors, fromEngine, buf.b.String())
	}
}

func TestZeroLoggerPrintsNothing(t *testing.T) {
	// Capture the process's stdout and stderr while an engine with the zero
	// Logger opens, restarts an actor (which logs) and closes.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	captured := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); captured <- b }()

	e, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"), liteactor.MinimalConfig())
	if err == nil {
		e.Write(context.Background(), func(*sqlite3.Conn) error { panic("quiet") })
		enginetest.WaitFor(t, "restart", func() bool { return e.Stats().Restarts.Writer == 1 })
		err = e.Close(context.Background())
	}
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	out := <-captured
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 0 {
		t.Errorf("the zero Logger printed:\n%s", out)
	}
}
