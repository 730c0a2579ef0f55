package migrate

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liteactor/liteactor"
)

// childEnv names the database a child process migrates; see TestMain.
const childEnv = "LITEACTOR_MIGRATE_CHILD_DB"

const processChainLength = 40

// runChild is the body of a child process: it opens an engine on path,
// prints "ready", waits for a line on stdin, runs Up and prints the versions
// it applied as JSON. It returns the process's exit code.
func runChild(path string) int {
	ctx := context.Background()
	cfg := liteactor.MinimalConfig()
	cfg.BusyTimeout = patientBusyTimeout
	eng, err := liteactor.Open(ctx, path, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer eng.Close(ctx)
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	rep, err := Up(ctx, eng, longChain(processChainLength), AppName(fmt.Sprintf("pid-%d", os.Getpid())))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var vs []string
	for _, r := range rep.Applied {
		vs = append(vs, r.Version)
	}
	if err := json.NewEncoder(os.Stdout).Encode(vs); err != nil {
		return 2
	}
	return 0
}

// TestTwoProcessesOnOneFileMigrateConcurrently runs Up from two processes
// (this test binary, re-executed) released at the same moment.
func TestTwoProcessesOnOneFileMigrateConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	type child struct {
		cmd    *osexec.Cmd
		stdin  io.WriteCloser
		stdout *bufio.Reader
		stderr strings.Builder
	}
	children := make([]*child, 2)
	for i := range children {
		c := &child{cmd: osexec.Command(os.Args[0], "-test.run=^$")}
		c.cmd.Env = append(os.Environ(), childEnv+"="+path)
		c.cmd.Stderr = &c.stderr
		var err error
		if c.stdin, err = c.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		out, err := c.cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.stdout = bufio.NewReader(out)
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children[i] = c
		t.Cleanup(func() { c.cmd.Process.Kill(); c.cmd.Wait() })
	}
	for i, c := range children {
		if line, err := c.stdout.ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("child %d: %q, %v; stderr: %s", i, line, err, c.stderr.String())
		}
	}
	for _, c := range children {
		if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for i, c := range children {
		var vs []string
		line, err := c.stdout.ReadString('\n')
		if err != nil || json.Unmarshal([]byte(line), &vs) != nil {
			t.Fatalf("child %d: output %q, %v; stderr: %s", i, line, err, c.stderr.String())
		}
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v; stderr: %s", i, err, c.stderr.String())
		}
		for _, v := range vs {
			if _, dup := seen[v]; dup {
				t.Fatalf("%s applied by both processes", v)
			}
			seen[v] = i
		}
		t.Logf("process %d applied %d migrations", i, len(vs))
	}
	if len(seen) != processChainLength+1 {
		t.Fatalf("the processes applied %d migrations together, want %d", len(seen), processChainLength+1)
	}
	eng := openEngine(t, path)
	if h, err := History(ctx, eng); err != nil || len(h) != processChainLength+1 {
		t.Fatalf("history: %d rows, %v", len(h), err)
	}
	if got := scalar(t, eng, `SELECT count(*) FROM apply_log`); got != int64(processChainLength+1) {
		t.Fatalf("apply_log has %v rows: a migration ran twice", got)
	}
}
