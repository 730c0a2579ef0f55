package remote

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

func bg(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustExec(t testing.TB, c *Client, sql string, args ...any) liteactor.Result {
	t.Helper()
	r, err := c.Exec(bg(t), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return r
}

func count(t testing.TB, eng *liteactor.Engine, sql string, args ...any) int64 {
	t.Helper()
	rows, err := eng.Query(bg(t), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	return rows.Values[0][0].(int64)
}

// Values of every wire kind survive the round trip; Batch is atomic and
// names its failing statement; errors keep their sentinels and SQLite codes.
func TestRoundTripAndErrors(t *testing.T) {
	eng, _, c := pair(t, liteactor.MinimalConfig(), ServerConfig{})
	ctx := bg(t)
	mustExec(t, c, "CREATE TABLE t(id INTEGER PRIMARY KEY, i INTEGER, f REAL, s TEXT, b BLOB, n)")
	when := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	type named int16
	r := mustExec(t, c, "INSERT INTO t(i, f, s, b, n) VALUES (?, ?, ?, ?, ?)", named(-7), 2.5, "héllo", []byte{0, 1, 2}, nil)
	if r.RowsAffected != 1 || r.LastInsertID != 1 {
		t.Fatalf("result %+v", r)
	}
	mustExec(t, c, "INSERT INTO t(i, s, b) VALUES (?, ?, ?)", true, when, []byte{})
	rows, err := c.Query(ctx, "SELECT i, f, s, b, n FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows.Columns, ",") != "i,f,s,b,n" || len(rows.Values) != 2 {
		t.Fatalf("rows %+v", rows)
	}
	v := rows.Values[0]
	if v[0] != int64(-7) || v[1] != 2.5 || v[2] != "héllo" || !bytes.Equal(v[3].([]byte), []byte{0, 1, 2}) || v[4] != nil {
		t.Fatalf("row 0 %#v", v)
	}
	v = rows.Values[1]
	if v[0] != int64(1) || v[2] != when.Format(time.RFC3339Nano) || len(v[3].([]byte)) != 0 {
		t.Fatalf("row 1 %#v", v)
	}

	res, err := c.Batch(ctx, []Statement{
		{SQL: "INSERT INTO t(id, i) VALUES (10, 1)"},
		{SQL: "UPDATE t SET i = i + ? WHERE id = 10", Args: []any{41}},
	})
	if err != nil || len(res) != 2 || res[0].LastInsertID != 10 || res[1].RowsAffected != 1 {
		t.Fatalf("batch %+v %v", res, err)
	}
	// A failing statement rolls the whole batch back.
	_, err = c.Batch(ctx, []Statement{
		{SQL: "INSERT INTO t(id, i) VALUES (11, 1)"},
		{SQL: "INSERT INTO t(id, i) VALUES (10, 1)"},
	})
	var re *Error
	if !errors.Is(err, sqlite3.CONSTRAINT) || !errors.Is(err, sqlite3.CONSTRAINT_PRIMARYKEY) || !errors.As(err, &re) || re.Statement != 1 {
		t.Fatalf("batch with a duplicate id: %v", err)
	}
	if n := count(t, eng, "SELECT count(*) FROM t WHERE id = 11"); n != 0 {
		t.Fatalf("failed batch left %d rows", n)
	}
	// Misuse: transaction control, arguments of a bad type or count, a
	// write on the read path, a bad checkpoint mode.
	if _, err := c.Exec(ctx, "BEGIN"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("BEGIN: %v", err)
	}
	if _, err := c.Exec(ctx, "/* x */ savepoint a"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("SAVEPOINT: %v", err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO t(i) VALUES (?)", struct{}{}); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("struct arg: %v", err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO t(i) VALUES (?)", uint64(1<<63)); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("uint64 overflow: %v", err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO t(i) VALUES (?)", 1, 2); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("arg count: %v", err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO t(i) VALUES (?); INSERT INTO t(i) VALUES (?)", 1); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("script with args: %v", err)
	}
	if _, err := c.Exec(ctx, "INSERT INTO nope VALUES (1)"); !errors.Is(err, sqlite3.ERROR) {
		t.Fatalf("no such table: %v", err)
	}
	if _, err := c.Query(ctx, "DELETE FROM t"); !errors.Is(err, sqlite3.READONLY) {
		t.Fatalf("write in Query: %v", err)
	}
	if _, err := c.Query(ctx, "SELECT 1; SELECT 2"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("two queries: %v", err)
	}
	if _, err := c.Checkpoint(ctx, sqlite3.CHECKPOINT_RESTART); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("RESTART: %v", err)
	}
	if _, err := c.Checkpoint(ctx, sqlite3.CHECKPOINT_TRUNCATE); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats(ctx)
	if err != nil || st.GetEngine().GetAdmitted() == 0 || st.GetGateway().GetRequests() == 0 {
		t.Fatalf("stats %v %v", st, err)
	}
}

// A key runs once: a retry, and duplicates sent concurrently while the
// first is queued, get the recorded outcome.
func TestExactlyOncePerKey(t *testing.T) {
	eng, s, c := pair(t, liteactor.MinimalConfig(), ServerConfig{})
	mustExec(t, c, "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT)")
	key := NewKey()
	r1, err := c.ExecKey(bg(t), key, "INSERT INTO t(k) VALUES (?)", key.ID)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.ExecKey(bg(t), key, "INSERT INTO t(k) VALUES (?)", key.ID)
	if err != nil || r2 != r1 {
		t.Fatalf("retry: %+v %v, first %+v", r2, err, r1)
	}
	if d := c.Counters().Duplicates; d != 1 {
		t.Fatalf("duplicates %d", d)
	}

	// Hold the writer so that concurrent duplicates meet while the first
	// is queued.
	hold, started := make(chan struct{}), make(chan struct{})
	go eng.Write(bg(t), func(*sqlite3.Conn) error { close(started); <-hold; return nil })
	<-started
	k2 := NewKey()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := c.BatchKey(bg(t), k2, []Statement{{SQL: "INSERT INTO t(k) VALUES (?)", Args: []any{k2.ID}}})
			errs <- err
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().InFlight < 16 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // poll with a deadline
	}
	close(hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, eng, "SELECT count(*) FROM t WHERE k = ?", k2.ID); n != 1 {
		t.Fatalf("key applied %d times", n)
	}
	if d := s.Stats().Duplicates; d < 15 {
		t.Fatalf("server answered %d duplicates, want >= 15", d)
	}
}

// A write that failed on its SQL is recorded: its retry gets the same
// error even once the conflict is gone, and nothing runs twice.
func TestFailedWriteIsRecorded(t *testing.T) {
	eng, s, c := pair(t, liteactor.MinimalConfig(), ServerConfig{})
	mustExec(t, c, "CREATE TABLE t(id INTEGER PRIMARY KEY)")
	mustExec(t, c, "INSERT INTO t(id) VALUES (1)")
	key := NewKey()
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t(id) VALUES (1)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("first: %v", err)
	}
	mustExec(t, c, "DELETE FROM t")
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t(id) VALUES (1)"); !errors.Is(err, sqlite3.CONSTRAINT) {
		t.Fatalf("retry after the conflict went: %v (want the recorded CONSTRAINT)", err)
	}
	if n := count(t, eng, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("%d rows", n)
	}
	if st := s.Stats(); st.FailuresRecorded != 1 || st.Duplicates != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// A key older than the retention is refused and never runs; expired
// records are deleted by the cleanup.
func TestKeyRetention(t *testing.T) {
	eng, s, c := pair(t, liteactor.MinimalConfig(), ServerConfig{Retention: 2 * time.Second, MaxClockSkew: 500 * time.Millisecond, CleanupInterval: 50 * time.Millisecond})
	mustExec(t, c, "CREATE TABLE t(k TEXT)")
	old := Key{ID: "old", Created: time.Now().Add(-time.Hour)}
	if _, err := c.ExecKey(bg(t), old, "INSERT INTO t VALUES ('old')"); !errors.Is(err, ErrKeyExpired) {
		t.Fatalf("old key: %v", err)
	}
	future := Key{ID: "future", Created: time.Now().Add(time.Hour)}
	if _, err := c.ExecKey(bg(t), future, "INSERT INTO t VALUES ('future')"); !errors.Is(err, liteactor.ErrInvalidArg) {
		t.Fatalf("future key: %v", err)
	}
	key := NewKey()
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t VALUES (?)", key.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for count(t, eng, "SELECT count(*) FROM "+KeysTable+" WHERE key = ?", key.ID) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the key's record was never deleted")
		}
		time.Sleep(20 * time.Millisecond) // poll with a deadline
	}
	// After the retention the same key is refused, not run again.
	if _, err := c.ExecKey(bg(t), key, "INSERT INTO t VALUES (?)", key.ID); !errors.Is(err, ErrKeyExpired) {
		t.Fatalf("resend after retention: %v", err)
	}
	if n := count(t, eng, "SELECT count(*) FROM t"); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
	if st := s.Stats(); st.KeysDeleted < 1 || st.KeysExpired != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// A result larger than gRPC's 4 MiB message arrives in pages of at most
// MaxMessageBytes, all from one snapshot.
func TestLargeResultIsPaged(t *testing.T) {
	eng, s, c := pair(t, liteactor.MinimalConfig(), ServerConfig{})
	if _, err := eng.Exec(bg(t), "CREATE TABLE big(id INTEGER PRIMARY KEY, b BLOB)"); err != nil {
		t.Fatal(err)
	}
	const rows, size = 600, 10 << 10 // 6 MiB
	err := eng.Write(bg(t), func(conn *sqlite3.Conn) error {
		return conn.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 600) INSERT INTO big SELECT i, randomblob(10240) FROM n")
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Query(bg(t), "SELECT id, b FROM big ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Values) != rows {
		t.Fatalf("%d rows", len(got.Values))
	}
	for i, r := range got.Values {
		if r[0] != int64(i+1) || len(r[1].([]byte)) != size {
			t.Fatalf("row %d: id %v, %d bytes", i, r[0], len(r[1].([]byte)))
		}
	}
	if p := c.Counters().Pages; p < 6 {
		t.Fatalf("%d pages for 6 MiB", p)
	}
	if st := s.Stats(); st.CursorsOpen != 0 || st.CursorBytes != 0 {
		t.Fatalf("cursor memory left: %+v", st)
	}
	// A result above MaxResultBytes is refused, not truncated silently.
	_, _, small := pair(t, liteactor.MinimalConfig(), ServerConfig{MaxResultBytes: 1 << 20})
	if _, err := small.Query(bg(t), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200) SELECT randomblob(10240) FROM n"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over MaxResultBytes: %v", err)
	}
}

// The engine's overflow policy applies to remote writes: ErrQueueFull
// reaches the client as such.
func TestQueueFullReachesClient(t *testing.T) {
	cfg := liteactor.MinimalConfig()
	cfg.Queue = liteactor.QueueConfig{Capacity: 1, Overflow: liteactor.Reject}
	cfg.MaxBatch = 1
	eng, _, c := pair(t, cfg, ServerConfig{})
	mustExec(t, c, "CREATE TABLE t(x)")
	hold, started := make(chan struct{}), make(chan struct{})
	go eng.Write(bg(t), func(*sqlite3.Conn) error { close(started); <-hold; return nil })
	<-started
	queued := make(chan error, 1)
	go func() { queued <- eng.Write(bg(t), func(*sqlite3.Conn) error { return nil }) }()
	deadline := time.Now().Add(10 * time.Second)
	for eng.Stats().QueueDepth < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // poll with a deadline
	}
	_, err := c.Exec(bg(t), "INSERT INTO t VALUES (1)")
	close(hold)
	if !errors.Is(err, liteactor.ErrQueueFull) {
		t.Fatalf("want ErrQueueFull, got %v", err)
	}
	if err := <-queued; err != nil {
		t.Fatal(err)
	}
	if n := count(t, eng, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("refused write ran: %d rows", n)
	}
}

// A request whose deadline passes at the gateway while it is queued never
// runs, and the client can tell that from "no reply".
func TestDeadlineAtGateway(t *testing.T) {
	eng, _, c := pair(t, liteactor.MinimalConfig(), ServerConfig{})
	mustExec(t, c, "CREATE TABLE t(x)")
	hold, started := make(chan struct{}), make(chan struct{})
	go eng.Write(bg(t), func(*sqlite3.Conn) error { close(started); <-hold; return nil })
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err := c.Exec(ctx, "INSERT INTO t VALUES (1)")
	cancel()
	close(hold)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
	if n := count(t, eng, "SELECT count(*) FROM t"); n != 0 {
		t.Fatalf("expired write ran: %d rows", n)
	}
}

// Peers without a certificate from the server's CA are refused in the
// handshake; so is a server the client does not trust.
func TestUntrustedPeersRefused(t *testing.T) {
	_, good := testCA(t)
	_, rogue := testCA(t)
	eng := openEngine(t, liteactor.MinimalConfig())
	s := serve(t, eng, ServerConfig{TLS: good})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := Dial(ctx, s.Addr(), ClientConfig{TLS: rogue}); !errors.Is(err, ErrAuth) {
		t.Fatalf("client with a rogue CA's certificate: %v", err)
	}
	noCert := good.Clone()
	noCert.Certificates = nil
	if _, err := Dial(ctx, s.Addr(), ClientConfig{TLS: noCert}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("client without a certificate: %v", err)
	}
	if _, err := Dial(ctx, s.Addr(), ClientConfig{}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("client without TLS: %v", err)
	}
	if _, err := Serve(ctx, eng, ServerConfig{}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("server without TLS: %v", err)
	}
	if s.Stats().Requests != 0 {
		t.Fatalf("a refused peer reached the gateway: %+v", s.Stats())
	}
	// The right certificate still works.
	c := dial(t, s.Addr(), ClientConfig{TLS: good})
	mustExec(t, c, "CREATE TABLE ok(x)")
}

// A port in use is an error, not protoactor's panic; the engine can serve
// elsewhere afterwards.
func TestListenFailure(t *testing.T) {
	_, tc := testCA(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	eng := openEngine(t, liteactor.MinimalConfig())
	if _, err := Serve(bg(t), eng, ServerConfig{TLS: tc, Addr: l.Addr().String()}); !errors.Is(err, ErrListen) {
		t.Fatalf("want ErrListen, got %v", err)
	}
	s := serve(t, eng, ServerConfig{TLS: tc})
	c := dial(t, s.Addr(), ClientConfig{TLS: tc})
	mustExec(t, c, "CREATE TABLE t(x)")
}

// Close drains: requests already received run and are answered; new ones
// are refused as unavailable.
func TestCloseDrains(t *testing.T) {
	eng, s, c := pair(t, liteactor.MinimalConfig(), ServerConfig{})
	mustExec(t, c, "CREATE TABLE t(x)")
	hold, started := make(chan struct{}), make(chan struct{})
	go eng.Write(bg(t), func(*sqlite3.Conn) error { close(started); <-hold; return nil })
	<-started
	const n = 32
	errs := make(chan error, n)
	for i := range n {
		go func() { _, err := c.Exec(bg(t), "INSERT INTO t VALUES (?)", i); errs <- err }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for eng.Stats().QueueDepth < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // poll with a deadline
	}
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		closed <- s.Close(ctx)
	}()
	for !s.isClosing() {
		time.Sleep(time.Millisecond) // poll: Close has begun
	}
	close(hold)
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("a request received before Close: %v", err)
		}
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if got := count(t, eng, "SELECT count(*) FROM t"); got != n {
		t.Fatalf("%d rows, want %d", got, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := c.Exec(ctx, "INSERT INTO t VALUES (-1)"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("after Close: %v", err)
	}
}

// A client that names the server by another address than the one the
// server advertises is told so (protoactor would forward the messages to
// itself forever).
func TestWrongAddressIsRefused(t *testing.T) {
	_, tc := testCA(t)
	eng := openEngine(t, liteactor.MinimalConfig())
	s := serve(t, eng, ServerConfig{TLS: tc})
	_, port, _ := net.SplitHostPort(s.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, "localhost:"+port, ClientConfig{TLS: tc, DialTimeout: time.Second, ListenAddr: "127.0.0.1:0"})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "dead letter") {
		t.Fatalf("dial by another name: %v", err)
	}
	c := dial(t, s.Addr(), ClientConfig{TLS: tc})
	mustExec(t, c, "CREATE TABLE t(x)")
}
