package workload

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// newHist returns a latency histogram in nanoseconds from 1 ns to 10 minutes
// with two significant digits (1% resolution), small enough to keep one per
// caller and operation type. Recording never allocates.
func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(10*time.Minute), 2)
}

// Percentiles are latency figures in microseconds.
type Percentiles struct {
	P50  float64 `json:"p50_us"`
	P90  float64 `json:"p90_us"`
	P99  float64 `json:"p99_us"`
	Max  float64 `json:"max_us"`
	Mean float64 `json:"mean_us"`
}

func percentiles(h *hdrhistogram.Histogram) Percentiles {
	if h.TotalCount() == 0 {
		return Percentiles{}
	}
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	return Percentiles{
		P50:  us(h.ValueAtQuantile(50)),
		P90:  us(h.ValueAtQuantile(90)),
		P99:  us(h.ValueAtQuantile(99)),
		Max:  us(h.Max()),
		Mean: h.Mean() / 1e3,
	}
}
