// Package simtest helps test protocols: a search that shares no code with
// the engine's explorer, to check its counts against.
package simtest

import (
	"fmt"

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
