// Package target gives the benchmark harness one interface over every way of
// driving SQLite that it compares: liteactor, raw ncruces/go-sqlite3, and
// database/sql with the ncruces and modernc drivers.
//
// Every target works on a database file that [Seed] has already created, so
// each comparison starts from identical bytes on disk.
package target

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Options configure one opened target.
type Options struct {
	// Path is the database file, already created by Seed.
	Path string
	// Sync is the synchronous mode of the writing connection: "NORMAL" or "FULL".
	Sync string
	// Readers is the number of reading connections the target may use
	// (raw reader goroutines, liteactor readers, the reader pool's size).
	// Targets without a separate read path ignore it.
	Readers int
	// TruncateBytes, when set, is liteactor's WAL.TruncateBytes (the WAL
	// monitor's emergency brake; liteactor.WALOff turns it off). Only the
	// liteactor target has it; the others ignore it. 0: DefaultConfig's.
	TruncateBytes int64
	// WALInterval, when set, is liteactor's WAL.Interval: how often the WAL
	// monitor measures the WAL, and the least backoff before a failed
	// TRUNCATE is retried (behind a read barrier). Only liteactor has it.
	WALInterval time.Duration
}

// Target is one way of running the benchmark's operations. All methods are
// safe for concurrent use by many callers; each call returns only once its
// work is durable (writes) or its rows are materialised in Go memory (reads).
type Target interface {
	// Insert adds one row (k, v) to kv in its own acknowledged write.
	Insert(ctx context.Context, k int64, v string) error
	// Transfer moves amount from account src to account dst and appends a
	// ledger row, all three statements in one transaction.
	Transfer(ctx context.Context, src, dst, amount int64) error
	// Get reads row id of kv by primary key and returns its k column.
	Get(ctx context.Context, id int64) (int64, error)
	// Scan reads n rows of kv in id order starting at id from, and returns
	// how many rows it read.
	Scan(ctx context.Context, from int64, n int) (int, error)
	// BulkLoad inserts rows new rows into kv through the target's best bulk
	// path, calling progress every chunk rows (and once at the end) with the
	// number of rows done so far.
	BulkLoad(ctx context.Context, rows, chunk int, progress func(done int)) error
	// Close releases every connection.
	Close() error
}

// GroupInserter is implemented by targets that can commit several rows in
// one transaction without callers (the raw target): the baseline of what
// group commit could at best reach.
type GroupInserter interface {
	// InsertGroup inserts n rows (k0+i, v) in one transaction and returns
	// once it is committed.
	InsertGroup(ctx context.Context, n int, k0 int64, v string) error
}

// Reporter is implemented by targets that can run W7's long read (the
// liteactor target): one aggregate query over the rows of kv with id <= n,
// a read transaction that lasts while it runs.
type Reporter interface {
	// Report runs SQLReport and returns how many rows it counted.
	Report(ctx context.Context, n int64) (count int64, err error)
}

// Counter is implemented by targets that keep cumulative counters of their
// own (liteactor's Stats): the harness reports how much each grew during the
// measured span.
type Counter interface {
	Counters() map[string]float64
}

// Kind describes one target and opens it.
type Kind struct {
	// ID is the short name used by the -targets flag and in the JSON output.
	ID string
	// Label is the letter and name, e.g. "(b) raw ncruces".
	Label string
	// Desc says how the target is configured.
	Desc string
	// Open opens the target on an existing, seeded database file.
	Open func(ctx context.Context, opt Options) (Target, error)
	// Classify, if set, names the target's own errors (returning "" for
	// errors it does not know); see Kind.ClassifyErr.
	Classify func(error) string
}

// registry holds the kinds known to this build, keyed by ID.
type registry map[string]Kind

// Kinds returns every known target in the order (a) to (f).
func Kinds() []Kind {
	r := all()
	out := make([]Kind, 0, len(r))
	for _, k := range r {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// Select returns the kinds named in a comma-separated list of IDs, in the
// issue's order, or an error naming the unknown ones.
func Select(list string) ([]Kind, error) {
	want := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			want[id] = true
		}
	}
	var out []Kind
	for _, k := range Kinds() {
		if want[k.ID] {
			out = append(out, k)
			delete(want, k.ID)
		}
	}
	if len(want) > 0 {
		var bad []string
		for id := range want {
			bad = append(bad, id)
		}
		sort.Strings(bad)
		return nil, fmt.Errorf("unknown targets %v (known: %s)", bad, IDs())
	}
	return out, nil
}

// IDs returns the comma-separated IDs of all known targets.
func IDs() string {
	var ids []string
	for _, k := range Kinds() {
		ids = append(ids, k.ID)
	}
	return strings.Join(ids, ",")
}

func all() registry {
	r := registry{}
	for _, k := range []Kind{liteactorKind(), rawKind(), sqlDefaultKind(), sqlTwoPoolKind(), moderncTwoPoolKind(), sqldbKind()} {
		r[k.ID] = k
	}
	return r
}
