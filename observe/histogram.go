package observe

import (
	"slices"
	"sync/atomic"
	"time"
)

// Histogram is a snapshot of a bucketed distribution of durations or sizes.
// Buckets follow Prometheus: Counts[i] holds the values v with
// Bounds[i-1] < v <= Bounds[i]; the last count (index len(Bounds)) holds
// the values above every bound.
type Histogram[T ~int64] struct {
	Bounds []T      // ascending upper bounds
	Counts []uint64 // len(Bounds)+1 per-bucket (not cumulative) counts
	Count  uint64   // the sum of Counts
	Sum    T
	Max    T
}

// Mean is Sum/Count, 0 when empty.
func (h Histogram[T]) Mean() T {
	if h.Count == 0 {
		return 0
	}
	return h.Sum / T(h.Count)
}

// Quantile estimates the q-quantile (0 < q <= 1): the upper bound of the
// bucket where it falls, or Max when that is the overflow bucket or smaller.
// 0 when empty.
func (h Histogram[T]) Quantile(q float64) T {
	if h.Count == 0 {
		return 0
	}
	rank := uint64(q*float64(h.Count) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.Counts {
		seen += c
		if seen >= rank {
			if i < len(h.Bounds) && h.Bounds[i] < h.Max {
				return h.Bounds[i]
			}
			return h.Max
		}
	}
	return h.Max
}

// DefaultLatencyBuckets are the bounds of the latency histograms: 1µs to
// 10s, roughly 1-2.5-5 per decade.
func DefaultLatencyBuckets() []time.Duration {
	return []time.Duration{
		time.Microsecond, 2500 * time.Nanosecond, 5 * time.Microsecond,
		10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
		100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
		time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
		10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
		100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
	}
}

// DefaultBatchBuckets are the bounds of the batch size histograms: powers
// of two from 1 to 1024.
func DefaultBatchBuckets() []int64 {
	return []int64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}
}

// histogram is the lock-free recorder behind a Histogram snapshot.
type histogram struct {
	bounds []int64
	counts []atomic.Uint64
	sum    atomic.Int64
	max    atomic.Int64
}

func newHistogram(bounds []int64) *histogram {
	b := slices.Clone(bounds)
	slices.Sort(b)
	b = slices.Compact(b)
	return &histogram{bounds: b, counts: make([]atomic.Uint64, len(b)+1)}
}

func (h *histogram) observe(v int64) {
	i, _ := slices.BinarySearch(h.bounds, v) // first bound >= v
	h.counts[i].Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// snapshot copies the counts. Concurrent observations may land in some
// fields and not yet in others; Count always equals the sum of Counts.
func snapshot[T ~int64](h *histogram) Histogram[T] {
	s := Histogram[T]{Bounds: make([]T, len(h.bounds)), Counts: make([]uint64, len(h.counts))}
	for i, b := range h.bounds {
		s.Bounds[i] = T(b)
	}
	for i := range h.counts {
		s.Counts[i] = h.counts[i].Load()
		s.Count += s.Counts[i]
	}
	s.Sum, s.Max = T(h.sum.Load()), T(h.max.Load())
	return s
}
