package target

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ncruces/go-sqlite3"
	"go.uber.org/goleak"

	"github.com/liteactor/liteactor"
)

// TestTargetsDoTheSameWork runs every operation of the Target interface on
// every kind and checks, through a separate connection afterwards, that each
// did exactly the work the benchmark credits it with.
func TestTargetsDoTheSameWork(t *testing.T) {
	defer goleak.VerifyNone(t)
	const seeded, accounts, bulk, chunk = 500, 10, 25, 10
	for _, k := range Kinds() {
		t.Run(k.ID, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.db")
			if err := Seed(path, SeedSpec{Rows: seeded, Accounts: accounts}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			tg, err := k.Open(ctx, Options{Path: path, Sync: "NORMAL", Readers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if err := tg.Insert(ctx, -42, Payload); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{1, 250, seeded} {
				got, err := tg.Get(ctx, id)
				if err != nil || got != KOf(id) {
					t.Fatalf("Get(%d) = %d, %v; want %d", id, got, err, KOf(id))
				}
			}
			if n, err := tg.Scan(ctx, 101, 100); err != nil || n != 100 {
				t.Fatalf("Scan = %d, %v; want 100", n, err)
			}
			if n, err := tg.Scan(ctx, seeded-9, 100); err != nil || n != 11 {
				t.Fatalf("Scan near the end = %d, %v; want 11 (10 seeded + 1 inserted)", n, err)
			}
			if err := tg.Transfer(ctx, 1, 2, 30); err != nil {
				t.Fatal(err)
			}
			var marks []int
			if err := tg.BulkLoad(ctx, bulk, chunk, func(done int) { marks = append(marks, done) }); err != nil {
				t.Fatal(err)
			}
			// One report per chunk, rising, ending at the total; chunks
			// may finish out of order (liteactor submits two at a time),
			// so the intermediate counts are not fixed.
			if len(marks) != 3 || !slices.IsSorted(marks) || marks[2] != bulk || marks[0] < 5 {
				t.Errorf("bulk progress %v, want 3 rising counts ending at %d", marks, bulk)
			}
			if err := tg.Close(); err != nil {
				t.Fatal(err)
			}
			checkFile(t, path, map[string]int64{
				`SELECT count(*) FROM kv`:                         seeded + 1 + bulk,
				`SELECT count(*) FROM kv WHERE k = -42`:           1,
				`SELECT balance FROM accounts WHERE id = 1`:       InitialBalance - 30,
				`SELECT balance FROM accounts WHERE id = 2`:       InitialBalance + 30,
				`SELECT sum(balance) FROM accounts`:               accounts * InitialBalance,
				`SELECT count(*) FROM ledger WHERE src = 1`:       1,
				`SELECT count(*) FROM kv WHERE id > 501`:          bulk,
				`SELECT count(DISTINCT k) FROM kv WHERE id > 501`: bulk,
			})
		})
	}
}

// checkFile opens path with a fresh raw connection and checks each query's
// single integer result.
func checkFile(t *testing.T, path string, want map[string]int64) {
	t.Helper()
	c, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for q, w := range want {
		s, _, err := c.Prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		var got int64 = -1
		if s.Step() {
			got = s.ColumnInt64(0)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("%s = %d, want %d", q, got, w)
		}
	}
}

// TestClassifyRealErrors provokes real SQLITE_BUSY errors from both drivers
// and checks they are counted as SQLITE_BUSY, and that liteactor's sentinels
// and context errors get their own kinds.
func TestClassifyRealErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	if err := Seed(path, SeedSpec{}); err != nil {
		t.Fatal(err)
	}
	holder, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := holder.Exec(`BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	defer holder.Exec(`ROLLBACK`)

	raw := Kind{ID: "x"}
	other, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	busy := other.Exec(`BEGIN IMMEDIATE`)
	if got := raw.ClassifyErr(busy); got != KindBusy {
		t.Errorf("ncruces %v classified %q", busy, got)
	}

	for _, drv := range []string{"sqlite3", "sqlite"} {
		db, err := sql.Open(drv, "file:"+path+"?_pragma=busy_timeout(0)")
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Exec(`INSERT INTO kv(k, v) VALUES(1, 'x')`)
		db.Close()
		if got := raw.ClassifyErr(err); got != KindBusy {
			t.Errorf("%s: %v classified %q, want %q", drv, err, got, KindBusy)
		}
	}

	lite := liteactorKind()
	for err, want := range map[error]string{
		fmt.Errorf("x: %w", liteactor.ErrQueueFull): "queue_full",
		liteactor.ErrReadTimeout:                    "read_timeout",
		fmt.Errorf("%w", context.DeadlineExceeded):  KindTimeout,
		sqlite3.CONSTRAINT:                          "other: " + sqlite3.CONSTRAINT.Error(),
		errors.New("plain"):                         KindOther,
	} {
		if got := lite.ClassifyErr(err); got != want {
			t.Errorf("%v classified %q, want %q", err, got, want)
		}
	}
}

func TestSelect(t *testing.T) {
	ks, err := Select("raw, liteactor")
	if err != nil || len(ks) != 2 || ks[0].ID != "liteactor" || ks[1].ID != "raw" {
		t.Fatalf("Select = %v, %v; want liteactor then raw", ks, err)
	}
	if _, err := Select("raw,nope"); err == nil {
		t.Fatal("Select accepted an unknown target")
	}
}
