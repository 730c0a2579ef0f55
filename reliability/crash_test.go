package reliability_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

const (
	crashChildEnv  = "LITEACTOR_CRASH_CHILD" // database path: run the child workload
	crashStartEnv  = "LITEACTOR_CRASH_START" // first write id the child uses
	crashCyclesEnv = "LITEACTOR_CRASH_CYCLES"
)

const crashSchema = `CREATE TABLE IF NOT EXISTS pairs (
	id   INTEGER NOT NULL,
	half INTEGER NOT NULL,
	pad  BLOB,
	PRIMARY KEY (id, half)
)`

// crashChild is the child process: it runs writes on the database named by
// crashChildEnv until it is killed, and prints "ack <id>" on stdout after
// each write has returned without error. Every write inserts a pair of rows
// (id, 0) and (id, 1): through Write (a closure), through Exec with a
// two-statement script, or through Exec of one INSERT ... SELECT. Padding
// makes the WAL grow so checkpoints run while the child is being killed.
func crashChild() int {
	path := os.Getenv(crashChildEnv)
	start, err := strconv.ParseInt(os.Getenv(crashStartEnv), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child: bad start id:", err)
		return 2
	}
	ctx := context.Background()
	cfg := liteactor.DefaultConfig()
	cfg.Readers = 1
	cfg.MaxBatch = 32
	e, err := liteactor.Open(ctx, path, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child: open:", err)
		return 2
	}
	if _, err := e.Exec(ctx, crashSchema); err != nil {
		fmt.Fprintln(os.Stderr, "crash child: schema:", err)
		return 2
	}
	var next atomic.Int64
	next.Store(start)
	var out sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(start), uint64(g)))
			for {
				id := next.Add(1)
				pad := rng.IntN(4000)
				var err error
				switch id % 3 {
				case 0:
					err = e.Write(ctx, func(c *sqlite3.Conn) error {
						for half := range 2 {
							if err := c.Exec(fmt.Sprintf("INSERT INTO pairs VALUES (%d, %d, randomblob(%d))", id, half, pad)); err != nil {
								return err
							}
						}
						return nil
					})
				case 1:
					_, err = e.Exec(ctx, fmt.Sprintf("INSERT INTO pairs VALUES (%d, 0, randomblob(%d)); INSERT INTO pairs VALUES (%d, 1, NULL)", id, pad, id))
				default:
					_, err = e.Exec(ctx, "INSERT INTO pairs SELECT ?, value, randomblob(?) FROM generate_series(0, 1)", id, pad)
					if err != nil && strings.Contains(err.Error(), "no such table") {
						_, err = e.Exec(ctx, "INSERT INTO pairs VALUES (?, 0, NULL), (?, 1, randomblob(?))", id, id, pad)
					}
				}
				if err != nil {
					fmt.Fprintf(os.Stderr, "crash child: write %d: %v\n", id, err)
					os.Exit(3)
				}
				out.Lock()
				fmt.Fprintf(os.Stdout, "ack %d\n", id) // unbuffered: one write(2) per line
				out.Unlock()
			}
		})
	}
	wg.Wait()
	return 0
}

// TestCrashRecovery kills a writing child process with SIGKILL at random
// moments (after a random number of acknowledged writes, with up to 8 more
// in flight), reopens the database after each kill, and checks that every
// acknowledged write is there, that no write is half-applied, and that
// integrity_check passes. LITEACTOR_CRASH_CYCLES=n runs n cycles (default
// 3).
func TestCrashRecovery(t *testing.T) {
	cycles := 3
	if s := os.Getenv(crashCyclesEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashCyclesEnv, s)
		}
		cycles = n
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 3))
	acked := map[int64]bool{}
	var total int64
	for cycle := range cycles {
		killAfter := 1 + rng.IntN(600)
		ids := runCrashChild(t, path, int64(cycle+1)*10_000_000, killAfter)
		for _, id := range ids {
			acked[id] = true
		}
		total += int64(len(ids))
		checkCrashDB(t, path, acked, cycle)
	}
	t.Logf("%d cycles, %d acknowledged writes, all present and whole", cycles, total)
}

// runCrashChild starts the child, kills it after killAfter acknowledgements
// and returns every id it acknowledged.
func runCrashChild(t *testing.T, path string, start int64, killAfter int) []int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashStartEnv+"="+strconv.FormatInt(start, 10))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	sc := bufio.NewScanner(stdout)
	killed := false
	for sc.Scan() {
		id, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			t.Errorf("child printed %q", sc.Text())
			continue
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			t.Fatalf("child printed %q", sc.Text())
		}
		ids = append(ids, n)
		if !killed && len(ids) >= killAfter {
			// Lines still in the pipe are read below: they were
			// acknowledged before the kill.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatalf("kill child: %v", err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child exited by itself after %d acks (%v): %s", len(ids), err, stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL; stderr: %s", err, stderr.String())
	}
	return ids
}

// checkCrashDB reopens the database the child left and checks it.
func checkCrashDB(t *testing.T, path string, acked map[int64]bool, cycle int) {
	t.Helper()
	e, err := liteactor.Open(context.Background(), path, testConfig(1))
	if err != nil {
		t.Fatalf("cycle %d: reopen after kill: %v", cycle, err)
	}
	defer closeEngine(t, e)
	integrityOK(t, e)
	rows, err := e.Query(context.Background(), "SELECT id, count(*) FROM pairs GROUP BY id")
	if err != nil {
		t.Fatalf("cycle %d: %v", cycle, err)
	}
	present := make(map[int64]bool, len(rows.Values))
	for _, r := range rows.Values {
		id, n := r[0].(int64), r[1].(int64)
		if n != 2 {
			t.Fatalf("cycle %d: write %d half-applied: %d of its 2 rows present", cycle, id, n)
		}
		present[id] = true
	}
	for id := range acked {
		if !present[id] {
			t.Fatalf("cycle %d: write %d was acknowledged but is missing after the crash", cycle, id)
		}
	}
	t.Logf("cycle %d: %d acknowledged, %d present (the rest were in flight at the kill)", cycle, len(acked), len(present))
}
