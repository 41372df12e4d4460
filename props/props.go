// Package props holds the kinds of property a protocol can state, and
// their checks: invariants over states, step properties over transitions,
// deadlock freedom over terminal states, leads-to properties and fair
// cycles free of a kind of step (no busy wait) over weakly fair paths.
// Each protocol supplies its own list of properties, as plain values; the
// engine (package sim) evaluates them and nothing here searches.
//
// S is the protocol's state type and O what one of its steps reports (its
// observation); both are opaque here.
package props

import "slices"

// Class says over what a property is evaluated.
type Class uint8

const (
	// Invariant properties hold in every reachable state.
	Invariant Class = iota
	// StepProperty properties hold on every step (before, observation, after).
	StepProperty
	// Deadlock properties hold in every reachable terminal state.
	Deadlock
	// Liveness properties hold on every infinite or maximal path that is
	// weakly fair to threads (see LeadsTo).
	Liveness
	// Sometimes properties (stateright's "sometimes") hold when some
	// reachable state, or some step, is an example: their State or Step
	// check returns a description of the example, and "" otherwise (the
	// reverse of the other classes). A complete search that meets no
	// example reports the property violated (never reached); an
	// incomplete search cannot tell, and says so. They say that a
	// configuration is not vacuous: that it reaches what the
	// documentation says it can.
	Sometimes
)

func (c Class) String() string {
	return [...]string{"invariant", "step", "deadlock", "liveness", "sometimes"}[c]
}

// Property is one property. Exactly the check fields its Class needs are
// set: State for Invariant and Deadlock, Step for StepProperty (an
// invariant may also have Step), Live for Liveness, State or Step for
// Sometimes. A check returns "" when the property holds, else a sentence
// that says what is wrong; a Sometimes check returns what its example
// shows, or "" when the state or step is not one.
//
// Screen, when set, is a cheap test shared with other properties that
// lets CheckState, CheckStep and Checks skip their checks (see Screen).
type Property[S, O any] struct {
	ID     string
	Doc    string
	Class  Class
	State  func(s *S) string
	Step   func(before, after *S, o *O) string
	Live   *LeadsTo[S, O]
	Screen *Screen[S, O]
}

// Screen is a test that clears several properties at once, so that the
// checks of a search, which nearly always pass, cost one call rather
// than one per property. When State(s) returns true, the State check of
// every property whose Screen it is returns "" on s; when Step(before,
// after, o) returns true, so does their Step check on that step. A false
// answer says nothing: the properties are then checked one by one. A nil
// function clears nothing. Only Invariant and StepProperty checks are
// screened (not Deadlock ones, nor Sometimes ones, which look for
// examples). A protocol that gives its properties a Screen should test
// that it never clears a step or state one of them rejects.
type Screen[S, O any] struct {
	State func(s *S) bool
	Step  func(before, after *S, o *O) bool
}

// LeadsTo is a liveness property "whenever Trigger(t) holds, Goal(t) holds
// later", for every thread t, on every path that is weakly fair to
// threads: a path on which a thread's fair move stays enabled forever takes
// one infinitely often. A maximal finite path (ending in a terminal state
// that is not halted) on which Trigger(t) held with no later Goal(t)
// violates it too.
//
// When Trigger is nil the property is "no weakly fair cycle contains a step
// for which Cycle returns a non-empty description" (for example a busy
// retry: no-busy-wait).
type LeadsTo[S, O any] struct {
	Fairness string
	Trigger  func(s *S, t int) bool
	Goal     func(s *S, t int) bool
	Cycle    func(o *O) string
}

// Violation is a property found false, with what was wrong.
type Violation[S, O any] struct {
	Property *Property[S, O]
	Message  string
}

func (v Violation[S, O]) String() string { return v.Property.ID + ": " + v.Message }

// CheckState appends to vs the invariants s violates and, when terminal is
// set, the Deadlock properties it violates, in the order of ps.
//
// A property whose Screen clears s is not checked (see Screen); a screen
// is asked again in one call only if another screen was asked since.
func CheckState[S, O any](ps []*Property[S, O], s *S, terminal bool, vs []Violation[S, O]) []Violation[S, O] {
	var screen *Screen[S, O] // the last screen asked, and its answer
	cleared := false
	for _, p := range ps {
		if p.State == nil || (p.Class == Deadlock && !terminal) || p.Class == Sometimes {
			continue
		}
		if sc := p.Screen; sc != nil && sc.State != nil && p.Class == Invariant {
			if sc != screen {
				screen, cleared = sc, sc.State(s)
			}
			if cleared {
				continue
			}
		}
		if msg := p.State(s); msg != "" {
			vs = append(vs, Violation[S, O]{p, msg})
		}
	}
	return vs
}

// CheckStep appends to vs the step properties the step from before to
// after, which o describes, violates, in the order of ps.
//
// A property whose Screen clears the step is not checked (see Screen).
func CheckStep[S, O any](ps []*Property[S, O], before, after *S, o *O, vs []Violation[S, O]) []Violation[S, O] {
	var screen *Screen[S, O] // the last screen asked, and its answer
	cleared := false
	for _, p := range ps {
		if p.Step == nil || p.Class == Sometimes {
			continue
		}
		if sc := p.Screen; sc != nil && sc.Step != nil {
			if sc != screen {
				screen, cleared = sc, sc.Step(before, after, o)
			}
			if cleared {
				continue
			}
		}
		if msg := p.Step(before, after, o); msg != "" {
			vs = append(vs, Violation[S, O]{p, msg})
		}
	}
	return vs
}

// Info is what a property is, without its checks: for listings and tools.
type Info struct {
	ID       string `json:"id"`
	Class    string `json:"class"`
	Doc      string `json:"doc"`
	Fairness string `json:"fairness,omitempty"`
}

// Describe lists the properties' Info, in order.
func Describe[S, O any](ps []*Property[S, O]) []Info {
	out := make([]Info, 0, len(ps))
	for _, p := range ps {
		in := Info{ID: p.ID, Class: p.Class.String(), Doc: p.Doc}
		if p.Live != nil {
			in.Fairness = p.Live.Fairness
		}
		out = append(out, in)
	}
	return out
}

// Checks is a list of properties prepared for a search, which checks
// every new state and every transition: its State and Step report what
// CheckState and CheckStep report on the same list, in the same order,
// but look only at the properties of the classes they check and ask each
// screen once. A Checks is read-only once prepared: any number of
// goroutines may use it.
type Checks[S, O any] struct {
	screens               []*Screen[S, O]
	state, terminal, step []check[S, O]
	// When every property of state (of step) is screened, stateScreens
	// (stepScreens) lists their screens, so that a state (a step) they
	// all clear costs one call per screen and nothing else.
	stateScreens, stepScreens screenList
	stateFirst                []func(s *S) bool                   // stateScreens' State checks
	stepFirst                 []func(before, after *S, o *O) bool // stepScreens' Step checks
}

// screenList is the screens (indices in Checks.screens) a list of
// checks asks first, in order, each once: when the one at position i is
// the first to refuse, those before it cleared (cleared[i]) and those up
// to it were asked (asked[i], bits by index in Checks.screens); when
// every one clears, both are asked[len]. Only these bits, not a running
// tally, live across the calls: the common case, every screen clearing,
// is a tight loop of calls.
type screenList struct {
	is             []int
	asked, cleared []uint64
}

// masks is the asked and cleared bits when the screen at position i is
// the first to refuse (i == len(l.is): none refused).
func (l *screenList) masks(i int) (asked, cleared uint64) { return l.asked[i], l.cleared[i] }

// check is a property a Checks looks at, and the index of its screen in
// Checks.screens (-1: none).
type check[S, O any] struct {
	p      *Property[S, O]
	screen int
}

// maxScreens is how many distinct screens a Checks uses; the properties of
// any further screen are checked unscreened.
const maxScreens = 64

// Prepare prepares ps for checking; ps must not change afterwards.
func Prepare[S, O any](ps []*Property[S, O]) *Checks[S, O] {
	c := &Checks[S, O]{}
	screen := func(sc *Screen[S, O], screens bool) int {
		if !screens {
			return -1
		}
		for i, x := range c.screens {
			if x == sc {
				return i
			}
		}
		if len(c.screens) == maxScreens {
			return -1
		}
		c.screens = append(c.screens, sc)
		return len(c.screens) - 1
	}
	for _, p := range ps {
		if p.Class == Sometimes {
			continue
		}
		sc := p.Screen
		if p.State != nil {
			k := check[S, O]{p, screen(sc, sc != nil && sc.State != nil && p.Class == Invariant)}
			if p.Class != Deadlock {
				c.state = append(c.state, k)
			}
			c.terminal = append(c.terminal, k)
		}
		if p.Step != nil {
			c.step = append(c.step, check[S, O]{p, screen(sc, sc != nil && sc.Step != nil)})
		}
	}
	c.stateScreens, c.stepScreens = screensOf(c.state), screensOf(c.step)
	for _, i := range c.stateScreens.is {
		c.stateFirst = append(c.stateFirst, c.screens[i].State)
	}
	for _, i := range c.stepScreens.is {
		c.stepFirst = append(c.stepFirst, c.screens[i].Step)
	}
	return c
}

// screensOf lists the screens of the properties of list, each once, when
// every one of them has a screen (else none), with their masks.
func screensOf[S, O any](list []check[S, O]) screenList {
	var l screenList
	for _, k := range list {
		if k.screen < 0 {
			return screenList{}
		}
		if !slices.Contains(l.is, k.screen) {
			l.is = append(l.is, k.screen)
		}
	}
	var cleared uint64
	for _, i := range l.is {
		l.cleared = append(l.cleared, cleared)
		l.asked = append(l.asked, cleared|1<<i)
		cleared |= 1 << i
	}
	l.cleared = append(l.cleared, cleared)
	l.asked = append(l.asked, cleared)
	return l
}

// State appends to vs what CheckState(ps, s, terminal, vs) appends.
func (c *Checks[S, O]) State(s *S, terminal bool, vs []Violation[S, O]) []Violation[S, O] {
	var asked, cleared uint64 // by screen
	list := c.state
	if terminal {
		list = c.terminal
	} else if first := c.stateFirst; first != nil {
		i := 0
		for i < len(first) && first[i](s) {
			i++
		}
		if i == len(first) {
			return vs
		}
		asked, cleared = c.stateScreens.masks(i)
	}
	for i := range list {
		k := &list[i]
		if k.screen >= 0 {
			bit := uint64(1) << k.screen
			if asked&bit == 0 {
				asked |= bit
				if c.screens[k.screen].State(s) {
					cleared |= bit
				}
			}
			if cleared&bit != 0 {
				continue
			}
		}
		if msg := k.p.State(s); msg != "" {
			vs = append(vs, Violation[S, O]{k.p, msg})
		}
	}
	return vs
}

// Step appends to vs what CheckStep(ps, before, after, o, vs) appends.
func (c *Checks[S, O]) Step(before, after *S, o *O, vs []Violation[S, O]) []Violation[S, O] {
	var asked, cleared uint64 // by screen
	if first := c.stepFirst; first != nil {
		i := 0
		for i < len(first) && first[i](before, after, o) {
			i++
		}
		if i == len(first) {
			return vs
		}
		asked, cleared = c.stepScreens.masks(i)
	}
	for i := range c.step {
		k := &c.step[i]
		if k.screen >= 0 {
			bit := uint64(1) << k.screen
			if asked&bit == 0 {
				asked |= bit
				if c.screens[k.screen].Step(before, after, o) {
					cleared |= bit
				}
			}
			if cleared&bit != 0 {
				continue
			}
		}
		if msg := k.p.Step(before, after, o); msg != "" {
			vs = append(vs, Violation[S, O]{k.p, msg})
		}
	}
	return vs
}
