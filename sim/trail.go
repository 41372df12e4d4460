package sim

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/umcgcheck/umcgcheck/props"
)

// Counterexample is a path from the initial state to a violation of one
// property. For a safety property the last step violates it; for a
// liveness property found on a finite path the path ends in a terminal
// state; for a lasso, Actions[Loop:] is a cycle that leads back to the
// state reached after Actions[:Loop] (Loop is -1 when there is no cycle).
type Counterexample struct {
	Property string
	// Place is where the violation happens (Model.Place of its last
	// step; "" for liveness, deadlock and the initial state), and Hits how
	// many transitions of the search reached it (for a deadlock or a
	// terminal liveness violation: how many terminal states).
	Place   string
	Hits    int
	Message string
	Actions []Action
	Loop    int
}

// states replays actions from the initial state and returns every state
// on the way (len(actions)+1 of them) with each step's observation. It
// fails if an action is not enabled when its turn comes.
func (m *Model[S, O]) states(actions []Action) ([]S, []O, error) {
	ss := make([]S, 1, len(actions)+1)
	os := make([]O, 0, len(actions))
	ss[0] = m.Init()
	var buf []Action
	for i, a := range actions {
		s := ss[i]
		buf = m.Enabled(&s, buf[:0])
		if !slices.Contains(buf, a) {
			return nil, nil, fmt.Errorf("step %d: action %s of %s is not enabled", i+1, m.actionName(a.Kind), m.threadName(a.Thread))
		}
		os = append(os, m.Step(&s, a))
		ss = append(ss, s)
	}
	return ss, os, nil
}

func (m *Model[S, O]) terminal(s *S) bool {
	var buf [4 * MaxThreads]Action
	return len(m.Enabled(s, buf[:0])) == 0
}

// Confirm re-executes c and returns the message of the violation it
// demonstrates, or an error saying why it does not demonstrate one.
func (m *Model[S, O]) Confirm(c Counterexample) (string, error) {
	p := m.property(c.Property)
	if p == nil {
		return "", fmt.Errorf("unknown property %q", c.Property)
	}
	ss, os, err := m.states(c.Actions)
	if err != nil {
		return "", err
	}
	last := &ss[len(ss)-1]
	switch {
	case c.Loop >= 0:
		if c.Loop >= len(c.Actions) {
			return "", fmt.Errorf("loop start %d is past the %d steps", c.Loop, len(c.Actions))
		}
		if !m.sameState(&ss[c.Loop], last) {
			return "", fmt.Errorf("the cycle from step %d does not return to the state it starts from", c.Loop+1)
		}
		if p.Live == nil {
			return "", fmt.Errorf("%s is not a liveness property", p.ID)
		}
		if msg := m.unfair(ss[c.Loop:], c.Actions[c.Loop:]); msg != "" {
			return "", fmt.Errorf("the cycle is not weakly fair: %s", msg)
		}
		if msg := m.cycleViolates(p.Live, ss, c.Loop, os[c.Loop:], c.Actions[c.Loop:]); msg != "" {
			return msg, nil
		}
		return "", fmt.Errorf("the cycle does not violate %s", p.ID)
	case p.Live != nil:
		if !m.terminal(last) {
			return "", fmt.Errorf("the path does not end in a terminal state")
		}
		if m.halted(last) {
			// The system crashed: that is a safety violation, not a
			// liveness one.
			return "", fmt.Errorf("the path ends with the process gone")
		}
		if msg := m.pendingAtEnd(p.Live, ss); msg != "" {
			return msg, nil
		}
		return "", fmt.Errorf("the path does not violate %s", p.ID)
	}
	if len(c.Actions) == 0 {
		if msg := has(props.CheckState(m.Properties, last, m.terminal(last), nil), p.ID); msg != "" {
			return msg, nil
		}
		return "", fmt.Errorf("the initial state does not violate %s", p.ID)
	}
	n := len(c.Actions)
	if c.Place != "" && m.Place != nil && p.Class != props.Deadlock {
		if at := m.Place(&ss[n-1], &os[n-1]); at != c.Place {
			return "", fmt.Errorf("the last step is at %q, not at %q", at, c.Place)
		}
	}
	vs := props.CheckStep(m.Properties, &ss[n-1], last, &os[n-1], nil)
	vs = props.CheckState(m.Properties, last, m.terminal(last), vs)
	msg := has(vs, p.ID)
	if msg == "" {
		return "", fmt.Errorf("the last step does not violate %s", p.ID)
	}
	if p.Class == props.Invariant && p.Step == nil && c.Place != "" &&
		has(props.CheckState(m.Properties, &ss[n-1], false, nil), p.ID) != "" {
		return "", fmt.Errorf("%s was already violated before the last step", p.ID)
	}
	return msg, nil
}

func has[S, O any](vs []props.Violation[S, O], id string) string {
	for _, v := range vs {
		if v.Property.ID == id {
			return v.Message
		}
	}
	return ""
}

func (m *Model[S, O]) sameState(a, b *S) bool {
	return bytes.Equal(m.encode(a), m.encode(b))
}

// unfair reports a thread whose fair move is enabled in every state of the
// cycle (ss[0..n-1], ss[n] == ss[0]) but never taken in it, or "".
func (m *Model[S, O]) unfair(ss []S, cycle []Action) string {
	var buf []Action
	for t := 0; t < m.Threads(); t++ {
		always := true
		for i := 0; i < len(cycle) && always; i++ {
			buf = m.Enabled(&ss[i], buf[:0])
			en := false
			for _, a := range buf {
				if int(a.Thread) == t && m.Fair(a) {
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
			if int(a.Thread) == t && m.Fair(a) {
				taken = true
			}
		}
		if !taken {
			return m.ThreadNames[t] + " can always move but never does"
		}
	}
	return ""
}

// cycleViolates reports how repeating the cycle forever violates l, or "".
// ss are the path's states (ss[loop] == ss[len(ss)-1] starts the cycle),
// os and acts the cycle's observations and actions. A leads-to property is
// violated when its trigger held after the goal last held, anywhere on the
// path, and the goal holds nowhere in the cycle.
func (m *Model[S, O]) cycleViolates(l *props.LeadsTo[S, O], ss []S, loop int, os []O, acts []Action) string {
	if l.Cycle != nil {
		for i := range os {
			if what := l.Cycle(&os[i]); what != "" {
				return fmt.Sprintf("%s repeats %q forever without progress", m.threadName(acts[i].Thread), what)
			}
		}
		return ""
	}
	for t := 0; t < m.Threads(); t++ {
		goalInCycle := false
		for i := loop; i < len(ss); i++ {
			goalInCycle = goalInCycle || l.Goal(&ss[i], t)
		}
		if !goalInCycle && m.pending(l, ss, t) {
			return fmt.Sprintf("%s waits forever: the cycle repeats without reaching the goal", m.ThreadNames[t])
		}
	}
	return ""
}

// pending reports whether thread t's trigger held on the path after its
// goal last held.
func (m *Model[S, O]) pending(l *props.LeadsTo[S, O], ss []S, t int) bool {
	pending := false
	for i := range ss {
		if l.Goal(&ss[i], t) {
			pending = false
		} else if l.Trigger(&ss[i], t) {
			pending = true
		}
	}
	return pending
}

// pendingAtEnd reports a thread whose trigger held on the path with no goal
// after it, up to the terminal state, or "".
func (m *Model[S, O]) pendingAtEnd(l *props.LeadsTo[S, O], ss []S) string {
	if l.Trigger == nil {
		return ""
	}
	for t := 0; t < m.Threads(); t++ {
		if m.pending(l, ss, t) {
			return fmt.Sprintf("%s waits forever: the run ends before the goal", m.ThreadNames[t])
		}
	}
	return ""
}

// Shrink returns a shorter counterexample for the same property: it drops
// steps, in chunks and then one by one, as long as Confirm still accepts
// the rest. The result is deterministic.
func (m *Model[S, O]) Shrink(c Counterexample) Counterexample {
	best := c
	best.Actions = append([]Action(nil), c.Actions...)
	for chunk := len(best.Actions) / 2; chunk >= 1; chunk /= 2 {
		for i := len(best.Actions) - chunk; i >= 0; i-- {
			if i+chunk > len(best.Actions) {
				continue
			}
			try := best
			try.Actions = append(append([]Action(nil), best.Actions[:i]...), best.Actions[i+chunk:]...)
			if best.Loop >= 0 {
				switch {
				case i+chunk <= best.Loop:
					try.Loop = best.Loop - chunk
				case i < best.Loop:
					continue // the cut would straddle the loop's start
				}
			}
			if msg, err := m.Confirm(try); err == nil {
				best = try
				best.Message = msg
			}
		}
	}
	if msg, err := m.Confirm(best); err == nil {
		best.Message = msg
	}
	return best
}
