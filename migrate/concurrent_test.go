package migrate

import (
	"fmt"
	"github.com/liteactor/liteactor"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// patientBusyTimeout is the busy timeout of engines that share a file in
// tests: long, so that a loaded CI machine makes them wait, not fail.
const patientBusyTimeout = 30 * time.Second

// longChain is a baseline and n incrementals; each migration logs its own
// version into apply_log, so a migration applied twice would show twice.
func longChain(n int) []Migration {
	ms := []Migration{Baseline("1.0.0", `CREATE TABLE apply_log(version TEXT NOT NULL);
INSERT INTO apply_log VALUES ('1.0.0');`)}
	for i := 1; i <= n; i++ {
		v, from := fmt.Sprintf("1.%d.0", i), fmt.Sprintf("1.%d.0", i-1)
		ms = append(ms, Incremental(v, from, fmt.Sprintf(`CREATE TABLE t%d(x);
INSERT INTO t%d VALUES (%d);
INSERT INTO apply_log VALUES ('%s');`, i, i, i, v)))
	}
	return ms
}

func TestTwoEnginesOnOneFileMigrateConcurrently(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []Option
	}{{"write", nil}, {"foreign_keys_off", []Option{ForeignKeysOff()}}} {
		t.Run(mode.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shared.db")
			patient := func(c *liteactor.Config) { c.BusyTimeout = patientBusyTimeout }
			engines := []*liteactor.Engine{openEngine(t, path, patient), openEngine(t, path, patient)}
			const n = 30
			ms := longChain(n)
			start := make(chan struct{})
			reports := make([]Report, len(engines))
			errs := make([]error, len(engines))
			var wg sync.WaitGroup
			for i, eng := range engines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					reports[i], errs[i] = Up(ctx, eng, ms, append(mode.opts, AppName(fmt.Sprintf("engine-%d", i)))...)
				}()
			}
			close(start)
			wg.Wait()
			seen := map[string]string{}
			for i, rep := range reports {
				if errs[i] != nil {
					t.Fatalf("engine %d: %v", i, errs[i])
				}
				if rep.After != fmt.Sprintf("1.%d.0", n) {
					t.Fatalf("engine %d ended at %s", i, rep.After)
				}
				for _, r := range rep.Applied {
					if other, dup := seen[r.Version]; dup {
						t.Fatalf("%s applied by %s and engine-%d", r.Version, other, i)
					}
					seen[r.Version] = r.AppName
				}
			}
			t.Logf("applied: engine-0 %d, engine-1 %d", len(reports[0].Applied), len(reports[1].Applied))
			if len(seen) != n+1 {
				t.Fatalf("the two reports hold %d migrations, want %d", len(seen), n+1)
			}
			for _, eng := range engines {
				h, err := History(ctx, eng)
				if err != nil || len(h) != n+1 {
					t.Fatalf("history = %d rows, %v", len(h), err)
				}
				for _, r := range h {
					if seen[r.Version] != r.AppName {
						t.Fatalf("history says %s was applied by %q, the reports say %q", r.Version, r.AppName, seen[r.Version])
					}
				}
			}
			if got := scalar(t, engines[0], `SELECT count(*) FROM apply_log`); got != int64(n+1) {
				t.Fatalf("apply_log has %v rows, want %d: a migration ran twice", got, n+1)
			}
			if got := scalar(t, engines[1], `SELECT count(DISTINCT version) FROM apply_log`); got != int64(n+1) {
				t.Fatalf("apply_log has %v distinct versions", got)
			}
		})
	}
}
