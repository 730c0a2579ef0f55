package observe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/observe"
	"github.com/rs/zerolog"
)

// logBuffer collects zerolog's JSON lines, safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// entries decodes the query logger's lines.
func (l *logBuffer) entries(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad log line %q: %v", line, err)
		}
		if m["component"] == "query" {
			out = append(out, m)
		}
	}
	return out
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestQueryLoggerLiveEngine(t *testing.T) {
	buf := &logBuffer{}
	ql := observe.NewQueryLogger(zerolog.New(buf).Level(zerolog.DebugLevel), observe.QueryLogOptions{})
	eng := open(t, liteactor.MinimalConfig(), ql)
	mustExec(t, eng, "CREATE TABLE users (name TEXT, secret TEXT)")
	mustExec(t, eng, "INSERT INTO users VALUES (?, ?)", "ada", "hunter2-password")
	if _, err := eng.Query(context.Background(), "SELECT * FROM users WHERE name = ?", "ada"); err != nil {
		t.Fatal(err)
	}
	_, qerr := eng.Query(context.Background(), "SELECT nope FROM users")
	if qerr == nil {
		t.Fatal("bad query succeeded")
	}

	es := buf.entries(t)
	if len(es) != 4 {
		t.Fatalf("%d query log entries, want 4 (one per operation):\n%s", len(es), buf)
	}
	ins := es[1]
	if ins["level"] != "debug" || ins["op"] != "exec" || ins["sql"] != "INSERT INTO users VALUES (?, ?)" || ins["args"] != 2.0 || ins["rows"] != 1.0 || ins["batch"] != 1.0 {
		t.Errorf("insert entry %v", ins)
	}
	for _, f := range []string{"queued", "duration", "pos"} {
		if _, ok := ins[f]; !ok {
			t.Errorf("insert entry lacks %s: %v", f, ins)
		}
	}
	if q := es[2]; q["op"] != "query" || q["rows"] != 1.0 {
		t.Errorf("query entry %v", q)
	}
	if bad := es[3]; bad["level"] != "debug" || bad["class"] != "sqlite_error" || !strings.Contains(bad["error"].(string), "nope") {
		t.Errorf("failed query entry %v", bad)
	}
	if strings.Contains(buf.String(), "hunter2") || strings.Contains(buf.String(), "arg_values") {
		t.Errorf("argument values logged without LogArgs:\n%s", buf)
	}
}

func TestQueryLoggerOptions(t *testing.T) {
	ctx := context.Background()
	long := "SELECT '" + strings.Repeat("é", 100) + "' FROM t" // two bytes per é
	op := &liteactor.Op{Kind: liteactor.OpQuery, SQL: long, Args: []any{"a long secret string", []byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6}, nil, int64(7), 2.5, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}}
	fast := &liteactor.Outcome{Started: time.Now(), Executing: time.Millisecond}
	slow := &liteactor.Outcome{Started: time.Now(), Executing: time.Second}

	t.Run("slow is warn, fast is debug", func(t *testing.T) {
		buf := &logBuffer{}
		ql := observe.NewQueryLogger(zerolog.New(buf), observe.QueryLogOptions{Slow: 100 * time.Millisecond, MaxSQL: 21})
		ql.After(ctx, op, fast)
		ql.After(ctx, op, slow)
		es := buf.entries(t)
		if len(es) != 2 || es[0]["level"] != "debug" || es[1]["level"] != "warn" || es[1]["slow"] != true {
			t.Fatalf("entries %v", es)
		}
		// Cut at 21 bytes would split an é: it backs off to 20.
		if got, want := es[0]["sql"], "SELECT '"+strings.Repeat("é", 6)+"…"; got != want {
			t.Errorf("sql %q, want %q", got, want)
		}
		if strings.Contains(buf.String(), "secret") {
			t.Error("argument values logged without LogArgs")
		}
	})
	t.Run("level filter keeps only slow operations", func(t *testing.T) {
		buf := &logBuffer{}
		ql := observe.NewQueryLogger(zerolog.New(buf).Level(zerolog.InfoLevel), observe.QueryLogOptions{Slow: 100 * time.Millisecond})
		ql.After(ctx, op, fast)
		ql.After(ctx, op, &liteactor.Outcome{Executing: time.Millisecond, Err: errors.New("x")})
		ql.After(ctx, op, slow)
		if es := buf.entries(t); len(es) != 1 || es[0]["level"] != "warn" {
			t.Fatalf("entries %v", es)
		}
	})
	t.Run("error level", func(t *testing.T) {
		buf := &logBuffer{}
		ql := observe.NewQueryLogger(zerolog.New(buf).Level(zerolog.InfoLevel), observe.QueryLogOptions{ErrorLevel: zerolog.ErrorLevel})
		ql.After(ctx, op, &liteactor.Outcome{Err: liteactor.ErrQueueFull})
		if es := buf.entries(t); len(es) != 1 || es[0]["level"] != "error" || es[0]["class"] != "queue_full" {
			t.Fatalf("entries %v", es)
		}
	})
	t.Run("no sql", func(t *testing.T) {
		buf := &logBuffer{}
		ql := observe.NewQueryLogger(zerolog.New(buf), observe.QueryLogOptions{MaxSQL: -1})
		ql.After(ctx, op, fast)
		if es := buf.entries(t); len(es) != 1 || es[0]["sql"] != nil {
			t.Fatalf("entries %v", es)
		}
	})
	t.Run("args when enabled", func(t *testing.T) {
		buf := &logBuffer{}
		ql := observe.NewQueryLogger(zerolog.New(buf), observe.QueryLogOptions{LogArgs: true, MaxArg: 8})
		ql.After(ctx, op, fast)
		es := buf.entries(t)
		if len(es) != 1 {
			t.Fatalf("entries %v", es)
		}
		got, _ := json.Marshal(es[0]["arg_values"])
		want := `["a long s…","x'deadbeef…' (10 bytes)","NULL","7","2.5","2024-01-02T03:04:05Z"]`
		if string(got) != want {
			t.Errorf("arg_values %s, want %s", got, want)
		}
	})
}
