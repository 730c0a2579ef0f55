package domain

import "time"

// ProcessingMetrics records what the last run of a pipeline did. The zero value means "never
// run". Repositories store and return it as a whole, with the pipeline.
type ProcessingMetrics struct {
	BytesProcessed  int64
	BytesTotal      int64
	ChunksProcessed int64
	ChunksTotal     int64
	Errors          int64
	Warnings        int64
	Duration        time.Duration // wall time spent processing
}

// Validate checks that every counter is non-negative and that no processed count exceeds its
// total. It returns a *ValidationError (errors.Is ErrInvalid) or nil.
func (m ProcessingMetrics) Validate() error {
	for _, c := range []struct {
		name string
		v    int64
	}{
		{"metrics.bytes_processed", m.BytesProcessed},
		{"metrics.bytes_total", m.BytesTotal},
		{"metrics.chunks_processed", m.ChunksProcessed},
		{"metrics.chunks_total", m.ChunksTotal},
		{"metrics.errors", m.Errors},
		{"metrics.warnings", m.Warnings},
		{"metrics.duration", int64(m.Duration)},
	} {
		if c.v < 0 {
			return invalid(c.name, "must not be negative")
		}
	}
	if m.BytesProcessed > m.BytesTotal {
		return invalid("metrics.bytes_processed", "exceeds bytes_total")
	}
	if m.ChunksProcessed > m.ChunksTotal {
		return invalid("metrics.chunks_processed", "exceeds chunks_total")
	}
	return nil
}

// Progress is the fraction of bytes processed, in [0, 1]; 0 when BytesTotal is 0.
func (m ProcessingMetrics) Progress() float64 {
	if m.BytesTotal == 0 {
		return 0
	}
	return float64(m.BytesProcessed) / float64(m.BytesTotal)
}

// Throughput is bytes processed per second of Duration; 0 when Duration is 0.
func (m ProcessingMetrics) Throughput() float64 {
	if m.Duration <= 0 {
		return 0
	}
	return float64(m.BytesProcessed) / m.Duration.Seconds()
}
