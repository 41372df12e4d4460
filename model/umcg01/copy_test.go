package umcg01_test

import (
	"reflect"
	"slices"
	"testing"
	"unsafe"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/sim/simtest"
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
		t.Skip("every shipped and bug configuration, twice each: run without -race and -short")
	}
	shipped, bugs := everyConfig()
	for _, c := range append(shipped, bugs...) {
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
				t.Errorf("%s, %s: zeroed %d states, %d transitions, %v; poisoned %d, %d, %v", c, simtest.Describe(x),
					z.States, z.Transitions, violatedIDs(z), p.States, p.Transitions, violatedIDs(p))
			}
		}
	}
}

// TestCopyStateCopiesEveryField: CopyState copies State's counts and a
// Group's fields one by one (and Group.Equal compares them), so a field
// added to either must be added there too; this lists the fields they
// know.
func TestCopyStateCopiesEveryField(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		want []string
	}{
		{reflect.TypeFor[model.State](), []string{"N", "G", "FaultsUsed", "SleepsUsed", "T", "Grp"}},
		{reflect.TypeFor[model.Group](), []string{"Lib", "Exists", "Unlisted", "NrTasks", "NWait", "Waiters", "NGhost", "Ghost"}},
	} {
		var got []string
		for _, f := range reflect.VisibleFields(c.typ) {
			got = append(got, f.Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s's fields are %v; CopyState, Group.Equal and this test know %v", c.typ, got, c.want)
		}
	}
	// A state with every thread and group slot used copies whole.
	var src, dst model.State
	poison(&src)
	src.N, src.G = model.MaxThreads, model.MaxGroups
	for g := range src.Grp {
		src.Grp[g].NWait, src.Grp[g].NGhost = model.MaxThreads, model.MaxThreads
	}
	model.CopyState(&dst, &src)
	if dst != src {
		t.Error("CopyState of a state that uses every slot is not equal to it")
	}
}
