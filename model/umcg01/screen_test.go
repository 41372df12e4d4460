package umcg01_test

import (
	"fmt"
	"slices"
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
	"pgregory.net/rapid"
)

// screenCount is what screenMisses counts over a search.
type screenCount struct {
	steps, cleared int    // transitions, and those every step screen clears
	missed         int    // states and steps a screen clears that a check rejects
	refused        int    // states the state screen refuses that every check accepts
	first          string // the first miss
}

// screened is a screen of m's properties and the properties it screens,
// without their screen.
type screened struct {
	screen *props.Screen[model.State, model.Observation]
	plain  []*model.Property
	checks *props.Checks[model.State, model.Observation] // plain's
}

// screensOf groups m's screened properties by screen; a non-nil replace
// stands in for every screen.
func screensOf(m *model.Model, replace *props.Screen[model.State, model.Observation]) []*screened {
	var screens []*screened
	for _, p := range m.Properties() {
		sc := p.Screen
		if sc == nil {
			continue
		}
		if replace != nil {
			sc = replace
		}
		i := slices.IndexFunc(screens, func(x *screened) bool { return x.screen == sc })
		if i < 0 {
			i = len(screens)
			screens = append(screens, &screened{screen: sc})
		}
		q := *p
		q.Screen = nil
		screens[i].plain = append(screens[i].plain, &q)
	}
	for _, x := range screens {
		x.checks = props.Prepare(x.plain)
	}
	return screens
}

// compareScreens adds to n what the screens say of the step from b to a
// (o) and of a, against the checks of the properties they screen.
func compareScreens(screens []*screened, b, a *model.State, o *model.Observation, n *screenCount) {
	miss := func(format string, args ...any) {
		if n.missed++; n.first == "" {
			n.first = fmt.Sprintf(format, args...)
		}
	}
	n.steps++
	all := true // every screen clears the step
	for _, x := range screens {
		if x.screen.Step == nil {
			all = false
		} else if x.screen.Step(b, a, o) {
			if vs := x.checks.Step(b, a, o, nil); len(vs) > 0 {
				miss("a step screen clears %q, which violates %s", o.Label, vs[0])
			}
		} else {
			all = false
		}
		if x.screen.State == nil {
			continue
		}
		vs := x.checks.State(a, false, nil)
		switch clear := x.screen.State(a); {
		case clear && len(vs) > 0:
			miss("a state screen clears a state that violates %s", vs[0])
		case !clear && len(vs) == 0:
			n.refused++
		}
	}
	if all {
		n.cleared++
	}
}

// screenMisses compares, over every transition of an exhaustive search of
// m (and so every reachable state but the initial one), what each screen
// of m's properties clears with what the checks of the properties it
// screens say, unscreened. A non-nil screen stands in for every one.
func screenMisses(m *model.Model, replace *props.Screen[model.State, model.Observation]) screenCount {
	var n screenCount
	screens := screensOf(m, replace)
	if len(screens) == 0 {
		n.missed, n.first = 1, "no property has a screen"
		return n
	}
	e := m.Engine()
	step := e.Step
	e.Step = func(s *model.State, a model.Action) model.Observation {
		b := *s
		o := step(s, a)
		compareScreens(screens, &b, s, &o, &n)
		return o
	}
	e.Explore(sim.Explorer{Workers: 1, NoLiveness: true})
	return n
}

// TestScreenClearsOnlyWhatHolds: the screens of UMCG's invariants and
// step properties (the tests a search makes per new state and per
// transition before it checks them one by one) never clear a state or a
// step that one of them rejects, over every transition of every shipped
// configuration of both variants and of every deliberate bug's
// configuration; a state screen refuses no state its invariants all
// accept. A screen that clears everything is caught.
func TestScreenClearsOnlyWhatHolds(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("every transition of every shipped configuration: run without -race and -short")
	}
	cfgs, bugs := everyConfig()
	var total screenCount
	for _, c := range append(cfgs, bugs...) {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		n := screenMisses(m, nil)
		if n.missed > 0 || n.refused > 0 {
			t.Errorf("%s: the screen clears %d states or steps that violate a property (first: %s) and refuses %d states that violate none",
				c, n.missed, n.first, n.refused)
		}
		total.steps += n.steps
		total.cleared += n.cleared
	}
	t.Logf("the step screens clear %d of %d transitions", total.cleared, total.steps)
	if total.cleared == 0 {
		t.Errorf("the step screens clear none of %d transitions", total.steps)
	}

	// The comparison bites: a screen that clears everything misses the
	// deliberate bugs' violations.
	all := &props.Screen[model.State, model.Observation]{
		State: func(*model.State) bool { return true },
		Step:  func(_, _ *model.State, _ *model.Observation) bool { return true },
	}
	missed := 0
	for _, c := range bugs {
		m, _ := model.New(c)
		missed += screenMisses(m, all).missed
	}
	if missed == 0 {
		t.Error("a screen that clears everything misses no violation")
	}
}

// TestScreenWalks: the screens agree with the checks (as in
// TestScreenClearsOnlyWhatHolds) on every step of random walks over
// rapid-drawn configurations (see drawConfig: faults, probes, core pairs),
// of either variant, with or without a deliberate bug.
func TestScreenWalks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, _ := drawConfigRapid(t)
		c.Variant = rapid.SampledFrom([]model.Variant{model.Seed, model.Fixed}).Draw(t, "variant")
		if rapid.Bool().Draw(t, "bug") {
			c.Variant, c.Bug = model.Fixed, rapid.SampledFrom(model.BugNames()).Draw(t, "bug name")
		}
		m, err := model.New(c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		screens := screensOf(m, nil)
		pick := rapidPick(t)
		var n screenCount
		s := m.Init()
		for range depth {
			buf := m.Enabled(&s, nil)
			if len(buf) == 0 {
				break
			}
			b := s
			o := m.Step(&s, buf[pick(len(buf))])
			compareScreens(screens, &b, &s, &o, &n)
		}
		if n.missed > 0 || n.refused > 0 {
			t.Fatalf("%s: the screen clears %d states or steps that violate a property (first: %s) and refuses %d states that violate none",
				c, n.missed, n.first, n.refused)
		}
	})
}
