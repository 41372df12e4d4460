package umcg01_test

import (
	"reflect"
	"slices"
	"testing"
	"unsafe"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// poison fills every byte of *s with garbage.
func poison(s *model.State) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s))
	for i := range b {
		b[i] = byte(0xa5 ^ i*37)
	}
}

// TestUnusedSlotsUnread is the metamorphic test of the explorer's partial
// copies (CopyState, Decode): the slots of a State past its N threads and
// G groups may hold anything. Every shipped configuration of both
// variants, and every deliberate bug, is explored with those slots
// poisoned (every copy and decode lands on garbage) and with them zeroed
// (every copy and decode clears the whole State first, as before the
// partial copies): the state and transition counts and the violated
// properties must be the same.
func TestUnusedSlotsUnread(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("about 100 searches: run without -race and -short")
	}
	var cfgs []model.Config
	for _, n := range model.ConfigNames() {
		for _, v := range []model.Variant{model.Seed, model.Fixed} {
			c, _ := model.NamedConfig(n)
			c.Variant = v
			cfgs = append(cfgs, c)
		}
	}
	for _, b := range bugCases() {
		c := b.cfg
		c.Bug = b.bug
		cfgs = append(cfgs, c)
	}
	for _, c := range cfgs {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		zeroed, poisoned := m.Engine(), m.Engine()
		zeroed.Copy = func(dst, src *model.State) { *dst = model.State{}; model.CopyState(dst, src) }
		zeroed.Decode = func(s *model.State, b []byte) { *s = model.State{}; s.Decode(b) }
		poisoned.Copy = func(dst, src *model.State) { poison(dst); model.CopyState(dst, src) }
		poisoned.Decode = func(s *model.State, b []byte) { poison(s); s.Decode(b) }
		for _, x := range []sim.Explorer{{Workers: 1}, {Workers: 1, NoLiveness: true, Symmetry: true, PartialOrder: true}} {
			z, p := zeroed.Explore(x), poisoned.Explore(x)
			if z.States != p.States || z.Transitions != p.Transitions || !slices.Equal(violatedIDs(z), violatedIDs(p)) {
				t.Errorf("%s, %s: zeroed %d states, %d transitions, %v; poisoned %d, %d, %v", c, describe(x),
					z.States, z.Transitions, violatedIDs(z), p.States, p.Transitions, violatedIDs(p))
			}
		}
	}
}

// TestCopyStateCopiesEveryField: CopyState copies State's counts field by
// field, so a field added to State must be added there too; this lists
// the fields it knows.
func TestCopyStateCopiesEveryField(t *testing.T) {
	var got []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[model.State]()) {
		got = append(got, f.Name)
	}
	if want := []string{"N", "G", "FaultsUsed", "SleepsUsed", "T", "Grp"}; !slices.Equal(got, want) {
		t.Errorf("State's fields are %v; CopyState and this test know %v", got, want)
	}
	// A state with every thread and group slot used copies whole.
	var src, dst model.State
	poison(&src)
	src.N, src.G = model.MaxThreads, model.MaxGroups
	model.CopyState(&dst, &src)
	if dst != src {
		t.Error("CopyState of a state that uses every slot is not equal to it")
	}
}
