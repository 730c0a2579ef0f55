package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
)

const eventsSchema = `CREATE TABLE IF NOT EXISTS events(k TEXT, client INT, worker INT, seq INT, kind TEXT);
CREATE TABLE IF NOT EXISTS counters(client INT PRIMARY KEY, n INT NOT NULL);
INSERT OR IGNORE INTO counters VALUES (1, 0), (2, 0)`

// Two client processes with many goroutines each send keyed writes (Exec
// and Batch) while the server is killed with SIGKILL mid-stream and
// restarted on the same database and address. Every key must be applied
// exactly once, and every acknowledged write must be present.
// LITEACTOR_REMOTE_SOAK=1 runs longer, with several kills.
func TestKillRestartExactlyOnce(t *testing.T) {
	t.Parallel()
	workers, ops, kills := 16, 40, 1
	if os.Getenv("LITEACTOR_REMOTE_SOAK") != "" {
		workers, ops, kills = 32, 400, 4
	}
	certs := writeCerts(t)
	db := filepath.Join(t.TempDir(), "db.sqlite")
	srv := startServer(t, childOpts{DB: db, Certs: certs, Schema: eventsSchema})
	addr := srv.addr
	clients := make([]*proc, 2)
	for i := range clients {
		clients[i] = startChild(t, "client",
			"LITEACTOR_REMOTE_ADDR="+addr, "LITEACTOR_REMOTE_CERTS="+certs,
			"LITEACTOR_REMOTE_ID="+strconv.Itoa(i+1), "LITEACTOR_REMOTE_WORKERS="+strconv.Itoa(workers),
			"LITEACTOR_REMOTE_OPS="+strconv.Itoa(ops))
	}
	total := 2 * workers * ops
	results := make([]workload, 2)
	progress := make([]int, 2)
	done := 0
	lines := make(chan [2]string, 64)
	for i, c := range clients {
		go func() {
			for l := range c.lines {
				lines <- [2]string{strconv.Itoa(i), l}
			}
			lines <- [2]string{strconv.Itoa(i), "EXIT"}
		}()
	}
	killed := 0
	deadline := time.After(5 * time.Minute)
	for done < 2 {
		select {
		case <-deadline:
			t.Fatalf("clients did not finish: progress %v", progress)
		case m := <-lines:
			i, _ := strconv.Atoi(m[0])
			l := m[1]
			switch {
			case strings.HasPrefix(l, "PROGRESS "):
				progress[i], _ = strconv.Atoi(strings.TrimPrefix(l, "PROGRESS "))
			case strings.HasPrefix(l, "RESULT "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "RESULT ")), &results[i]); err != nil {
					t.Fatal(err)
				}
			case l == "EXIT":
				done++
				continue
			default:
				t.Fatalf("client %d: %s", i+1, l)
			}
			// Kill at evenly spaced points of the run, mid-stream.
			if killed < kills && progress[0]+progress[1] >= (killed+1)*total/(kills+2) {
				killed++
				if err := srv.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				srv.cmd.Wait()
				t.Logf("kill -9 #%d after %d acknowledged writes", killed, progress[0]+progress[1])
				srv = startServer(t, childOpts{DB: db, Certs: certs, Addr: addr, Schema: eventsSchema})
				if srv.addr != addr {
					t.Fatalf("restarted on %s, not %s", srv.addr, addr)
				}
			}
		}
	}
	if killed < kills {
		t.Fatalf("the run ended before kill %d", killed+1)
	}
	// Stop the server gracefully and read the database directly.
	srv.in.Close()
	for l := range srv.lines {
		if strings.HasPrefix(l, "STATS ") {
			t.Logf("last server's gateway: %s", strings.TrimPrefix(l, "STATS "))
		}
	}
	srv.cmd.Wait()
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, db, liteactor.MinimalConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close(ctx)
	rows, err := eng.Query(ctx, "SELECT k, count(*) FROM events GROUP BY k")
	if err != nil {
		t.Fatal(err)
	}
	applied := map[string]int64{}
	for _, r := range rows.Values {
		applied[r[0].(string)] = r[1].(int64)
		if r[1].(int64) != 1 {
			t.Errorf("key %s applied %d times", r[0], r[1])
		}
	}
	var acked, failed int
	var st ClientStats
	for i, res := range results {
		acked += len(res.Acked)
		failed += len(res.Failed)
		for _, k := range res.Acked {
			if applied[k] != 1 {
				t.Errorf("client %d: acknowledged key %s applied %d times", i+1, k, applied[k])
			}
		}
		for k, e := range res.Failed {
			t.Logf("client %d: key %s failed: %s (applied %d times)", i+1, k, e, applied[k])
		}
		st.Attempts += res.Stats.Attempts
		st.Retries += res.Stats.Retries
		st.Duplicates += res.Stats.Duplicates
		st.Late += res.Stats.Late
	}
	// Batches incremented each client's counter exactly once per applied
	// batch key.
	for c := 1; c <= 2; c++ {
		rows, err := eng.Query(ctx, "SELECT (SELECT n FROM counters WHERE client = ?), (SELECT count(*) FROM events WHERE client = ? AND kind = 'batch')", c, c)
		if err != nil {
			t.Fatal(err)
		}
		if n, b := rows.Values[0][0], rows.Values[0][1]; n != b {
			t.Errorf("client %d: counter %v, applied batches %v", c, n, b)
		}
	}
	recorded, err := eng.Query(ctx, "SELECT count(*) FROM events WHERE k NOT IN (SELECT key FROM "+KeysTable+")")
	if err != nil {
		t.Fatal(err)
	}
	if n := recorded.Values[0][0].(int64); n != 0 {
		t.Errorf("%d applied writes have no recorded key", n)
	}
	msg := fmt.Sprintf("kill -9 x%d: keys sent %d, acknowledged %d, failed %d, applied (rows) %d; attempts %d, retries %d, duplicates answered from the record %d, late replies %d",
		kills, total, acked, failed, len(applied), st.Attempts, st.Retries, st.Duplicates, st.Late)
	t.Log(msg)
	if acked+failed != total || acked == 0 {
		t.Fatalf("%s: every key needs exactly one outcome", msg)
	}
	if failed > 0 {
		t.Errorf("%d writes failed although every client had 90 s per write", failed)
	}
}
