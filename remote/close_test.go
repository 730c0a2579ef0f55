package remote

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

// Client.Close stops every goroutine Dial started.
func TestClientCloseLeavesNoGoroutines(t *testing.T) {
	if isolated(t) {
		return
	}
	certs := writeCerts(t)
	srv := startServer(t, childOpts{Certs: certs})
	opts := goleak.IgnoreCurrent()
	c, err := Dial(bg(t), srv.addr, clientTLS(t, certs))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, c, "CREATE TABLE t(x)")
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := goleak.Find(opts); err != nil {
		t.Fatal(err)
	}
}
