// Command client writes to and reads from a liteactor engine served by the
// server example, in another process: an exactly-once Exec, an atomic
// Batch, and a Query.
//
//	go run ./remote/client -certs /tmp/liteactor-certs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/liteactor/liteactor/remote"
	"github.com/ncruces/go-sqlite3"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "the server's address, exactly as it prints it")
	certs := flag.String("certs", filepath.Join(os.TempDir(), "liteactor-certs"), "directory with ca.pem, node.pem, node-key.pem")
	author := flag.String("author", "client", "author of the notes written")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, *addr, *certs, *author); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr, certs, author string) error {
	tlsCfg, err := remote.LoadTLS(filepath.Join(certs, "node.pem"), filepath.Join(certs, "node-key.pem"), filepath.Join(certs, "ca.pem"))
	if err != nil {
		return err
	}
	c, err := remote.Dial(ctx, addr, remote.ClientConfig{TLS: tlsCfg})
	if err != nil {
		return err
	}
	defer c.Close(context.Background())

	// Exactly once: the key is sent unchanged on every retry; sending it
	// again returns the recorded outcome instead of inserting twice.
	key := remote.NewKey()
	res, err := c.ExecKey(ctx, key, "INSERT INTO notes(author, body) VALUES (?, ?)", author, "hello from another process")
	if err != nil {
		return err
	}
	again, err := c.ExecKey(ctx, key, "INSERT INTO notes(author, body) VALUES (?, ?)", author, "hello from another process")
	if err != nil {
		return err
	}
	fmt.Printf("inserted note %d; the same key again answered note %d (duplicates answered: %d)\n",
		res.LastInsertID, again.LastInsertID, c.Counters().Duplicates)

	// Atomic: both statements commit, or neither does.
	_, err = c.Batch(ctx, []remote.Statement{
		{SQL: "INSERT INTO notes(author, body) VALUES (?, ?)", Args: []any{author, "first of a batch"}},
		{SQL: "INSERT INTO notes(id, author, body) VALUES (?, ?, ?)", Args: []any{res.LastInsertID, author, "clashes with an existing id"}},
	})
	var re *remote.Error
	if errors.Is(err, sqlite3.CONSTRAINT) && errors.As(err, &re) {
		fmt.Printf("batch rolled back: statement %d failed: %v\n", re.Statement, err)
	} else if err != nil {
		return err
	}

	rows, err := c.Query(ctx, "SELECT id, author, body FROM notes ORDER BY id DESC LIMIT 5")
	if err != nil {
		return err
	}
	fmt.Println("latest notes:")
	for _, r := range rows.Values {
		fmt.Printf("  %v  %-8v %v\n", r[0], r[1], r[2])
	}
	return nil
}
