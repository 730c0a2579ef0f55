package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/migrate"
)

var migrateCommands = []struct{ name, summary string }{
	{"up", "apply the pending migrations (the newest baseline on a fresh database)"},
	{"status", "list applied and pending migrations, with checksum drift; exit 1 on drift or a broken chain"},
	{"validate", "check the chain, the checksums, integrity, foreign keys and the recorded schema; exit 1 on findings"},
	{"repair", "recreate missing objects from their recorded SQL and reindex damaged indexes"},
	{"create", "write a new migration file NAME in the migrations directory"},
}

func runMigrate(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || wantsHelp(args[:1]) {
		w := a.stdout
		if len(args) == 0 {
			w = a.stderr
		}
		fmt.Fprint(w, "Usage: liteactor -db PATH migrate <command> [flags]\n\nCommands:\n")
		for _, c := range migrateCommands {
			fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
		}
		fmt.Fprint(w, "\nMigrations are <version>_<description>.sql files (migrate.LoadFS): a description of\n"+
			"\"baseline\" or \"baseline_...\" makes a baseline, every other file an incremental from the\n"+
			"next lower version. Run 'liteactor migrate <command> -h' for its flags.\n")
		if len(args) == 0 {
			return &exitError{code: exitUsage}
		}
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	run := map[string]func(context.Context, *app, []string) error{
		"up": migrateUp, "status": migrateStatus, "validate": migrateValidate, "repair": migrateRepair, "create": migrateCreate,
	}[sub]
	if run == nil {
		return usageError("unknown migrate command %q (want up, status, validate, repair or create)", sub)
	}
	if a.db == "" && sub != "create" && !wantsHelp(rest) {
		return usageError("-db PATH is required")
	}
	return run(ctx, a, rest)
}

// migrateFlags adds the flags every migrate command has.
func migrateFlags(fs *flag.FlagSet) (dir, table *string) {
	dir = fs.String("dir", "migrations", "the migrations `DIR`")
	table = fs.String("table", migrate.DefaultTable, "the history `TABLE`")
	return dir, table
}

// chainProblem marks errors about the migrations themselves (drift, a
// broken chain, a database that cannot be migrated): exit code 1.
func chainProblem(err error) error {
	for _, s := range []error{migrate.ErrChecksumMismatch, migrate.ErrBrokenChain, migrate.ErrDuplicateVersion,
		migrate.ErrInvalidVersion, migrate.ErrInvalidFile, migrate.ErrNoPath, migrate.ErrDatabaseAhead} {
		if errors.Is(err, s) {
			return &exitError{code: exitFindings, err: err}
		}
	}
	return err
}

func loadDir(dir string) ([]migrate.Migration, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("migrations directory: %w", err)
	}
	return migrate.LoadFS(os.DirFS(dir), ".")
}

func migrateUp(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("migrate up", "[flags]", "Apply the pending migrations, each in its own transaction; a fresh database gets the newest\n"+
		"baseline, then the incrementals above it. A failing migration is rolled back whole.")
	dir, table := migrateFlags(fs)
	dry := fs.Bool("dry-run", false, "list what would be applied; change nothing")
	fkOff := fs.Bool("fk-off", false, "run each migration with foreign_keys=OFF and check them before COMMIT (table rebuilds)")
	accept := fs.String("accept-checksum", "", "comma-separated `VERSIONS` whose changed checksum is accepted and stored")
	appName := fs.String("app", "liteactor-cli", "recorded in the history's app_name column")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	ms, err := loadDir(*dir)
	if err != nil {
		return chainProblem(err)
	}
	opts := []migrate.Option{migrate.Table(*table), migrate.AppName(*appName), migrate.WithHook(func(_ context.Context, ev migrate.Event) error {
		switch {
		case ev.DryRun:
			fmt.Fprintf(a.stdout, "would apply %s %s %q\n", ev.Version, ev.Kind, ev.Description)
		case ev.Err == nil:
			fmt.Fprintf(a.stdout, "applied %s %s %q in %s\n", ev.Version, ev.Kind, ev.Description, ev.Duration.Round(time.Microsecond))
		}
		return nil
	})}
	if *dry {
		opts = append(opts, migrate.DryRun())
	}
	if *fkOff {
		opts = append(opts, migrate.ForeignKeysOff())
	}
	if *accept != "" {
		opts = append(opts, migrate.AcceptChecksumChange(strings.Split(*accept, ",")...))
	}
	with := func(fn func(*liteactor.Engine) error) error { return a.withEngine(ctx, true, fn) }
	if _, err := os.Stat(a.db); *dry && errors.Is(err, os.ErrNotExist) {
		// Plan on an empty in-memory database: a dry run creates nothing.
		with = func(fn func(*liteactor.Engine) error) error { return a.withMemory(ctx, fn) }
	}
	return with(func(eng *liteactor.Engine) error {
		rep, err := migrate.Up(ctx, eng, ms, opts...)
		if err != nil {
			return chainProblem(err)
		}
		before := rep.Before
		if before == "" {
			before = "fresh"
		}
		verb := "at"
		if rep.DryRun {
			verb = "would be at"
		}
		fmt.Fprintf(a.stdout, "database %s %s (was %s, %d applied)\n", verb, rep.After, before, len(rep.Applied))
		return nil
	})
}

// statusRow is one line of migrate status.
type statusRow struct {
	Version     string `json:"version"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	State       string `json:"state"`                // applied or pending
	AppliedAt   string `json:"applied_at,omitempty"` // RFC 3339, UTC
	Checksum    string `json:"checksum"`             // ok, changed, or unknown (not in the directory); "" when pending
}

func migrateStatus(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("migrate status", "[flags]", "List the applied migrations (with whether their checksum still matches the file) and the\n"+
		"pending ones. Exit 1 on checksum drift, a broken chain, or a database that cannot be migrated.")
	dir, table := migrateFlags(fs)
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	var problems []string
	ms, err := loadDir(*dir)
	if err != nil {
		if chainProblem(err) == err {
			return err
		}
		problems = append(problems, oneLine(err))
	}
	if err := migrate.CheckChain(ms); err != nil {
		problems = append(problems, oneLine(err))
	}
	unreachable, _ := migrate.Unreachable(ms)
	newest := ""
	byKey := make(map[string]migrate.Migration)
	for _, m := range ms {
		byKey[string(m.Kind())+m.Version()] = m
		if newest == "" || versionLess(newest, m.Version()) {
			newest = m.Version()
		}
	}
	exists := true
	if _, err := os.Stat(a.db); errors.Is(err, os.ErrNotExist) {
		exists = false // plan on an empty in-memory database; create nothing
	}
	var rows []statusRow
	current := ""
	run := func(eng *liteactor.Engine) error {
		hist, err := migrate.History(ctx, eng, migrate.Table(*table))
		if err != nil {
			return err
		}
		for _, h := range hist {
			r := statusRow{Version: h.Version, Kind: string(h.Kind), Description: h.Description, State: "applied",
				AppliedAt: h.AppliedAt.UTC().Format(time.RFC3339), Checksum: "unknown"}
			if m, ok := byKey[string(h.Kind)+h.Version]; ok {
				r.Checksum = "ok"
				if m.Checksum() != h.Checksum {
					r.Checksum = "changed"
					problems = append(problems, fmt.Sprintf("checksum of applied %s %s changed (recorded %.12s, file %.12s)", h.Kind, h.Version, h.Checksum, m.Checksum()))
				}
			}
			rows = append(rows, r)
		}
		if current, err = migrate.Current(ctx, eng, migrate.Table(*table)); err != nil {
			return err
		}
		if len(problems) > 0 {
			return nil
		}
		rep, err := migrate.Up(ctx, eng, ms, migrate.DryRun(), migrate.Table(*table))
		if err != nil {
			if chainProblem(err) == err {
				return err
			}
			problems = append(problems, oneLine(err))
		}
		for _, r := range rep.Applied {
			rows = append(rows, statusRow{Version: r.Version, Kind: string(r.Kind), Description: r.Description, State: "pending"})
		}
		return nil
	}
	if exists {
		err = a.withEngine(ctx, false, run)
	} else {
		err = a.withMemory(ctx, run)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			Database    string      `json:"database"`
			Exists      bool        `json:"exists"`
			Version     string      `json:"version"`
			Newest      string      `json:"newest"`
			Migrations  []statusRow `json:"migrations"`
			Unreachable []string    `json:"unreachable"`
			Problems    []string    `json:"problems"`
		}{a.db, exists, current, newest, nonNil(rows), nonNil(unreachable), nonNil(problems)}
		if err := json.NewEncoder(a.stdout).Encode(out); err != nil {
			return err
		}
	} else {
		tw := table2(a.stdout)
		fmt.Fprintln(tw, "VERSION\tKIND\tDESCRIPTION\tAPPLIED AT\tCHECKSUM")
		for _, r := range rows {
			at, sum := r.AppliedAt, r.Checksum
			if r.State == "pending" {
				at, sum = "pending", "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Version, r.Kind, r.Description, at, sum)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		cur := current
		switch {
		case !exists:
			cur = "missing (a new database gets the plan above)"
		case cur == "":
			cur = "fresh"
		}
		fmt.Fprintf(a.stdout, "database: %s; newest migration: %s\n", cur, newest)
		if len(unreachable) > 0 {
			fmt.Fprintf(a.stdout, "note: older lineage cannot reach %s from %s; a database there cannot be migrated\n", newest, strings.Join(unreachable, ", "))
		}
		for _, p := range problems {
			fmt.Fprintf(a.stdout, "problem: %s\n", p)
		}
	}
	if len(problems) > 0 {
		return findings("%d problem(s)", len(problems))
	}
	return nil
}

// withMemory runs fn on an engine over an empty in-memory database.
func (a *app) withMemory(ctx context.Context, fn func(*liteactor.Engine) error) error {
	eng, err := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	if err != nil {
		return err
	}
	err = fn(eng)
	if cerr := eng.Close(context.WithoutCancel(ctx)); err == nil {
		err = cerr
	}
	return err
}

func migrateValidate(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("migrate validate", "[flags]", "Check the migrations directory (chain, checksums of applied migrations) and the database\n"+
		"(integrity_check, foreign_key_check, and every object the migrations created still as recorded).\n"+
		"Print every finding; exit 1 when there is any. Changes nothing.")
	dir, table := migrateFlags(fs)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	var problems []string
	ms, err := loadDir(*dir)
	if err != nil {
		if chainProblem(err) == err {
			return err
		}
		problems = append(problems, oneLine(err))
	} else if err := migrate.CheckChain(ms); err != nil {
		problems = append(problems, oneLine(err))
	} else if un, _ := migrate.Unreachable(ms); len(un) > 0 {
		fmt.Fprintf(a.stderr, "warning: older lineage cannot reach the newest migration from %s\n", strings.Join(un, ", "))
	}
	err = a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		if len(problems) == 0 {
			if _, err := migrate.Up(ctx, eng, ms, migrate.DryRun(), migrate.Table(*table)); err != nil {
				if chainProblem(err) == err {
					return err
				}
				problems = append(problems, oneLine(err))
			}
		}
		v, err := migrate.Validate(ctx, eng, migrate.Table(*table))
		if err != nil && !errors.Is(err, migrate.ErrValidationFailed) {
			return err
		}
		problems = append(problems, validationLines(v)...)
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(a.stdout, p)
	}
	if len(problems) > 0 {
		return findings("%d finding(s)", len(problems))
	}
	fmt.Fprintln(a.stdout, "ok")
	return nil
}

func validationLines(v migrate.Validation) []string {
	var out []string
	for _, l := range v.Integrity {
		out = append(out, "integrity_check: "+l)
	}
	for _, f := range v.ForeignKeys {
		out = append(out, fmt.Sprint("foreign_key_check: ", f))
	}
	for _, o := range v.Missing {
		out = append(out, fmt.Sprintf("missing: %s %s (created by %s)", o.Type, o.Name, o.Version))
	}
	for _, o := range v.Changed {
		out = append(out, fmt.Sprintf("changed outside migrations: %s %s (recorded by %s)", o.Type, o.Name, o.Version))
	}
	return out
}

func migrateRepair(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("migrate repair", "[flags]", "Recreate every object the migrations created that is missing, from its recorded SQL, and\n"+
		"REINDEX the indexes integrity_check names, in one transaction (all or nothing); never drops\n"+
		"anything. Exit 1 when problems remain.")
	_, table := migrateFlags(fs)
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		rep, err := migrate.Repair(ctx, eng, migrate.Table(*table))
		for _, o := range rep.Recreated {
			fmt.Fprintf(a.stdout, "recreated %s %s (from %s)\n", o.Type, o.Name, o.Version)
		}
		for _, ix := range rep.Reindexed {
			fmt.Fprintf(a.stdout, "reindexed %s\n", ix)
		}
		if err != nil && !errors.Is(err, migrate.ErrValidationFailed) {
			return err
		}
		remaining := validationLines(rep.Remaining)
		for _, l := range remaining {
			fmt.Fprintln(a.stdout, "remaining: "+l)
		}
		if len(remaining) > 0 {
			return findings("%d problem(s) remain", len(remaining))
		}
		if len(rep.Recreated)+len(rep.Reindexed) == 0 {
			fmt.Fprintln(a.stdout, "nothing to repair")
		}
		return nil
	})
}

var migrationName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func migrateCreate(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("migrate create", "[flags] NAME", "Write an empty migration file <version>_<NAME>.sql in the migrations directory (created if\n"+
		"needed). The version defaults to the next minor version above the newest file; a baseline\n"+
		"(-baseline) defaults to the newest version, to squash the history up to it.")
	dir, _ := migrateFlags(fs)
	version := fs.String("version", "", "the migration's `VERSION` (MAJOR.MINOR.PATCH)")
	baseline := fs.Bool("baseline", false, "create a baseline (the whole schema, for fresh databases)")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	name := strings.ReplaceAll(strings.TrimSpace(pos[0]), " ", "_")
	if !migrationName.MatchString(name) {
		return usageError("NAME %q: use letters, digits and underscores", pos[0])
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	ms, err := migrate.LoadFS(os.DirFS(*dir), ".")
	if err != nil {
		return chainProblem(err)
	}
	newest := ""
	for _, m := range ms {
		if newest == "" || versionLess(newest, m.Version()) {
			newest = m.Version()
		}
	}
	v := *version
	switch {
	case v != "":
	case newest == "":
		v = "1.0.0"
	case *baseline:
		v = newest
	default:
		v = nextMinor(newest)
	}
	lower := strings.ToLower(name)
	isBaseline := lower == "baseline" || strings.HasPrefix(lower, "baseline_")
	switch {
	case *baseline && !isBaseline:
		name = "baseline_" + name
	case !*baseline && isBaseline:
		return usageError("NAME %q makes a baseline: pass -baseline, or choose another name", pos[0])
	case !*baseline && newest == "":
		return usageError("the first migration must be a baseline: pass -baseline")
	}
	file := filepath.Join(*dir, v+"_"+name+".sql")
	header := fmt.Sprintf("-- %s %s: %s\n", v, map[bool]string{true: "baseline", false: "incremental"}[*baseline], strings.ReplaceAll(name, "_", " "))
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(header)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(file)
		return err
	}
	// The new file must keep the directory loadable and the chain whole.
	if all, err := migrate.LoadFS(os.DirFS(*dir), "."); err != nil || migrate.CheckChain(all) != nil {
		if err == nil {
			err = migrate.CheckChain(all)
		}
		os.Remove(file)
		return chainProblem(fmt.Errorf("%s would break the migrations (not created): %w", file, err))
	}
	fmt.Fprintln(a.stdout, file)
	return nil
}

// versionLess orders MAJOR.MINOR.PATCH versions numerically.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 3 && i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return false
}

func nextMinor(v string) string {
	p := strings.Split(v, ".")
	minor, _ := strconv.Atoi(p[1])
	return p[0] + "." + strconv.Itoa(minor+1) + ".0"
}
