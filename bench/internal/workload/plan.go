package workload

import "github.com/liteactor/liteactor/bench/internal/target"

// Job is one point to measure: a workload, a caller count, a target.
type Job struct {
	Spec    Spec
	Callers int
	Kind    target.Kind
}

// Group is a set of jobs whose rounds interleave: round 1 of every job,
// then round 2 of every job, ..., so that a burst of load from elsewhere
// hits all of them rather than one.
type Group []Job

// Plan orders the runs of specs on kinds: one group per workload and
// caller count, holding every target that runs it. A baseline spec (With
// set) joins the group of its parent's point at WithCallers when the
// parent is among specs and runs at that count, so the baseline and what
// it is compared with share their rounds; otherwise it forms groups of its
// own.
func Plan(specs []Spec, kinds []target.Kind) []Group {
	jobs := func(s Spec, c int) Group {
		var g Group
		for _, k := range kinds {
			if s.RunsOn(k.ID) {
				g = append(g, Job{Spec: s, Callers: c, Kind: k})
			}
		}
		return g
	}
	attached := map[string]bool{}
	for _, s := range specs {
		if s.With != "" && hostOf(specs, s) != nil {
			attached[s.ID] = true
		}
	}
	var out []Group
	for _, s := range specs {
		if attached[s.ID] {
			continue
		}
		for _, c := range s.Callers {
			g := jobs(s, c)
			for _, b := range specs {
				if attached[b.ID] && b.With == s.ID && b.WithCallers == c {
					for _, bc := range b.Callers {
						g = append(g, jobs(b, bc)...)
					}
				}
			}
			if len(g) > 0 {
				out = append(out, g)
			}
		}
	}
	return out
}

// hostOf returns the spec among specs that baseline b joins, or nil.
func hostOf(specs []Spec, b Spec) *Spec {
	for i := range specs {
		if s := &specs[i]; s.ID == b.With {
			for _, c := range s.Callers {
				if c == b.WithCallers {
					return s
				}
			}
		}
	}
	return nil
}
