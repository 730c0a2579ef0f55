package report

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/liteactor/liteactor/bench/internal/workload"
)

// Charts draws, for every workload of r, a throughput chart (against caller
// count where the workload has several, else one bar per target) and a
// latency-percentile chart, as PNG files in dir. It returns their file names.
func Charts(r *Run, dir string) ([]string, error) {
	var files []string
	for _, s := range r.Specs {
		res := r.resultsOf(s.ID)
		if len(res) == 0 {
			continue
		}
		var p *plot.Plot
		var err error
		if len(s.Callers) > 1 {
			p, err = throughputVsCallers(r, s, res)
		} else {
			p, err = throughputBars(r, s, res)
		}
		if err != nil {
			return files, err
		}
		name := "throughput-" + s.ID + ".png"
		if err := p.Save(8*vg.Inch, 5*vg.Inch, filepath.Join(dir, name)); err != nil {
			return files, err
		}
		files = append(files, name)

		lp, err := latencyChart(r, s, res)
		if err != nil {
			return files, err
		}
		if lp != nil {
			name := "latency-" + s.ID + ".png"
			if err := lp.Save(8*vg.Inch, 5*vg.Inch, filepath.Join(dir, name)); err != nil {
				return files, err
			}
			files = append(files, name)
		}
	}
	bp, err := barrierChart(r)
	if err != nil {
		return files, err
	}
	if bp != nil {
		name := "read-latency-W7.png"
		if err := bp.Save(8*vg.Inch, 5*vg.Inch, filepath.Join(dir, name)); err != nil {
			return files, err
		}
		files = append(files, name)
	}
	return files, nil
}

// barrierChart draws liteactor's W7 read percentiles with the WAL brake and
// without it (issue 18's read-barrier goal), or nil if W7 was not run.
func barrierChart(r *Run) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("W7: liteactor point-read latency at %d callers, with and without the WAL brake", goalCallers)
	p.Y.Label.Text = "µs (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	drawn := 0
	for i, id := range []string{idBarrier, idWALOff} {
		l, ok := readLatency(r.find(id, idLite, goalCallers))
		if !ok {
			continue
		}
		line, pts, err := plotter.NewLinePoints(plotter.XYs{{X: 0, Y: l.P50}, {X: 1, Y: l.P90}, {X: 2, Y: l.P99}, {X: 3, Y: l.Max}})
		if err != nil {
			return nil, err
		}
		line.Color, pts.Color, pts.Shape = plotutil.Color(i), plotutil.Color(i), plotutil.Shape(i)
		line.Width = vg.Points(1.5)
		p.Add(line, pts)
		p.Legend.Add(id+" point reads", line, pts)
		drawn++
	}
	return percentiles(p, drawn), nil
}

// percentiles finishes a latency chart of drawn lines over p50, p90, p99
// and max: nil when nothing was drawn.
func percentiles(p *plot.Plot, drawn int) *plot.Plot {
	if drawn == 0 {
		return nil
	}
	p.Add(plotter.NewGrid())
	legendRoom(p, drawn)
	p.NominalX("p50", "p90", "p99", "max")
	return p
}

// style gives each target the same color and glyph in every chart.
func (r *Run) style(targetID string) (color.Color, int) {
	for i, t := range r.Targets {
		if t.ID == targetID {
			return plotutil.Color(i), i
		}
	}
	return color.Black, 0
}

func throughputVsCallers(r *Run, s workload.Spec, res []workload.Result) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = s.ID + ": throughput against callers"
	p.X.Label.Text = "concurrent callers"
	p.Y.Label.Text = s.Unit + " (log scale)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	var ticks plot.ConstantTicks
	for _, c := range s.Callers {
		ticks = append(ticks, plot.Tick{Value: float64(c), Label: strconv.Itoa(c)})
	}
	p.X.Tick.Marker = ticks
	p.Legend.Top, p.Legend.Left = true, true
	lines := 0
	for _, t := range r.Targets {
		var xys plotter.XYs
		for _, x := range res {
			if x.Target == t.ID && x.Failed == "" && x.Throughput > 0 {
				xys = append(xys, plotter.XY{X: float64(x.Callers), Y: x.Throughput})
			}
		}
		if len(xys) == 0 {
			continue
		}
		sort.Slice(xys, func(i, j int) bool { return xys[i].X < xys[j].X })
		line, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		c, i := r.style(t.ID)
		line.Color, pts.Color, pts.Shape = c, c, plotutil.Shape(i)
		line.Width = vg.Points(1.5)
		p.Add(line, pts)
		p.Legend.Add(t.Label, line, pts)
		lines++
	}
	p.Add(plotter.NewGrid())
	legendRoom(p, lines)
	return p, nil
}

// legendRoom raises a log Y axis's top so the legend (drawn top left, about
// 5.5% of the height per line) sits above the data.
func legendRoom(p *plot.Plot, lines int) {
	if p.Y.Min > 0 && p.Y.Max > p.Y.Min {
		f := math.Min(0.055*float64(lines+1), 0.5)
		span := math.Max(p.Y.Max/p.Y.Min, 2)
		p.Y.Max *= math.Pow(span, f/(1-f))
	}
}

func throughputBars(r *Run, s workload.Spec, res []workload.Result) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: throughput at %d callers", s.ID, s.Callers[0])
	if s.BulkRows > 0 {
		p.Title.Text = fmt.Sprintf("%s: bulk load of %d rows", s.ID, s.BulkRows)
	}
	p.Y.Label.Text = s.Unit
	var names []string
	var vals plotter.Values
	for _, t := range r.Targets {
		for _, x := range res {
			if x.Target == t.ID && x.Failed == "" {
				names = append(names, t.ID)
				vals = append(vals, x.Throughput)
			}
		}
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(40))
	if err != nil {
		return nil, err
	}
	bars.Color = plotutil.Color(1)
	p.Add(bars)
	p.Y.Tick.Marker = humanTicks{}
	p.Add(plotter.NewGrid())
	p.NominalX(names...)
	return p, nil
}

// latencyChart draws p50/p90/p99/max per target at the caller count
// (64, or the largest run if 64 was not).
func latencyChart(r *Run, s workload.Spec, res []workload.Result) (*plot.Plot, error) {
	callers := s.Callers[len(s.Callers)-1]
	for _, c := range s.Callers {
		if c == goalCallers {
			callers = c
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: latency percentiles at %d callers", s.ID, callers)
	if s.BulkRows > 0 {
		p.Title.Text = fmt.Sprintf("%s: latency of each 10k-row chunk", s.ID)
	}
	p.Y.Label.Text = "µs (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	drawn := 0
	for _, t := range r.Targets {
		for _, x := range res {
			if x.Target != t.ID || x.Callers != callers || x.Failed != "" || x.Latency.P50 <= 0 {
				continue
			}
			l := x.Latency
			xys := plotter.XYs{{X: 0, Y: l.P50}, {X: 1, Y: l.P90}, {X: 2, Y: l.P99}, {X: 3, Y: l.Max}}
			line, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, err
			}
			c, i := r.style(t.ID)
			line.Color, pts.Color, pts.Shape = c, c, plotutil.Shape(i)
			line.Width = vg.Points(1.5)
			p.Add(line, pts)
			p.Legend.Add(t.Label, line, pts)
			drawn++
		}
	}
	return percentiles(p, drawn), nil
}
