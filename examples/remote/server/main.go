// Command server serves a liteactor engine to other processes over
// protoactor's remote, with mutual TLS. With -certs pointing at an empty
// directory it makes a development CA and a node certificate there, which
// the client example then uses too (for production, use your own PKI).
//
//	go run ./remote/server -certs /tmp/liteactor-certs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/remote"
	"github.com/liteactor/liteactor/remote/devcert"
	"github.com/rs/zerolog"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "host:port to listen on (clients dial exactly this)")
	db := flag.String("db", filepath.Join(os.TempDir(), "liteactor-remote-example.db"), "database file")
	certs := flag.String("certs", filepath.Join(os.TempDir(), "liteactor-certs"), "directory with ca.pem, node.pem, node-key.pem (made if missing)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *db, *certs); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr, db, certs string) error {
	if err := ensureCerts(certs); err != nil {
		return err
	}
	tlsCfg, err := remote.LoadTLS(filepath.Join(certs, "node.pem"), filepath.Join(certs, "node-key.pem"), filepath.Join(certs, "ca.pem"))
	if err != nil {
		return err
	}
	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).With().Timestamp().Logger().Level(zerolog.InfoLevel)
	cfg := liteactor.DefaultConfig()
	cfg.Logger = log
	eng, err := liteactor.Open(ctx, db, cfg)
	if err != nil {
		return err
	}
	if _, err := eng.Exec(ctx, "CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, author TEXT NOT NULL, body TEXT NOT NULL)"); err != nil {
		eng.Close(context.Background())
		return err
	}
	srv, err := remote.Serve(ctx, eng, remote.ServerConfig{Addr: addr, TLS: tlsCfg, Logger: log})
	if err != nil {
		eng.Close(context.Background())
		return err
	}
	fmt.Printf("serving %s on %s (gateway %q); Ctrl-C stops\n", db, srv.Addr(), remote.DefaultGatewayName)
	<-ctx.Done()
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Close(closeCtx), eng.Close(closeCtx))
}

// ensureCerts makes a development CA and node certificate in dir unless
// ca.pem is there already.
func ensureCerts(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "ca.pem")); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, err := devcert.NewCA("liteactor example CA", 365*24*time.Hour)
	if err != nil {
		return err
	}
	if _, err := ca.WriteFiles(dir, "node", "127.0.0.1", "localhost"); err != nil {
		return err
	}
	fmt.Println("made a development CA and node certificate in", dir)
	return nil
}
