package target

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// Schema is the DDL every benchmark database starts with.
const Schema = `
CREATE TABLE kv(id INTEGER PRIMARY KEY, k INTEGER NOT NULL, v TEXT NOT NULL);
CREATE TABLE accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
CREATE TABLE ledger(id INTEGER PRIMARY KEY, src INTEGER NOT NULL, dst INTEGER NOT NULL, amount INTEGER NOT NULL);
`

// The statements every target runs, so that all of them do the same work.
const (
	SQLInsert = `INSERT INTO kv(k, v) VALUES(?, ?)`
	SQLGet    = `SELECT k, v FROM kv WHERE id = ?`
	SQLScan   = `SELECT id, k, v FROM kv WHERE id >= ? ORDER BY id LIMIT ?`
	SQLDebit  = `UPDATE accounts SET balance = balance - ? WHERE id = ?`
	SQLCredit = `UPDATE accounts SET balance = balance + ? WHERE id = ?`
	SQLLedger = `INSERT INTO ledger(src, dst, amount) VALUES(?, ?, ?)`
	SQLReport = `SELECT count(*), sum(length(v)) FROM kv WHERE id <= ?`
)

// Payload is the v value of every row written by the benchmark (64 bytes).
var Payload = strings.Repeat("liteactor", 8)[:64]

// KOf is the k value Seed stores for row id; readers check it.
func KOf(id int64) int64 { return id * 7 }

// InitialBalance is every seeded account's starting balance.
const InitialBalance = 1_000_000

// SeedSpec says what Seed puts in a fresh database.
type SeedSpec struct {
	Rows     int // rows in kv, ids 1..Rows, k = KOf(id)
	Accounts int // rows in accounts, ids 1..Accounts
}

// Seed creates the database file at path in WAL mode with the benchmark
// schema and the rows spec asks for, using one raw ncruces connection and one
// transaction, and closes it. The file must not exist yet.
func Seed(path string, spec SeedSpec) (err error) {
	c, err := sqlite3.Open(path)
	if err != nil {
		return fmt.Errorf("seed open: %w", err)
	}
	defer func() {
		if cerr := c.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("seed close: %w", cerr)
		}
	}()
	if err := c.Exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;` + Schema); err != nil {
		return fmt.Errorf("seed schema: %w", err)
	}
	if _, err := c.BeginImmediate(); err != nil {
		return fmt.Errorf("seed begin: %w", err)
	}
	if err := seedRows(c, spec); err != nil {
		_ = c.Exec(`ROLLBACK`)
		return err
	}
	if err := c.Exec(`COMMIT; PRAGMA wal_checkpoint(TRUNCATE);`); err != nil {
		return fmt.Errorf("seed commit: %w", err)
	}
	return nil
}

func seedRows(c *sqlite3.Conn, spec SeedSpec) error {
	ins, _, err := c.Prepare(`INSERT INTO kv(id, k, v) VALUES(?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("seed prepare: %w", err)
	}
	defer ins.Close()
	for id := int64(1); id <= int64(spec.Rows); id++ {
		_ = ins.BindInt64(1, id)
		_ = ins.BindInt64(2, KOf(id))
		_ = ins.BindText(3, Payload)
		if err := ins.Exec(); err != nil {
			return fmt.Errorf("seed kv: %w", err)
		}
	}
	acc, _, err := c.Prepare(`INSERT INTO accounts(id, balance) VALUES(?, ?)`)
	if err != nil {
		return fmt.Errorf("seed prepare: %w", err)
	}
	defer acc.Close()
	for id := int64(1); id <= int64(spec.Accounts); id++ {
		_ = acc.BindInt64(1, id)
		_ = acc.BindInt64(2, InitialBalance)
		if err := acc.Exec(); err != nil {
			return fmt.Errorf("seed accounts: %w", err)
		}
	}
	return nil
}

// SQLiteVersion returns the SQLite library version ncruces/go-sqlite3 embeds.
func SQLiteVersion() (string, error) {
	c, err := sqlite3.Open(":memory:")
	if err != nil {
		return "", err
	}
	defer c.Close()
	s, _, err := c.Prepare(`SELECT sqlite_version()`)
	if err != nil {
		return "", err
	}
	defer s.Close()
	if !s.Step() {
		return "", s.Err()
	}
	return s.ColumnText(0), nil
}

// checkSync accepts the synchronous modes the benchmark uses.
func checkSync(mode string) error {
	switch mode {
	case "NORMAL", "FULL":
		return nil
	}
	return fmt.Errorf("unknown synchronous mode %q (want NORMAL or FULL)", mode)
}
