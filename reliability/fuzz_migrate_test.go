package reliability_test

import (
	"cmp"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/liteactor/liteactor/migrate"
)

// strictVersion is the reference rule for migration versions:
// MAJOR.MINOR.PATCH, decimal, no leading zeros, nothing else.
var strictVersion = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// fileRule is the reference rule for migration file names.
var fileRule = regexp.MustCompile(`^((?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))_(.+)\.sql$`)

// compareStrict orders two versions that match strictVersion numerically.
func compareStrict(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 3 {
		if c := cmp.Or(cmp.Compare(len(pa[i]), len(pb[i])), strings.Compare(pa[i], pb[i])); c != 0 {
			return c
		}
	}
	return 0
}

// FuzzMigrationFiles feeds migrate.LoadFS two files with arbitrary names and
// contents, and migrate.CheckChain arbitrary version strings. Neither may
// panic; LoadFS accepts a directory only if every .sql name follows
// <MAJOR.MINOR.PATCH>_<description>.sql, returns migrations in version order
// with valid versions and non-empty descriptions, and refuses anything else
// with ErrInvalidFile; CheckChain refuses every version the strict rule
// refuses with ErrInvalidVersion, and accepts a baseline plus one
// incremental exactly when the incremental moves forward.
func FuzzMigrationFiles(f *testing.F) {
	f.Add("1.0.0_baseline.sql", "CREATE TABLE t (x);", "1.1.0_add_y.sql", "ALTER TABLE t ADD y;", "1.0.0", "1.1.0")
	f.Add("1.0.0_baseline.sql", "", "2.0.0_x.sql", "-- migrate:from 1.0.0\nSELECT 1;", "01.0.0", "1.0.0")
	f.Add("1.10.0_b.sql", "x", "1.9.0_baseline.sql", "y", "1.9.0", "1.10.0")
	f.Add("v1.0.0_x.sql", "", "1.0_x.sql", "", "1.0.0-rc1", "1.0.0+meta")
	f.Add("1.0.0_.sql", "", "1.0.0.sql", "", "", " 1.0.0")
	f.Add("2.0.0_BASELINE_again.sql", "", "2.0.0_more.sql", "-- migrate:from 1.0.0", "18446744073709551616.0.0", "18446744073709551617.0.0")
	f.Add("1.0.0_a.sql", "", "1.0.0_b.sql", "", "1.0.0", "1.0.0")
	f.Add("1.0.0_baseline.sql", "-- migrate:from 0.9.0\n", "notes.txt", "", "0.0.0", "0.0.1")
	f.Fuzz(func(t *testing.T, name1, sql1, name2, sql2, version, next string) {
		files := fstest.MapFS{}
		for _, f := range []struct{ name, sql string }{{name1, sql1}, {name2, sql2}} {
			if fs.ValidPath(f.name) && !strings.Contains(f.name, "/") && f.name != "." {
				files[f.name] = &fstest.MapFile{Data: []byte(f.sql)}
			}
		}
		ms, err := migrate.LoadFS(files, ".")
		badName := false
		nsql := 0
		for name := range files {
			if strings.HasSuffix(name, ".sql") {
				nsql++
				badName = badName || !fileRule.MatchString(name)
			}
		}
		if err != nil {
			if !errors.Is(err, migrate.ErrInvalidFile) {
				t.Fatalf("LoadFS(%v): %v, want an error wrapping ErrInvalidFile", keys(files), err)
			}
		} else {
			if badName {
				t.Fatalf("LoadFS accepted a file name that breaks the rule: %v", keys(files))
			}
			if len(ms) != nsql {
				t.Fatalf("LoadFS(%v): %d migrations for %d .sql files", keys(files), len(ms), nsql)
			}
			for i, m := range ms {
				if !strictVersion.MatchString(m.Version()) || m.Description() == "" {
					t.Fatalf("LoadFS gave version %q, description %q", m.Version(), m.Description())
				}
				if m.Kind() == migrate.KindIncremental && !strictVersion.MatchString(m.From()) {
					t.Fatalf("LoadFS gave an incremental from %q", m.From())
				}
				if i > 0 && compareStrict(ms[i-1].Version(), m.Version()) > 0 {
					t.Fatalf("LoadFS order: %s before %s", ms[i-1].Version(), m.Version())
				}
			}
			_ = migrate.CheckChain(ms) // must not panic
		}

		err = migrate.CheckChain([]migrate.Migration{migrate.Baseline(version, "SELECT 1"), migrate.Incremental(next, version, "SELECT 1")})
		switch {
		case !strictVersion.MatchString(version) || !strictVersion.MatchString(next):
			if !errors.Is(err, migrate.ErrInvalidVersion) {
				t.Fatalf("CheckChain(baseline %q, incremental %q): %v, want ErrInvalidVersion", version, next, err)
			}
		case compareStrict(next, version) > 0:
			if err != nil {
				t.Fatalf("CheckChain(baseline %q, incremental %q from it): %v, want a valid chain", version, next, err)
			}
		default:
			if !errors.Is(err, migrate.ErrBrokenChain) {
				t.Fatalf("CheckChain(baseline %q, incremental %q from it, not forward): %v, want ErrBrokenChain", version, next, err)
			}
		}
	})
}

func keys(m fstest.MapFS) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
