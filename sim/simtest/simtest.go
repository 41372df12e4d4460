// Package simtest helps test protocols: a search that shares no code with
// the engine's explorer, to check its counts against, and the words the
// tests that compare searches use for what they compare.
package simtest

import (
	"fmt"
	"slices"

	"github.com/umcgcheck/umcgcheck/sim"
)

// Naive counts the states and transitions reachable in m with a plain
// breadth-first search over a Go map of encodings: no fingerprints, no
// arenas, no parallelism, no reduction. It also checks that Decode inverts
// Encode on every state it reaches, and returns an error naming the first
// state where it does not.
func Naive[S comparable, O any](m *sim.Model[S, O]) (states, transitions int, err error) {
	init := m.Init()
	seen := map[string]bool{string(m.Encode(nil, &init)): true}
	queue := []S{init}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		var back S
		m.Decode(&back, m.Encode(nil, &s))
		if back != s {
			return 0, 0, fmt.Errorf("Decode(Encode(s)) != s for s = %+v", s)
		}
		for _, a := range m.Enabled(&s, nil) {
			next := s
			m.Step(&next, a)
			transitions++
			if k := string(m.Encode(nil, &next)); !seen[k] {
				seen[k] = true
				queue = append(queue, next)
			}
		}
	}
	return len(seen), transitions, nil
}

// Places lists each property a report found violated with the place of
// each violation (Model.Place), sorted, each once. Partial-order
// reduction keeps them all (Model.Local's contract: a step of another
// thread has the same verdict and place with a local step taken before it
// or not), so without symmetry they are those of the unreduced search.
func Places(r sim.Report) []string {
	var ps []string
	for _, c := range r.Violations {
		ps = append(ps, c.Property+" at "+c.Place)
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// Describe names the options of a search in a test's message.
func Describe(e sim.Explorer) string {
	return fmt.Sprintf("workers=%d symmetry=%v por=%v liveness=%v", e.Workers, e.Symmetry, e.PartialOrder, !e.NoLiveness)
}
