package sim

import (
	"sort"
)

// Coverage is a protocol's table of what its steps can do, for coverage
// reports (Explorer.Coverage): every kind of step it documents and every
// state edge it documents. A search counts, per entry, the transitions
// that took it; an entry with no transition never fired, which is how a
// vacuous configuration shows. A step the table does not list is counted
// too, by its name, as unlisted: the table is then incomplete.
type Coverage[S, O any] struct {
	// Steps names every kind of step (for example each library step,
	// syscall outcome and kernel event), in the order reports list them;
	// Step names the kind of step o reports.
	Steps []string
	Step  func(o *O) string
	// Edges names every documented state edge; StepEdges appends to buf
	// the names of the state edges the step from before to after took
	// (none, one or several). StepEdges may be nil when the protocol
	// documents no edges.
	Edges     []string
	StepEdges func(before, after *S, o *O, buf []string) []string
}

// Count is how many transitions took a step kind or a state edge.
type Count struct {
	Name string `json:"name"`
	N    uint64 `json:"n"`
}

// CoverageReport is what a search with Explorer.Coverage counted: every
// step kind and documented edge of the protocol's table, in table order,
// with the transitions that took it (0: never fired), and the steps and
// edges outside the table, by name.
type CoverageReport struct {
	Steps         []Count `json:"steps"`
	Edges         []Count `json:"edges"`
	UnlistedSteps []Count `json:"unlisted_steps,omitempty"`
	UnlistedEdges []Count `json:"unlisted_edges,omitempty"`
	// Representatives is set when the search reduced by symmetry: the
	// counts are over transitions between representatives, not over every
	// transition of the unreduced graph.
	Representatives bool `json:"representatives,omitempty"`
}

// NeverFired lists the step kinds and edges that no transition took.
func (c *CoverageReport) NeverFired() (steps, edges []string) {
	for _, x := range c.Steps {
		if x.N == 0 {
			steps = append(steps, x.Name)
		}
	}
	for _, x := range c.Edges {
		if x.N == 0 {
			edges = append(edges, x.Name)
		}
	}
	return steps, edges
}

// coverageIndex maps the table's names to their positions; it is only
// read while a search runs.
type coverageIndex struct {
	steps, edges map[string]int
}

func newCoverageIndex[S, O any](c *Coverage[S, O]) *coverageIndex {
	ix := &coverageIndex{steps: map[string]int{}, edges: map[string]int{}}
	for i, n := range c.Steps {
		if _, dup := ix.steps[n]; !dup {
			ix.steps[n] = i
		}
	}
	for i, n := range c.Edges {
		if _, dup := ix.edges[n]; !dup {
			ix.edges[n] = i
		}
	}
	return ix
}

// coverageCounts is one goroutine's counts (or a search's totals).
type coverageCounts struct {
	steps, edges       []uint64
	unlisted, unlistEd map[string]uint64
	buf                []string
}

func newCoverageCounts[S, O any](c *Coverage[S, O]) *coverageCounts {
	return &coverageCounts{steps: make([]uint64, len(c.Steps)), edges: make([]uint64, len(c.Edges)),
		unlisted: map[string]uint64{}, unlistEd: map[string]uint64{}}
}

// count counts one transition.
func countCoverage[S, O any](c *Coverage[S, O], ix *coverageIndex, n *coverageCounts, before, after *S, o *O) {
	name := c.Step(o)
	if i, ok := ix.steps[name]; ok {
		n.steps[i]++
	} else {
		n.unlisted[name]++
	}
	if c.StepEdges == nil {
		return
	}
	n.buf = c.StepEdges(before, after, o, n.buf[:0])
	for _, e := range n.buf {
		if i, ok := ix.edges[e]; ok {
			n.edges[i]++
		} else {
			n.unlistEd[e]++
		}
	}
}

// add adds x's counts to n and clears x.
func (n *coverageCounts) add(x *coverageCounts) {
	for i, v := range x.steps {
		n.steps[i] += v
		x.steps[i] = 0
	}
	for i, v := range x.edges {
		n.edges[i] += v
		x.edges[i] = 0
	}
	for k, v := range x.unlisted {
		n.unlisted[k] += v
	}
	for k, v := range x.unlistEd {
		n.unlistEd[k] += v
	}
	clear(x.unlisted)
	clear(x.unlistEd)
}

func (n *coverageCounts) report(steps, edges []string, representatives bool) *CoverageReport {
	r := &CoverageReport{Steps: []Count{}, Edges: []Count{}, Representatives: representatives}
	for i, s := range steps {
		r.Steps = append(r.Steps, Count{s, n.steps[i]})
	}
	for i, e := range edges {
		r.Edges = append(r.Edges, Count{e, n.edges[i]})
	}
	r.UnlistedSteps, r.UnlistedEdges = sortedCounts(n.unlisted), sortedCounts(n.unlistEd)
	return r
}

func sortedCounts(m map[string]uint64) []Count {
	var out []Count
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
