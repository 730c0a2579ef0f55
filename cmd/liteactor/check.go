package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/check"
)

func runCheck(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("check", "[-quick] [-fk] [flags]", "Run PRAGMA integrity_check (or quick_check) on one snapshot, and foreign_key_check with -fk;\n"+
		"print every finding; exit 1 when there is any. Writers keep going meanwhile.")
	quick := fs.Bool("quick", false, "quick_check instead of integrity_check (skips index contents)")
	fk := fs.Bool("fk", false, "also run foreign_key_check")
	table := fs.String("table", "", "check only this `TABLE` and its indexes")
	max := fs.Int("max", 0, "stop after this many integrity findings (0: all)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *max < 0 {
		return usageError("-max must not be negative")
	}
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		run, name := check.Integrity, "integrity_check"
		if *quick {
			run, name = check.Quick, "quick_check"
		}
		rep, err := run(ctx, eng, check.Options{Table: *table, MaxFindings: *max})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var violations []check.Violation
		if *fk {
			if violations, err = check.ForeignKeys(ctx, eng, *table); err != nil {
				return fmt.Errorf("foreign_key_check: %w", err)
			}
		}
		n := len(rep.Findings) + len(violations)
		if *asJSON {
			type violation struct {
				Table   string `json:"table"`
				RowID   *int64 `json:"rowid"`
				Parent  string `json:"parent"`
				FKIndex int    `json:"fk_index"`
			}
			vs := []violation{}
			for _, v := range violations {
				j := violation{Table: v.Table, Parent: v.Parent, FKIndex: v.FKIndex}
				if v.HasRowID {
					id := v.RowID
					j.RowID = &id
				}
				vs = append(vs, j)
			}
			out := struct {
				Check       string       `json:"check"`
				OK          bool         `json:"ok"`
				Findings    []string     `json:"findings"`
				ForeignKeys *[]violation `json:"foreign_keys,omitempty"`
			}{Check: name, OK: n == 0, Findings: nonNil(rep.Findings)}
			if *fk {
				out.ForeignKeys = &vs
			}
			if err := json.NewEncoder(a.stdout).Encode(out); err != nil {
				return err
			}
		} else {
			if rep.OK {
				fmt.Fprintf(a.stdout, "%s: ok\n", name)
			}
			for _, f := range rep.Findings {
				fmt.Fprintf(a.stdout, "%s: %s\n", name, f)
			}
			if *fk && len(violations) == 0 {
				fmt.Fprintln(a.stdout, "foreign_key_check: ok")
			}
			for _, v := range violations {
				row := "a row without rowid"
				if v.HasRowID {
					row = fmt.Sprintf("rowid %d", v.RowID)
				}
				fmt.Fprintf(a.stdout, "foreign_key_check: %s %s has no parent in %s (constraint %d)\n", v.Table, row, v.Parent, v.FKIndex)
			}
		}
		if n > 0 {
			return findings("%d finding(s)", n)
		}
		return nil
	})
}
