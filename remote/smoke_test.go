package remote

import (
	"context"
	"testing"

	"github.com/liteactor/liteactor"
)

func TestSmoke(t *testing.T) {
	_, _, c := pair(t, liteactor.MinimalConfig(), ServerConfig{})
	ctx := context.Background()
	if _, err := c.Exec(ctx, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Exec(ctx, "INSERT INTO t(v) VALUES (?)", "hello")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	rows, err := c.Query(ctx, "SELECT id, v FROM t")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rows)
}
