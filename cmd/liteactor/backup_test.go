package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestBackupWhileAnotherEngineWrites(t *testing.T) {
	dir := t.TempDir()
	db := seed(t, dir, "app.db", 2000)
	eng := openEngine(t, db)
	ctx, stop := context.WithCancel(context.Background())
	var written atomic.Int64
	done := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if _, err := eng.Exec(ctx, "INSERT INTO t (pad) VALUES (randomblob(500))"); err != nil {
				if ctx.Err() == nil {
					done <- err
					return
				}
				break
			}
			written.Add(1)
		}
		done <- nil
	}()
	// Wait until the writer is going, so the backup runs alongside it.
	deadline := time.Now().Add(time.Minute)
	for written.Load() < 10 {
		if time.Now().After(deadline) {
			t.Fatal("writer did not start")
		}
		time.Sleep(time.Millisecond)
	}
	r := cli(t, dir, "-db", "app.db", "backup", "copy.db", "-verify", "-step", "16")
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r.want(t, 0, "backup app.db -> copy.db", "verified")
	n := rawInt(t, filepath.Join(dir, "copy.db"), "SELECT count(*) FROM t")
	if n < 2000 || n > 2000+written.Load() {
		t.Fatalf("copy holds %d rows; the source had 2000 + up to %d", n, written.Load())
	}
	cli(t, dir, "verify", "copy.db").want(t, 0, "copy.db: ok")
	r = cli(t, dir, "verify", "-json", "copy.db")
	var v struct {
		OK       bool     `json:"ok"`
		Findings []string `json:"findings"`
	}
	decodeJSON(t, r.stdout, &v)
	if !v.OK || len(v.Findings) != 0 {
		t.Fatalf("verify -json = %+v", v)
	}
	cli(t, dir, "-db", "app.db", "backup", "copy.db").want(t, 3, "destination exists")
	cli(t, dir, "-db", "app.db", "backup", "-vacuum", "-verify", "vac.db").want(t, 0, "vacuum-into", "verified")
	if n := rawInt(t, filepath.Join(dir, "vac.db"), "SELECT count(*) FROM t"); n < 2000 {
		t.Fatalf("vacuum copy holds %d rows", n)
	}
	fi, err := os.Stat(filepath.Join(dir, "copy.db"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v, %v; want the database's 0600", fi.Mode(), err)
	}
}

func TestRestoreRefusedWhileInUseThenRestores(t *testing.T) {
	dir := t.TempDir()
	db := seed(t, dir, "app.db", 100)
	cli(t, dir, "-db", "app.db", "backup", "copy.db").want(t, 0)
	eng := openEngine(t, db)
	if _, err := eng.Exec(context.Background(), "DELETE FROM t WHERE id > 10"); err != nil {
		t.Fatal(err)
	}
	r := cli(t, dir, "-db", "app.db", "restore", "copy.db")
	r.want(t, 3, "app.db is in use by another process", "SQLITE_BUSY")
	r.oneLineErrors(t)
	if err := eng.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := rawInt(t, db, "SELECT count(*) FROM t"); n != 10 {
		t.Fatalf("refused restore changed the database: %d rows", n)
	}
	cli(t, dir, "-db", "app.db", "restore", "copy.db", "-keep", "before.db").want(t, 0, "restored app.db from copy.db")
	if n := rawInt(t, db, "SELECT count(*) FROM t"); n != 100 {
		t.Fatalf("restored database has %d rows, want 100", n)
	}
	if n := rawInt(t, filepath.Join(dir, "before.db"), "SELECT count(*) FROM t"); n != 10 {
		t.Fatalf("kept previous database has %d rows, want 10", n)
	}
	cli(t, dir, "-db", "new.db", "restore", "copy.db").want(t, 0, "restored new.db")
	// A file that is not a database any more (what a restore is often
	// for) cannot be probed: the restore says so and goes on.
	if err := os.WriteFile(filepath.Join(dir, "junk.db"), bytes.Repeat([]byte("junk"), 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, dir, "-db", "junk.db", "restore", "copy.db").want(t, 0, "warning: cannot tell whether junk.db is in use", "SQLITE_NOTADB", "restored junk.db")
	if n := rawInt(t, filepath.Join(dir, "junk.db"), "SELECT count(*) FROM t"); n != 100 {
		t.Fatalf("restored junk.db has %d rows", n)
	}
	cli(t, dir, "-db", "app.db", "restore", "missing.db").want(t, 3, "missing.db")
}

// slowBackup starts a backup of dir/app.db to dir/copy.db that copies one
// page per step and pauses an hour between steps (the pause honours
// Ctrl-C), so it cannot finish before the test interrupts it: the test
// needs no timing. stderr is where its progress goes.
func slowBackup(t *testing.T, dir string, stderr *os.File, extra ...string) *exec.Cmd {
	t.Helper()
	args := append([]string{"-db", "app.db", "backup", "copy.db", "-step", "1", "-pause", "1h"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// waitFor reads r until it has seen want, and returns the line (or the
// carriage-return-separated part of one) holding it. The rest of r is
// drained in the background until it ends.
func waitFor(t *testing.T, r io.Reader, want string) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		var seen []byte
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			seen = append(seen, buf[:n]...)
			if i := bytes.Index(seen, []byte(want)); i >= 0 {
				from := bytes.LastIndexAny(seen[:i], "\r\n") + 1
				to := len(seen)
				if j := bytes.IndexAny(seen[i:], "\r\n"); j >= 0 {
					to = i + j
				}
				found <- string(seen[from:to])
				io.Copy(io.Discard, r)
				return
			}
			if err != nil {
				close(found)
				return
			}
		}
	}()
	select {
	case line, ok := <-found:
		if !ok {
			t.Fatalf("output ended without %q", want)
		}
		return line
	case <-time.After(2 * time.Minute):
		t.Fatalf("no %q within 2 minutes", want)
	}
	return ""
}

func wantInterrupted(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("interrupted backup: %v, want exit %d", err, exitInterrupted)
	}
}

func TestInterruptedBackupLeavesNothingAtDest(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, "app.db", 300)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	// Not a terminal: -progress asks for progress lines anyway.
	cmd := slowBackup(t, dir, pw, "-progress")
	pw.Close()
	line := waitFor(t, pr, "pages")
	if !strings.HasPrefix(line, "backup: 1/") {
		t.Fatalf("first progress line %q", line)
	}
	wantInterrupted(t, cmd)
	nothingAt(t, dir, "copy.db")
}

// nothingAt fails if dir holds dest or any file starting with its name (a
// temporary copy).
func nothingAt(t *testing.T, dir, dest string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), dest) {
			t.Fatalf("%s left behind after the interrupted backup", e.Name())
		}
	}
}
