package actors

import (
	"fmt"
	"strings"
	"time"

	"github.com/liteactor/liteactor/internal/osvfs"
	"github.com/ncruces/go-sqlite3"

	"github.com/liteactor/liteactor/internal/sqlstmt"
)

// ConnConfig is how the engine opens every connection to its database.
type ConnConfig struct {
	// URI is what SQLite opens: a file path, or a file: URI for the memdb VFS.
	URI string
	// Memory is true for a memdb database (no WAL: SQLite's rollback journal
	// with memdb's locks).
	Memory           bool
	BusyTimeout      time.Duration
	CacheSizeKB      int
	Synchronous      string // NORMAL, FULL or OFF
	JournalSizeLimit int64  // bytes; negative leaves SQLite's default
	StmtCacheSize    int
	InitHook         func(*sqlite3.Conn) error
	// CommitHook, if set, sees every commit the writer's own commit hook
	// lets through; false vetoes it.
	CommitHook func() bool
}

// Conn is a connection owned by one actor, with its statement cache.
type Conn struct {
	*sqlite3.Conn
	cache *stmtCache
	own   map[string]*sqlite3.Stmt // the engine's statements
}

// OpenWriter opens the read-write connection: creates the database if it does
// not exist, switches it to WAL (file databases), and applies the engine's
// PRAGMAs, then cfg.InitHook.
func OpenWriter(cfg *ConnConfig) (*Conn, error) {
	flags := sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE | sqlite3.OPEN_URI
	pragmas := []string{
		"PRAGMA foreign_keys=ON",
		fmt.Sprintf("PRAGMA synchronous=%s", cfg.Synchronous),
	}
	if !cfg.Memory {
		// First PRAGMA that reads the file: a file that is not a database
		// fails here with NOTADB, before anything is written to it.
		pragmas = append([]string{"PRAGMA journal_mode=WAL"}, pragmas...)
		if cfg.JournalSizeLimit >= 0 {
			pragmas = append(pragmas, fmt.Sprintf("PRAGMA journal_size_limit=%d", cfg.JournalSizeLimit))
		}
	}
	return open(cfg, flags, pragmas)
}

// OpenReader opens a reader connection: read-write at the file level (so it
// can take part in WAL recovery) but with PRAGMA query_only=1, so every
// statement that would write fails with SQLITE_READONLY.
func OpenReader(cfg *ConnConfig) (*Conn, error) {
	flags := sqlite3.OPEN_READWRITE | sqlite3.OPEN_URI
	return open(cfg, flags, []string{"PRAGMA query_only=1"})
}

func open(cfg *ConnConfig, flags sqlite3.OpenFlag, pragmas []string) (*Conn, error) {
	uri := cfg.URI
	if !strings.HasPrefix(uri, "file:") {
		// A file path: open it through the OS VFS that reports a full
		// disk as sqlite3.FULL.
		uri = osvfs.URI(uri)
	}
	c, err := sqlite3.OpenFlags(uri, flags)
	if err != nil {
		return nil, err
	}
	if err := setup(c, cfg, pragmas); err != nil {
		c.Close()
		return nil, err
	}
	return &Conn{Conn: c, cache: newStmtCache(cfg.StmtCacheSize)}, nil
}

func setup(c *sqlite3.Conn, cfg *ConnConfig, pragmas []string) error {
	if err := c.BusyTimeout(cfg.BusyTimeout); err != nil {
		return err
	}
	if cfg.CacheSizeKB > 0 {
		pragmas = append(pragmas, fmt.Sprintf("PRAGMA cache_size=-%d", cfg.CacheSizeKB))
	}
	for _, p := range pragmas {
		if err := c.Exec(p); err != nil {
			return fmt.Errorf("%s: %w", strings.TrimPrefix(p, "PRAGMA "), err)
		}
	}
	if cfg.InitHook != nil {
		if err := cfg.InitHook(c); err != nil {
			return fmt.Errorf("InitHook: %w", err)
		}
	}
	return nil
}

// Close finalizes the cached statements, then closes the connection (SQLite
// refuses to close with unfinalized statements). Safe on a nil Conn.
func (c *Conn) Close() error {
	if c == nil || c.Conn == nil {
		return nil
	}
	c.cache.closeAll()
	for _, s := range c.own {
		s.Close()
	}
	c.own = nil
	// Statements a callback prepared and never closed would make Close fail
	// with BUSY: finalize them too.
	for s := range c.Conn.Stmts() {
		s.Close()
	}
	err := c.Conn.Close()
	c.Conn = nil
	return err
}

// engineStmt returns the engine's own prepared statement for sql (BEGIN,
// COMMIT, SAVEPOINT...), kept apart from the user statement cache so that a
// user statement with the same text never reaches the engine's handle.
func (c *Conn) engineStmt(sql string) (*sqlite3.Stmt, error) {
	if s := c.own[sql]; s != nil {
		return s, nil
	}
	s, _, err := c.Conn.Prepare(sql)
	if err != nil {
		return nil, err
	}
	if c.own == nil {
		c.own = make(map[string]*sqlite3.Stmt)
	}
	c.own[sql] = s
	return s, nil
}

// execEngine runs one of the engine's own statements.
func (c *Conn) execEngine(sql string) error {
	s, err := c.engineStmt(sql)
	if err != nil {
		return err
	}
	return s.Exec()
}

// errMultiStatement is the layer's sentinel, named here for the writer's
// fallback to a script.
var errMultiStatement = sqlstmt.ErrMultiStatement

// startConn returns the connection an actor instance starts with: the one
// Open made (adopted once, then *initial is cleared), or a fresh one, with
// the actor's authorizer installed. It panics on failure, so the supervisor
// restarts the actor within its restart budget.
func startConn(initial **Conn, open func(*ConnConfig) (*Conn, error), cfg *ConnConfig,
	auth func(sqlite3.AuthorizerActionCode, string, string, string, string) sqlite3.AuthorizerReturnCode, role string) *Conn {
	c := *initial
	*initial = nil
	if c == nil {
		var err error
		if c, err = open(cfg); err != nil {
			panic(fmt.Errorf("liteactor: reopen %s connection: %w", role, err))
		}
	}
	if err := c.SetAuthorizer(auth); err != nil {
		c.Close()
		panic(fmt.Errorf("liteactor: %s authorizer: %w", role, err))
	}
	return c
}
