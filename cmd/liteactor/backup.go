package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/backup"
)

func runBackup(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("backup", "[flags] DEST", "Copy the live database to DEST, one consistent snapshot, while other processes keep writing.\n"+
		"The copy is built in a temporary file next to DEST and renamed into place only when complete:\n"+
		"an error or Ctrl-C never leaves a partial DEST.")
	vacuum := fs.Bool("vacuum", false, "copy with VACUUM INTO (compacted; holds writes back while it runs)")
	verify := fs.Bool("verify", false, "run integrity_check on the copy before putting it in place")
	overwrite := fs.Bool("overwrite", false, "replace an existing DEST")
	step := fs.Int("step", backup.DefaultPagesPerStep, "pages copied per step of the online backup")
	pause := fs.Duration("pause", 0, "pause between steps, to spread the copy's I/O")
	snapshot := fs.Bool("snapshot", false, "pin one read transaction for the whole copy (never restarted by writes)")
	showProgress := fs.Bool("progress", false, "print progress lines even when stderr is not a terminal")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *step < 1 {
		return usageError("-step must be at least 1, got %d", *step)
	}
	if *pause < 0 {
		return usageError("-pause must not be negative, got %s", *pause)
	}
	dest := pos[0]
	p := a.newProgress("backup", *showProgress)
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		var res backup.Result
		var err error
		if *vacuum {
			stop := p.ticker("VACUUM INTO " + dest)
			res, err = backup.VacuumInto(ctx, eng, dest, backup.VacuumOptions{Overwrite: *overwrite, Verify: *verify})
			stop()
		} else {
			res, err = backup.ToFile(ctx, eng, dest, backup.Options{
				PagesPerStep: *step, Pause: *pause, Snapshot: *snapshot, Overwrite: *overwrite, Verify: *verify,
				Progress: func(pr backup.Progress) {
					extra := ""
					if pr.Restarts > 0 {
						extra = fmt.Sprintf(", %d restarts", pr.Restarts)
					}
					p.pages(pr.PageCount-pr.Remaining, pr.PageCount, extra)
				},
			})
			p.done()
		}
		if err != nil {
			return fmt.Errorf("%s: %w (nothing was written to %s)", a.db, err, dest)
		}
		verified := ""
		if res.Verified {
			verified = ", verified"
		}
		fmt.Fprintf(a.stdout, "backup %s -> %s: %d pages, %d bytes, %s, %d restarts%s, %s\n",
			a.db, res.Path, res.Pages, res.Bytes, res.Method, res.Restarts, verified, res.Duration.Round(time.Millisecond))
		return nil
	})
}

func runRestore(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("restore", "[flags] SRC", "Replace the database with a copy of the backup SRC. SRC is verified with integrity_check first;\n"+
		"the copy is written next to the database and renamed over it, so the database is either wholly\n"+
		"the old one or wholly SRC. Refused while another process has the database open: stop the service\n"+
		"first, and do not start it until the restore has finished.")
	noVerify := fs.Bool("no-verify", false, "skip the integrity_check of SRC")
	keep := fs.String("keep", "", "first copy the database being replaced to this `PATH` (must not exist)")
	showProgress := fs.Bool("progress", false, "print progress lines even when stderr is not a terminal")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	src := pos[0]
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if err := refuseInUse(a.db, a.stderr); err != nil {
		return err
	}
	p := a.newProgress("restore", *showProgress)
	what := "verifying and copying " + src
	if *noVerify {
		what = "copying " + src
	}
	start := time.Now()
	stop := p.ticker(what)
	err = backup.RestoreFile(ctx, src, a.db, backup.RestoreOptions{SkipVerify: *noVerify, KeepPrevious: *keep})
	stop()
	if err != nil {
		return fmt.Errorf("%s from %s: %w (the database is unchanged)", a.db, src, err)
	}
	fmt.Fprintf(a.stdout, "restored %s from %s, %s\n", a.db, src, time.Since(start).Round(time.Millisecond))
	return nil
}

// refuseInUse fails when another connection (in this or another process)
// has the database at path open. It asks SQLite for an exclusive lock
// without waiting: every connection to a WAL database, the engine's
// included, holds a shared lock on it for as long as it is open (an idle
// connection to a rollback-journal database holds none and is not seen).
// The probe is released before the restore begins; what opens the
// database after it is the operator's to prevent. A file SQLite cannot
// read as a database (the corrupt file a restore is often for) cannot be
// probed: that is said on warn, and the restore goes on.
func refuseInUse(path string, warn io.Writer) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	conn, err := sqlite3.OpenFlags(path, sqlite3.OPEN_READWRITE)
	if err == nil {
		defer conn.Close()
		err = conn.Exec("PRAGMA busy_timeout=0; PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT")
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sqlite3.BUSY) || errors.Is(err, sqlite3.LOCKED):
		return fmt.Errorf("%s is in use by another process; stop it before restoring: %w", path, err)
	}
	fmt.Fprintf(warn, "warning: cannot tell whether %s is in use (%s); restoring over it\n", path, describe(err))
	return nil
}

func runVerify(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("verify", "[flags] FILE", "Run integrity_check on the database file FILE (a backup), opened read-only; exit 1 on findings.")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, err := a.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	file := pos[0]
	rep, err := backup.Verify(ctx, file)
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			File     string   `json:"file"`
			OK       bool     `json:"ok"`
			Findings []string `json:"findings"`
		}{file, rep.OK, nonNil(rep.Findings)}
		if err := json.NewEncoder(a.stdout).Encode(out); err != nil {
			return err
		}
	} else if rep.OK {
		fmt.Fprintf(a.stdout, "%s: ok\n", file)
	} else {
		for _, f := range rep.Findings {
			fmt.Fprintf(a.stdout, "%s: %s\n", file, f)
		}
	}
	if !rep.OK {
		return findings("%s: %d integrity findings", file, len(rep.Findings))
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
