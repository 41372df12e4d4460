package umcg01

import (
	"testing"

	"github.com/umcgcheck/umcgcheck/props"
)

// TestScreenOfEveryProperty: every invariant and step property of
// Properties is listed in screenOf (with its screen, or nil), and
// screenOf lists nothing else, so a property added without deciding its
// screen fails here; whether a screen then covers what it is given is
// TestScreenClearsOnlyWhatHolds's to see. The properties carry the
// screen screenOf gives them, and both screens are in use.
func TestScreenOfEveryProperty(t *testing.T) {
	m, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	used := map[*props.Screen[State, Observation]]bool{}
	for _, p := range m.Properties() {
		sc, listed := screenOf[p.ID]
		switch screened := p.Class == props.Invariant || p.Class == props.StepProperty; {
		case screened && !listed:
			t.Errorf("%s (%s) is not in screenOf (checks.go): give it the screen that covers it, or nil", p.ID, p.Class)
		case !screened && listed:
			t.Errorf("%s (%s) is in screenOf, but only invariants and step properties are screened", p.ID, p.Class)
		}
		if p.Screen != sc {
			t.Errorf("%s: its Screen is not screenOf's", p.ID)
		}
		seen[p.ID] = true
		used[sc] = true
	}
	for id := range screenOf {
		if !seen[id] {
			t.Errorf("screenOf lists %s, which is no property", id)
		}
	}
	for name, sc := range map[string]*props.Screen[State, Observation]{"invariantScreen": invariantScreen, "returnScreen": returnScreen} {
		if !used[sc] {
			t.Errorf("%s screens no property", name)
		}
	}
}
