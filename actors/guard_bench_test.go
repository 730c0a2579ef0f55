package actors

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkReentryCheck measures what every engine call pays for the
// re-entrance check: idle (no callback running anywhere: one atomic load)
// and busy (some callback running: the caller's goroutine id from
// runtime.Stack, then a scan of the running callbacks).
func BenchmarkReentryCheck(b *testing.B) {
	b.Run("idle", func(b *testing.B) {
		var g Reentry
		for b.Loop() {
			if g.Check("exec", SideWrite) != nil {
				b.Fatal("reentrant")
			}
		}
	})
	b.Run("busy", func(b *testing.B) {
		var g Reentry
		g.enter(1<<62, true) // another goroutine's callback
		for b.Loop() {
			if g.Check("exec", SideWrite) != nil {
				b.Fatal("reentrant")
			}
		}
	})
}

func TestReentryCheckSeesOnlyItsGoroutine(t *testing.T) {
	var g Reentry
	id := goid()
	if id == 0 {
		t.Fatal("goid parsed 0")
	}
	g.enter(id, true)
	if g.Check("exec", SideWrite) == nil || g.Check("close", SideClose) == nil {
		t.Fatal("the callback's own goroutine was not refused")
	}
	if g.Check("query", SideRead) != nil {
		t.Fatal("a read from a writer callback was refused")
	}
	done := make(chan error)
	go func() { done <- g.Check("exec", SideWrite) }()
	if err := <-done; err != nil {
		t.Fatalf("another goroutine was refused: %v", err)
	}
	g.leave(id)
	if g.Check("exec", SideWrite) != nil {
		t.Fatal("refused after the callback left")
	}
}

// BenchmarkResetLeaked measures the scan for statements a callback left in
// progress, on a connection holding 64 prepared statements (none busy).
func BenchmarkResetLeaked(b *testing.B) {
	c, err := OpenWriter(&ConnConfig{URI: filepath.Join(b.TempDir(), "leak.db"), Synchronous: "OFF", JournalSizeLimit: -1, StmtCacheSize: 64})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for i := range 64 {
		if _, _, err := c.Conn.Prepare(fmt.Sprintf("SELECT %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		c.resetLeaked()
	}
}
