package migrate

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadFSNamingRule(t *testing.T) {
	fsys := fstest.MapFS{
		"db/1.0.0_baseline.sql":        {Data: []byte("CREATE TABLE a(x);")},
		"db/1.1.0_add_b.sql":           {Data: []byte("CREATE TABLE b(x);")},
		"db/1.10.0_add_c.sql":          {Data: []byte("CREATE TABLE c(x);")},
		"db/1.2.0_add_index.sql":       {Data: []byte("CREATE INDEX ia ON a(x);")},
		"db/2.0.0_Baseline_Full.sql":   {Data: []byte("CREATE TABLE a(x); CREATE TABLE b(x);")},
		"db/2.0.0_squash.sql":          {Data: []byte("SELECT 1;")},
		"db/README.md":                 {Data: []byte("not a migration")},
		"db/old/0.1.0_ignored_dir.sql": {Data: []byte("nested: ignored")},
		"other/9.9.9_not_this_dir.sql": {Data: []byte("x")},
	}
	ms, err := LoadFS(fsys, "db")
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind          Kind
		version, from string
		desc          string
	}
	wants := []want{
		{KindBaseline, "1.0.0", "", "baseline"},
		{KindIncremental, "1.1.0", "1.0.0", "add b"},
		{KindIncremental, "1.2.0", "1.1.0", "add index"},
		{KindIncremental, "1.10.0", "1.2.0", "add c"},
		{KindBaseline, "2.0.0", "", "Baseline Full"},
		{KindIncremental, "2.0.0", "1.10.0", "squash"},
	}
	if len(ms) != len(wants) {
		t.Fatalf("loaded %d migrations (%s), want %d", len(ms), versions(ms), len(wants))
	}
	for i, w := range wants {
		m := ms[i]
		if m.Kind() != w.kind || m.Version() != w.version || m.From() != w.from || m.Description() != w.desc {
			t.Errorf("#%d = %s %s from %q %q, want %+v", i, m.Kind(), m.Version(), m.From(), m.Description(), w)
		}
	}
	if ms[1].SQL() != "CREATE TABLE b(x);" {
		t.Fatalf("SQL = %q", ms[1].SQL())
	}
	if err := CheckChain(ms); err != nil {
		t.Fatalf("loaded chain invalid: %v", err)
	}
}

func TestLoadFSFromDirective(t *testing.T) {
	fsys := fstest.MapFS{
		"3.0.0_baseline.sql":    {Data: []byte("CREATE TABLE a(x);")},
		"2.1.0_oldest_kept.sql": {Data: []byte("-- keeps databases at 2.0.0 upgradable\n\n--   migrate:from 2.0.0\nCREATE TABLE b(x);")},
		"3.0.0_to_three.sql":    {Data: []byte("SELECT 1;")},
	}
	ms, err := LoadFS(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(ms); got != "i2.1.0 b3.0.0 i3.0.0" {
		t.Fatalf("loaded %s", got)
	}
	if ms[0].From() != "2.0.0" || ms[2].From() != "2.1.0" {
		t.Fatalf("froms = %q %q", ms[0].From(), ms[2].From())
	}
	// A directive after the first SQL line is not a directive.
	fsys["3.1.0_late.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n-- migrate:from 1.0.0\n")}
	ms, err = LoadFS(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	if ms[3].Version() != "3.1.0" || ms[3].From() != "3.0.0" {
		t.Fatalf("3.1.0 from %q, want 3.0.0", ms[3].From())
	}
}

func TestLoadFSRefusesBadFiles(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"1.0.sql":            {"1.0_x.sql": {Data: []byte("x")}},
		"no description":     {"1.0.0.sql": {Data: []byte("x")}},
		"empty description":  {"1.0.0_.sql": {Data: []byte("x")}},
		"bad version":        {"1.0.0-rc1_x.sql": {Data: []byte("x")}},
		"lowest incremental": {"1.0.0_init.sql": {Data: []byte("x")}},
		"baseline with from": {"1.0.0_baseline.sql": {Data: []byte("-- migrate:from 0.1.0\nx")}},
		"bad directive":      {"1.0.0_baseline.sql": {Data: []byte("x")}, "1.1.0_a.sql": {Data: []byte("-- migrate:from 1.0\nx")}},
		"two directives":     {"1.0.0_baseline.sql": {Data: []byte("x")}, "1.1.0_a.sql": {Data: []byte("-- migrate:from 1.0.0\n-- migrate:from 1.0.0\nx")}},
	}
	for name, fsys := range cases {
		_, err := LoadFS(fsys, ".")
		if !errors.Is(err, ErrInvalidFile) {
			t.Errorf("%s: err = %v, want ErrInvalidFile", name, err)
		}
	}
	_, err := LoadFS(fstest.MapFS{"1.0.0_baseline.sql": {Data: []byte("x")}, "1.2_oops.sql": {Data: []byte("x")}}, ".")
	if !errors.Is(err, ErrInvalidFile) || !errors.Is(err, ErrInvalidVersion) || !strings.Contains(err.Error(), "1.2_oops.sql") {
		t.Errorf("err = %v, want ErrInvalidFile and ErrInvalidVersion naming 1.2_oops.sql", err)
	}
	if _, err := LoadFS(fstest.MapFS{}, "missing"); err == nil {
		t.Error("LoadFS of a missing directory succeeded")
	}
}
