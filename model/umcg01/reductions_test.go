package umcg01_test

import (
	"slices"
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/sim/simtest"
)

// TestReductionsKeepVerdicts: every reduction and every way of running the
// search gives the same set of violated properties, on every shipped
// configuration of both variants and on every deliberate bug: symmetry on
// and off, partial-order reduction on and off, one goroutine or two. A
// reduction added later joins the table of searches here.
func TestReductionsKeepVerdicts(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("about 200 searches: run without -race and -short")
	}
	shipped, bugs := everyConfig()
	cfgs := append(shipped, bugs...)
	// Each group of searches must agree; the safety-only group may reduce
	// by symmetry and partial order, the group with liveness must not (see
	// sim.Report): there, asking for them must change nothing.
	groups := [][]sim.Explorer{
		{{Workers: 1}, {Workers: 2}, {Workers: 1, Symmetry: true}, {Workers: 2, Symmetry: true, PartialOrder: true}},
		{{Workers: 1, NoLiveness: true}, {Workers: 2, NoLiveness: true},
			{Workers: 1, NoLiveness: true, Symmetry: true}, {Workers: 2, NoLiveness: true, Symmetry: true},
			{Workers: 1, NoLiveness: true, PartialOrder: true}, {Workers: 2, NoLiveness: true, PartialOrder: true, Symmetry: true}},
	}
	fewer := 0 // partial-order searches that stored fewer states than the unreduced one
	for _, c := range cfgs {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		e := m.Engine()
		for _, g := range groups {
			var want, wantPlaces []string
			var full uint64
			for i, x := range g {
				r := e.Explore(x)
				got := violatedIDs(r)
				if i == 0 {
					wantPlaces = simtest.Places(r)
				} else if r.PartialOrder && !r.Symmetry && !slices.Equal(simtest.Places(r), wantPlaces) {
					// Model.Local's contract keeps the place of every
					// violation, not only the property.
					t.Errorf("%s: %s finds violations at %v, %s at %v", c, simtest.Describe(g[0]), wantPlaces, simtest.Describe(x), simtest.Places(r))
				}
				if r.PartialOrder != (x.PartialOrder && x.NoLiveness) {
					t.Errorf("%s: %s: partial-order reduction applied: %v (%s)", c, simtest.Describe(x), r.PartialOrder, r.PartialOrderOff)
				}
				if r.PartialOrder && !r.Symmetry && r.States < full {
					fewer++
				}
				if i == 0 {
					want, full = got, r.States
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: %s finds %v, %s finds %v", c, simtest.Describe(g[0]), want, simtest.Describe(x), got)
				}
				for _, ce := range r.Violations {
					if _, err := e.Confirm(ce); err != nil {
						t.Errorf("%s, %s: %s does not replay: %v", c, simtest.Describe(x), ce.Property, err)
					}
				}
			}
		}
	}
	if fewer == 0 {
		t.Error("partial-order reduction stored fewer states in no search")
	}
}

// violatedIDs lists the properties a report found violated, each once, in
// order (where a property breaks can depend on the order states are found
// in, which symmetry changes; whether it breaks cannot).
func violatedIDs(r sim.Report) []string {
	var ids []string
	for _, c := range r.Violations {
		if !slices.Contains(ids, c.Property) {
			ids = append(ids, c.Property)
		}
	}
	return ids
}

// TestReductionsCatchWrongLocal: the comparison above bites. Each wrong
// Local below calls local a step that por.go keeps shared in some states,
// and hides a violation (a property at a place) somewhere among the
// shipped configurations and bugs:
//   - a worker's free and clear of its task_tls (unregister_task's last
//     steps) while a server can still load it (por.go's unreachable left
//     out): in the seed's faults configuration, no-use-after-free at the
//     server's exit on a wrong worker state, which it reaches by loading
//     the freed task_tls;
//   - a server's return from its poll_worker sleep (por.go calls only
//     the return from run_worker local, and only unlinked): in the
//     seed's faults configuration it loses no-kill at a worker's unblock
//     while still linked to a server, among others.
//
// (A third, the return from run_worker called local while a worker is
// still linked or no reason woke the server, resumeUnlinked's conditions
// left out, changes no verdict here: these configurations do not tell it
// from the right one, which is why it is not in the table; TestLocalContract
// does, one step at a time.)
func TestReductionsCatchWrongLocal(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("three searches of every configuration: run without -race and -short")
	}
	wrong := []struct {
		name string
		step func(s *model.State, a sim.Action) bool
	}{
		{"free and clear while reachable", func(s *model.State, a sim.Action) bool {
			th := &s.T[a.Thread]
			return a.Kind == model.ActStep && th.Fn == model.CallUnregister && th.LPC > 0 && th.Sleep == model.Awake && th.Kind == model.KindNone
		}},
		{"poll_worker's return", func(s *model.State, a sim.Action) bool {
			th := &s.T[a.Thread]
			return a.Kind == model.ActStep && th.Kind == model.KindServer && th.Sleep == model.SleepPoll && th.Wake != model.WakeNone
		}},
	}
	shipped, bugs := everyConfig()
	caught := make([]int, len(wrong))
	for _, c := range append(shipped, bugs...) {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		e := m.Engine()
		want := simtest.Places(e.Explore(sim.Explorer{NoLiveness: true}))
		local := e.Local
		for i, w := range wrong {
			e.Local = func(s *model.State, a sim.Action) bool { return w.step(s, a) || local(s, a) }
			r := e.Explore(sim.Explorer{NoLiveness: true, PartialOrder: true})
			if got := simtest.Places(r); !slices.Equal(got, want) {
				caught[i]++
				t.Logf("%s: %s called local loses %v", c, w.name, lost(want, got))
			}
		}
	}
	for i, w := range wrong {
		if caught[i] == 0 {
			t.Errorf("%s called local changed no verdict: the reductions test could not tell it from the right Local", w.name)
		}
	}
}

// lost lists what is in want and not in got.
func lost(want, got []string) []string {
	var l []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			l = append(l, w)
		}
	}
	return l
}
