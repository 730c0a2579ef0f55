package liteactor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "liteactor-example-")
	defer os.RemoveAll(dir)

	eng, err := liteactor.Open(ctx, filepath.Join(dir, "app.db"), liteactor.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close(ctx)

	eng.Exec(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)")
	res, _ := eng.Exec(ctx, "INSERT INTO users (name) VALUES (?)", "ada")
	fmt.Println("inserted id", res.LastInsertID)

	_, err = eng.Exec(ctx, "INSERT INTO users (name) VALUES (?)", "ada")
	fmt.Println("duplicate is a constraint error:", errors.Is(err, sqlite3.CONSTRAINT))

	rows, _ := eng.Query(ctx, "SELECT id, name FROM users")
	fmt.Println(rows.Columns, rows.Values)
	// Output:
	// inserted id 1
	// duplicate is a constraint error: true
	// [id name] [[1 ada]]
}

func ExampleEngine_Write() {
	ctx := context.Background()
	eng, _ := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	defer eng.Close(ctx)
	eng.Exec(ctx, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))")
	eng.Exec(ctx, "INSERT INTO accounts VALUES (1, 100), (2, 0)")

	// A transfer is atomic: the debit that would overdraw fails the CHECK,
	// and the credit before it is rolled back with it.
	transfer := func(amount int) error {
		return eng.Write(ctx, func(conn *sqlite3.Conn) error {
			if err := conn.Exec(fmt.Sprintf("UPDATE accounts SET balance = balance + %d WHERE id = 2", amount)); err != nil {
				return err
			}
			return conn.Exec(fmt.Sprintf("UPDATE accounts SET balance = balance - %d WHERE id = 1", amount))
		})
	}
	fmt.Println(transfer(60))
	fmt.Println(errors.Is(transfer(60), sqlite3.CONSTRAINT))
	rows, _ := eng.Query(ctx, "SELECT balance FROM accounts ORDER BY id")
	fmt.Println(rows.Values)
	// Output:
	// <nil>
	// true
	// [[40] [60]]
}

func ExampleEngine_Read() {
	ctx := context.Background()
	eng, _ := liteactor.Open(ctx, ":memory:", liteactor.MinimalConfig())
	defer eng.Close(ctx)
	eng.Exec(ctx, "CREATE TABLE t (v INTEGER)")
	eng.Exec(ctx, "INSERT INTO t VALUES (1), (2), (3)")

	// Both statements see the same snapshot.
	var sum, n int
	err := eng.Read(ctx, func(conn *sqlite3.Conn) error {
		s, _, err := conn.Prepare("SELECT sum(v), count(*) FROM t")
		if err != nil {
			return err
		}
		defer s.Close()
		if s.Step() {
			sum, n = s.ColumnInt(0), s.ColumnInt(1)
		}
		return s.Err()
	})
	fmt.Println(sum, n, err)
	// Output: 6 3 <nil>
}

func ExampleNonBlockingQueue() {
	cfg := liteactor.DefaultConfig()
	cfg.Queue = liteactor.NonBlockingQueue() // a full queue fails at once with ErrQueueFull
	fmt.Println(cfg.Queue.Capacity, cfg.Queue.Overflow)
	// Output: 1000 Reject
}
