package batch

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkBulkInsert1M inserts one million 3-column rows per iteration into
// an empty table: atomically (one Write), in commits of 100k rows, and from
// an iterator. Run: go test -run '^$' -bench BulkInsert1M -benchtime 3x ./batch/
func BenchmarkBulkInsert1M(b *testing.B) {
	const n = 1_000_000
	rows := makeRows(1, n)
	for _, name := range []string{"atomic", "commit-every-100k", "seq-atomic"} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			eng := openEngine(b)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				table := fmt.Sprintf("t%d", i)
				b.StopTimer()
				if _, err := eng.Exec(ctx, fmt.Sprintf(`CREATE TABLE %q ("id" INTEGER PRIMARY KEY, "select" TEXT, "a ""b"" c" REAL)`, table)); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				var res Result
				var err error
				switch name {
				case "atomic":
					res, err = BulkInsert(ctx, eng, table, cols3, rows, Options{})
				case "commit-every-100k":
					res, err = BulkInsert(ctx, eng, table, cols3, rows, Options{CommitEvery: 100_000})
				case "seq-atomic":
					res, err = BulkInsertSeq(ctx, eng, table, cols3, seqRows(1, n, -1), Options{})
				}
				if err != nil || res.Rows != n {
					b.Fatal(res, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
