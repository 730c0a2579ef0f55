package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress prints a progress line for long work on stderr. On a terminal
// it redraws one line (carriage return) at most every 100ms; with -progress
// on anything else it prints one line per update, at most one a second; and
// otherwise it prints nothing. The first update is always printed at once.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	tty   bool
	label string
	last  time.Time
	drawn bool
}

// newProgress sets a progress line up for label; force prints it even when
// stderr is not a terminal.
func (a *app) newProgress(label string, force bool) *progress {
	tty := isTerminal(a.stderr)
	return &progress{w: a.stderr, on: tty || force, tty: tty, label: label}
}

// isTerminal reports whether w is a character device (a terminal; the
// standard library's os.ModeCharDevice test, so no dependency is needed).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// pages reports done of total pages, with extra appended (", 1 restart").
func (p *progress) pages(done, total int, extra string) {
	pct := 0
	if total > 0 {
		pct = done * 100 / total
	}
	p.update(false, "%d/%d pages (%d%%)%s", done, total, pct, extra)
}

// update prints the line unless it is throttled; final lines never are.
func (p *progress) update(final bool, format string, a ...any) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	every := time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	now := time.Now()
	if !final && !p.last.IsZero() && now.Sub(p.last) < every {
		return
	}
	p.last = now
	line := p.label + ": " + fmt.Sprintf(format, a...)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// done ends the progress line on a terminal, so what follows starts on a
// line of its own.
func (p *progress) done() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// ticker shows elapsed time for work whose pages cannot be counted (VACUUM,
// VACUUM INTO, a restore's copy) until stop is called.
func (p *progress) ticker(what string) (stop func()) {
	if p == nil || !p.on {
		return func() {}
	}
	start := time.Now()
	quit, finished := make(chan struct{}), make(chan struct{})
	p.update(true, "%s", what)
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				p.update(false, "%s, %s", what, time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
		p.done()
	}
}
