package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/liteactor/liteactor"
)

// Sentinel errors of the bridge. Errors of the engine (liteactor.ErrClosed,
// liteactor.ErrQueueFull, liteactor.ErrReadTimeout, ...) and of SQLite
// (sqlite3.CONSTRAINT, ...) pass through wrapped, so errors.Is finds them.
var (
	// ErrTxExpired: the transaction stayed open longer than its limit
	// (WithTxLimit for a read-write one, WithReadLimit for a read-only one)
	// and was rolled back. Every later call on it, Commit included, fails
	// with this error.
	ErrTxExpired = errors.New("sqldb: transaction exceeded its time limit and was rolled back")
	// ErrTxAborted: SQLite rolled the transaction back under a statement
	// (an interrupted write, ON CONFLICT ROLLBACK, an I/O error) or a
	// statement ended it. Every later call on it fails with this error.
	ErrTxAborted = errors.New("sqldb: transaction was rolled back")
	// ErrRowsExpired: a result streamed outside a transaction held its
	// reader longer than WithReadLimit; the rows not yet read are lost.
	ErrRowsExpired = errors.New("sqldb: rows held their reader longer than the read limit")
)

// Default limits (see WithTxLimit and WithReadLimit).
const (
	DefaultTxLimit   = 10 * time.Second
	DefaultReadLimit = time.Minute
)

// Option configures OpenDB.
type Option func(*config)

type config struct {
	txLimit   time.Duration
	readLimit time.Duration
}

// WithTxLimit bounds how long a read-write transaction may hold the writer,
// from its BEGIN IMMEDIATE to Commit or Rollback (default DefaultTxLimit).
// When it passes, the running statement is interrupted, the transaction is
// rolled back and the writer goes back to the other writes; the
// transaction's later calls fail with ErrTxExpired. d <= 0 keeps the
// default: a transaction can never hold the writer without bound.
func WithTxLimit(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.txLimit = d
		}
	}
}

// WithReadLimit bounds how long a streamed result (Rows outside a
// transaction) or a read-only transaction may hold its reader (default
// DefaultReadLimit). When it passes, the reader is given back: the Rows
// report ErrRowsExpired, the transaction ErrTxExpired. Rows that are never
// closed therefore hold a reader at most this long. d <= 0 keeps the
// default.
func WithReadLimit(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.readLimit = d
		}
	}
}

// OpenDB returns a *sql.DB whose every call runs on eng (see the package
// documentation for where each call runs). Closing the *sql.DB does not
// close eng; closing eng makes every call of the *sql.DB fail with an error
// wrapping liteactor.ErrClosed.
func OpenDB(eng *liteactor.Engine, opts ...Option) *sql.DB {
	db := sql.OpenDB(NewConnector(eng, opts...))
	// A connection of this driver is a small struct, not a SQLite
	// connection: keep enough idle ones that concurrent callers do not
	// make and drop one per call.
	db.SetMaxIdleConns(256)
	return db
}

// NewConnector returns the driver.Connector OpenDB uses, for callers that
// build their *sql.DB themselves (sql.OpenDB) or wrap the connector.
func NewConnector(eng *liteactor.Engine, opts ...Option) driver.Connector {
	cfg := config{txLimit: DefaultTxLimit, readLimit: DefaultReadLimit}
	for _, o := range opts {
		o(&cfg)
	}
	return &connector{eng: eng, cfg: cfg, info: newInfoCache(infoCacheSize)}
}

// connector is the driver.Connector: the engine, the options and what the
// bridge learned about statements, shared by every connection.
type connector struct {
	eng  *liteactor.Engine
	cfg  config
	info *infoCache
}

// Connect returns a new connection; it fails with liteactor.ErrClosed once
// the engine is closing.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := c.closed(); err != nil {
		return nil, err
	}
	return &conn{c: c}, nil
}

// Driver returns a driver.Driver whose Open always fails: connections come
// only from OpenDB or NewConnector, which know the engine.
func (c *connector) Driver() driver.Driver { return noDSN{} }

// closed reports liteactor.ErrClosed, wrapped, once the engine is closing.
func (c *connector) closed() error {
	select {
	case <-c.eng.Closing():
		return errClosed
	default:
		return nil
	}
}

var errClosed = fmt.Errorf("sqldb: %w", liteactor.ErrClosed)

type noDSN struct{}

func (noDSN) Open(string) (driver.Conn, error) {
	return nil, errors.New("sqldb: open a *sql.DB with sqldb.OpenDB(engine), not sql.Open")
}
