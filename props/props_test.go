package props

import (
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// A toy protocol: the state is an int, the observation a string.
type (
	st  = int
	obs = string
)

func ids(vs []Violation[st, obs]) []string {
	var r []string
	for _, v := range vs {
		r = append(r, v.Property.ID)
	}
	return r
}

// TestScreen: a property whose screen clears a state or a step is not
// checked; one whose screen refuses it is, as is every property with no
// screen; a screen is asked once for the properties that share it, and
// never for Deadlock properties (which it does not screen).
func TestScreen(t *testing.T) {
	var stateAsked, stepAsked int
	clears := true
	sc := &Screen[st, obs]{
		State: func(*st) bool { stateAsked++; return clears },
		Step:  func(_, _ *st, _ *obs) bool { stepAsked++; return clears },
	}
	bad := func(*st) string { return "bad" }
	badStep := func(_, _ *st, _ *obs) string { return "bad step" }
	ps := []*Property[st, obs]{
		{ID: "inv1", Class: Invariant, State: bad, Step: badStep, Screen: sc},
		{ID: "step1", Class: StepProperty, Step: badStep, Screen: sc},
		{ID: "plain", Class: Invariant, State: bad},
		{ID: "inv2", Class: Invariant, State: bad, Screen: sc},
		{ID: "dead", Class: Deadlock, State: bad, Screen: sc},
		{ID: "some", Class: Sometimes, State: bad, Step: badStep, Screen: sc},
	}
	s, o := 1, "o"
	for _, c := range []struct {
		clear         bool
		terminal      bool
		state, step   []string
		stateN, stepN int // times the screen is asked
	}{
		{true, false, []string{"plain"}, nil, 1, 1},
		{true, true, []string{"plain", "dead"}, nil, 1, 1},
		{false, false, []string{"inv1", "plain", "inv2"}, []string{"inv1", "step1"}, 1, 1},
		{false, true, []string{"inv1", "plain", "inv2", "dead"}, []string{"inv1", "step1"}, 1, 1},
	} {
		clears, stateAsked, stepAsked = c.clear, 0, 0
		if got := ids(CheckState(ps, &s, c.terminal, nil)); !slices.Equal(got, c.state) || stateAsked != c.stateN {
			t.Errorf("clear=%v terminal=%v: CheckState reports %v asking the screen %d times; want %v, %d",
				c.clear, c.terminal, got, stateAsked, c.state, c.stateN)
		}
		if got := ids(CheckStep(ps, &s, &s, &o, nil)); !slices.Equal(got, c.step) || stepAsked != c.stepN {
			t.Errorf("clear=%v: CheckStep reports %v asking the screen %d times; want %v, %d",
				c.clear, got, stepAsked, c.step, c.stepN)
		}
	}

	// A screen with no State (or no Step) clears nothing of that kind.
	half := &Screen[st, obs]{Step: func(_, _ *st, _ *obs) bool { return true }}
	qs := []*Property[st, obs]{{ID: "inv", Class: Invariant, State: bad, Step: badStep, Screen: half}}
	if got := ids(CheckState(qs, &s, false, nil)); !slices.Equal(got, []string{"inv"}) {
		t.Errorf("a screen with no State test cleared a state: %v", got)
	}
	if got := ids(CheckStep(qs, &s, &s, &o, nil)); len(got) != 0 {
		t.Errorf("a screen that clears steps did not: %v", got)
	}
}

// screenedState and screenedStep are the screening rule written out
// plainly, property by property, as the reference Checks is tested
// against: a property is checked unless its class is not (Sometimes;
// Deadlock at a state that is not terminal) or its screen clears the
// state (invariants only) or the step.
func screenedState(ps []*Property[st, obs], s *st, terminal bool) []Violation[st, obs] {
	var vs []Violation[st, obs]
	for _, p := range ps {
		if p.State == nil || (p.Class == Deadlock && !terminal) || p.Class == Sometimes {
			continue
		}
		if sc := p.Screen; sc != nil && sc.State != nil && p.Class == Invariant && sc.State(s) {
			continue
		}
		if msg := p.State(s); msg != "" {
			vs = append(vs, Violation[st, obs]{p, msg})
		}
	}
	return vs
}

func screenedStep(ps []*Property[st, obs], before, after *st, o *obs) []Violation[st, obs] {
	var vs []Violation[st, obs]
	for _, p := range ps {
		if p.Step == nil || p.Class == Sometimes {
			continue
		}
		if sc := p.Screen; sc != nil && sc.Step != nil && sc.Step(before, after, o) {
			continue
		}
		if msg := p.Step(before, after, o); msg != "" {
			vs = append(vs, Violation[st, obs]{p, msg})
		}
	}
	return vs
}

// TestChecksScreeningRule: a prepared list reports what the screening
// rule, applied property by property (screenedState, screenedStep),
// reports, in the same order, for any list of properties (classes, checks
// and screens drawn at random, screens sound or not) on any state and
// step, and asks each screen at most once.
func TestChecksScreeningRule(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nScreens := rapid.IntRange(0, 3).Draw(t, "screens")
		asked := make([]int, nScreens) // times each screen was asked
		var screens []*Screen[st, obs]
		for i := range nScreens {
			mask := rapid.IntRange(0, 15).Draw(t, "mask")
			sc := &Screen[st, obs]{}
			if rapid.Bool().Draw(t, "screens states") {
				sc.State = func(s *st) bool { asked[i]++; return *s&mask == 0 }
			}
			if rapid.Bool().Draw(t, "screens steps") {
				sc.Step = func(b, a *st, _ *obs) bool { asked[i]++; return (*a^*b)&mask == 0 }
			}
			screens = append(screens, sc)
		}
		var ps []*Property[st, obs]
		for i := range rapid.IntRange(0, 8).Draw(t, "properties") {
			p := &Property[st, obs]{ID: string(rune('a' + i)), Class: Class(rapid.IntRange(0, int(Sometimes)).Draw(t, "class"))}
			if bit := rapid.IntRange(-1, 3).Draw(t, "state bit"); bit >= 0 {
				p.State = func(s *st) string {
					if *s&(1<<bit) != 0 {
						return "state"
					}
					return ""
				}
			}
			if bit := rapid.IntRange(-1, 3).Draw(t, "step bit"); bit >= 0 {
				p.Step = func(b, a *st, _ *obs) string {
					if (*a^*b)&(1<<bit) != 0 {
						return "step"
					}
					return ""
				}
			}
			if i := rapid.IntRange(-1, nScreens-1).Draw(t, "screen"); i >= 0 {
				p.Screen = screens[i]
			}
			ps = append(ps, p)
		}
		c := Prepare(ps)
		b, a := rapid.IntRange(0, 15).Draw(t, "before"), rapid.IntRange(0, 15).Draw(t, "after")
		o := "o"
		onceEach := func(what string) {
			for i, n := range asked {
				if n > 1 {
					t.Fatalf("%s asked screen %d %d times", what, i, n)
				}
			}
		}
		for _, terminal := range []bool{false, true} {
			asked = make([]int, nScreens)
			want := screenedState(ps, &a, terminal)
			asked = make([]int, nScreens)
			if got := c.State(&a, terminal, nil); !slices.Equal(got, want) {
				t.Fatalf("terminal=%v: Checks.State %v, the rule %v", terminal, got, want)
			}
			onceEach("State")
		}
		asked = make([]int, nScreens)
		want := screenedStep(ps, &b, &a, &o)
		asked = make([]int, nScreens)
		if got := c.Step(&b, &a, &o, nil); !slices.Equal(got, want) {
			t.Fatalf("Checks.Step %v, the rule %v", got, want)
		}
		onceEach("Step")
	})
}
