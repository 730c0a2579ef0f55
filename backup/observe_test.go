package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/liteactor/liteactor"
)

// kindRecorder records the kind, detail, rows and error of every operation
// an engine's observers see, in the order their After ran.
type kindRecorder struct {
	mu  sync.Mutex
	ops []recorded
}

type recorded struct {
	kind   liteactor.OpKind
	detail string
	rows   int64
	err    error
}

func (r *kindRecorder) Before(ctx context.Context, _ *liteactor.Op) (context.Context, error) {
	return ctx, nil
}

func (r *kindRecorder) After(_ context.Context, op *liteactor.Op, out *liteactor.Outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, recorded{op.Kind, op.Detail, out.Rows, out.Err})
}

func (r *kindRecorder) of(kind liteactor.OpKind) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, o := range r.ops {
		if o.kind == kind {
			out = append(out, o)
		}
	}
	return out
}

func TestBackupsAndRestoresReportToObservers(t *testing.T) {
	ctx := context.Background()
	rec := &kindRecorder{}
	cfg := config()
	cfg.Observers = []liteactor.Observer{rec}
	dir := t.TempDir()
	eng, err := liteactor.Open(ctx, filepath.Join(dir, "live.db"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { eng.Close(ctx) }()
	if _, err := eng.Exec(ctx, "CREATE TABLE t (v); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "copy.db")
	res, err := ToFile(ctx, eng, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	vac := filepath.Join(dir, "vac.db")
	if _, err := VacuumInto(ctx, eng, vac, VacuumOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ToFile(ctx, eng, dst, Options{}); !errors.Is(err, ErrExists) {
		t.Fatalf("second backup to %s: %v", dst, err)
	}
	got := rec.of(OpBackup)
	if len(got) != 3 || got[0].detail != dst || got[0].rows != int64(res.Pages) || res.Pages == 0 || got[0].err != nil ||
		got[1].detail != vac || got[1].rows == 0 || !errors.Is(got[2].err, ErrExists) || got[2].rows != 0 {
		t.Fatalf("backups observed as %+v (copy had %d pages)", got, res.Pages)
	}
	rec.mu.Lock()
	first := rec.ops[0].kind
	rec.mu.Unlock()
	if first == OpBackup {
		t.Error("the backup's own read was not observed inside it")
	}

	if err := RestoreOnline(ctx, eng, dst, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	next, err := Restore(ctx, eng, vac, cfg, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eng = next
	got = rec.of(OpRestore)
	if len(got) != 2 || got[0].detail != dst || got[1].detail != vac || got[0].err != nil || got[1].err != nil {
		t.Fatalf("restores observed as %+v", got)
	}
}

func TestCopiesTakeTheSourcesPermissions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	eng := openEngine(t, live)
	if _, err := eng.Exec(ctx, "CREATE TABLE t (v); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	mode := func(p string) os.FileMode {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if m := mode(live); m != 0o600 {
		t.Fatalf("engine created the database with %v", m)
	}
	for name, copyFn := range map[string]func(string) error{
		"ToFile":     func(p string) error { _, err := ToFile(ctx, eng, p, Options{}); return err },
		"VacuumInto": func(p string) error { _, err := VacuumInto(ctx, eng, p, VacuumOptions{}); return err },
	} {
		p := filepath.Join(dir, name+".db")
		if err := copyFn(p); err != nil {
			t.Fatal(err)
		}
		if m := mode(p); m != 0o600 {
			t.Errorf("%s wrote %v, want the source's 0600", name, m)
		}
	}
	if err := os.Chmod(live, 0o640); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "group.db")
	if _, err := ToFile(ctx, eng, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if m := mode(p); m != 0o640 {
		t.Errorf("backup of a 0640 database is %v", m)
	}
	// A restore keeps the permissions of the database it replaces, and a
	// new one takes the source's.
	target := filepath.Join(dir, "target.db")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := RestoreFile(ctx, p, target, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if m := mode(target); m != 0o600 {
		t.Errorf("restored file is %v, want the replaced file's 0600", m)
	}
	fresh := filepath.Join(dir, "fresh.db")
	if err := RestoreFile(ctx, p, fresh, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if m := mode(fresh); m != 0o640 {
		t.Errorf("new restored file is %v, want the source's 0640", m)
	}
}
