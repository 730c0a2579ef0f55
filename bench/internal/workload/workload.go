// Package workload defines the benchmark's workloads W1..W6 (issue 3), the
// raw group-commit baseline W1-G64 and the WAL brake's W7 (issue 18), and
// runs one of them against one target at one caller count, measuring
// throughput, latency percentiles, errors by kind and allocations.
package workload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/liteactor/liteactor"

	"github.com/liteactor/liteactor/bench/internal/target"
)

// Operation types, used to split W4's and W7's figures.
const (
	TypeRead   = "read"
	TypeWrite  = "write"
	TypeReport = "report" // W7's long aggregate read
)

// Sizes fixed by the issue.
const (
	TableRows = 100_000 // W3..W5 read from a 100k-row table
	Accounts  = 10_000  // W2 moves money between this many accounts
	ScanRows  = 1000    // W5 range scans return 1000 rows
	BulkChunk = 10_000  // W6 reports progress (and liteactor commits) every chunk rows
	w4Writes  = 10      // W4: percent of operations that are writes
	GroupRows = 64      // W1-G64: rows per transaction of the raw group-commit baseline
	// W7's callers by role (64 in all): reporters run back-to-back
	// aggregates over the whole seeded table (about 100 ms each on this
	// machine under W7's load), so that two read transactions, staggered,
	// always pin the WAL for longer than a TRUNCATE waits (50 ms); point
	// readers run W3's read, whose latency the goal reports; the others
	// insert 1 KiB rows to fill the WAL.
	W7Reporters    = 2
	W7PointReaders = 14
	// W7Truncate is W7-BARRIER's WAL.TruncateBytes: small, so the writers
	// cross it within a fraction of a second.
	W7Truncate = 4 << 20
	// W7Interval is W7's WAL.Interval (both variants): a failed TRUNCATE is
	// retried behind the read barrier after one Interval, so with
	// DefaultConfig's 1s the barrier would engage at most once per point.
	W7Interval = 100 * time.Millisecond
	DefReaders = 4 // liteactor DefaultConfig's reader count, given to every target
)

// errWrong marks a read that returned something other than what Seed stored.
var errWrong = errors.New("wrong result")

// errNoGroup is W1-G64 run on a target that cannot commit a group.
var errNoGroup = errors.New("target cannot commit a group of rows (not a GroupInserter)")

// errNoReport is W7 run on a target without the aggregate read.
var errNoReport = errors.New("target cannot run the aggregate read (not a Reporter)")

// Op runs one operation of a workload on t and says whether it was a read
// or a write. rng is the caller's own generator.
type Op func(ctx context.Context, t target.Target, rng *rand.Rand) (opType string, err error)

// Spec is one workload (W1 is two: NORMAL and FULL).
type Spec struct {
	// ID names the workload and variant: "W1-NORMAL", "W3", ...
	ID string `json:"id"`
	// Title says what it does, for the report.
	Title string `json:"title"`
	// Sync is the synchronous mode of the writing connection.
	Sync string `json:"sync"`
	// Callers are the concurrent caller counts it runs at.
	Callers []int `json:"callers"`
	// Readers is the number of reading connections every target gets.
	Readers int `json:"readers"`
	// Unit names what Throughput counts.
	Unit string `json:"unit"`
	// RowsPerOp is how many rows one operation writes or reads.
	RowsPerOp int `json:"rows_per_op"`
	// Seed is what the fresh database holds before the run.
	Seed target.SeedSpec `json:"seed"`
	// BulkRows is set for W6: rows loaded in one BulkLoad call; Op is nil.
	BulkRows int `json:"bulk_rows,omitempty"`
	// Targets, when set, are the only target IDs that run this workload
	// (the others lack what it measures).
	Targets []string `json:"targets,omitempty"`
	// With and WithCallers make this spec a baseline of workload With at
	// WithCallers callers: Plan interleaves their rounds.
	With        string `json:"with,omitempty"`
	WithCallers int    `json:"with_callers,omitempty"`
	// TruncateBytes and WALInterval are passed to the target as Options'
	// (W7).
	TruncateBytes int64         `json:"truncate_bytes,omitempty"`
	WALInterval   time.Duration `json:"wal_interval,omitempty"`

	op Op
	// roles, when set, give the first callers operations of their own, in
	// order (role i's callers follow role i-1's); the remaining callers run
	// op.
	roles []role
}

// role is a number of callers that all run one operation.
type role struct {
	callers int
	op      Op
}

// opOf returns the operation caller i (from 0) runs.
func (s Spec) opOf(i int) Op {
	for _, r := range s.roles {
		if i < r.callers {
			return r.op
		}
		i -= r.callers
	}
	return s.op
}

// walFill is W7's row value: 1 KiB, so the writers grow the WAL fast.
var walFill = strings.Repeat(target.Payload, 16)

// RunsOn says whether the target with this ID runs s.
func (s Spec) RunsOn(targetID string) bool {
	return len(s.Targets) == 0 || slices.Contains(s.Targets, targetID)
}

// Specs returns the workloads of issues 3 and 18, with W1 and W3 at the
// given caller counts and W6 loading bulkRows rows.
func Specs(callers []int, bulkRows int) []Spec {
	read := target.SeedSpec{Rows: TableRows}
	group := func(sync string) Spec {
		return Spec{ID: "W1-G64-" + sync,
			Title: fmt.Sprintf("baseline of W1-%s: one goroutine on the raw connection committing %d rows per transaction "+
				"(BEGIN IMMEDIATE, %d prepared inserts, COMMIT), synchronous=%s; no callers to answer", sync, GroupRows, GroupRows, sync),
			Sync: sync, Callers: []int{1}, Readers: DefReaders, Unit: "txn/s", RowsPerOp: GroupRows,
			Targets: []string{"raw"}, With: "W1-" + sync, WithCallers: GroupRows, op: opGroup}
	}
	brake := func(id, what string, truncate int64, with string) Spec {
		return Spec{ID: id, With: with, WithCallers: 64,
			Title: fmt.Sprintf("WAL emergency brake: of 64 callers, %d run back-to-back aggregates over the 100k-row table "+
				"(long read transactions that overlap), %d run point reads (the latency the goal reports), %d insert 1 KiB rows; "+
				"synchronous=NORMAL, WAL.Interval %s, %s", W7Reporters, W7PointReaders, 64-W7Reporters-W7PointReaders, W7Interval, what),
			Sync: "NORMAL", Callers: []int{64}, Readers: DefReaders, Unit: "ops/s", RowsPerOp: 1, Seed: read,
			Targets: []string{"liteactor"}, TruncateBytes: truncate, WALInterval: W7Interval, op: opFill,
			roles: []role{{W7Reporters, opReport}, {W7PointReaders, opGet}}}
	}
	return []Spec{
		{ID: "W1-NORMAL", Title: "concurrent single-row inserts, each caller waits for its ack, synchronous=NORMAL",
			Sync: "NORMAL", Callers: callers, Readers: DefReaders, Unit: "rows/s", RowsPerOp: 1, op: opInsert},
		{ID: "W1-FULL", Title: "concurrent single-row inserts, each caller waits for its ack, synchronous=FULL",
			Sync: "FULL", Callers: callers, Readers: DefReaders, Unit: "rows/s", RowsPerOp: 1, op: opInsert},
		{ID: "W2", Title: "read-modify-write transactions of 3 statements (debit, credit, ledger row)",
			Sync: "NORMAL", Callers: []int{64}, Readers: DefReaders, Unit: "txn/s", RowsPerOp: 3,
			Seed: target.SeedSpec{Accounts: Accounts}, op: opTransfer},
		{ID: "W3", Title: "point reads by primary key on a 100k-row table, 2 reading connections per target",
			Sync: "NORMAL", Callers: callers, Readers: 2, Unit: "reads/s", RowsPerOp: 1, Seed: read, op: opGet},
		{ID: "W4", Title: "mixed 90% point reads / 10% single-row inserts",
			Sync: "NORMAL", Callers: []int{64}, Readers: DefReaders, Unit: "ops/s", RowsPerOp: 1, Seed: read, op: opMixed},
		{ID: "W5", Title: "range scans returning 1000 rows",
			Sync: "NORMAL", Callers: []int{16}, Readers: DefReaders, Unit: "scans/s", RowsPerOp: ScanRows, Seed: read, op: opScan},
		{ID: "W6", Title: fmt.Sprintf("bulk load of %d rows through each target's best path", bulkRows),
			Sync: "NORMAL", Callers: []int{1}, Readers: DefReaders, Unit: "rows/s", RowsPerOp: 1, BulkRows: bulkRows},
		group("NORMAL"),
		group("FULL"),
		brake("W7-BARRIER", fmt.Sprintf("WAL.TruncateBytes %d MiB (the brake engages, with its read barrier)", W7Truncate>>20), W7Truncate, ""),
		brake("W7-WALOFF", "WAL.TruncateBytes WALOff (no brake: the baseline)", liteactor.WALOff, "W7-BARRIER"),
	}
}

// Select keeps the specs whose ID, or a prefix of it ending before a "-"
// (the workload name "W1", or "W1-G64"), is in the comma-separated list.
func Select(specs []Spec, list string) ([]Spec, error) {
	want := map[string]bool{}
	for _, w := range strings.Split(list, ",") {
		if w = strings.ToUpper(strings.TrimSpace(w)); w != "" {
			want[w] = true
		}
	}
	var out []Spec
	used := map[string]bool{}
	for _, s := range specs {
		matched := false
		for _, name := range prefixes(s.ID) {
			if want[name] {
				used[name], matched = true, true
			}
		}
		if matched {
			out = append(out, s)
		}
	}
	for w := range want {
		if !used[w] {
			return nil, fmt.Errorf("unknown workload %q", w)
		}
	}
	return out, nil
}

// prefixes returns id and every prefix of it that ends before a "-".
func prefixes(id string) []string {
	var out []string
	for i := range len(id) {
		if id[i] == '-' {
			out = append(out, id[:i])
		}
	}
	return append(out, id)
}

func opInsert(ctx context.Context, t target.Target, rng *rand.Rand) (string, error) {
	return TypeWrite, t.Insert(ctx, rng.Int64(), target.Payload)
}

func opTransfer(ctx context.Context, t target.Target, rng *rand.Rand) (string, error) {
	src := 1 + rng.Int64N(Accounts)
	dst := 1 + rng.Int64N(Accounts-1)
	if dst >= src {
		dst++
	}
	return TypeWrite, t.Transfer(ctx, src, dst, 1+rng.Int64N(100))
}

func opGet(ctx context.Context, t target.Target, rng *rand.Rand) (string, error) {
	id := 1 + rng.Int64N(TableRows)
	k, err := t.Get(ctx, id)
	if err == nil && k != target.KOf(id) {
		err = errWrong
	}
	return TypeRead, err
}

// opGroup commits GroupRows rows in one transaction through a
// target.GroupInserter.
func opGroup(ctx context.Context, t target.Target, rng *rand.Rand) (string, error) {
	g, ok := t.(target.GroupInserter)
	if !ok {
		return TypeWrite, errNoGroup
	}
	return TypeWrite, g.InsertGroup(ctx, GroupRows, rng.Int64N(1<<40), target.Payload)
}

// opFill is W7's write: one 1 KiB row.
func opFill(ctx context.Context, t target.Target, rng *rand.Rand) (string, error) {
	return TypeWrite, t.Insert(ctx, rng.Int64(), walFill)
}

// opReport is W7's long read: an aggregate over the whole seeded table
// through a target.Reporter.
func opReport(ctx context.Context, t target.Target, _ *rand.Rand) (string, error) {
	r, ok := t.(target.Reporter)
	if !ok {
		return TypeReport, errNoReport
	}
	n, err := r.Report(ctx, TableRows)
	if err == nil && n != TableRows {
		err = errWrong
	}
	return TypeReport, err
}

func opMixed(ctx context.Context, t target.Target, rng *rand.Rand) (string, error) {
	if rng.IntN(100) < w4Writes {
		return opInsert(ctx, t, rng)
	}
	return opGet(ctx, t, rng)
}

func opScan(ctx context.Context, t target.Target, rng *rand.Rand) (string, error) {
	n, err := t.Scan(ctx, 1+rng.Int64N(TableRows-ScanRows+1), ScanRows)
	if err == nil && n != ScanRows {
		err = errWrong
	}
	return TypeRead, err
}
