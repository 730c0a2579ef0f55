package migrate

import (
	"bufio"
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// LoadFS reads SQL migrations from the directory dir of fsys (use "." for its
// root; an embed.FS works as is). The rules:
//
//   - Every regular file in dir whose name ends in ".sql" is a migration;
//     other files and subdirectories are ignored. Its name must be
//     <version>_<description>.sql, where version is MAJOR.MINOR.PATCH and
//     description is not empty, e.g. 1.2.0_add_orders.sql. The description
//     becomes the migration's description with underscores turned into
//     spaces ("add orders").
//   - Baseline or incremental: a file whose description is "baseline" or
//     starts with "baseline_" (any letter case), e.g. 2.0.0_baseline.sql, is a
//     baseline; every other file is an incremental.
//   - from: an incremental starts from the next lower version among the
//     files of dir (baselines and incrementals alike). A line
//     "-- migrate:from X.Y.Z" among the comment lines at the top of the file
//     overrides that, e.g. for the oldest incremental kept after older files
//     were deleted. An incremental with neither is refused.
//   - The file's whole content is the SQL, checksummed byte for byte.
//
// Files breaking these rules give an error wrapping ErrInvalidFile that names
// the file. The result is ordered by version, a baseline before the
// incremental of the same version. LoadFS does not check the chain; Up and
// CheckChain do.
func LoadFS(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrate: reading %s: %w", dir, err)
	}
	type file struct {
		name, version, desc, from, sql string
		baseline                       bool
	}
	var files []file
	versions := make(map[string]bool)
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		f := file{name: e.Name()}
		stem := strings.TrimSuffix(f.name, ".sql")
		v, desc, ok := strings.Cut(stem, "_")
		if !ok || desc == "" {
			return nil, fmt.Errorf("%w: %s: want <version>_<description>.sql", ErrInvalidFile, f.name)
		}
		if err := checkVersion("file version", v); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidFile, f.name, err)
		}
		f.version = v
		f.desc = strings.ReplaceAll(desc, "_", " ")
		lower := strings.ToLower(desc)
		f.baseline = lower == "baseline" || strings.HasPrefix(lower, "baseline_")
		data, err := fs.ReadFile(fsys, path.Join(dir, f.name))
		if err != nil {
			return nil, fmt.Errorf("migrate: reading %s: %w", f.name, err)
		}
		f.sql = string(data)
		from, found, err := fromDirective(f.sql)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInvalidFile, f.name, err)
		}
		if found && f.baseline {
			return nil, fmt.Errorf("%w: %s: a baseline has no from", ErrInvalidFile, f.name)
		}
		f.from = from
		files = append(files, f)
		versions[v] = true
	}
	sorted := make([]string, 0, len(versions))
	for v := range versions {
		sorted = append(sorted, v)
	}
	slices.SortFunc(sorted, compareVersions)
	slices.SortFunc(files, func(a, b file) int {
		return cmp.Or(compareVersions(a.version, b.version), cmp.Compare(kindRank(a.baseline), kindRank(b.baseline)))
	})
	out := make([]Migration, 0, len(files))
	for _, f := range files {
		if f.baseline {
			out = append(out, Baseline(f.version, f.sql).WithDescription(f.desc))
			continue
		}
		if f.from == "" {
			i, _ := slices.BinarySearchFunc(sorted, f.version, compareVersions)
			if i == 0 {
				return nil, fmt.Errorf("%w: %s: no lower version in %s to start from; add a line \"-- migrate:from X.Y.Z\"",
					ErrInvalidFile, f.name, dir)
			}
			f.from = sorted[i-1]
		}
		out = append(out, Incremental(f.version, f.from, f.sql).WithDescription(f.desc))
	}
	return out, nil
}

func kindRank(baseline bool) int {
	if baseline {
		return 0
	}
	return 1
}

// fromDirective finds "-- migrate:from X.Y.Z" among the leading comment and
// blank lines of sql.
func fromDirective(sql string) (from string, found bool, err error) {
	sc := bufio.NewScanner(strings.NewReader(sql))
	sc.Buffer(nil, len(sql)+1)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		c, ok := strings.CutPrefix(line, "--")
		if !ok {
			break
		}
		v, ok := strings.CutPrefix(strings.TrimSpace(c), "migrate:from")
		if !ok {
			continue
		}
		if found {
			return "", false, fmt.Errorf("two migrate:from lines")
		}
		v = strings.TrimSpace(v)
		if err := checkVersion("migrate:from", v); err != nil {
			return "", false, err
		}
		from, found = v, true
	}
	return from, found, sc.Err()
}
