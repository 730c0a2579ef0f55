// Command liteactor operates on a liteactor database file from a shell:
// apply and inspect migrations, take, verify and restore backups, check
// integrity, checkpoint, vacuum, analyze, and read figures and health.
//
//	liteactor -db PATH <command> [flags] [args]
//
// Run "liteactor -h" for the commands and "liteactor <command> -h" for one
// command's flags. Flags may follow the arguments ("backup DEST -verify").
//
// Exit codes: 0 success; 1 the command ran and found something (integrity
// findings, foreign key violations, migration drift or a broken chain, a
// database that is not healthy); 2 usage error; 3 the command failed (the
// error is printed on one line, with the SQLite result code when there is
// one); 130 interrupted (SIGINT or SIGTERM: the work in progress was
// cancelled and nothing partial was left behind).
//
// Every command except verify and migrate create opens the database with a
// liteactor engine (liteactor.MinimalConfig), which puts it in WAL mode;
// other processes may use the database meanwhile, except during restore.
// Progress of long work (backup, restore, vacuum) is shown on stderr when
// stderr is a terminal, or always with -progress.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/liteactor/liteactor"
)

// Exit codes.
const (
	exitOK          = 0
	exitFindings    = 1
	exitUsage       = 2
	exitFailed      = 3
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the process at once
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// app is one invocation: the global flags and where output goes.
type app struct {
	db     string
	busy   time.Duration
	stdout io.Writer
	stderr io.Writer
}

// command is one entry of the command table.
type command struct {
	name    string
	args    string // after the name in the usage line
	summary string
	noDB    bool // runs without -db
	run     func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{name: "migrate", args: "up|status|validate|repair|create [flags]", summary: "apply, inspect, validate or repair schema migrations; create a migration file", run: runMigrate, noDB: true},
		{name: "backup", args: "[flags] DEST", summary: "copy the live database to DEST (online backup API, or VACUUM INTO with -vacuum)", run: runBackup},
		{name: "restore", args: "[flags] SRC", summary: "replace the database with the backup SRC (refused while another process has it open)", run: runRestore},
		{name: "verify", args: "[flags] FILE", summary: "run integrity_check on a backup file, read-only", run: runVerify, noDB: true},
		{name: "check", args: "[-quick] [-fk] [flags]", summary: "run integrity_check (or quick_check) and foreign_key_check, print findings", run: runCheck},
		{name: "checkpoint", args: "[passive|full|truncate]", summary: "checkpoint the WAL into the database file (default passive)", run: runCheckpoint},
		{name: "vacuum", args: "[flags]", summary: "rebuild the database with VACUUM, returning free pages", run: runVacuum},
		{name: "analyze", args: "[TABLE]", summary: "gather the query planner's statistics (ANALYZE)", run: runAnalyze},
		{name: "optimize", args: "", summary: "run PRAGMA optimize", run: runOptimize},
		{name: "stats", args: "[-json]", summary: "print the database's figures: size, pages, WAL, schema, migration version", run: runStats},
		{name: "health", args: "[-json] [flags]", summary: "probe the writer and a reader and grade the database's health", run: runHealth},
	}
}

// run is the whole program: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("liteactor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&a.db, "db", "", "the database `PATH`")
	fs.DurationVar(&a.busy, "busy", 5*time.Second, "how long to wait for a lock held by another process")
	fs.Usage = func() { mainUsage(fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			mainUsage(fs)
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "liteactor: no command")
		mainUsage(fs)
		return exitUsage
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		if a.db == "" && !c.noDB && !wantsHelp(rest) {
			fmt.Fprintf(stderr, "liteactor %s: -db PATH is required\n", name)
			return exitUsage
		}
		return a.exit(ctx, name, c.run(ctx, a, rest))
	}
	fmt.Fprintf(stderr, "liteactor: unknown command %q (run liteactor -h)\n", name)
	return exitUsage
}

func mainUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, "Usage: liteactor -db PATH <command> [flags] [args]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nGlobal flags:\n")
	fs.PrintDefaults()
	fmt.Fprint(w, "\nRun 'liteactor <command> -h' for a command's flags.\n"+
		"Exit codes: 0 ok, 1 findings or drift, 2 usage, 3 failure, 130 interrupted.\n")
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			return true
		}
	}
	return false
}

// exitError carries an exit code other than exitFailed.
type exitError struct {
	code int
	err  error // nil: nothing more to print (the output said it)
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError is an exit-2 error.
func usageError(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// findings is the exit-1 result of a command that printed what it found;
// msg, if not empty, is printed on stderr as a summary.
func findings(format string, a ...any) error {
	if format == "" {
		return &exitError{code: exitFindings}
	}
	return &exitError{code: exitFindings, err: fmt.Errorf(format, a...)}
}

// exit prints err on one line and maps it to an exit code.
func (a *app) exit(ctx context.Context, name string, err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ee) && ee.code == exitUsage:
		fmt.Fprintf(a.stderr, "liteactor %s: %s\n", name, oneLine(ee.err))
		fmt.Fprintf(a.stderr, "Run 'liteactor %s -h' for usage.\n", name)
		return exitUsage
	case ctx.Err() != nil:
		// Whatever the work returned (context.Canceled, SQLite's
		// INTERRUPT), it stopped because of the signal.
		fmt.Fprintf(a.stderr, "liteactor %s: interrupted: %s\n", name, a.message(name, err))
		return exitInterrupted
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintf(a.stderr, "liteactor %s: %s\n", name, a.message(name, ee.err))
		}
		return ee.code
	}
	fmt.Fprintf(a.stderr, "liteactor %s: %s\n", name, a.message(name, err))
	return exitFailed
}

// message is describe(err) without a leading "name: " that would repeat
// the command's own prefix ("liteactor migrate: migrate: ...").
func (a *app) message(name string, err error) string {
	return strings.TrimPrefix(describe(err), name+": ")
}

// newFlags makes a command's FlagSet; help goes to stdout.
func (a *app) newFlags(name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: liteactor -db PATH %s %s\n\n%s\n", name, args, summary)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses a command's flags, which may come before, between or after
// its arguments, and checks the number of arguments.
func (a *app) parse(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(a.stdout)
				fs.Usage()
				return nil, err
			}
			return nil, &exitError{code: exitUsage, err: nil}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	switch {
	case len(pos) < min:
		return nil, usageError("missing argument (want %d, got %d)", min, len(pos))
	case max >= 0 && len(pos) > max:
		return nil, usageError("unexpected argument %q", pos[max])
	}
	return pos, nil
}

// open opens an engine on the database; unless create, the file must exist
// (a typo in -db must not create an empty database).
func (a *app) open(ctx context.Context, create bool) (*liteactor.Engine, func() error, error) {
	if !create {
		if _, err := os.Stat(a.db); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("database %s does not exist", a.db)
		}
	}
	cfg := liteactor.MinimalConfig()
	cfg.BusyTimeout = a.busy
	cfg.ReadTimeout = 0
	cfg.Name = "liteactor-cli"
	eng, err := liteactor.Open(ctx, a.db, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", a.db, err)
	}
	closeFn := func() error {
		// Close drains even after Ctrl-C, so that the database is left
		// checkpointed; a stuck close is cut after a minute.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := eng.Close(cctx); err != nil {
			return fmt.Errorf("close %s: %w", a.db, err)
		}
		return nil
	}
	return eng, closeFn, nil
}

// withEngine opens the database, runs fn and closes it, returning fn's
// error, or Close's if fn succeeded.
func (a *app) withEngine(ctx context.Context, create bool, fn func(*liteactor.Engine) error) error {
	eng, closeFn, err := a.open(ctx, create)
	if err != nil {
		return err
	}
	err = fn(eng)
	if cerr := closeFn(); err == nil {
		err = cerr
	}
	return err
}

func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
