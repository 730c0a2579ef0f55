package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// checkNothingLost asserts the end-to-end guarantee: every event a producer created was
// acknowledged and stored exactly once, and the balances add up to the events' total.
func checkNothingLost(t *testing.T, rep report) {
	t.Helper()
	s := rep.Summary
	if rep.Produced == 0 {
		t.Fatal("no events were produced")
	}
	if rep.Acked != rep.Produced {
		t.Errorf("acknowledged %d of %d events", rep.Acked, rep.Produced)
	}
	if s.Events != rep.Produced {
		t.Errorf("stored %d events, produced %d (lost or duplicated)", s.Events, rep.Produced)
	}
	if s.BalanceSum != s.EventTotal {
		t.Errorf("balances sum %d, events total %d", s.BalanceSum, s.EventTotal)
	}
	var perAccount int64
	for _, a := range s.Accounts {
		perAccount += a.Events
	}
	if perAccount != s.Events {
		t.Errorf("accounts counted %d events, %d stored: an event was applied twice or not at all", perAccount, s.Events)
	}
}

// The service runs, crashes on both sides of the typed-message boundary, shuts down gracefully,
// and loses nothing.
func TestRunSurvivesCrashesOnBothSides(t *testing.T) {
	var out bytes.Buffer
	opts := defaultOptions()
	opts.Duration = 900 * time.Millisecond
	rep, err := run(t.Context(), &out, opts)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	defer func() {
		if t.Failed() {
			t.Logf("output:\n%s", out.String())
		}
	}()
	checkNothingLost(t, rep)

	// Service side: ingest crashed once, holding at least one buffered event, which its
	// producer resent.
	if rep.IngestRestarts != 1 {
		t.Errorf("ingest restarted %d times, want 1", rep.IngestRestarts)
	}
	if rep.Resent < 1 {
		t.Errorf("resends = %d; the event ingest held when it crashed must have been resent", rep.Resent)
	}
	// Engine side: the panicking callbacks came back as ErrPanic and replaced the writer's and a
	// reader's connection.
	if rep.Chaos == nil || !errors.Is(rep.Chaos.WriterErr, liteactor.ErrPanic) || !errors.Is(rep.Chaos.ReaderErr, liteactor.ErrPanic) {
		t.Errorf("chaos report %+v: want both errors wrapping ErrPanic", rep.Chaos)
	}
	if rep.Engine.Restarts.Writer < 1 || rep.Engine.Restarts.Reader < 1 {
		t.Errorf("engine restarts %+v: want the writer and a reader restarted", rep.Engine.Restarts)
	}
	if rep.Interrupted {
		t.Error("run reports an interruption that did not happen")
	}

	// Transfers: applied once, the replay is a no-op, the overdraft is refused.
	if len(rep.Transfers) != 3 {
		t.Fatalf("transfers: %+v", rep.Transfers)
	}
	if tr := rep.Transfers[0]; !tr.Applied || tr.Err != nil {
		t.Errorf("first transfer: %+v, want applied", tr)
	}
	if tr := rep.Transfers[1]; tr.Applied || tr.Err != nil {
		t.Errorf("replayed transfer: %+v, want a no-op", tr)
	}
	if tr := rep.Transfers[2]; tr.Applied || !errors.Is(tr.Err, ErrInsufficientFunds) {
		t.Errorf("overdraft: %+v, want ErrInsufficientFunds", tr)
	}
	if rep.Summary.Transfers != 1 {
		t.Errorf("stored transfers = %d, want 1", rep.Summary.Transfers)
	}
	for _, want := range []string{"service up", "chaos: crashed ingest", "lost events: 0, duplicated events: 0, money created or destroyed: 0", "engine drained and closed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// SIGTERM ends the producing phase early; the shutdown still drains everything.
func TestSIGTERMShutsDownGracefully(t *testing.T) {
	var out bytes.Buffer
	opts := defaultOptions()
	opts.Duration = time.Hour // only the signal ends this run
	opts.Chaos = false
	// Signal once the service is demonstrably working: some events are acknowledged.
	opts.OnStarted = func(acked func() int64) {
		go func() {
			poll := time.NewTicker(5 * time.Millisecond)
			defer poll.Stop()
			deadline := time.Now().Add(30 * time.Second)
			for acked() < 1000 && time.Now().Before(deadline) {
				<-poll.C
			}
			if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
				t.Errorf("kill: %v", err)
			}
		}()
	}
	done := make(chan struct{})
	var rep report
	var err error
	go func() {
		defer close(done)
		rep, err = run(t.Context(), &out, opts)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("run did not stop after SIGTERM")
	}
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !rep.Interrupted || !strings.Contains(out.String(), "signal received") {
		t.Fatalf("run was not interrupted by SIGTERM:\n%s", out.String())
	}
	checkNothingLost(t, rep)
	if rep.IngestRestarts != 0 || rep.Chaos != nil {
		t.Errorf("chaos ran although disabled: restarts %d, report %+v", rep.IngestRestarts, rep.Chaos)
	}
}
