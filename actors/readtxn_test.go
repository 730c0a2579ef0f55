package actors

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3"
)

func TestReadTxnInterruptOnlyOldTransactions(t *testing.T) {
	env := NewReaderEnv(2)
	for _, d := range env.Dispatchers {
		defer d.Stop()
	}
	now := time.Now()
	if at, idx := env.OldestRead(); !at.IsZero() || idx != -1 {
		t.Fatalf("no reads open, OldestRead = %v, %d", at, idx)
	}
	old, young := &env.Txns[0], &env.Txns[1]
	old.begin(now.Add(-time.Minute))
	oldCtx, oldDone := old.watch(context.Background())
	young.begin(now)
	youngCtx, youngDone := young.watch(context.Background())
	defer youngDone()
	if at, idx := env.OldestRead(); idx != 0 || !at.Equal(now.Add(-time.Minute).Round(0)) {
		t.Fatalf("OldestRead = %v, %d; want reader 0", at, idx)
	}
	if n := env.InterruptOlder(now, 10*time.Second); n != 1 {
		t.Fatalf("interrupted %d reads, want 1", n)
	}
	if oldCtx.Err() == nil || youngCtx.Err() != nil {
		t.Fatal("wrong read interrupted")
	}
	err := tooOld(oldCtx, sqlite3.INTERRUPT)
	if !errors.Is(err, ErrReadTooOld) || !errors.Is(err, sqlite3.INTERRUPT) {
		t.Fatalf("tooOld = %v", err)
	}
	if err := tooOld(oldCtx, nil); !errors.Is(err, ErrReadTooOld) {
		t.Fatalf("a callback that ignored the interrupt: %v", err)
	}
	if err := tooOld(youngCtx, sqlite3.INTERRUPT); !errors.Is(err, sqlite3.INTERRUPT) || errors.Is(err, ErrReadTooOld) {
		t.Fatalf("tooOld on a live read = %v", err)
	}
	// The old request ends; a new one starts on the same reader: a late
	// interrupt aimed at the old one leaves it alone.
	oldDone()
	old.end()
	old.begin(now)
	newCtx, newDone := old.watch(context.Background())
	defer newDone()
	if old.Interrupt(now.Add(-10*time.Second), 10*time.Second) || newCtx.Err() != nil {
		t.Fatal("interrupted a read that began after the cutoff")
	}
	// Without watch (ReadTxnMaxAge off) nothing can be interrupted.
	var plain ReadTxn
	plain.begin(now.Add(-time.Hour))
	if plain.Interrupt(now, time.Second) {
		t.Fatal("interrupted a read that is not interruptible")
	}
}
