package remote

// The tests run the gateway and the clients in separate processes: the test
// binary re-runs itself with LITEACTOR_REMOTE_CHILD set. Besides being the
// real deployment, that keeps one protoactor remote per process: protoactor's
// Start writes gRPC's process-wide logger (grpclog.SetLoggerV2) while other
// remotes' gRPC goroutines read it, a data race the race detector reports
// whenever two remotes start in one process.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/remote/devcert"
	"github.com/ncruces/go-sqlite3"
)

const childEnv = "LITEACTOR_REMOTE_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "server":
		os.Exit(serverChild())
	case "client":
		os.Exit(clientChild())
	}
	os.Exit(m.Run())
}

// childOpts configures a server child.
type childOpts struct {
	DB, Addr, Certs string
	Server          ServerConfig // durations and sizes only; TLS comes from Certs
	RejectQueue     bool         // engine queue: capacity 1, Reject, MaxBatch 1
	Schema          string
}

func loadCerts(dir string) (*ServerConfig, error) {
	tc, err := LoadTLS(filepath.Join(dir, "node.pem"), filepath.Join(dir, "node-key.pem"), filepath.Join(dir, "ca.pem"))
	if err != nil {
		return nil, err
	}
	return &ServerConfig{TLS: tc}, nil
}

// serverChild serves an engine and obeys commands on stdin, one per line,
// answering one line each: hold / release (block the engine's writer),
// depth N (wait for N queued writes), inflight N (wait for N requests in
// the gateway), count SQL, close (Close the server), stats. EOF closes
// everything.
func serverChild() int {
	var o childOpts
	if err := json.Unmarshal([]byte(os.Getenv("LITEACTOR_REMOTE_OPTS")), &o); err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	ctx := context.Background()
	ecfg := liteactor.MinimalConfig()
	ecfg.Readers = 2
	if o.RejectQueue {
		ecfg.Queue = liteactor.QueueConfig{Capacity: 1, Overflow: liteactor.Reject}
		ecfg.MaxBatch = 1
	}
	eng, err := liteactor.Open(ctx, o.DB, ecfg)
	if err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	if o.Schema != "" {
		if _, err := eng.Exec(ctx, o.Schema); err != nil {
			fmt.Println("ERR", err)
			return 2
		}
	}
	base, err := loadCerts(o.Certs)
	if err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	cfg := o.Server
	cfg.TLS, cfg.Addr = base.TLS, o.Addr
	s, err := Serve(ctx, eng, cfg)
	if err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	fmt.Println("READY", s.Addr())
	var hold chan struct{}
	closed := make(chan error, 1)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		n, _ := strconv.Atoi(arg)
		switch cmd {
		case "hold":
			hold = make(chan struct{})
			started := make(chan struct{})
			h := hold
			go eng.Write(ctx, func(*sqlite3.Conn) error { close(started); <-h; return nil })
			<-started
			fmt.Println("held")
		case "release":
			close(hold)
			fmt.Println("released")
		case "fill":
			go eng.Write(ctx, func(*sqlite3.Conn) error { return nil })
			fmt.Println(waitFor(func() bool { return eng.Stats().QueueDepth >= 1 }))
		case "depth":
			fmt.Println(waitFor(func() bool { return eng.Stats().QueueDepth >= n }))
		case "inflight":
			fmt.Println(waitFor(func() bool { return s.Stats().InFlight >= int64(n) }))
		case "count":
			rows, err := eng.Query(ctx, arg)
			if err != nil {
				fmt.Println("ERR", err)
				continue
			}
			fmt.Println(rows.Values[0][0])
		case "close":
			go func() {
				cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				closed <- s.Close(cctx)
			}()
			fmt.Println(waitFor(s.isClosing))
		case "closed":
			fmt.Println("closed", <-closed)
		case "stats":
			b, _ := json.Marshal(s.Stats())
			fmt.Println(string(b))
		default:
			fmt.Println("ERR unknown command", cmd)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	b, _ := json.Marshal(s.Stats())
	fmt.Println("STATS", string(b))
	s.Close(cctx)
	eng.Close(cctx)
	return 0
}

func waitFor(cond func() bool) string {
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return "timeout"
		}
		time.Sleep(time.Millisecond) // poll with a deadline
	}
	return "ok"
}

// proc is a child process with line-oriented stdin and stdout.
type proc struct {
	t     testing.TB
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
	addr  string
}

func startChild(t testing.TB, role string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + role}, env...)...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, in: in, lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return p
}

// line returns the child's next line of output.
func (p *proc) line() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.t.Fatal("child exited")
		}
		return l
	case <-time.After(60 * time.Second):
		p.t.Fatal("child said nothing for 60s")
	}
	return ""
}

// do sends a command and returns the answer.
func (p *proc) do(cmd string) string {
	p.t.Helper()
	if _, err := fmt.Fprintln(p.in, cmd); err != nil {
		p.t.Fatal(err)
	}
	return p.line()
}

// writeCerts makes a CA and a node certificate for 127.0.0.1 and localhost
// in a temporary directory.
func writeCerts(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	ca, err := devcert.NewCA("liteactor test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.WriteFiles(dir, "node", "127.0.0.1", "localhost"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startServer runs a server child and waits until it listens.
func startServer(t testing.TB, o childOpts) *proc {
	t.Helper()
	if o.DB == "" {
		o.DB = filepath.Join(t.TempDir(), "db.sqlite")
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	p := startChild(t, "server", "LITEACTOR_REMOTE_OPTS="+string(b))
	l := p.line()
	addr, ok := strings.CutPrefix(l, "READY ")
	if !ok {
		t.Fatalf("server child: %s", l)
	}
	p.addr = addr
	return p
}

// clientTLS loads the node certificate the server children use.
func clientTLS(t testing.TB, certs string) ClientConfig {
	t.Helper()
	base, err := loadCerts(certs)
	if err != nil {
		t.Fatal(err)
	}
	return ClientConfig{TLS: base.TLS, ListenAddr: "127.0.0.1:0"}
}

// workload is what a client child reports.
type workload struct {
	Acked  []string
	Failed map[string]string
	Stats  ClientStats
}

// clientChild runs Workers goroutines of Ops keyed writes each against the
// server, printing PROGRESS lines, then RESULT with its workload.
func clientChild() int {
	addr, certs := os.Getenv("LITEACTOR_REMOTE_ADDR"), os.Getenv("LITEACTOR_REMOTE_CERTS")
	id, _ := strconv.Atoi(os.Getenv("LITEACTOR_REMOTE_ID"))
	workers, _ := strconv.Atoi(os.Getenv("LITEACTOR_REMOTE_WORKERS"))
	ops, _ := strconv.Atoi(os.Getenv("LITEACTOR_REMOTE_OPS"))
	base, err := loadCerts(certs)
	if err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	c, err := Dial(ctx, addr, ClientConfig{TLS: base.TLS, ListenAddr: "127.0.0.1:0", AttemptTimeout: 2 * time.Second})
	cancel()
	if err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	var mu sync.Mutex
	res := workload{Failed: map[string]string{}}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range ops {
				key := NewKey()
				ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
				var err error
				if i%2 == 0 {
					_, err = c.ExecKey(ctx, key, "INSERT INTO events(k, client, worker, seq, kind) VALUES (?, ?, ?, ?, 'exec')", key.ID, id, w, i)
				} else {
					_, err = c.BatchKey(ctx, key, []Statement{
						{SQL: "INSERT INTO events(k, client, worker, seq, kind) VALUES (?, ?, ?, ?, 'batch')", Args: []any{key.ID, id, w, i}},
						{SQL: "UPDATE counters SET n = n + 1 WHERE client = ?", Args: []any{id}},
					})
				}
				cancel()
				mu.Lock()
				if err != nil {
					res.Failed[key.ID] = err.Error()
				} else {
					res.Acked = append(res.Acked, key.ID)
					if len(res.Acked)%20 == 0 {
						fmt.Println("PROGRESS", len(res.Acked))
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ccancel()
	c.Close(cctx)
	res.Stats = c.Counters()
	b, _ := json.Marshal(res)
	fmt.Println("RESULT", string(b))
	return 0
}

const isolatedEnv = "LITEACTOR_REMOTE_ISOLATED"

// isolated runs the calling test in a process of its own and reports true
// in the parent, which then returns; in that child it reports false and the
// test body runs. Each process thus starts at most one protoactor remote
// over its life (see the note at the top of this file).
func isolated(t *testing.T) bool {
	t.Helper()
	if os.Getenv(isolatedEnv) == t.Name() {
		return false
	}
	t.Parallel()
	args := []string{"-test.run=^" + regexp.QuoteMeta(t.Name()) + "$", "-test.count=1", "-test.v"}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), isolatedEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if testing.Verbose() || err != nil {
		t.Logf("%s in its own process:\n%s", t.Name(), out)
	}
	if err != nil {
		t.Fatalf("%s failed in its own process: %v", t.Name(), err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("%s did not run in its own process", t.Name())
	}
	return true
}
