package main

import (
	"io"
	"sync"
)

// syncWriter serialises writes to w: run's own lines and the actors' log lines share one
// output, written from different goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
