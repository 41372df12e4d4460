// Package sim runs the model: seeded random walks, replay and shrinking of
// counterexamples, and their readable and JSON forms.
package sim

import (
	"fmt"

	"github.com/umcgcheck/umcgcheck/model"
	"github.com/umcgcheck/umcgcheck/props"
)

// Counterexample is a path from the initial state to a violation of one
// property. Replaying Actions on a model of Config reproduces it.
type Counterexample struct {
	Config   model.Config
	Property string
	Message  string
	Actions  []model.Action
}

// Replay executes actions from the initial state, checking every property
// after each step, and stops at the first violation. It fails if an action
// is not enabled when its turn comes.
func Replay(m *model.Model, actions []model.Action) (steps int, v *props.Violation, err error) {
	s := m.Init()
	if vs := props.CheckState(m, &s, false, nil); len(vs) > 0 {
		return 0, &vs[0], nil
	}
	var buf []model.Action
	for i, a := range actions {
		buf = m.Enabled(&s, buf[:0])
		if !contains(buf, a) {
			return i, nil, fmt.Errorf("step %d: action %s of %s is not enabled", i+1, a.Kind, m.ThreadName(int(a.Thread)))
		}
		before := s
		o := m.Step(&s, a)
		buf = m.Enabled(&s, buf[:0])
		vs := props.CheckStep(m, &before, &s, &o, nil)
		vs = props.CheckState(m, &s, len(buf) == 0, vs)
		if len(vs) > 0 {
			return i + 1, &vs[0], nil
		}
	}
	return len(actions), nil, nil
}

func contains(as []model.Action, a model.Action) bool {
	for _, b := range as {
		if b == a {
			return true
		}
	}
	return false
}

// violates reports whether replaying actions ends in a violation of property
// id at its last step, and not earlier.
func violates(m *model.Model, actions []model.Action, id string) bool {
	n, v, err := Replay(m, actions)
	return err == nil && v != nil && v.Property.ID == id && n == len(actions)
}

// Shrink returns a shorter path that violates the same property: it drops
// steps, in chunks and then one by one, as long as the rest still replays
// and still ends in the violation. The result is deterministic.
func Shrink(m *model.Model, c Counterexample) Counterexample {
	acts := append([]model.Action(nil), c.Actions...)
	for chunk := len(acts) / 2; chunk >= 1; chunk /= 2 {
		for i := len(acts) - chunk; i >= 0; i-- {
			if i+chunk > len(acts) {
				continue
			}
			try := append(append([]model.Action(nil), acts[:i]...), acts[i+chunk:]...)
			if violates(m, try, c.Property) {
				acts = try
			}
		}
	}
	_, v, _ := Replay(m, acts)
	out := c
	out.Actions = acts
	if v != nil {
		out.Message = v.Message
	}
	return out
}
