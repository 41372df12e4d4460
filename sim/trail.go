// Package sim runs the model: seeded random walks, replay and shrinking of
// counterexamples, and their readable and JSON forms.
package sim

import (
	"bytes"
	"fmt"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	props "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// Counterexample is a path from the initial state to a violation of one
// property. For a safety property the last step violates it; for a
// liveness property found on a finite path the path ends in a terminal
// state; for a lasso, Actions[Loop:] is a cycle that leads back to the
// state reached after Actions[:Loop] (Loop is -1 when there is no cycle).
type Counterexample struct {
	Config   model.Config
	Property string
	Message  string
	Actions  []model.Action
	Loop     int
}

// states replays actions from the initial state and returns every state
// on the way (len(actions)+1 of them) with each step's observation. It
// fails if an action is not enabled when its turn comes.
func states(m *model.Model, actions []model.Action) ([]model.State, []model.Observation, error) {
	ss := make([]model.State, 1, len(actions)+1)
	os := make([]model.Observation, 0, len(actions))
	ss[0] = m.Init()
	var buf []model.Action
	for i, a := range actions {
		s := ss[i]
		buf = m.Enabled(&s, buf[:0])
		if !contains(buf, a) {
			return nil, nil, fmt.Errorf("step %d: action %s of %s is not enabled", i+1, a.Kind, threadName(m, a.Thread))
		}
		os = append(os, m.Step(&s, a))
		ss = append(ss, s)
	}
	return ss, os, nil
}

func threadName(m *model.Model, t int8) string {
	if t < 0 || int(t) >= m.Threads() {
		return fmt.Sprintf("thread %d", t)
	}
	return m.ThreadName(int(t))
}

func contains(as []model.Action, a model.Action) bool {
	for _, b := range as {
		if b == a {
			return true
		}
	}
	return false
}

// Confirm re-executes c and reports the violation it demonstrates, or an
// error saying why it does not demonstrate one.
func Confirm(m *model.Model, c Counterexample) (props.Violation, error) {
	p, ok := props.ByID(c.Property)
	if !ok {
		return props.Violation{}, fmt.Errorf("unknown property %q", c.Property)
	}
	ss, os, err := states(m, c.Actions)
	if err != nil {
		return props.Violation{}, err
	}
	last := &ss[len(ss)-1]
	switch {
	case c.Loop >= 0:
		if c.Loop >= len(c.Actions) {
			return props.Violation{}, fmt.Errorf("loop start %d is past the %d steps", c.Loop, len(c.Actions))
		}
		if !sameState(&ss[c.Loop], last) {
			return props.Violation{}, fmt.Errorf("the cycle from step %d does not return to the state it starts from", c.Loop+1)
		}
		if p.Live == nil {
			return props.Violation{}, fmt.Errorf("%s is not a liveness property", p.ID)
		}
		if msg := unfair(m, ss[c.Loop:], c.Actions[c.Loop:]); msg != "" {
			return props.Violation{}, fmt.Errorf("the cycle is not weakly fair: %s", msg)
		}
		if msg := cycleViolates(m, p.Live, ss[c.Loop:len(ss)-1], os[c.Loop:]); msg != "" {
			return props.Violation{Property: p, Message: msg}, nil
		}
		return props.Violation{}, fmt.Errorf("the cycle does not violate %s", p.ID)
	case p.Live != nil:
		if !m.Terminal(last) {
			return props.Violation{}, fmt.Errorf("the path does not end in a terminal state")
		}
		if !last.Live() {
			// The process was killed or exited: that is a safety
			// violation (no-kill, no-exit), not a liveness one.
			return props.Violation{}, fmt.Errorf("the path ends with the process gone")
		}
		if msg := pendingAtEnd(m, p.Live, ss); msg != "" {
			return props.Violation{Property: p, Message: msg}, nil
		}
		return props.Violation{}, fmt.Errorf("the path does not violate %s", p.ID)
	}
	if len(c.Actions) == 0 {
		if vs := props.CheckState(m, last, m.Terminal(last), nil); has(vs, p.ID) != "" {
			return props.Violation{Property: p, Message: has(vs, p.ID)}, nil
		}
		return props.Violation{}, fmt.Errorf("the initial state does not violate %s", p.ID)
	}
	n := len(c.Actions)
	vs := props.CheckStep(m, &ss[n-1], last, &os[n-1], nil)
	vs = props.CheckState(m, last, m.Terminal(last), vs)
	if msg := has(vs, p.ID); msg != "" {
		return props.Violation{Property: p, Message: msg}, nil
	}
	return props.Violation{}, fmt.Errorf("the last step does not violate %s", p.ID)
}

func has(vs []props.Violation, id string) string {
	for _, v := range vs {
		if v.Property.ID == id {
			return v.Message
		}
	}
	return ""
}

func sameState(a, b *model.State) bool {
	var ba, bb [model.EncodedSize]byte
	return bytes.Equal(a.AppendEncoding(ba[:0]), b.AppendEncoding(bb[:0]))
}

// fairThread reports whether a is a move that weak fairness is owed to:
// a thread's own step (or its faulty twin) or the completion of its
// blocking syscall. Faults are never owed.
func fairThread(a model.Action) bool {
	return a.Kind == model.ActStep || a.Kind == model.ActFail || a.Kind == model.ActUnblock
}

// unfair reports a thread whose fair move is enabled in every state of the
// cycle (ss[0..n-1], ss[n] == ss[0]) but never taken in it, or "".
func unfair(m *model.Model, ss []model.State, cycle []model.Action) string {
	var buf []model.Action
	for t := 0; t < m.Threads(); t++ {
		always := true
		for i := 0; i < len(cycle) && always; i++ {
			buf = m.Enabled(&ss[i], buf[:0])
			en := false
			for _, a := range buf {
				if int(a.Thread) == t && fairThread(a) {
					en = true
				}
			}
			always = en
		}
		if !always {
			continue
		}
		taken := false
		for _, a := range cycle {
			if int(a.Thread) == t && fairThread(a) {
				taken = true
			}
		}
		if !taken {
			return m.ThreadName(t) + " can always move but never does"
		}
	}
	return ""
}

// cycleViolates reports how repeating the cycle forever violates l, or "".
// ss are the cycle's states (without the repeated first one) and os its
// observations.
func cycleViolates(m *model.Model, l *props.LeadsTo, ss []model.State, os []model.Observation) string {
	if l.Cycle != nil {
		for i := range os {
			if l.Cycle(&os[i]) {
				return fmt.Sprintf("%s repeats %q forever without progress", threadName(m, os[i].Action.Thread), os[i].Label)
			}
		}
		return ""
	}
	for t := 0; t < m.Threads(); t++ {
		trig, goal := false, false
		for i := range ss {
			trig = trig || l.Trigger(m, &ss[i], t)
			goal = goal || l.Goal(m, &ss[i], t)
		}
		if trig && !goal {
			return fmt.Sprintf("%s waits forever: the cycle repeats without reaching the goal", m.ThreadName(t))
		}
	}
	return ""
}

// pendingAtEnd reports a thread whose trigger held on the path with no goal
// after it, up to the terminal state, or "".
func pendingAtEnd(m *model.Model, l *props.LeadsTo, ss []model.State) string {
	if l.Trigger == nil {
		return ""
	}
	for t := 0; t < m.Threads(); t++ {
		pending := false
		for i := range ss {
			if l.Goal(m, &ss[i], t) {
				pending = false
			} else if l.Trigger(m, &ss[i], t) {
				pending = true
			}
		}
		if pending {
			return fmt.Sprintf("%s waits forever: the run ends before the goal", m.ThreadName(t))
		}
	}
	return ""
}

// Shrink returns a shorter counterexample for the same property: it drops
// steps, in chunks and then one by one, as long as Confirm still accepts
// the rest. The result is deterministic.
func Shrink(m *model.Model, c Counterexample) Counterexample {
	best := c
	best.Actions = append([]model.Action(nil), c.Actions...)
	for chunk := len(best.Actions) / 2; chunk >= 1; chunk /= 2 {
		for i := len(best.Actions) - chunk; i >= 0; i-- {
			if i+chunk > len(best.Actions) {
				continue
			}
			try := best
			try.Actions = append(append([]model.Action(nil), best.Actions[:i]...), best.Actions[i+chunk:]...)
			if best.Loop >= 0 {
				switch {
				case i+chunk <= best.Loop:
					try.Loop = best.Loop - chunk
				case i < best.Loop:
					continue // the cut would straddle the loop's start
				}
			}
			if v, err := Confirm(m, try); err == nil {
				best = try
				best.Message = v.Message
			}
		}
	}
	if v, err := Confirm(m, best); err == nil {
		best.Message = v.Message
	}
	return best
}
