package reliability_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/internal/powervfs"
	"github.com/ncruces/go-sqlite3"
)

const (
	// powerCyclesEnv sets how many power cuts each (mode, workload) pair
	// gets; default 2.
	powerCyclesEnv = "LITEACTOR_POWERLOSS_CYCLES"
	// powerSeedEnv sets the seed the cut points and the kept subsets derive
	// from; default 1. Every failure message prints the cycle's seed.
	powerSeedEnv = "LITEACTOR_POWERLOSS_SEED"
)

// powerTally sums one mode's cycles.
type powerTally struct {
	cycles, acked, lost, lossCycles, corrupt, half int
	window                                         time.Duration // the largest age of a lost write at the cut
}

func (s powerTally) String() string {
	return fmt.Sprintf("%d cycles: %d acknowledged, %d lost, in %d cycles; loss window %s; integrity failures in %d, half-applied writes in %d",
		s.cycles, s.acked, s.lost, s.lossCycles, s.window, s.corrupt, s.half)
}

// syncIntervalPL is WAL.SyncInterval in the suite: short, so that the quiet
// workload's cuts fall several intervals after its first writes.
const syncIntervalPL = 20 * time.Millisecond

// TestPowerLoss cuts the power (package internal/powervfs) at a random
// point while an engine serves writes, rebuilds the files as the cut leaves
// them (all unsynced writes dropped, all kept as after a process crash, or
// a random subset torn at 512-byte sectors), and opens the image with plain
// SQLite. Two workloads: a quiet service (one write at a time, paced) and a
// busy one (12 writers, group commit); both change the schema (CREATE
// TABLE) and write pairs of rows through Write closures and two-statement
// Exec scripts. It checks, per synchronous mode:
//   - SyncFull: no acknowledged write or CREATE TABLE is lost, integrity_check
//     ok, no half-applied write, whatever the cut keeps;
//   - SyncNormal (WAL.SyncInterval 20 ms): integrity_check ok and no
//     half-applied write always; none lost when the cut keeps every unsynced
//     write (a process crash); and every lost write was acknowledged after
//     the last interval fsync that completed before the cut
//     (Stats().WAL.LastSync read just before it): the loss is bounded by
//     the interval. The window (the largest age of a lost write at the cut)
//     is reported;
//   - SyncOff: what holds is only the process-crash case (keep-all): nothing
//     lost, integrity ok; under a real cut losses and corruption are
//     reported, not asserted.
//
// LITEACTOR_POWERLOSS_CYCLES=n runs n cycles per mode and workload (default
// 2); LITEACTOR_POWERLOSS_SEED=s changes the seed (default 1).
func TestPowerLoss(t *testing.T) {
	cycles := envInt(t, powerCyclesEnv, 2)
	seed := uint64(envInt(t, powerSeedEnv, 1))
	modes := []struct {
		name   string
		sync   liteactor.Synchronous
		losses []powervfs.Loss // by cycle, round robin
	}{
		{"FULL", liteactor.SyncFull, []powervfs.Loss{powervfs.Random, powervfs.DropAll, powervfs.KeepAll}},
		{"NORMAL", liteactor.SyncNormal, []powervfs.Loss{powervfs.Random, powervfs.DropAll, powervfs.KeepAll}},
		{"OFF", liteactor.SyncOff, []powervfs.Loss{powervfs.KeepAll, powervfs.Random, powervfs.DropAll}},
	}
	for mi, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var tally powerTally
			for _, busy := range []bool{false, true} {
				for c := range cycles {
					cseed := seed*1000003 + uint64(mi*100000+c*2)
					if busy {
						cseed++
					}
					pc := powerCycle{sync: m.sync, busy: busy, loss: m.losses[c%len(m.losses)], seed: cseed}
					r := pc.run(t)
					tally.cycles++
					tally.acked += r.acked
					tally.lost += r.lost
					tally.window = max(tally.window, r.window)
					if r.lost > 0 {
						tally.lossCycles++
					}
					if r.integrity != "ok" {
						tally.corrupt++
					}
					if r.half >= 0 {
						tally.half++
					}
					pc.check(t, r)
				}
			}
			t.Logf("%s: %s", m.name, tally)
		})
	}
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// powerCycle is one engine life ended by a power cut.
type powerCycle struct {
	sync liteactor.Synchronous
	busy bool
	loss powervfs.Loss
	seed uint64
}

func (pc powerCycle) String() string {
	w := "quiet"
	if pc.busy {
		w = "busy"
	}
	return fmt.Sprintf("%s, %s, seed %d", w, pc.loss, pc.seed)
}

// powerResult is what the image holds against what was acknowledged.
type powerResult struct {
	acked      int    // acknowledged pairs and CREATE TABLEs
	lost       int    // of which absent from the image
	lostTables int    // acknowledged CREATE TABLEs absent
	integrity  string // integrity_check's answer, or the error
	half       int64  // a half-applied pair, or -1
	image      powervfs.Image
	cutAt      int // acknowledgements when the power was cut
	// window is the largest age at the cut of a lost write; beforeSync
	// counts lost writes acknowledged before the last interval fsync that
	// completed before the cut.
	window     time.Duration
	beforeSync int
}

// check asserts what the mode guarantees.
func (pc powerCycle) check(t *testing.T, r powerResult) {
	t.Helper()
	crash := pc.loss == powervfs.KeepAll
	switch {
	case pc.sync == liteactor.SyncOff && !crash:
		return // nothing is promised
	case r.integrity != "ok":
		t.Fatalf("%s: integrity_check after the cut: %s", pc, r.integrity)
	case r.half >= 0:
		t.Fatalf("%s: write %d half-applied after the cut", pc, r.half)
	case (pc.sync == liteactor.SyncFull || crash) && r.lost > 0:
		t.Fatalf("%s: %d of %d acknowledged writes lost (%d CREATE TABLE), synchronous %v", pc, r.lost, r.acked, r.lostTables, pc.sync)
	case pc.sync == liteactor.SyncNormal && r.beforeSync > 0:
		t.Fatalf("%s: %d lost writes were acknowledged before an interval fsync that completed before the cut", pc, r.beforeSync)
	}
}

// ledger records what the engine acknowledged, and when.
type ledger struct {
	mu     sync.Mutex
	pairs  map[int64]time.Time
	tables map[string]time.Time
	n      atomic.Int64 // acknowledgements so far

	cutAt    time.Time // when the power was cut
	syncedAt time.Time // Stats().WAL.LastSync just before the cut
}

func (l *ledger) ackPair(id int64) {
	now := time.Now()
	l.mu.Lock()
	l.pairs[id] = now
	l.mu.Unlock()
	l.n.Add(1)
}

func (l *ledger) ackTable(name string) {
	now := time.Now()
	l.mu.Lock()
	l.tables[name] = now
	l.mu.Unlock()
	l.n.Add(1)
}

// lose records a lost write acknowledged at ack.
func (l *ledger) lose(r *powerResult, ack time.Time) {
	r.lost++
	r.window = max(r.window, l.cutAt.Sub(ack))
	if !l.syncedAt.IsZero() && ack.Before(l.syncedAt) {
		r.beforeSync++
	}
}

// writePair inserts the pair id through a Write closure or, for odd ids, a
// two-statement Exec script; both must commit whole or not at all.
func writePair(ctx context.Context, e *liteactor.Engine, id int64) error {
	const pad = 200
	if id%2 == 1 {
		_, err := e.Exec(ctx, fmt.Sprintf(
			"INSERT INTO pairs VALUES (%d, 0, randomblob(%d)); INSERT INTO pairs VALUES (%d, 1, randomblob(%d))", id, pad, id, pad))
		return err
	}
	return e.Write(ctx, func(c *sqlite3.Conn) error {
		for half := range 2 {
			if err := c.Exec(fmt.Sprintf("INSERT INTO pairs VALUES (%d, %d, randomblob(%d))", id, half, pad)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (pc powerCycle) run(t *testing.T) powerResult {
	t.Helper()
	rng := rand.New(rand.NewPCG(pc.seed, 0x9e3779b97f4a7c15))
	v := powervfs.New("powerloss")
	defer v.Close()
	path := filepath.Join(t.TempDir(), "p.db")

	cfg := liteactor.DefaultConfig()
	cfg.Synchronous = pc.sync
	cfg.Readers = 2
	cfg.Queue = liteactor.QueueConfig{Capacity: 256, Overflow: liteactor.Block}
	// Checkpoints often, so that cuts also land in them.
	cfg.WAL.CheckpointPages = 64
	cfg.WAL.Interval = 20 * time.Millisecond
	cfg.WAL.SyncInterval = syncIntervalPL
	e, err := liteactor.Open(context.Background(), v.URI(path), cfg)
	if err != nil {
		t.Fatalf("%s: open: %v", pc, err)
	}
	ctx := context.Background()
	led := &ledger{pairs: map[int64]time.Time{}, tables: map[string]time.Time{}}
	if _, err := e.Exec(ctx, "CREATE TABLE pairs (id INTEGER NOT NULL, half INTEGER NOT NULL, pad BLOB, PRIMARY KEY (id, half))"); err != nil {
		t.Fatalf("%s: %v", pc, err)
	}
	led.ackTable("pairs")

	var cut atomic.Bool
	cutNow := make(chan struct{})
	var cutOnce sync.Once
	doCut := func() {
		cutOnce.Do(func() {
			led.syncedAt = e.Stats().WAL.LastSync
			v.Cut()
			led.cutAt = time.Now()
			cut.Store(true)
			close(cutNow)
		})
	}
	var target int64
	var wg sync.WaitGroup
	var nextID atomic.Int64
	if pc.busy {
		target = 100 + rng.Int64N(900)
		for g := range 12 {
			wg.Go(func() {
				for k := 0; !cut.Load(); k++ {
					if g == 0 && k%40 == 39 {
						name := fmt.Sprintf("s%d", k)
						if _, err := e.Exec(ctx, "CREATE TABLE "+name+" (x)"); err == nil {
							led.ackTable(name)
						}
						continue
					}
					id := nextID.Add(1)
					if writePair(ctx, e, id) == nil {
						led.ackPair(id)
					}
					if led.n.Load() >= target {
						doCut()
					}
				}
			})
		}
	} else {
		// A quiet service: one write at a time, a little apart (a write
		// every 100 ms, scaled down: no checkpoint comes due either way).
		target = 5 + rng.Int64N(40)
		wg.Go(func() {
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			for k := 0; !cut.Load(); k++ {
				<-tick.C
				if k%10 == 9 {
					name := fmt.Sprintf("s%d", k)
					if _, err := e.Exec(ctx, "CREATE TABLE "+name+" (x)"); err == nil {
						led.ackTable(name)
					}
				} else {
					id := nextID.Add(1)
					if writePair(ctx, e, id) == nil {
						led.ackPair(id)
					}
				}
				if led.n.Load() >= target {
					doCut()
				}
			}
		})
	}
	select {
	case <-cutNow:
	case <-time.After(60 * time.Second):
		doCut()
		wg.Wait()
		t.Fatalf("%s: only %d of %d acknowledgements in 60s", pc, led.n.Load(), target)
	}
	wg.Wait()
	cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Close(cctx); err != nil && errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: Close after the power cut: %v", pc, err)
	}

	im, err := v.WriteImage(pc.loss, rng)
	if err != nil {
		t.Fatalf("%s: WriteImage: %v", pc, err)
	}
	r := inspectImage(t, path, led)
	r.image, r.cutAt = im, int(target)
	t.Logf("%s: cut at %d acks; image %+v; %d acknowledged, %d lost (%d tables), window %s; integrity %s",
		pc, r.cutAt, im, r.acked, r.lost, r.lostTables, r.window, r.integrity)
	return r
}

// inspectImage opens the image with plain SQLite and compares it with the
// ledger.
func inspectImage(t *testing.T, path string, led *ledger) powerResult {
	t.Helper()
	r := powerResult{half: -1, acked: len(led.pairs) + len(led.tables)}
	c, err := sqlite3.Open(path)
	if err != nil {
		r.integrity = "open: " + err.Error()
		r.lost = r.acked
		return r
	}
	defer c.Close()
	r.integrity = integrity(c)
	if len(r.integrity) > 200 {
		r.integrity = r.integrity[:200] + "..."
	}
	tables := map[string]bool{}
	if s, _, err := c.Prepare("SELECT name FROM sqlite_schema WHERE type = 'table'"); err == nil {
		for s.Step() {
			tables[s.ColumnText(0)] = true
		}
		s.Close()
	}
	for name, ack := range led.tables {
		if !tables[name] {
			led.lose(&r, ack)
			r.lostTables++
		}
	}
	present := map[int64]bool{}
	if tables["pairs"] {
		p, half, err := pairsPresent(c)
		if err != nil && r.integrity == "ok" {
			r.integrity = "reading pairs: " + err.Error()
		}
		present, r.half = p, half
	}
	for id, ack := range led.pairs {
		if !present[id] {
			led.lose(&r, ack)
		}
	}
	return r
}
