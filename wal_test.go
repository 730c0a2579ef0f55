package liteactor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
	"github.com/rs/zerolog"
)

// logBuf collects an engine's JSON log lines for assertions.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// entries returns the decoded log lines whose "op" is op.
func (l *logBuf) entries(op string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(l.b.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["op"] == op {
			out = append(out, m)
		}
	}
	return out
}

// walConfig is a small-interval config for WAL tests, logging into buf.
func walConfig(buf *logBuf) liteactor.Config {
	cfg := liteactor.DefaultConfig()
	cfg.Readers = 2
	cfg.WAL.Interval = 20 * time.Millisecond
	if buf != nil {
		cfg.Logger = zerolog.New(buf).Level(zerolog.DebugLevel)
	}
	return cfg
}

func walSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// peakWAL samples the -wal file's size until stop is closed and returns the
// largest size seen.
func peakWAL(path string, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for {
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > peak {
				peak = fi.Size()
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-tk.C:
			}
		}
	}()
	return out
}

const walSchema = "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)"

// insertRows writes n rows of size bytes each in one Write.
func insertRows(ctx context.Context, e *liteactor.Engine, n, size int) error {
	return e.Write(ctx, func(c *sqlite3.Conn) error {
		s, _, err := c.Prepare("INSERT INTO t(v) VALUES (randomblob(?))")
		if err != nil {
			return err
		}
		defer s.Close()
		for range n {
			s.BindInt(1, size)
			if err := s.Exec(); err != nil {
				return err
			}
		}
		return nil
	})
}

func noRestart(t *testing.T, st liteactor.Stats) {
	t.Helper()
	for mode := range st.WAL.Checkpoints {
		if mode != "PASSIVE" && mode != "FULL" && mode != "TRUNCATE" {
			t.Errorf("checkpoint mode %s was run", mode)
		}
	}
}

func TestWALSustainedWritesStayBounded(t *testing.T) {
	var buf logBuf
	cfg := liteactor.DefaultConfig() // default WAL policy: Interval 1s, CheckpointPages 1000
	cfg.Logger = zerolog.New(&buf).Level(zerolog.DebugLevel)
	e, path := open(t, cfg)
	defer func() { os.WriteFile("/tmp/walx/log.json", buf.b.Bytes(), 0o644) }()
	ctx := context.Background()
	mustExec(t, e, walSchema)
	stop := make(chan struct{})
	peak := peakWAL(path, stop)
	var wg sync.WaitGroup
	var reads atomic.Int64
	readsDone := make(chan struct{})
	go func() {
		defer close(readsDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := e.Query(ctx, "SELECT length(v) FROM t WHERE id = ?", reads.Load()%1000+1); err != nil {
				t.Error(err)
				return
			}
			reads.Add(1)
		}
	}()
	start := time.Now()
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 400 {
				if err := insertRows(ctx, e, 50, 400); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	close(stop)
	<-readsDone
	p := <-peak
	st := e.Stats()
	t.Logf("peak WAL %.1f MiB over %s (%d reads), checkpoints %v busy %d", float64(p)/(1<<20), el, reads.Load(), st.WAL.Checkpoints, st.WAL.BusyCheckpoint)
	noRestart(t, st)
}
