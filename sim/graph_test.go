package sim_test

import (
	"fmt"
	"testing"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// A graph model: states are node numbers, each edge a move of a thread.
// Small hand-drawn graphs pin engine behaviour that the toys do not reach.

type edge struct {
	from, to int
	thread   int8
}

type hop struct{ from, to int }

func graphModel(threads int, edges []edge, ps ...*props.Property[int, hop]) *sim.Model[int, hop] {
	names := make([]string, threads)
	for i := range names {
		names[i] = fmt.Sprintf("t%d", i)
	}
	var kinds []string
	for i := range edges {
		kinds = append(kinds, fmt.Sprintf("e%d", i))
	}
	return &sim.Model[int, hop]{
		Protocol: "graph", Config: "graph", ThreadNames: names, ActionNames: kinds,
		Init: func() int { return 0 },
		Enabled: func(s *int, buf []sim.Action) []sim.Action {
			for i, e := range edges {
				if e.from == *s {
					buf = append(buf, sim.Action{Kind: uint8(i), Thread: e.thread})
				}
			}
			return buf
		},
		Step: func(s *int, a sim.Action) hop {
			h := hop{*s, edges[a.Kind].to}
			*s = h.to
			return h
		},
		Encode:        func(b []byte, s *int) []byte { return append(b, byte(*s)) },
		Decode:        func(s *int, b []byte) { *s = int(b[0]) },
		MaxEncoded:    1,
		Properties:    ps,
		Fair:          func(sim.Action) bool { return true },
		Place:         func(_ *int, o *hop) string { return fmt.Sprintf("%d->%d", o.from, o.to) },
		ExplainStep:   func(_, _ *int, o *hop) sim.StepText { return sim.StepText{What: fmt.Sprintf("%d->%d", o.from, o.to)} },
		LabelStep:     func(o *hop) string { return fmt.Sprintf("%d->%d", o.from, o.to) },
		DescribeState: func(s *int) string { return fmt.Sprint(*s) },
	}
}

func TestEveryPlaceOfAnInvariant(t *testing.T) {
	// 0 -> 1 breaks "not-one" at place 0->1; 0 -> 2 -> 1 breaks it again at
	// 2->1, into a state stored already: two distinct violations.
	bad := &props.Property[int, hop]{ID: "not-one", Class: props.Invariant,
		State: func(s *int) string {
			if *s == 1 {
				return "at 1"
			}
			return ""
		}}
	m := graphModel(2, []edge{{0, 1, 0}, {0, 2, 1}, {2, 1, 1}, {1, 1, 0}}, bad)
	r := m.Explore(sim.Explorer{})
	var places []string
	for _, c := range r.Violations {
		places = append(places, fmt.Sprintf("%s@%s x%d", c.Property, c.Place, c.Hits))
	}
	// 1->1 stays at 1: inherited, not a new violation.
	if want := []string{"not-one@0->1 x1", "not-one@2->1 x1"}; fmt.Sprint(places) != fmt.Sprint(want) {
		t.Errorf("violations %v, want %v", places, want)
	}
}

func TestStateAndStepOfOnePropertyCountOnce(t *testing.T) {
	p := &props.Property[int, hop]{ID: "p", Class: props.Invariant,
		State: func(s *int) string {
			if *s == 1 {
				return "state"
			}
			return ""
		},
		Step: func(_, a *int, _ *hop) string {
			if *a == 1 {
				return "step"
			}
			return ""
		}}
	r := graphModel(1, []edge{{0, 1, 0}}, p).Explore(sim.Explorer{})
	if len(r.Violations) != 1 || r.Violations[0].Hits != 1 {
		t.Errorf("violations %+v, want one, reached once", r.Violations)
	}
}

func TestFairCycleThroughTheWholeComponent(t *testing.T) {
	// t0 spins at 0; t1 goes 0->1, t2 1->0. The cycle spin, t1, t2 is fair
	// (t0 and t1 are disabled at 1, t2 at 0); a cycle of the spin alone is
	// not (t1 can always move).
	spin := &props.Property[int, hop]{ID: "no-spin", Class: props.Liveness,
		Live: &props.LeadsTo[int, hop]{Cycle: func(o *hop) string {
			if o.from == 0 && o.to == 0 {
				return "spin"
			}
			return ""
		}}}
	m := graphModel(3, []edge{{0, 0, 0}, {0, 1, 1}, {1, 0, 2}}, spin)
	if got := violated(m.Explore(sim.Explorer{})); fmt.Sprint(got) != "[no-spin]" {
		t.Errorf("violated %v, want [no-spin]", got)
	}
}

func TestLeadsToTriggeredBeforeTheCycle(t *testing.T) {
	// The trigger holds at 1 only; the run then cycles 2 <-> 3 without the
	// goal: a violation, with the trigger on the prefix of the lasso.
	lt := &props.Property[int, hop]{ID: "answered", Class: props.Liveness,
		Live: &props.LeadsTo[int, hop]{
			Trigger: func(s *int, t int) bool { return t == 0 && *s == 1 },
			Goal:    func(s *int, t int) bool { return false }}}
	m := graphModel(1, []edge{{0, 1, 0}, {1, 2, 0}, {2, 3, 0}, {3, 2, 0}}, lt)
	if got := violated(m.Explore(sim.Explorer{})); fmt.Sprint(got) != "[answered]" {
		t.Errorf("explore: violated %v, want [answered]", got)
	}
	if w := m.Walk(sim.Walks{Runs: 5, Depth: 20, Seed: 1}); w.Violation == nil {
		t.Errorf("walks did not find the lasso")
	}
}
