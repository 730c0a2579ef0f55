package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/liteactor/liteactor"
)

func TestToFileCopiesAndVerifies(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 2000)
	dir := t.TempDir()
	dst := filepath.Join(dir, "copy.db")
	var progress []Progress
	res, err := ToFile(ctx, eng, dst, Options{PagesPerStep: 50, Verify: true, Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	pages := int(engineInt(t, eng, "PRAGMA page_count"))
	if res.Method != MethodStepped || res.Pages != pages || !res.Verified || res.Restarts != 0 || res.Bytes != int64(pages)*4096 {
		t.Fatalf("Result = %+v; want stepped, %d pages, verified", res, pages)
	}
	if want := (pages + 49) / 50; res.Steps != want || len(progress) != want {
		t.Fatalf("steps = %d, progress calls = %d; want %d", res.Steps, len(progress), want)
	}
	for i, p := range progress {
		if p.PageCount != pages || p.Remaining != max(pages-50*(i+1), 0) || p.Steps != i+1 {
			t.Fatalf("progress[%d] = %+v", i, p)
		}
	}
	if got := rawInt(t, dst, "SELECT count(*) FROM t"); got != 2000 {
		t.Fatalf("copy holds %d rows", got)
	}
	if got, want := rawInt(t, dst, "SELECT sum(length(pad)) + sum(id) FROM t"), engineInt(t, eng, "SELECT sum(length(pad)) + sum(id) FROM t"); got != want {
		t.Fatalf("copy checksum %d, live %d", got, want)
	}
	noLeftovers(t, dir, "copy.db")
	// An existing destination is refused unless Overwrite.
	if _, err := ToFile(ctx, eng, dst, Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("second backup: %v, want ErrExists", err)
	}
	if _, err := eng.Exec(ctx, "DELETE FROM t WHERE id > 10"); err != nil {
		t.Fatal(err)
	}
	// A stale -wal next to the destination belongs to its old content.
	if err := os.WriteFile(dst+"-wal", []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ToFile(ctx, eng, dst, Options{Overwrite: true, PagesPerStep: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst + "-wal"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale -wal survived: %v", err)
	}
	if got := rawInt(t, dst, "SELECT count(*) FROM t"); got != 10 {
		t.Fatalf("overwritten copy holds %d rows", got)
	}
	noLeftovers(t, dir, "copy.db")
}

// restartingWrites makes a write through the engine from the backup's
// progress callback for the first n steps: each one lands between two steps
// and makes SQLite restart a live copy.
func restartingWrites(t *testing.T, eng *liteactor.Engine, n int) func(Progress) {
	return func(p Progress) {
		if p.Steps <= n {
			if _, err := eng.Exec(context.Background(), "INSERT INTO t (pad, tag) VALUES (x'00', 'during')"); err != nil {
				t.Error(err)
			}
		}
	}
}

func TestLiveBackupRestartsThenFallsBackToOneStep(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 1000)
	dst := filepath.Join(t.TempDir(), "copy.db")
	res, err := ToFile(ctx, eng, dst, Options{PagesPerStep: 10, MaxRestarts: 2, Progress: restartingWrites(t, eng, 100)})
	if err != nil {
		t.Fatal(err)
	}
	// A write follows every step; steps 2, 3 and 4 each find the copy
	// restarted, the third restart exceeds MaxRestarts 2, and step 5 copies
	// everything at once.
	if res.Method != MethodOneStep || res.Restarts != 3 || res.Steps != 5 {
		t.Fatalf("Result = %+v; want one-step after 3 restarts in 5 steps", res)
	}
	// The fallback copied everything committed before it: all 4 writes.
	if got := rawInt(t, dst, "SELECT count(*) FROM t WHERE tag = 'during'"); got != 4 {
		t.Fatalf("copy holds %d of the 4 writes made before the final step", got)
	}
	if rep, err := Verify(ctx, dst); err != nil || !rep.OK {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestLiveBackupFallsBackToVacuumInto(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 1000)
	dst := filepath.Join(t.TempDir(), "copy.db")
	res, err := ToFile(ctx, eng, dst, Options{PagesPerStep: 10, MaxRestarts: 1, Fallback: FallbackVacuumInto, Verify: true, Progress: restartingWrites(t, eng, 100)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != MethodVacuumInto || res.Restarts != 2 || !res.Verified {
		t.Fatalf("Result = %+v; want vacuum-into after 2 restarts", res)
	}
	if got, want := rawInt(t, dst, "SELECT count(*) FROM t"), engineInt(t, eng, "SELECT count(*) FROM t"); got != want {
		t.Fatalf("copy holds %d rows, live %d", got, want)
	}
}

func TestLiveBackupCanFailOnRestarts(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 1000)
	dir := t.TempDir()
	dst := filepath.Join(dir, "copy.db")
	res, err := ToFile(ctx, eng, dst, Options{PagesPerStep: 10, MaxRestarts: -1, Fallback: FallbackFail, Progress: restartingWrites(t, eng, 100)})
	if !errors.Is(err, ErrTooManyRestarts) || res.Restarts != 1 {
		t.Fatalf("err = %v, Result = %+v; want ErrTooManyRestarts after the first restart", err, res)
	}
	noLeftovers(t, dir)
}

func TestSnapshotBackupIgnoresWritesDuringTheCopy(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 1000)
	dst := filepath.Join(t.TempDir(), "copy.db")
	res, err := ToFile(ctx, eng, dst, Options{PagesPerStep: 10, Snapshot: true, Progress: restartingWrites(t, eng, 1000)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != MethodStepped || res.Restarts != 0 || res.Steps < 10 {
		t.Fatalf("Result = %+v; want a stepped copy without restarts", res)
	}
	if got := rawInt(t, dst, "SELECT count(*) FROM t"); got != 1000 {
		t.Fatalf("copy holds %d rows; want exactly the 1000 of its snapshot", got)
	}
	if got := engineInt(t, eng, "SELECT count(*) FROM t WHERE tag = 'during'"); got != int64(res.Steps) {
		t.Fatalf("live database got %d writes during %d steps", got, res.Steps)
	}
}

func TestBackupCancelledLeavesNothing(t *testing.T) {
	eng, _ := seeded(t, 1000)
	dir := t.TempDir()
	dst := filepath.Join(dir, "copy.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := ToFile(ctx, eng, dst, Options{PagesPerStep: 5, Progress: func(p Progress) {
		if p.Steps == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	noLeftovers(t, dir)
	// The engine is fine afterwards.
	if got := engineInt(t, eng, "SELECT count(*) FROM t"); got != 1000 {
		t.Fatalf("count = %d", got)
	}
}

func TestVacuumIntoIsCompact(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 2000)
	if _, err := eng.Exec(ctx, "DELETE FROM t WHERE id % 2 = 0"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plain, compact := filepath.Join(dir, "plain.db"), filepath.Join(dir, "compact.db")
	pr, err := ToFile(ctx, eng, plain, Options{PagesPerStep: -1})
	if err != nil {
		t.Fatal(err)
	}
	vr, err := VacuumInto(ctx, eng, compact, VacuumOptions{Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if vr.Method != MethodVacuumInto || !vr.Verified || vr.Bytes >= pr.Bytes || vr.Pages >= pr.Pages {
		t.Fatalf("vacuum %+v not smaller than backup %+v", vr, pr)
	}
	if got := rawInt(t, compact, "PRAGMA freelist_count"); got != 0 {
		t.Fatalf("compact copy has %d free pages", got)
	}
	if got := rawInt(t, plain, "PRAGMA freelist_count"); got == 0 {
		t.Fatal("plain copy has no free pages: the test does not show compaction")
	}
	if rawInt(t, compact, "SELECT count(*) FROM t") != 1000 || rawInt(t, plain, "SELECT count(*) FROM t") != 1000 {
		t.Fatal("copies lost rows")
	}
	if _, err := VacuumInto(ctx, eng, compact, VacuumOptions{}); !errors.Is(err, ErrExists) {
		t.Fatalf("existing destination: %v", err)
	}
	noLeftovers(t, dir, "plain.db", "compact.db")
}

func TestBackupOfMemoryEngine(t *testing.T) {
	ctx := context.Background()
	eng, err := liteactor.Open(ctx, ":memory:", config())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close(ctx)
	if _, err := eng.Exec(ctx, "CREATE TABLE m (x); INSERT INTO m VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "mem.db")
	if _, err := ToFile(ctx, eng, dst, Options{Verify: true}); err != nil {
		t.Fatal(err)
	}
	if got := rawInt(t, dst, "SELECT sum(x) FROM m"); got != 6 {
		t.Fatalf("sum = %d", got)
	}
}

func TestOptionsValidation(t *testing.T) {
	eng, _ := seeded(t, 10)
	dst := filepath.Join(t.TempDir(), "x.db")
	for _, o := range []Options{{PagesPerStep: -2}, {MaxRestarts: -2}, {Pause: -1}, {Fallback: 9}} {
		if _, err := ToFile(context.Background(), eng, dst, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := ToFile(context.Background(), eng, "", Options{}); err == nil {
		t.Error("empty destination accepted")
	}
}
