// Package report turns one benchmark run into its outputs: a JSON file with
// every figure and the machine it ran on, a markdown table with the issue's
// goals and their ratios, and charts drawn with gonum.org/v1/plot.
package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/liteactor/liteactor/bench/internal/workload"
)

// TargetInfo describes one compared target.
type TargetInfo struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Desc  string `json:"desc"`
}

// Hotpath is one testing.Benchmark figure of a liteactor hot path.
type Hotpath struct {
	Name        string  `json:"name"`
	N           int     `json:"n"`
	NsPerOp     float64 `json:"ns_per_op"`
	AllocsPerOp int64   `json:"allocs_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
}

// Run is everything one `go run ./bench` measured.
type Run struct {
	Meta    Meta              `json:"meta"`
	Specs   []workload.Spec   `json:"workloads"`
	Targets []TargetInfo      `json:"targets"`
	Results []workload.Result `json:"results"`
	Hotpath []Hotpath         `json:"hotpath,omitempty"`
	Goals   []Outcome         `json:"goals"`
}

// Write computes the goals and writes results.json, report.md and the
// charts into dir, returning the markdown it wrote.
func (r *Run) Write(dir string) (string, error) {
	r.Goals = Goals(r)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(js, '\n'), 0o644); err != nil {
		return "", err
	}
	charts, err := Charts(r, dir)
	if err != nil {
		return "", fmt.Errorf("charts: %w", err)
	}
	md := Markdown(r, charts)
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(md), 0o644); err != nil {
		return "", err
	}
	return md, nil
}

// find returns the result of one point, or nil.
func (r *Run) find(workloadID, targetID string, callers int) *workload.Result {
	for i := range r.Results {
		x := &r.Results[i]
		if x.Workload == workloadID && x.Target == targetID && x.Callers == callers && x.Failed == "" {
			return x
		}
	}
	return nil
}
