package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/maintenance"
)

func runCheckpoint(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("checkpoint", "[passive|full|truncate]", "Run wal_checkpoint on the database (default passive). PASSIVE copies what it can without\n"+
		"waiting; FULL waits for writers; TRUNCATE also waits for readers and empties the -wal file.\n"+
		"RESTART is not offered: behind long readers it stalls every writer.")
	pos, err := a.parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	mode, name := sqlite3.CHECKPOINT_PASSIVE, "PASSIVE"
	if len(pos) == 1 {
		switch strings.ToLower(pos[0]) {
		case "passive":
		case "full":
			mode, name = sqlite3.CHECKPOINT_FULL, "FULL"
		case "truncate":
			mode, name = sqlite3.CHECKPOINT_TRUNCATE, "TRUNCATE"
		default:
			return usageError("unknown checkpoint mode %q (want passive, full or truncate)", pos[0])
		}
	}
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		res, err := eng.Checkpoint(ctx, mode)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "checkpoint %s: %d frames in the WAL, %d checkpointed\n", name, res.LogFrames, res.Checkpointed)
		return nil
	})
}

func runVacuum(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("vacuum", "[flags]", "Rebuild the database with VACUUM (free pages returned, tables and indexes rewritten),\n"+
		"then checkpoint so the file shrinks. Writes wait while it runs; reads go on.\n"+
		"It needs free disk space of up to twice the database's size. Ctrl-C rolls it back.")
	showProgress := fs.Bool("progress", false, "print progress lines even when stderr is not a terminal")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	p := a.newProgress("vacuum", *showProgress)
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		stop := p.ticker("running VACUUM")
		res, err := maintenance.Vacuum(ctx, eng, maintenance.VacuumOptions{Checkpoint: true})
		stop()
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "vacuum: %d -> %d pages (%d -> %d free), file %d -> %d bytes, %s\n",
			res.PagesBefore, res.PagesAfter, res.FreeBefore, res.FreeAfter, res.FileBytesBefore, res.FileBytesAfter,
			res.Duration.Round(time.Millisecond))
		return nil
	})
}

func runAnalyze(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("analyze", "[TABLE]", "Gather the query planner's statistics with ANALYZE, for every table or for TABLE.")
	pos, err := a.parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	table := ""
	if len(pos) == 1 {
		table = pos[0]
	}
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		if err := maintenance.Analyze(ctx, eng, table); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, "analyze: done")
		return nil
	})
}

func runOptimize(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("optimize", "", "Run PRAGMA optimize: analyze the tables whose statistics are missing or stale.")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		if err := maintenance.Optimize(ctx, eng); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, "optimize: done")
		return nil
	})
}
