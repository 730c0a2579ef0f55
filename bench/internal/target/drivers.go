package target

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/ncruces/go-sqlite3/driver" // registers "sqlite3"
	_ "modernc.org/sqlite"                   // registers "sqlite"
)

// sqlDefaultKind is target (c): database/sql with the ncruces driver as most
// people configure it: one sql.DB, default pool settings (no MaxOpenConns,
// MaxIdleConns 2), busy_timeout 5000, WAL. The driver's own default
// transaction mode (BEGIN IMMEDIATE for read-write transactions) applies.
func sqlDefaultKind() Kind {
	return Kind{
		ID:    "sql-default",
		Label: "(c) database/sql ncruces, default pool",
		Desc:  "one sql.DB, default pool, _pragma busy_timeout(5000), journal_mode(WAL), synchronous(<mode>)",
		Open: func(ctx context.Context, opt Options) (Target, error) {
			if err := checkSync(opt.Sync); err != nil {
				return nil, err
			}
			db, err := sql.Open("sqlite3", dsn(opt.Path, opt.Sync, "", false))
			if err != nil {
				return nil, err
			}
			if err := db.PingContext(ctx); err != nil {
				db.Close()
				return nil, fmt.Errorf("sqlite3 ping: %w", err)
			}
			return &sqlDB{w: db, r: db}, nil
		},
	}
}

// sqlTwoPoolKind is target (d): database/sql with the ncruces driver in the
// recommended two-pool pattern: a writer pool with MaxOpenConns(1) and
// _txlock=immediate, and a reader pool of Readers query_only connections.
func sqlTwoPoolKind() Kind {
	return Kind{
		ID:    "sql-2pool",
		Label: "(d) database/sql ncruces, two pools",
		Desc: "writer sql.DB MaxOpenConns(1) _txlock=immediate, reader sql.DB MaxOpenConns(Readers) query_only(1); " +
			"both busy_timeout(5000), WAL, synchronous(<mode>), cache_size(-16000)",
		Open: func(ctx context.Context, opt Options) (Target, error) {
			if err := checkSync(opt.Sync); err != nil {
				return nil, err
			}
			return openPools(ctx, "sqlite3",
				dsn(opt.Path, opt.Sync, "immediate", false)+"&_pragma=cache_size(-16000)",
				dsn(opt.Path, opt.Sync, "", true)+"&_pragma=cache_size(-16000)",
				max(opt.Readers, 1))
		},
	}
}

// moderncTwoPoolKind is target (e): database/sql with modernc.org/sqlite in
// the same two-pool pattern as (d).
func moderncTwoPoolKind() Kind {
	return Kind{
		ID:    "modernc-2pool",
		Label: "(e) database/sql modernc, two pools",
		Desc: "modernc.org/sqlite; writer sql.DB MaxOpenConns(1) _txlock=immediate, reader sql.DB MaxOpenConns(Readers) query_only(1); " +
			"both busy_timeout(5000), WAL, synchronous(<mode>), cache_size(-16000)",
		Open: func(ctx context.Context, opt Options) (Target, error) {
			if err := checkSync(opt.Sync); err != nil {
				return nil, err
			}
			return openPools(ctx, "sqlite",
				dsn(opt.Path, opt.Sync, "immediate", false)+"&_pragma=cache_size(-16000)",
				dsn(opt.Path, opt.Sync, "", true)+"&_pragma=cache_size(-16000)",
				max(opt.Readers, 1))
		},
	}
}

// dsn builds a file: URI understood by both drivers. busy_timeout comes
// first, as both drivers' documentation asks.
func dsn(path, sync, txlock string, queryOnly bool) string {
	q := []string{
		"_pragma=busy_timeout(5000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(" + strings.ToUpper(sync) + ")",
	}
	if queryOnly {
		q = append(q, "_pragma=query_only(1)")
	}
	if txlock != "" {
		q = append(q, "_txlock="+txlock)
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(q, "&")
}
