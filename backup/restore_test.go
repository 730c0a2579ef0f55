package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
)

const digest = "SELECT count(*) * 1000003 + sum(id) + sum(length(pad)) FROM t"

func TestRestoreFileRoundTrip(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 500)
	if _, err := eng.Exec(ctx, "PRAGMA user_version = 42; CREATE VIEW v AS SELECT id FROM t WHERE id < 10; CREATE TRIGGER tr AFTER DELETE ON t BEGIN SELECT 1; END"); err != nil {
		t.Fatal(err)
	}
	want := engineInt(t, eng, digest)
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "copy.db")
	if _, err := ToFile(ctx, eng, copyPath, Options{}); err != nil {
		t.Fatal(err)
	}
	// dst already holds another database, with a WAL of its own.
	dst := filepath.Join(dir, "restored.db")
	other := openEngine(t, dst)
	if _, err := other.Exec(ctx, "CREATE TABLE other (x); INSERT INTO other VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := other.Close(ctx); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "previous.db")
	if err := RestoreFile(ctx, copyPath, dst, RestoreOptions{KeepPrevious: keep}); err != nil {
		t.Fatal(err)
	}
	for _, s := range sidecars {
		if _, err := os.Stat(dst + s); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s%s exists after restore: %v", dst, s, err)
		}
	}
	if got := rawInt(t, keep, "SELECT x FROM other"); got != 1 {
		t.Fatalf("previous database not kept: %d", got)
	}
	restored := openEngine(t, dst)
	if got := engineInt(t, restored, digest); got != want {
		t.Fatalf("restored digest %d, want %d", got, want)
	}
	for sql, want := range map[string]int64{
		"PRAGMA user_version":    42,
		"SELECT count(*) FROM v": 9,
		"SELECT count(*) FROM sqlite_schema WHERE name IN ('tr', 't_tag')": 2,
		"SELECT count(*) FROM sqlite_schema WHERE name = 'other'":          0,
	} {
		if got := engineInt(t, restored, sql); got != want {
			t.Errorf("%s = %d, want %d", sql, got, want)
		}
	}
	// And back again: a backup of the restored database matches the first.
	again := filepath.Join(dir, "again.db")
	if _, err := ToFile(ctx, restored, again, Options{Verify: true}); err != nil {
		t.Fatal(err)
	}
	if rawInt(t, again, digest) != want || rawInt(t, again, "PRAGMA user_version") != 42 {
		t.Fatal("second-generation backup differs")
	}
	if err := RestoreFile(ctx, copyPath, copyPath, RestoreOptions{}); err == nil {
		t.Fatal("restore onto itself accepted")
	}
}

// corruptCopy writes a database file with an index fault integrity_check
// reports.
func corruptCopy(t *testing.T, path string) {
	t.Helper()
	conn, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB, tag TEXT); CREATE INDEX t_tag ON t (tag);
		INSERT INTO t VALUES (1, x'00', 'a'), (2, x'00', 'b');
		PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql = 'CREATE INDEX t_tag ON t (pad)' WHERE name = 't_tag'; PRAGMA writable_schema=OFF;`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerifyReportsAFaultAndRestoreRefusesIt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.db")
	corruptCopy(t, bad)
	rep, err := Verify(ctx, bad)
	if err != nil || rep.OK || len(rep.Findings) == 0 {
		t.Fatalf("Verify = %+v, %v; want findings", rep, err)
	}
	dst := filepath.Join(dir, "dst.db")
	if err := RestoreFile(ctx, bad, dst, RestoreOptions{}); !errors.Is(err, ErrVerify) {
		t.Fatalf("RestoreFile of a faulty copy: %v, want ErrVerify", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("faulty restore created the destination")
	}
	if err := RestoreFile(ctx, bad, dst, RestoreOptions{SkipVerify: true}); err != nil {
		t.Fatalf("RestoreFile with SkipVerify: %v", err)
	}
	if _, err := Verify(ctx, filepath.Join(dir, "missing.db")); err == nil {
		t.Fatal("Verify of a missing file succeeded")
	}
	notDB := filepath.Join(dir, "text.db")
	os.WriteFile(notDB, []byte("this is not a database, just some text that is long enough to have a header........"), 0o644)
	if _, err := Verify(ctx, notDB); !errors.Is(err, sqlite3.NOTADB) {
		t.Fatalf("Verify of a text file = %v, want NOTADB", err)
	}
	// A backup of a database with a fault fails verification and leaves
	// nothing behind.
	eng := openEngine(t, filepath.Join(dir, "faulty-live.db"))
	if err := eng.Exclusive(ctx, func(conn *sqlite3.Conn) error {
		return conn.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT); CREATE INDEX t_tag ON t (tag);
			INSERT INTO t VALUES (1, 'a'); PRAGMA writable_schema=ON;
			UPDATE sqlite_schema SET sql = 'CREATE INDEX t_tag ON t (id)' WHERE name = 't_tag'; PRAGMA writable_schema=OFF;`)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ToFile(ctx, eng, filepath.Join(dir, "out.db"), Options{Verify: true}); !errors.Is(err, ErrVerify) {
		t.Fatalf("ToFile of a faulty database with Verify: %v, want ErrVerify", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("unverified copy put in place")
	}
}

func TestRestoreRunningEngine(t *testing.T) {
	ctx := context.Background()
	eng, path := seeded(t, 300)
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "copy.db")
	if _, err := ToFile(ctx, eng, copyPath, Options{}); err != nil {
		t.Fatal(err)
	}
	atBackup := engineInt(t, eng, digest)
	// Writes after the backup: the restore loses them.
	if _, err := eng.Exec(ctx, "DELETE FROM t WHERE id <= 100; CREATE TABLE later (x)"); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "before-restore.db")
	next, err := Restore(ctx, eng, copyPath, config(), RestoreOptions{KeepPrevious: keep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { next.Close(context.Background()) })
	if next == eng || next.Path() != path {
		t.Fatalf("Restore returned %p on %q", next, next.Path())
	}
	if _, err := eng.Query(ctx, "SELECT 1"); !errors.Is(err, liteactor.ErrClosed) {
		t.Fatalf("old engine: %v, want ErrClosed", err)
	}
	if got := engineInt(t, next, digest); got != atBackup {
		t.Fatalf("restored digest %d, want %d", got, atBackup)
	}
	if got := engineInt(t, next, "SELECT count(*) FROM sqlite_schema WHERE name = 'later'"); got != 0 {
		t.Fatal("a table created after the backup survived the restore")
	}
	if got := rawInt(t, keep, "SELECT count(*) FROM t"); got != 200 {
		t.Fatalf("kept previous database holds %d rows, want 200", got)
	}
	// The new engine is fully usable.
	if _, err := next.Exec(ctx, "INSERT INTO t (pad, tag) VALUES (x'01', 'after')"); err != nil {
		t.Fatal(err)
	}
	if got := engineInt(t, next, "SELECT count(*) FROM t"); got != 301 {
		t.Fatalf("count = %d", got)
	}
}

func TestRestoreRefusalsLeaveTheEngineRunning(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 10)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.db")
	corruptCopy(t, bad)
	got, err := Restore(ctx, eng, bad, config(), RestoreOptions{})
	if !errors.Is(err, ErrVerify) || got != eng {
		t.Fatalf("Restore of a faulty copy = %p, %v; want the same engine and ErrVerify", got, err)
	}
	got, err = Restore(ctx, eng, filepath.Join(dir, "missing.db"), config(), RestoreOptions{})
	if err == nil || got != eng {
		t.Fatalf("Restore of a missing file = %p, %v", got, err)
	}
	if n := engineInt(t, eng, "SELECT count(*) FROM t"); n != 10 {
		t.Fatalf("engine after refused restores: %d rows", n)
	}
	mem, err := liteactor.Open(ctx, ":memory:", config())
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close(ctx)
	if got, err := Restore(ctx, mem, bad, config(), RestoreOptions{SkipVerify: true}); !errors.Is(err, ErrNotFile) || got != mem {
		t.Fatalf("Restore of a memory engine = %v", err)
	}
}

func TestRestoreOnline(t *testing.T) {
	ctx := context.Background()
	eng, _ := seeded(t, 300)
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "copy.db")
	if _, err := ToFile(ctx, eng, copyPath, Options{}); err != nil {
		t.Fatal(err)
	}
	atBackup := engineInt(t, eng, digest)
	if _, err := eng.Exec(ctx, "DELETE FROM t WHERE id <= 100"); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "kept.db")
	if err := RestoreOnline(ctx, eng, copyPath, RestoreOptions{KeepPrevious: keep}); err != nil {
		t.Fatal(err)
	}
	if got := engineInt(t, eng, digest); got != atBackup {
		t.Fatalf("digest after online restore %d, want %d", got, atBackup)
	}
	if got := rawInt(t, keep, "SELECT count(*) FROM t"); got != 200 {
		t.Fatalf("kept copy holds %d rows, want 200", got)
	}
	if _, err := eng.Exec(ctx, "INSERT INTO t (pad, tag) VALUES (x'01', 'after')"); err != nil {
		t.Fatal(err)
	}
	// Into a memory engine too.
	mem, err := liteactor.Open(ctx, ":memory:", config())
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close(ctx)
	if err := RestoreOnline(ctx, mem, copyPath, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := engineInt(t, mem, digest); got != atBackup {
		t.Fatalf("memory engine digest %d, want %d", got, atBackup)
	}
	if err := RestoreOnline(ctx, eng, copyPath, RestoreOptions{KeepPrevious: keep}); !errors.Is(err, ErrExists) {
		t.Fatalf("KeepPrevious onto an existing file: %v", err)
	}
}
