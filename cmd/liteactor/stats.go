package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/maintenance"
	"github.com/liteactor/liteactor/migrate"
)

// dbStats is what stats prints.
type dbStats struct {
	Path          string         `json:"path"`
	FileBytes     int64          `json:"file_bytes"`
	WALBytes      int64          `json:"wal_bytes"`
	PageSize      int64          `json:"page_size"`
	PageCount     int64          `json:"page_count"`
	FreePages     int64          `json:"free_pages"`
	JournalMode   string         `json:"journal_mode"`
	AutoVacuum    string         `json:"auto_vacuum"`
	UserVersion   int64          `json:"user_version"`
	Objects       map[string]int `json:"objects"` // by sqlite_schema type
	Version       string         `json:"migration_version"`
	Migrations    int            `json:"migrations_applied"`
	SQLiteVersion string         `json:"sqlite_version"`
}

func runStats(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("stats", "[-json]", "Print the database's figures: file and WAL size, pages, journal mode, schema objects,\n"+
		"and the migration version (from the history table).")
	asJSON := fs.Bool("json", false, "print as JSON")
	table := fs.String("table", migrate.DefaultTable, "the migration history `TABLE`")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		s := dbStats{Path: a.db, Objects: map[string]int{"table": 0, "index": 0, "view": 0, "trigger": 0}}
		for _, q := range []struct {
			sql string
			dst any
		}{
			{"PRAGMA page_size", &s.PageSize}, {"PRAGMA page_count", &s.PageCount}, {"PRAGMA freelist_count", &s.FreePages},
			{"PRAGMA journal_mode", &s.JournalMode}, {"PRAGMA user_version", &s.UserVersion},
			{"SELECT CASE auto_vacuum WHEN 0 THEN 'none' WHEN 1 THEN 'full' ELSE 'incremental' END FROM pragma_auto_vacuum", &s.AutoVacuum},
			{"SELECT sqlite_version()", &s.SQLiteVersion},
		} {
			if err := queryValue(ctx, eng, q.sql, q.dst); err != nil {
				return err
			}
		}
		rows, err := eng.Query(ctx, "SELECT type, count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' GROUP BY type")
		if err != nil {
			return err
		}
		for _, r := range rows.Values {
			t, _ := r[0].(string)
			n, _ := r[1].(int64)
			s.Objects[t] = int(n)
		}
		h, err := migrate.History(ctx, eng, migrate.Table(*table))
		if err != nil {
			return err
		}
		s.Migrations = len(h)
		if s.Version, err = migrate.Current(ctx, eng, migrate.Table(*table)); err != nil {
			return err
		}
		s.FileBytes, s.WALBytes = fileBytes(a.db), fileBytes(a.db+"-wal")
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(s)
		}
		version := s.Version
		if version == "" {
			version = "none"
		}
		tw := table2(a.stdout)
		fmt.Fprintf(tw, "database\t%s\n", s.Path)
		fmt.Fprintf(tw, "file\t%d bytes (WAL %d bytes)\n", s.FileBytes, s.WALBytes)
		fmt.Fprintf(tw, "pages\t%d x %d bytes, %d free\n", s.PageCount, s.PageSize, s.FreePages)
		fmt.Fprintf(tw, "journal mode\t%s\n", s.JournalMode)
		fmt.Fprintf(tw, "auto_vacuum\t%s\n", s.AutoVacuum)
		fmt.Fprintf(tw, "user_version\t%d\n", s.UserVersion)
		fmt.Fprintf(tw, "schema\t%d tables, %d indexes, %d views, %d triggers\n", s.Objects["table"], s.Objects["index"], s.Objects["view"], s.Objects["trigger"])
		fmt.Fprintf(tw, "migrations\tversion %s (%d applied)\n", version, s.Migrations)
		fmt.Fprintf(tw, "sqlite\t%s\n", s.SQLiteVersion)
		return tw.Flush()
	})
}

func runHealth(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("health", "[-json] [flags]", "Probe the writer (an empty write transaction) and a reader, and grade the database:\n"+
		"healthy (exit 0), degraded or unhealthy (exit 1), with the reasons.")
	asJSON := fs.Bool("json", false, "print as JSON")
	timeout := fs.Duration("timeout", 5*time.Second, "time limit of each probe")
	walBytes := fs.Int64("wal-bytes", 0, "a -wal file larger than this is degraded (0: 256 MiB)")
	if _, err := a.parse(fs, args, 0, 0); err != nil {
		return err
	}
	return a.withEngine(ctx, false, func(eng *liteactor.Engine) error {
		h := maintenance.Check(ctx, eng, maintenance.HealthOptions{Timeout: *timeout, WALBytes: *walBytes})
		if *asJSON {
			out := struct {
				Status         string    `json:"status"`
				Reasons        []string  `json:"reasons"`
				WriteRoundTrip float64   `json:"write_round_trip_ms"`
				ReadRoundTrip  float64   `json:"read_round_trip_ms"`
				PageSize       int64     `json:"page_size"`
				PageCount      int64     `json:"page_count"`
				FreePages      int64     `json:"free_pages"`
				WALBytes       int64     `json:"wal_bytes"`
				CheckedAt      time.Time `json:"checked_at"`
			}{h.Status.String(), nonNil(h.Reasons), ms(h.WriteRoundTrip), ms(h.ReadRoundTrip),
				h.PageSize, h.PageCount, h.FreePages, h.WALBytes, h.CheckedAt.UTC()}
			if err := json.NewEncoder(a.stdout).Encode(out); err != nil {
				return err
			}
		} else {
			tw := table2(a.stdout)
			fmt.Fprintf(tw, "status\t%s\n", h.Status)
			fmt.Fprintf(tw, "write round trip\t%s\n", h.WriteRoundTrip.Round(time.Microsecond))
			fmt.Fprintf(tw, "read round trip\t%s\n", h.ReadRoundTrip.Round(time.Microsecond))
			fmt.Fprintf(tw, "pages\t%d x %d bytes, %d free\n", h.PageCount, h.PageSize, h.FreePages)
			fmt.Fprintf(tw, "WAL\t%d bytes\n", h.WALBytes)
			for _, r := range h.Reasons {
				fmt.Fprintf(tw, "reason\t%s\n", r)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		if h.Status != maintenance.Healthy {
			return findings("database is %s", h.Status)
		}
		return nil
	})
}

// queryValue runs a one-value query on a reader into dst (*int64 or *string).
func queryValue(ctx context.Context, eng *liteactor.Engine, sql string, dst any) error {
	rows, err := eng.Query(ctx, sql)
	if err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	if len(rows.Values) != 1 || len(rows.Values[0]) != 1 {
		return fmt.Errorf("%s: %d rows", sql, len(rows.Values))
	}
	v := rows.Values[0][0]
	switch d := dst.(type) {
	case *int64:
		*d, _ = v.(int64)
	case *string:
		*d, _ = v.(string)
	}
	return nil
}

func fileBytes(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// table2 aligns "name<TAB>value" lines.
func table2(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }
