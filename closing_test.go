package liteactor_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// TestClosing: Engine.Closing stays open while the engine runs and is
// closed once Close begins, even while a callback holding a connection has
// not returned yet (so that callback can watch it and return).
func TestClosing(t *testing.T) {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, filepath.Join(t.TempDir(), "c.db"), liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-eng.Closing():
		t.Fatal("Closing closed on a running engine")
	default:
	}
	held, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- eng.Exclusive(ctx, func(*sqlite3.Conn) error {
			close(held)
			<-eng.Closing() // returns only because Close began
			return nil
		})
	}()
	<-held
	if err := eng.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the holding callback: %v", err)
	}
}
