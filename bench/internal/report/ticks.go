package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// logTicks labels a log axis at 1, 2 and 5 times each power of ten in range
// (adding 3, 4, 6, 7, 8 and 9 when that gives fewer than three labels), so
// that narrow ranges still get readable labels.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return nil
	}
	pick := func(mults []float64) []plot.Tick {
		var ts []plot.Tick
		for e := math.Floor(math.Log10(min)); math.Pow(10, e) <= max; e++ {
			for _, m := range mults {
				if v := m * math.Pow(10, e); v >= min && v <= max {
					ts = append(ts, plot.Tick{Value: v, Label: tickLabel(v)})
				}
			}
		}
		return ts
	}
	ts := pick([]float64{1, 2, 5})
	if len(ts) < 3 {
		ts = pick([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9})
	}
	return ts
}

func tickLabel(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1e6:
		return trim(v/1e6) + "M"
	case v >= 1e3:
		return trim(v/1e3) + "k"
	default:
		return trim(v)
	}
}

func trim(v float64) string {
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// humanTicks are gonum's default linear ticks labelled with k and M suffixes.
type humanTicks struct{}

func (humanTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = tickLabel(ts[i].Value)
		}
	}
	return ts
}
