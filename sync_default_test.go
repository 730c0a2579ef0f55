package liteactor_test

import (
	"context"
	"testing"

	"github.com/liteactor/liteactor"
	"github.com/ncruces/go-sqlite3"
)

// Acknowledged means durable by default: the presets that promise it, and a
// Config whose Synchronous is left at its zero value, run the writer with
// synchronous=FULL (2); MinimalConfig opts into NORMAL (1).
func TestWriterSynchronousByDefault(t *testing.T) {
	zero := liteactor.MinimalConfig()
	zero.Synchronous = 0
	for name, c := range map[string]struct {
		cfg  liteactor.Config
		want int64
	}{
		"DefaultConfig":    {liteactor.DefaultConfig(), 2},
		"ProductionConfig": {liteactor.ProductionConfig(), 2},
		"zero value":       {zero, 2},
		"MinimalConfig":    {liteactor.MinimalConfig(), 1},
	} {
		e, _ := open(t, c.cfg)
		var got int64
		err := e.Write(context.Background(), func(conn *sqlite3.Conn) error {
			s, _, err := conn.Prepare("PRAGMA synchronous")
			if err != nil {
				return err
			}
			defer s.Close()
			if s.Step() {
				got = s.ColumnInt64(0)
			}
			return s.Err()
		})
		if err != nil || got != c.want {
			t.Errorf("%s: writer synchronous=%d, %v; want %d", name, got, err, c.want)
		}
	}
}
