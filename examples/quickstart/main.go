// Command quickstart opens an embedded liteactor engine on a file in a
// temporary directory, runs concurrent writers and readers for a couple of
// seconds, prints what happened, and closes cleanly.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/liteactor/liteactor"
)

func main() {
	d := flag.Duration("duration", 2*time.Second, "how long writers and readers run")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *d); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out *os.File, d time.Duration) error {
	dir, err := os.MkdirTemp("", "liteactor-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "quickstart.db")

	eng, err := liteactor.Open(ctx, path, liteactor.DefaultConfig())
	if err != nil {
		return err
	}
	if _, err := eng.Exec(ctx, `CREATE TABLE events (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL)`); err != nil {
		return err
	}

	const writers, readers = 16, 8
	var written, read atomic.Int64
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }

	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			for i := 0; runCtx.Err() == nil; i++ {
				_, err := eng.Exec(runCtx, `INSERT INTO events (writer, body, at) VALUES (?, ?, ?)`, w, fmt.Sprintf("event %d", i), time.Now())
				if err != nil {
					if !errors.Is(err, context.DeadlineExceeded) {
						fail(err)
					}
					return
				}
				written.Add(1)
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for runCtx.Err() == nil {
				_, err := eng.Query(runCtx, `SELECT count(*), max(id) FROM events`)
				if err != nil {
					if !errors.Is(err, context.DeadlineExceeded) {
						fail(err)
					}
					return
				}
				read.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return firstErr
	}

	rows, err := eng.Query(ctx, `SELECT count(*) FROM events`)
	if err != nil {
		return err
	}
	st := eng.Stats()
	fmt.Fprintf(out, "database:        %s\n", path)
	fmt.Fprintf(out, "ran for:         %s with %d writers and %d readers\n", elapsed.Round(time.Millisecond), writers, readers)
	fmt.Fprintf(out, "rows in table:   %d\n", rows.Values[0][0])
	fmt.Fprintf(out, "writes:          %d acknowledged (%.0f/s)\n", written.Load(), float64(written.Load())/elapsed.Seconds())
	fmt.Fprintf(out, "reads:           %d queries (%.0f/s)\n", read.Load(), float64(read.Load())/elapsed.Seconds())
	fmt.Fprintf(out, "group commit:    %d transactions, %.1f writes per transaction\n", st.Batches, st.MeanBatchSize)
	fmt.Fprintf(out, "queue:           %d admitted, %d rejected, %d expired\n", st.Admitted, st.Rejected, st.Expired)
	fmt.Fprintf(out, "restarts:        writer %d, readers %d\n", st.Restarts.Writer, st.Restarts.Reader)

	closeCtx, cancelClose := context.WithTimeout(ctx, 10*time.Second)
	defer cancelClose()
	if err := eng.Close(closeCtx); err != nil {
		return err
	}
	fmt.Fprintln(out, "closed cleanly:  every acknowledged write is on disk, WAL checkpointed")
	return nil
}
