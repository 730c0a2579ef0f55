package liteactor_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/enginetest"
	"github.com/ncruces/go-sqlite3"
)

func TestWriteIsAtomic(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	err := e.Write(context.Background(), func(c *sqlite3.Conn) error {
		if err := c.Exec("INSERT INTO t(id) VALUES (1)"); err != nil {
			return err
		}
		return c.Exec("INSERT INTO t(id) VALUES (1)") // fails: duplicate
	})
	if !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("got %v, want CONSTRAINT", err)
	}
	if n := count(t, e, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("half of a failed Write is visible: %d rows", n)
	}
	err = e.Write(context.Background(), func(c *sqlite3.Conn) error {
		if err := c.Exec("INSERT INTO t(id) VALUES (1)"); err != nil {
			return err
		}
		return c.Exec("INSERT INTO t(id) VALUES (2)")
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, e, "SELECT count(*) FROM t"); n != 2 {
		t.Errorf("rows = %d, want 2", n)
	}
}

func TestReadYourWrites(t *testing.T) {
	e, _ := open(t, liteactor.DefaultConfig())
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
	for i := range 200 {
		res := mustExec(t, e, "INSERT INTO t(v) VALUES (?)", "x")
		rows, err := e.Query(context.Background(), "SELECT count(*) FROM t WHERE id = ?", res.LastInsertID)
		if err != nil {
			t.Fatal(err)
		}
		if rows.Values[0][0] != int64(1) {
			t.Fatalf("write %d (id %d) not visible to the next read", i, res.LastInsertID)
		}
	}
}

func TestReadersCannotWrite(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	err := e.Read(context.Background(), func(c *sqlite3.Conn) error {
		return c.Exec("INSERT INTO t(id) VALUES (1)")
	})
	if !errors.Is(err, sqlite3.READONLY) {
		t.Fatalf("write on a reader: got %v, want READONLY", err)
	}
	if _, err := e.Query(context.Background(), "INSERT INTO t(id) VALUES (2)"); !errors.Is(err, sqlite3.READONLY) {
		t.Fatalf("Query that writes: got %v, want READONLY", err)
	}
	if n := count(t, e, "SELECT count(*) FROM t"); n != 0 {
		t.Errorf("a reader wrote %d rows", n)
	}
}

func TestBadSQLAndConstraintErrors(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
	if _, err := e.Exec(ctx, "INSRT INTO t VALUES (1)"); !errors.Is(err, sqlite3.ERROR) {
		t.Errorf("bad SQL in Exec: got %v, want sqlite3.ERROR", err)
	}
	if _, err := e.Query(ctx, "SELEC 1"); !errors.Is(err, sqlite3.ERROR) {
		t.Errorf("bad SQL in Query: got %v, want sqlite3.ERROR", err)
	}
	if _, err := e.Exec(ctx, "INSERT INTO nope VALUES (1)"); !errors.Is(err, sqlite3.ERROR) {
		t.Errorf("missing table: got %v", err)
	}
	if _, err := e.Exec(ctx, "INSERT INTO t(id, v) VALUES (1, NULL)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Errorf("NOT NULL: got %v, want CONSTRAINT", err)
	}
	mustExec(t, e, "INSERT INTO t(id, v) VALUES (1, 'a')")
	if _, err := e.Exec(ctx, "INSERT INTO t(id, v) VALUES (1, 'b')"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Errorf("duplicate key: got %v, want CONSTRAINT", err)
	}
	if _, err := e.Query(ctx, "SELECT 1; SELECT 2"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Errorf("two statements in Query: got %v, want ErrInvalidArg", err)
	}
	if _, err := e.Exec(ctx, "COMMIT"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Errorf("COMMIT in Exec: got %v, want ErrInvalidArg", err)
	}
	// Several statements without args run atomically.
	if _, err := e.Exec(ctx, "INSERT INTO t VALUES (2, 'b'); INSERT INTO t VALUES (1, 'dup')"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Errorf("script with a failing statement: got %v", err)
	}
	mustExec(t, e, "INSERT INTO t VALUES (3, 'c'); INSERT INTO t VALUES (4, 'd');")
	rows, err := e.Query(ctx, "SELECT id FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 3 {
		t.Errorf("rows = %v, want ids 1, 3, 4 (the failed script must leave nothing)", rows.Values)
	}
}

func TestArgumentTypes(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)")
	now := time.Date(2026, 11, 23, 12, 0, 0, 5, time.UTC)
	mustExec(t, e, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		nil, true, int(-1), int8(-8), int16(-16), int32(-32), int64(-64), uint(1), uint8(8), uint16(16), uint32(32), uint64(64),
		float32(1.5), "text", now)
	rows, err := e.Query(ctx, "SELECT * FROM t")
	if err != nil {
		t.Fatal(err)
	}
	want := []any{nil, int64(1), int64(-1), int64(-8), int64(-16), int64(-32), int64(-64), int64(1), int64(8), int64(16), int64(32), int64(64), 1.5, "text", "2026-11-23T12:00:00.000000005Z"}
	for i, v := range rows.Values[0] {
		if v != want[i] {
			t.Errorf("column %s = %#v, want %#v", rows.Columns[i], v, want[i])
		}
	}
	mustExec(t, e, "CREATE TABLE b(x BLOB)")
	mustExec(t, e, "INSERT INTO b VALUES (?)", []byte{0, 1, 2})
	rows, err = e.Query(ctx, "SELECT x FROM b")
	if err != nil {
		t.Fatal(err)
	}
	if got := rows.Values[0][0].([]byte); !bytes.Equal(got, []byte{0, 1, 2}) {
		t.Errorf("blob = %v", got)
	}

	bad := []any{struct{}{}, map[string]int{}, []int{1}, make(chan int), uint64(1 << 63), &struct{}{}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, a := range bad {
		if _, err := e.Exec(ctx, "INSERT INTO b VALUES (?)", a); !errors.Is(err, liteactor.ErrInvalidArg) {
			t.Errorf("Exec with %T: got %v, want ErrInvalidArg", a, err)
		}
		if _, err := e.Query(ctx, "SELECT ?", a); !errors.Is(err, liteactor.ErrInvalidArg) {
			t.Errorf("Query with %T: got %v, want ErrInvalidArg", a, err)
		}
	}
	if _, err := e.Exec(ctx, "INSERT INTO b VALUES (?)"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Errorf("missing argument: got %v, want ErrInvalidArg", err)
	}
	if _, err := e.Exec(ctx, "INSERT INTO b VALUES (?)", 1, 2); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Errorf("extra argument: got %v, want ErrInvalidArg", err)
	}
	if n := count(t, e, "SELECT count(*) FROM b"); n != 1 {
		t.Errorf("rows in b = %d, want 1: a bad argument must not insert", n)
	}
}

func TestInvalidConfig(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*liteactor.Config)
	}{
		{"Readers", func(c *liteactor.Config) { c.Readers = 0 }},
		{"BusyTimeout", func(c *liteactor.Config) { c.BusyTimeout = -time.Second }},
		{"ReadTimeout", func(c *liteactor.Config) { c.ReadTimeout = -time.Second }},
		{"CacheSizeKB", func(c *liteactor.Config) { c.CacheSizeKB = -1 }},
		{"Queue.Capacity", func(c *liteactor.Config) { c.Queue.Capacity = 0 }},
		{"Queue.Overflow", func(c *liteactor.Config) { c.Queue.Overflow = 0 }},
		{"Queue.Overflow", func(c *liteactor.Config) { c.Queue.Overflow = 99 }},
		{"Queue.Timeout", func(c *liteactor.Config) { c.Queue.Timeout = -time.Second }},
		{"Queue.Timeout", func(c *liteactor.Config) {
			c.Queue = liteactor.QueueConfig{Capacity: 1, Overflow: liteactor.BlockTimeout}
		}},
		{"MaxBatch", func(c *liteactor.Config) { c.MaxBatch = 0 }},
		{"ReadBatch", func(c *liteactor.Config) { c.ReadBatch = -1 }},
		{"StatementCacheSize", func(c *liteactor.Config) { c.StatementCacheSize = -1 }},
		{"Synchronous", func(c *liteactor.Config) { c.Synchronous = 9 }},
		{"Restarts.Max", func(c *liteactor.Config) { c.Restarts.Max = 0 }},
		{"Restarts.Within", func(c *liteactor.Config) { c.Restarts.Within = 0 }},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		cfg := liteactor.DefaultConfig()
		tc.edit(&cfg)
		e, err := liteactor.Open(context.Background(), filepath.Join(dir, "x.db"), cfg)
		if err == nil {
			e.Close(context.Background())
			t.Errorf("%s: Open accepted an invalid config", tc.field)
			continue
		}
		if !errors.Is(err, liteactor.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: got %v, want ErrInvalidConfig naming the field", tc.field, err)
		}
	}
	if _, err := liteactor.Open(context.Background(), filepath.Join(dir, "x.db"), liteactor.Config{}); !errors.Is(err, liteactor.ErrInvalidConfig) {
		t.Errorf("zero Config: got %v, want ErrInvalidConfig", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Errorf("an invalid config created the database file (stat: %v)", err)
	}
}

func TestFileThatIsNotADatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.txt")
	content := bytes.Repeat([]byte("this is not a database, it is a text file.\n"), 200)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := liteactor.Open(context.Background(), path, liteactor.DefaultConfig())
	if !errors.Is(err, sqlite3.NOTADB) {
		t.Fatalf("got %v, want NOTADB", err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("the file was changed (read err %v)", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("Open left files behind: %v", entries)
	}
}

func TestMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")
	_, err := liteactor.Open(context.Background(), path, liteactor.DefaultConfig())
	if !errors.Is(err, sqlite3.CANTOPEN) {
		t.Fatalf("got %v, want CANTOPEN", err)
	}
}

func TestMemoryDatabaseIsSharedAndPrivate(t *testing.T) {
	ctx := context.Background()
	a, err := liteactor.Open(ctx, ":memory:", liteactor.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	b, err := liteactor.Open(ctx, ":memory:", liteactor.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	mustExec(t, a, "CREATE TABLE t(v)")
	mustExec(t, a, "INSERT INTO t VALUES (1), (2)")
	// Every reader sees the writer's data: hold all readers busy at once.
	const readers = 4
	start := make(chan struct{})
	errs := make(chan error, readers)
	for range readers {
		go func() {
			errs <- a.Read(ctx, func(c *sqlite3.Conn) error {
				<-start
				s, _, err := c.Prepare("SELECT count(*) FROM t")
				if err != nil {
					return err
				}
				defer s.Close()
				if !s.Step() || s.ColumnInt(0) != 2 {
					return errors.New("reader does not see the writer's rows")
				}
				return nil
			})
		}()
	}
	enginetest.WaitFor(t, "all readers busy", func() bool { return a.Stats().ReadersBusy == readers })
	close(start)
	for range readers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if _, err := b.Query(ctx, "SELECT * FROM t"); !errors.Is(err, sqlite3.ERROR) {
		t.Errorf("a second :memory: engine sees the first one's table (err %v)", err)
	}
}

func TestPanicsInCallbacks(t *testing.T) {
	e, _ := open(t, liteactor.DefaultConfig())
	ctx := context.Background()
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	err := e.Write(ctx, func(*sqlite3.Conn) error { panic("write boom") })
	var pe *liteactor.PanicError
	if !errors.Is(err, liteactor.ErrPanic) || !errors.As(err, &pe) || pe.Value != "write boom" {
		t.Fatalf("Write panic: got %v, want ErrPanic carrying the value", err)
	}
	errBoom := errors.New("read boom")
	err = e.Read(ctx, func(*sqlite3.Conn) error { panic(errBoom) })
	if !errors.Is(err, liteactor.ErrPanic) || !errors.Is(err, errBoom) {
		t.Fatalf("Read panic: got %v, want ErrPanic wrapping the panicked error", err)
	}
	enginetest.WaitFor(t, "restarts counted", func() bool {
		s := e.Stats()
		return s.Restarts.Writer == 1 && s.Restarts.Reader == 1
	})
	mustExec(t, e, "INSERT INTO t(id) VALUES (1)")
	if n := count(t, e, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("rows = %d after restarts, want 1", n)
	}
}

func TestRunningStatementInterruptedByContext(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	mustExec(t, e, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	const forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"
	for _, tc := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"Query", func(ctx context.Context) error { _, err := e.Query(ctx, forever); return err }},
		{"Exec", func(ctx context.Context) error {
			_, err := e.Exec(ctx, "INSERT INTO t(id) "+strings.Replace(forever, "count(*)", "x", 1))
			return err
		}},
		{"Write", func(ctx context.Context) error {
			return e.Write(ctx, func(c *sqlite3.Conn) error {
				if err := c.Exec("INSERT INTO t(id) VALUES (-1)"); err != nil {
					return err
				}
				return c.Exec(forever)
			})
		}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err := tc.run(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, sqlite3.INTERRUPT) {
			t.Errorf("%s: got %v, want DeadlineExceeded wrapping INTERRUPT", tc.name, err)
		}
	}
	// The connections stay usable and nothing of the interrupted writes stayed.
	mustExec(t, e, "INSERT INTO t(id) VALUES (1)")
	if n := count(t, e, "SELECT count(*) FROM t"); n != 1 {
		t.Errorf("rows = %d, want 1", n)
	}
}

func TestContextAlreadyDone(t *testing.T) {
	e, _ := open(t, liteactor.MinimalConfig())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Exec(ctx, "CREATE TABLE t(v)"); !errors.Is(err, context.Canceled) {
		t.Errorf("Exec: %v", err)
	}
	if _, err := e.Query(ctx, "SELECT 1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Query: %v", err)
	}
	if _, err := e.Query(context.Background(), "SELECT count(*) FROM t"); !errors.Is(err, sqlite3.ERROR) {
		t.Errorf("the cancelled CREATE TABLE ran (err %v)", err)
	}
}

func TestReadTimeout(t *testing.T) {
	cfg := liteactor.MinimalConfig()
	cfg.ReadTimeout = 50 * time.Millisecond
	e, _ := open(t, cfg)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- e.Read(context.Background(), func(*sqlite3.Conn) error { close(started); <-release; return nil })
	}()
	<-started
	_, err := e.Query(context.Background(), "SELECT 1")
	if !errors.Is(err, liteactor.ErrReadTimeout) {
		t.Errorf("got %v, want ErrReadTimeout", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := e.Query(context.Background(), "SELECT 1"); err != nil {
		t.Errorf("after the reader is free: %v", err)
	}
	if s := e.Stats(); s.ReadsExpired != 1 {
		t.Errorf("ReadsExpired = %d, want 1", s.ReadsExpired)
	}
}

func TestSlowReadDoesNotDelayOthers(t *testing.T) {
	e, _ := open(t, liteactor.DefaultConfig()) // 4 readers
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- e.Read(context.Background(), func(*sqlite3.Conn) error { close(started); <-release; return nil })
	}()
	<-started
	// With one reader stuck, reads keep completing on the other three.
	for range 100 {
		if _, err := e.Query(context.Background(), "SELECT 1"); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
