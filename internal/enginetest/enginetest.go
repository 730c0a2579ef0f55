// Package enginetest is what the engine's tests share: open an engine on a
// fresh file that is closed at cleanup, hold the writer busy until the test
// releases it, and wait for a condition with a deadline instead of sleeping.
//
// It does not import package liteactor, so that the tests of the packages
// below it (walmonitor, actors) can use it too: the engine is reached
// through the small interfaces below, which *liteactor.Engine implements.
package enginetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Timeout bounds every wait of this package: far above anything a passing
// test needs on a loaded 2-core machine, so reaching it means a hang.
const Timeout = 10 * time.Second

// Closer is an engine as Open needs it.
type Closer interface {
	Close(ctx context.Context) error
}

// Open opens an engine with open on a fresh database file in t.TempDir()
// and closes it at cleanup, failing the test if Open or Close fails. It
// returns the engine and the file's path.
func Open[E Closer](t testing.TB, open func(ctx context.Context, path string) (E, error)) (E, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	e, err := open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e, path
}

// Writer is an engine as HoldWriter needs it.
type Writer interface {
	Write(ctx context.Context, fn func(*sqlite3.Conn) error) error
}

// HoldWriter occupies the writer with a Write blocked inside its callback
// and returns once the callback runs, so the test controls what queues
// behind it. release lets the Write return; the test fails if it returned
// an error.
func HoldWriter(t testing.TB, e Writer) (release func()) {
	t.Helper()
	rel := HoldWriterErr(t, e)
	return func() {
		t.Helper()
		if err := rel(); err != nil {
			t.Errorf("holding write: %v", err)
		}
	}
}

// HoldWriterErr is HoldWriter for tests that expect the holding write to
// fail: release returns its error.
func HoldWriterErr(t testing.TB, e Writer) (release func() error) {
	t.Helper()
	started, rel, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- e.Write(context.Background(), func(*sqlite3.Conn) error {
			close(started)
			<-rel
			return nil
		})
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("holding write returned before it ran: %v", err)
	}
	return func() error {
		close(rel)
		return <-done
	}
}

// WaitFor polls cond every millisecond until it holds, failing the test
// (naming what) if it does not within Timeout.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if err := Poll(Timeout, cond); err != nil {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Poll polls cond every millisecond until it holds, or returns an error
// after d. For waits that must not fail the test themselves (from a
// goroutine, or in TestMain).
func Poll(d time.Duration, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return errTimeout
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

var errTimeout = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string { return "enginetest: condition not met before the deadline" }
