package umcg2023_test

import (
	"slices"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/sim/simtest"
)

// everyConfig is every shipped configuration under both kernels, unbroken
// and with every deliberate bug: what the reduction and mutation tests
// search.
func everyConfig() (unbroken, broken []umcg2023.Config) {
	for _, k := range umcg2023.Kernels {
		for _, n := range umcg2023.CLI.ConfigNames() {
			c := umcg2023.Configs[n]
			c.Kernel = k
			unbroken = append(unbroken, c)
			for _, b := range umcg2023.Bugs {
				c.Bug = b
				broken = append(broken, c)
			}
		}
	}
	return unbroken, broken
}

// porConfigs are configurations beyond the shipped ones where more steps
// are local (computes with no preemption budget, signals under the
// posting's reading, returns from WAIT(next_tid) under Nanos's): what the
// partial-order reduction can get wrong, it gets wrong where it reduces
// (calling the posting's return from WAIT(next_tid) local, which clears
// the worker's link, loses server-woken and no-deadlock on the last one).
var porConfigs = []umcg2023.Config{
	{Servers: 2, Workers: []string{"ccbu", "cyu"}},
	{Servers: 1, Workers: []string{"cbcu", "ctu"}, Signals: 2},
	{Servers: 2, Workers: []string{"cbu", "ccu"}, WaitFor: true, Fine: true, Preempts: 1},
	{Servers: 2, Workers: []string{"bbu", "byu"}, WaitFor: true},
}

// TestReductionsKeepVerdicts: symmetry on and off, partial-order
// reduction on and off, one goroutine or two, give the same set of
// violated properties on every shipped configuration of both kernels and
// on every deliberate bug (and on porConfigs), and every counterexample
// replays. Liveness is checked on the unreduced graph (symmetry and
// partial order reduce only the searches with NoLiveness), so the group
// with liveness checks that asking for them changes nothing.
func TestReductionsKeepVerdicts(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("about 2000 searches: run without -race and -short")
	}
	unbroken, broken := everyConfig()
	for _, k := range umcg2023.Kernels {
		for _, c := range porConfigs {
			c.Kernel = k
			unbroken = append(unbroken, c)
			for _, b := range umcg2023.Bugs {
				c.Bug = b
				broken = append(broken, c)
			}
		}
	}
	groups := [][]sim.Explorer{
		{{Workers: 1}, {Workers: 2}, {Workers: 1, Symmetry: true}, {Workers: 2, Symmetry: true, PartialOrder: true}},
		{{Workers: 1, NoLiveness: true}, {Workers: 2, NoLiveness: true},
			{Workers: 1, NoLiveness: true, Symmetry: true}, {Workers: 2, NoLiveness: true, Symmetry: true},
			{Workers: 1, NoLiveness: true, PartialOrder: true}, {Workers: 2, NoLiveness: true, PartialOrder: true},
			{Workers: 2, NoLiveness: true, PartialOrder: true, Symmetry: true}},
	}
	// Where no threads are interchangeable and no step is local (the
	// general clients), only the number of goroutines can change anything.
	unreduced := [][]sim.Explorer{{{Workers: 1, NoLiveness: true}, {Workers: 2, NoLiveness: true},
		{Workers: 2, NoLiveness: true, Symmetry: true, PartialOrder: true}}}
	symmetric, fewer := 0, 0 // searches reduced by symmetry; by partial order alone, to fewer states
	for _, c := range append(unbroken, broken...) {
		m := model(t, c)
		gs := groups
		if m.Canonical == nil && m.Local == nil {
			gs = unreduced
		}
		for _, g := range gs {
			var want, wantPlaces []string
			var full uint64
			for i, x := range g {
				r := m.Explore(x)
				if i == 0 {
					wantPlaces = simtest.Places(r)
				} else if r.PartialOrder && !r.Symmetry && !slices.Equal(simtest.Places(r), wantPlaces) {
					// Model.Local's contract keeps the place of every
					// violation, not only the property.
					t.Errorf("%s: %s finds violations at %v, %s at %v", c, simtest.Describe(g[0]), wantPlaces, simtest.Describe(x), simtest.Places(r))
				}
				if r.Symmetry {
					symmetric++
				}
				if r.PartialOrder != (x.PartialOrder && x.NoLiveness && m.Local != nil) {
					t.Errorf("%s: %s: partial-order reduction applied: %v (%s)", c, simtest.Describe(x), r.PartialOrder, r.PartialOrderOff)
				}
				if r.PartialOrder && !r.Symmetry && r.States < full {
					fewer++
				}
				got := slices.Compact(slices.Sorted(slices.Values(violated(r))))
				if i == 0 {
					want, full = got, r.States
				} else if !slices.Equal(got, want) {
					t.Errorf("%s: %s finds %v, %s finds %v", c, simtest.Describe(g[0]), want, simtest.Describe(x), got)
				}
				for _, ce := range r.Violations {
					if _, err := m.Confirm(ce); err != nil {
						t.Errorf("%s, %s: %s does not replay: %v", c, simtest.Describe(x), ce.Property, err)
					}
				}
			}
		}
	}
	if symmetric == 0 {
		t.Error("no search was reduced by symmetry")
	}
	if fewer == 0 {
		t.Error("partial-order reduction stored fewer states in no search")
	}
}

// TestMutationScore: every deliberate bug is caught by an exhaustive
// search of every shipped configuration under one kernel or the other, as
// `umcgcheck explore --protocol umcg-2023 --config all [--kernel nanos]
// --bug B` runs it: a bug is caught where it violates a property that the
// same configuration and kernel unbroken does not.
func TestMutationScore(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("a search of every shipped configuration per bug: run without -race and -short")
	}
	unbroken, broken := everyConfig()
	verdict := map[string][]string{}
	for _, c := range unbroken {
		verdict[c.String()] = violated(model(t, c).Explore(sim.Explorer{Symmetry: true}))
	}
	caught := map[string][]string{}
	for _, c := range broken {
		bug := c.Bug
		c0 := c
		c0.Bug = ""
		for _, p := range violated(model(t, c).Explore(sim.Explorer{Symmetry: true})) {
			if !slices.Contains(verdict[c0.String()], p) && !slices.Contains(caught[bug], c.Kernel+":"+p) {
				caught[bug] = append(caught[bug], c.Kernel+":"+p)
			}
		}
	}
	for _, b := range umcg2023.Bugs {
		if len(caught[b]) == 0 {
			t.Errorf("bug %s survives every shipped configuration under both kernels", b)
			continue
		}
		t.Logf("%-15s killed: %v", b, caught[b])
	}
}
