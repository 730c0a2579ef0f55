// Package workload defines the benchmark's workloads W1..W6 (issue 3) and
// runs one of them against one target at one caller count, measuring
// throughput, latency percentiles, errors by kind and allocations.
package workload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/liteactor/liteactor/bench/internal/target"
)

// Operation types, used to split W4's figures into reads and writes.
const (
	TypeRead  = "read"
	TypeWrite = "write"
)

// Sizes fixed by the issue.
const (
	TableRows  = 100_000 // W3..W5 read from a 100k-row table
	Accounts   = 10_000  // W2 moves money between this many accounts
	ScanRows   = 1000    // W5 range scans return 1000 rows
	BulkChunk  = 10_000  // W6 reports progress (and liteactor commits) every chunk rows
	w4Writes   = 10      // W4: percent of operations that are writes
	DefReaders = 4       // liteactor DefaultConfig's reader count, given to every target
)

// errWrong marks a read that returned something other than what Seed stored.
var errWrong = errors.New("wrong result")

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

	op Op
}

// Specs returns the workloads of the issue, with W1 and W3 at the given
// caller counts and W6 loading bulkRows rows.
func Specs(callers []int, bulkRows int) []Spec {
	read := target.SeedSpec{Rows: TableRows}
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
	}
}

// Select keeps the specs whose ID or workload name (the part before "-") is
// in the comma-separated list.
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
		base, _, _ := strings.Cut(s.ID, "-")
		if want[s.ID] || want[base] {
			out = append(out, s)
			used[s.ID], used[base] = true, true
		}
	}
	for w := range want {
		if !used[w] {
			return nil, fmt.Errorf("unknown workload %q", w)
		}
	}
	return out, nil
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
