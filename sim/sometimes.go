package sim

import "github.com/umcgcheck/umcgcheck/props"

// sometimes tracks a search's Sometimes properties: which have met an
// example, and the first example of each. The goroutines expanding a
// level record their own first examples (in their chunk's order); merge
// keeps, per property, the one of the lowest chunk, which is the first in
// the level's order whatever the number of goroutines. A property is no
// longer checked once an example is found: checking costs nothing after
// that.
type sometimes[S, O any] struct {
	props   []*props.Property[S, O]
	found   []bool // read while a level is expanded, written by merge
	pending int    // properties with no example yet
	ex      []reachExample
	hits    [][]reachExample // per goroutine, per property: this level's first example
}

type reachExample struct {
	set     bool
	parent  uint32 // the state the step left
	action  Action
	message string
	init    bool // the initial state is the example
}

func newSometimes[S, O any](ps []*props.Property[S, O], workers int) *sometimes[S, O] {
	sm := &sometimes[S, O]{}
	for _, p := range ps {
		if p.Class == props.Sometimes {
			sm.props = append(sm.props, p)
		}
	}
	sm.found = make([]bool, len(sm.props))
	sm.ex = make([]reachExample, len(sm.props))
	sm.pending = len(sm.props)
	if sm.pending > 0 {
		sm.hits = make([][]reachExample, workers)
		for w := range sm.hits {
			sm.hits[w] = make([]reachExample, len(sm.props))
		}
	}
	return sm
}

func (sm *sometimes[S, O]) checkInit(s *S) {
	for j, p := range sm.props {
		if p.State != nil {
			if msg := p.State(s); msg != "" {
				sm.found[j], sm.ex[j] = true, reachExample{set: true, init: true, message: msg}
				sm.pending--
			}
		}
	}
}

// check checks the step from before (state id parent) by a to after, on
// goroutine w.
func (sm *sometimes[S, O]) check(w int, parent uint32, a Action, before, after *S, o *O) {
	hits := sm.hits[w]
	for j, p := range sm.props {
		if sm.found[j] || hits[j].set {
			continue
		}
		var msg string
		if p.Step != nil {
			msg = p.Step(before, after, o)
		} else {
			msg = p.State(after)
		}
		if msg != "" {
			hits[j] = reachExample{set: true, parent: parent, action: a, message: msg}
		}
	}
}

// merge takes the level's first examples, once the level is complete.
func (sm *sometimes[S, O]) merge() {
	for _, hits := range sm.hits {
		for j := range hits {
			if hits[j].set && !sm.found[j] {
				sm.found[j], sm.ex[j] = true, hits[j]
				sm.pending--
			}
			hits[j] = reachExample{}
		}
	}
}

func (sm *sometimes[S, O]) results(path func(uint32) []Action) []Reach {
	var out []Reach
	for j, p := range sm.props {
		r := Reach{Property: p.ID, Reached: sm.found[j]}
		if x := sm.ex[j]; r.Reached {
			r.Example = x.message
			if !x.init {
				r.Actions = append(path(x.parent), x.action)
			}
		}
		out = append(out, r)
	}
	return out
}
