package remote

import (
	"context"
	"crypto/tls"
	"path/filepath"
	"testing"
	"time"

	"github.com/liteactor/liteactor"
	"github.com/liteactor/liteactor/remote/devcert"
)

// testCA makes a CA and a node TLS config for 127.0.0.1 and localhost.
func testCA(t testing.TB) (*devcert.CA, *tls.Config) {
	t.Helper()
	ca, err := devcert.NewCA("liteactor test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ca.TLS("node", "127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	return ca, cfg
}

func openEngine(t testing.TB, cfg liteactor.Config) *liteactor.Engine {
	t.Helper()
	eng, err := liteactor.Open(context.Background(), filepath.Join(t.TempDir(), "db.sqlite"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(context.Background()) })
	return eng
}

func serve(t testing.TB, eng *liteactor.Engine, cfg ServerConfig) *Server {
	t.Helper()
	s, err := Serve(context.Background(), eng, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s
}

func dial(t testing.TB, addr string, cfg ClientConfig) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.Close(ctx)
	})
	return c
}

// pair starts an engine, a server and a client with one CA.
func pair(t testing.TB, ecfg liteactor.Config, scfg ServerConfig) (*liteactor.Engine, *Server, *Client) {
	t.Helper()
	_, tc := testCA(t)
	eng := openEngine(t, ecfg)
	scfg.TLS = tc
	s := serve(t, eng, scfg)
	c := dial(t, s.Addr(), ClientConfig{TLS: tc, ListenAddr: "127.0.0.1:0"})
	return eng, s, c
}
