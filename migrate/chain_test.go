package migrate

import (
	"errors"
	"strings"
	"testing"
)

func versions(ms []Migration) string {
	var vs []string
	for _, m := range ms {
		vs = append(vs, string(m.kind[0])+m.version)
	}
	return strings.Join(vs, " ")
}

func wantErr(t *testing.T, err, sentinel error, mentions ...string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
	for _, m := range mentions {
		if !strings.Contains(err.Error(), m) {
			t.Fatalf("err %q does not mention %q", err, m)
		}
	}
}

func TestChainFreshAppliesNewestBaselineThenIncrementals(t *testing.T) {
	c, err := newChain([]Migration{
		Incremental("1.1.0", "1.0.0", "a"),
		Baseline("1.0.0", "b1"),
		Incremental("2.1.0", "2.0.0", "c"),
		Incremental("2.0.0", "1.1.0", "d"),
		Baseline("2.0.0", "b2"),
		Incremental("2.10.0", "2.1.0", "e"),
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.path("")
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(p); got != "b2.0.0 i2.1.0 i2.10.0" {
		t.Fatalf("fresh path = %s", got)
	}
	p, err = c.path("1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(p); got != "i1.1.0 i2.0.0 i2.1.0 i2.10.0" {
		t.Fatalf("path from 1.0.0 = %s", got)
	}
	if p, err = c.path("2.10.0"); err != nil || len(p) != 0 {
		t.Fatalf("path at target = %v, %v; want nothing", versions(p), err)
	}
}

func TestChainEmptyIsValidAndDoesNothing(t *testing.T) {
	c, err := newChain(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cur := range []string{"", "3.0.0"} {
		if p, err := c.path(cur); err != nil || len(p) != 0 {
			t.Fatalf("empty chain path(%q) = %v, %v", cur, p, err)
		}
	}
}

func TestChainRefusesInvalidVersionNamingIt(t *testing.T) {
	err := CheckChain([]Migration{Baseline("1.0", "x")})
	wantErr(t, err, ErrInvalidVersion, `"1.0"`)
	err = CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("1.1.0", "one", "y")})
	wantErr(t, err, ErrInvalidVersion, `"one"`, "1.1.0")
	err = CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("v1.1.0", "1.0.0", "y")})
	wantErr(t, err, ErrInvalidVersion, `"v1.1.0"`)
}

func TestChainRefusesDuplicates(t *testing.T) {
	err := CheckChain([]Migration{Baseline("1.0.0", "x"), Baseline("1.0.0", "y")})
	wantErr(t, err, ErrDuplicateVersion, "1.0.0")
	err = CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("1.1.0", "1.0.0", "a"), Incremental("1.1.0", "1.0.0", "b")})
	wantErr(t, err, ErrDuplicateVersion, "1.1.0")
}

func TestChainAllowsBaselineAndIncrementalOfSameVersion(t *testing.T) {
	if err := CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("2.0.0", "1.0.0", "a"), Baseline("2.0.0", "y")}); err != nil {
		t.Fatal(err)
	}
}

func TestChainRefusesMissingLink(t *testing.T) {
	err := CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("1.2.0", "1.1.0", "a")})
	wantErr(t, err, ErrBrokenChain, "missing link", "1.0.0", "1.2.0")
}

func TestChainRefusesIncrementalLeadingNowhere(t *testing.T) {
	// 2.5.0 starts from 2.2.0 but nothing starts from 2.5.0 and it is not
	// the newest; being above the newest baseline, it is no older lineage.
	err := CheckChain([]Migration{
		Baseline("2.0.0", "x"),
		Incremental("2.5.0", "2.2.0", "a"),
		Incremental("2.1.0", "2.0.0", "b"),
		Incremental("3.0.0", "2.1.0", "c"),
	})
	wantErr(t, err, ErrBrokenChain, "2.5.0 leads nowhere")
}

func TestChainAllowsOlderLineageLeadingNowhere(t *testing.T) {
	// After squashing: the 1.x line ends at 1.2.0, below the newest
	// baseline 2.0.0, and no incremental leads on from it.
	ms := []Migration{
		Baseline("1.0.0", "x"),
		Incremental("1.1.0", "1.0.0", "a"),
		Incremental("1.2.0", "1.1.0", "b"),
		Baseline("2.0.0", "y"),
		Incremental("2.1.0", "2.0.0", "c"),
	}
	c, err := newChain(ms)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.path(""); err != nil || versions(p) != "b2.0.0 i2.1.0" {
		t.Fatalf("fresh path = %s, %v", versions(p), err)
	}
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		p, err := c.path(v)
		wantErr(t, err, ErrNoPath, "database is at "+v, "older line", "ends at 1.2.0", "cannot reach 2.1.0", "baseline 2.0.0")
		if len(p) != 0 {
			t.Fatalf("path from %s = %s; a stranded database must get nothing", v, versions(p))
		}
	}
	un, err := Unreachable(ms)
	if err != nil || strings.Join(un, " ") != "1.0.0 1.1.0 1.2.0" {
		t.Fatalf("Unreachable = %v, %v", un, err)
	}
	// A line that joins the newest one is reachable.
	un, err = Unreachable(append(ms, Incremental("2.0.0", "1.2.0", "bridge")))
	if err != nil || len(un) != 0 {
		t.Fatalf("Unreachable with a bridge = %v, %v", un, err)
	}
	if _, err := Unreachable([]Migration{Baseline("1", "x")}); !errors.Is(err, ErrInvalidVersion) {
		t.Fatalf("Unreachable of a bad chain: %v", err)
	}
}

func TestChainRefusesFork(t *testing.T) {
	err := CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("1.1.0", "1.0.0", "a"), Incremental("1.2.0", "1.0.0", "b")})
	wantErr(t, err, ErrBrokenChain, "1.1.0", "1.2.0", "both start from 1.0.0")
}

func TestChainRefusesBackwardIncremental(t *testing.T) {
	err := CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("1.0.0", "1.0.0", "a")})
	wantErr(t, err, ErrBrokenChain, "does not move forward")
	err = CheckChain([]Migration{Baseline("1.0.0", "x"), Incremental("0.9.0", "1.0.0", "a")})
	wantErr(t, err, ErrBrokenChain, "0.9.0")
}

func TestChainRefusesNoBaselineAndZeroMigration(t *testing.T) {
	wantErr(t, CheckChain([]Migration{Incremental("1.1.0", "1.0.0", "a")}), ErrBrokenChain, "no baseline")
	wantErr(t, CheckChain([]Migration{Baseline("1.0.0", "x"), {}}), ErrBrokenChain, "#1", "zero Migration")
}

func TestChainReportsEveryProblem(t *testing.T) {
	err := CheckChain([]Migration{Baseline("1.0", "x"), Baseline("2.0.0", "y"), Baseline("2.0.0", "z")})
	if !errors.Is(err, ErrInvalidVersion) || !errors.Is(err, ErrDuplicateVersion) {
		t.Fatalf("err = %v, want both ErrInvalidVersion and ErrDuplicateVersion", err)
	}
}

func TestChainAllowsTrimmedHistory(t *testing.T) {
	// Incrementals below 2.1.0 were deleted; 2.1.0's from is not in the list.
	c, err := newChain([]Migration{
		Baseline("3.0.0", "x"),
		Incremental("2.1.0", "2.0.0", "a"),
		Incremental("3.0.0", "2.1.0", "b"),
		Incremental("3.1.0", "3.0.0", "c"),
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.path("2.0.0")
	if err != nil || versions(p) != "i2.1.0 i3.0.0 i3.1.0" {
		t.Fatalf("path from 2.0.0 = %s, %v", versions(p), err)
	}
}

func TestChainNextFromUnknownOrNewerVersion(t *testing.T) {
	c, err := newChain([]Migration{Baseline("1.0.0", "x"), Incremental("1.1.0", "1.0.0", "a")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.path("0.5.0")
	wantErr(t, err, ErrNoPath, "0.5.0")
	_, err = c.path("1.0.5")
	wantErr(t, err, ErrNoPath, "1.0.5")
	_, err = c.path("2.0.0")
	wantErr(t, err, ErrDatabaseAhead, "2.0.0", "1.1.0")
}

func TestChainLookupByKind(t *testing.T) {
	c, err := newChain([]Migration{Baseline("1.0.0", "x"), Incremental("2.0.0", "1.0.0", "a"), Baseline("2.0.0", "y")})
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := c.lookup(KindBaseline, "2.0.0"); !ok || m.SQL() != "y" {
		t.Fatalf("lookup baseline 2.0.0 = %v %v", m, ok)
	}
	if m, ok := c.lookup(KindIncremental, "2.0.0"); !ok || m.SQL() != "a" {
		t.Fatalf("lookup incremental 2.0.0 = %v %v", m, ok)
	}
	if _, ok := c.lookup(KindIncremental, "1.0.0"); ok {
		t.Fatal("found an incremental 1.0.0 that does not exist")
	}
}
