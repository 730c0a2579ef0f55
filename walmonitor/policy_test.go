package walmonitor

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/liteactor/liteactor/messages"
	"github.com/ncruces/go-sqlite3"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func testPolicy() *policy {
	return newPolicy(Config{
		Interval:        time.Second,
		CheckpointPages: 1000,
		WarnBytes:       64 << 20,
		TruncateBytes:   256 << 20,
		IdleTruncate:    10 * time.Second,
	}.withDefaults())
}

// busy is a checkpoint held back by a reader.
func busyResult(mode sqlite3.CheckpointMode, at time.Time, log, ckpt int) messages.CheckpointResult {
	return messages.CheckpointResult{Mode: mode, At: at, LogFrames: log, Checkpointed: ckpt, Err: sqlite3.BUSY}
}

func want(t *testing.T, got action, mode sqlite3.CheckpointMode, reason string) {
	t.Helper()
	if reason == "" {
		if !got.none() {
			t.Fatalf("got %s (%s), want nothing", messages.ModeName(got.mode), got.reason)
		}
		return
	}
	if got.none() || got.mode != mode || got.reason != reason {
		t.Fatalf("got %s (%q), want %s (%q)", messages.ModeName(got.mode), got.reason, messages.ModeName(mode), reason)
	}
}

func TestPolicyThresholds(t *testing.T) {
	busyCommit := t0.Add(-time.Second) // writes are not idle
	for _, tc := range []struct {
		name   string
		o      observation
		mode   sqlite3.CheckpointMode
		reason string
	}{
		{"quiet", observation{walBytes: 1 << 20, frames: 200, backlog: 200, lastCommit: busyCommit}, 0, ""},
		{"below CheckpointPages", observation{walBytes: 4 << 20, frames: 999, backlog: 999, lastCommit: busyCommit}, 0, ""},
		{"at CheckpointPages", observation{walBytes: 4 << 20, frames: 1000, backlog: 1000, lastCommit: busyCommit},
			sqlite3.CHECKPOINT_PASSIVE, "pages"},
		{"checkpointed frames do not count", observation{walBytes: 8 << 20, frames: 1900, backlog: 900, lastCommit: busyCommit}, 0, ""},
		{"log not reset", observation{walBytes: 17 << 20, frames: 4000, backlog: 10, lastCommit: busyCommit},
			sqlite3.CHECKPOINT_TRUNCATE, "reset"},
		{"above TruncateBytes", observation{walBytes: 257 << 20, frames: 100, backlog: 100, lastCommit: busyCommit},
			sqlite3.CHECKPOINT_TRUNCATE, "size"},
		{"TruncateBytes beats PASSIVE", observation{walBytes: 257 << 20, frames: 3000, backlog: 3000, lastCommit: busyCommit},
			sqlite3.CHECKPOINT_TRUNCATE, "size"},
		{"idle", observation{walBytes: 1 << 20, frames: 200, backlog: 200, lastCommit: t0.Add(-10 * time.Second)},
			sqlite3.CHECKPOINT_TRUNCATE, "idle"},
		{"idle but empty WAL", observation{walBytes: 0, lastCommit: t0.Add(-time.Hour)}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPolicy()
			tc.o.now = t0
			want(t, p.next(tc.o), tc.mode, tc.reason)
		})
	}
}

func TestPolicyZeroTurnsThresholdsOff(t *testing.T) {
	p := newPolicy(Config{Interval: time.Second, CheckpointPages: 1000}.withDefaults())
	o := observation{now: t0, walBytes: 1 << 40, frames: 10, backlog: 10, lastCommit: t0.Add(-24 * time.Hour)}
	want(t, p.next(o), 0, "")
}

func TestPolicyOneCheckpointAtATime(t *testing.T) {
	p := testPolicy()
	o := observation{now: t0, walBytes: 8 << 20, frames: 2000, backlog: 2000, lastCommit: t0}
	want(t, p.next(o), sqlite3.CHECKPOINT_PASSIVE, "pages")
	p.sent(t0)
	o.now = t0.Add(time.Second)
	want(t, p.next(o), 0, "")
	want(t, p.nudged(o), 0, "")
	// An answer that never comes (the writer stopped) does not block forever.
	o.now = t0.Add(p.staleAfter())
	o.lastCommit = o.now
	want(t, p.next(o), sqlite3.CHECKPOINT_PASSIVE, "pages")
}

func TestPolicyIdleTruncateOncePerQuietPeriod(t *testing.T) {
	p := testPolicy()
	commit := t0
	o := observation{now: t0.Add(10 * time.Second), walBytes: 1 << 20, frames: 100, backlog: 100, lastCommit: commit}
	want(t, p.next(o), sqlite3.CHECKPOINT_TRUNCATE, "idle")
	p.sent(o.now)
	p.done(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_TRUNCATE, At: o.now}, false)
	// Another process could leave bytes in the file: no new commit, no
	// second TRUNCATE.
	o.now = o.now.Add(time.Minute)
	want(t, p.next(o), 0, "")
	o.lastCommit = o.now
	o.now = o.now.Add(10 * time.Second)
	want(t, p.next(o), sqlite3.CHECKPOINT_TRUNCATE, "idle")
}

func TestPolicyTruncateRetriedWhenPinnedReaderLetsGo(t *testing.T) {
	p := testPolicy()
	reader := t0.Add(-time.Hour) // a read pinned for an hour
	o := observation{now: t0, walBytes: 300 << 20, frames: 70000, backlog: 60000, lastCommit: t0, oldestRead: reader}
	// Each failure doubles the wait (1, 2, 4 intervals); in between only
	// PASSIVE runs (it never waits for readers).
	var fails []time.Time
	for o.now = t0; len(fails) < 3; o.now = o.now.Add(time.Second) {
		a := p.next(o)
		if a.none() {
			t.Fatalf("%s: nothing to do", o.now.Sub(t0))
		}
		p.sent(o.now)
		if a.mode == sqlite3.CHECKPOINT_TRUNCATE {
			fails = append(fails, o.now)
		}
		p.done(busyResult(a.mode, o.now, 70000, 10000), false)
	}
	if fails[1].Sub(fails[0]) != time.Second || fails[2].Sub(fails[1]) != 2*time.Second {
		t.Fatalf("TRUNCATE attempts at %v", fails)
	}
	// The next tick still sees the pinned reader.
	want(t, p.next(o), sqlite3.CHECKPOINT_PASSIVE, "pages")
	p.sent(o.now)
	p.done(busyResult(sqlite3.CHECKPOINT_PASSIVE, o.now, 70000, 10000), false)
	o.now = o.now.Add(time.Second)
	// The reader lets go: retried at the next tick, though the backoff (4
	// intervals) has not run out.
	o.oldestRead = time.Time{}
	if o.now.Sub(fails[2]) >= 4*time.Second {
		t.Fatal("test is past the backoff")
	}
	want(t, p.next(o), sqlite3.CHECKPOINT_TRUNCATE, "size")
	p.sent(o.now)
	p.done(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_TRUNCATE, At: o.now}, false)
	if !p.truncBusyAt.IsZero() || p.truncBackoff != 0 {
		t.Fatalf("success did not clear the backoff: %v %v", p.truncBusyAt, p.truncBackoff)
	}
}

func TestPolicyTruncateBacksOffUnderOverlappingReads(t *testing.T) {
	p := testPolicy()
	now := t0
	var waits []time.Duration
	last := now
	for range 8 {
		// Each tick, a fresh short read is open: it started after the last
		// failure, so "the blockers have gone", but they keep coming.
		for {
			o := observation{now: now, walBytes: 300 << 20, frames: 100, backlog: 0, lastCommit: now,
				oldestRead: now.Add(-time.Millisecond)}
			if a := p.next(o); !a.none() {
				want(t, a, sqlite3.CHECKPOINT_TRUNCATE, "size")
				break
			}
			now = now.Add(time.Second)
		}
		waits = append(waits, now.Sub(last))
		p.sent(now)
		p.done(busyResult(sqlite3.CHECKPOINT_TRUNCATE, now, 100, 100), false)
		last = now
		now = now.Add(time.Second)
	}
	wantWaits := []time.Duration{0, 1, 2, 4, 8, 16, 32, 32}
	for i, w := range wantWaits {
		if waits[i] != w*time.Second {
			t.Fatalf("waits between TRUNCATE attempts = %v, want %v (seconds)", waits, wantWaits)
		}
	}
}

func TestPolicyNudgeSkipsPassiveBehindReaders(t *testing.T) {
	p := testPolicy()
	o := observation{now: t0, walBytes: 8 << 20, frames: 2000, backlog: 1500, lastCommit: t0}
	want(t, p.nudged(o), sqlite3.CHECKPOINT_PASSIVE, "pages")
	p.sent(t0)
	p.done(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_PASSIVE, At: t0, LogFrames: 2000, Checkpointed: 500}, false)
	want(t, p.nudged(o), 0, "")                             // held back: wait for the tick
	want(t, p.next(o), sqlite3.CHECKPOINT_PASSIVE, "pages") // the tick retries
	p.sent(t0)
	p.done(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_PASSIVE, At: t0, LogFrames: 2000, Checkpointed: 2000}, false)
	o.backlog = 1000
	want(t, p.nudged(o), sqlite3.CHECKPOINT_PASSIVE, "pages")
}

func TestPolicyStarvationReports(t *testing.T) {
	p := testPolicy()
	p.done(busyResult(sqlite3.CHECKPOINT_PASSIVE, t0, 5000, 100), false)
	o := observation{now: t0, backlog: 4900}
	var reported []int
	for i := 1; i <= 2*RepeatEvery+DefaultStarveAfter; i++ {
		if !p.starving(o) {
			t.Fatalf("interval %d: not starving", i)
		}
		if p.reportStarvation() {
			reported = append(reported, i)
		}
	}
	wantAt := []int{DefaultStarveAfter, DefaultStarveAfter + RepeatEvery, DefaultStarveAfter + 2*RepeatEvery}
	if len(reported) != len(wantAt) || reported[0] != wantAt[0] || reported[1] != wantAt[1] || reported[2] != wantAt[2] {
		t.Fatalf("reported at intervals %v, want %v", reported, wantAt)
	}
	// A checkpoint that catches up ends it.
	p.done(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_PASSIVE, At: t0, LogFrames: 5000, Checkpointed: 5000}, false)
	o.backlog = 0
	if p.starving(o) || p.streak != 0 {
		t.Fatal("still starving after the checkpoint caught up")
	}
	// A short lag (below CheckpointPages) is not starvation.
	p.done(busyResult(sqlite3.CHECKPOINT_PASSIVE, t0, 5000, 4500), false)
	o.backlog = 500
	if p.starving(o) {
		t.Fatal("a lag below CheckpointPages counted as starvation")
	}
}

// TestPolicyNeverRestart drives the policy with random observations and
// results: it only ever asks for PASSIVE or TRUNCATE.
func TestPolicyNeverRestart(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := testPolicy()
	now := t0
	modes := map[sqlite3.CheckpointMode]int{}
	for range 20000 {
		now = now.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
		frames := rng.Int64N(100000)
		o := observation{now: now, walBytes: rng.Int64N(400 << 20), frames: frames, backlog: rng.Int64N(frames + 1),
			lastCommit: now.Add(-time.Duration(rng.IntN(20)) * time.Second)}
		if rng.IntN(2) == 0 {
			o.oldestRead = now.Add(-time.Duration(rng.IntN(60)) * time.Second)
		}
		var a action
		if rng.IntN(3) == 0 {
			a = p.nudged(o)
		} else {
			a = p.next(o)
		}
		if a.none() {
			continue
		}
		modes[a.mode]++
		p.sent(now)
		res := messages.CheckpointResult{Mode: a.mode, At: now, LogFrames: int(frames), Checkpointed: int(frames)}
		if rng.IntN(2) == 0 {
			res.Err, res.Checkpointed = sqlite3.BUSY, int(o.frames-o.backlog)
		}
		p.done(res, false)
	}
	for m, n := range modes {
		if m != sqlite3.CHECKPOINT_PASSIVE && m != sqlite3.CHECKPOINT_TRUNCATE {
			t.Fatalf("policy asked for %s %d times", messages.ModeName(m), n)
		}
	}
	if modes[sqlite3.CHECKPOINT_PASSIVE] == 0 || modes[sqlite3.CHECKPOINT_TRUNCATE] == 0 {
		t.Fatalf("random run did not exercise both modes: %v", modes)
	}
}

// TestPolicyReadBarrier: the size brake goes behind a read barrier once a
// TRUNCATE has failed, without waiting for the TRUNCATE backoff; stays
// there after a barrier TRUNCATE succeeds; leaves it once a TRUNCATE
// without one succeeds; backs off after a barrier that did not truncate;
// and never uses one with BarrierMax 0.
func TestPolicyReadBarrier(t *testing.T) {
	cfg := testPolicy().cfg
	cfg.BarrierMax = time.Second
	p := newPolicy(cfg)
	big := observation{now: t0, walBytes: 257 << 20, frames: 100, backlog: 100, lastCommit: t0, oldestRead: t0}
	a := p.next(big)
	if want(t, a, sqlite3.CHECKPOINT_TRUNCATE, "size"); a.barrier {
		t.Fatal("first TRUNCATE behind a barrier; want a plain one first")
	}
	p.sent(t0)
	p.done(busyResult(sqlite3.CHECKPOINT_TRUNCATE, t0, 100, 0), false)
	big.now = t0.Add(time.Millisecond) // within the TRUNCATE backoff
	if a = p.next(big); !a.barrier || a.reason != "size" {
		t.Fatalf("after a failed TRUNCATE: %+v, want a barrier TRUNCATE", a)
	}
	p.sent(big.now)
	p.done(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_TRUNCATE, At: big.now}, true)
	p.barrierDone(true, big.now)
	if a = p.next(big); !a.barrier {
		t.Fatalf("after a barrier TRUNCATE succeeded: %+v, want the barrier again", a)
	}
	// A barrier that expired: the next one waits for its backoff.
	p.barrierDone(false, big.now)
	if a = p.next(big); a.barrier {
		t.Fatalf("within the barrier backoff: %+v", a)
	}
	big.now = big.now.Add(2 * cfg.Interval)
	if a = p.next(big); !a.barrier {
		t.Fatalf("after the barrier backoff: %+v, want a barrier", a)
	}
	// A plain TRUNCATE that succeeds ends barrier mode.
	p.done(messages.CheckpointResult{Mode: sqlite3.CHECKPOINT_TRUNCATE, At: big.now}, false)
	if a = p.next(big); a.barrier {
		t.Fatalf("after a plain TRUNCATE succeeded: %+v, want a plain one", a)
	}

	p = testPolicy() // BarrierMax 0
	p.done(busyResult(sqlite3.CHECKPOINT_TRUNCATE, t0, 100, 0), false)
	big.now = t0.Add(10 * time.Minute)
	if a = p.next(big); a.barrier {
		t.Fatalf("BarrierMax 0: %+v", a)
	}
}

// TestPolicyNotIdleWhilePending: a batch that has not committed yet (or
// writes queued) means writes are not idle, however old the last commit.
func TestPolicyNotIdleWhilePending(t *testing.T) {
	p := testPolicy()
	o := observation{now: t0, walBytes: 1 << 20, frames: 10, lastCommit: t0.Add(-time.Minute), pending: true}
	want(t, p.next(o), 0, "")
	o.pending = false
	want(t, p.next(o), sqlite3.CHECKPOINT_TRUNCATE, "idle")
}
