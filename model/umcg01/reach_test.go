package umcg01_test

import (
	"slices"
	"strings"
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

func reachIDs(m *model.Model) []string {
	var ids []string
	for _, p := range m.Reachability() {
		ids = append(ids, p.ID)
	}
	return ids
}

// TestReachability: every shipped configuration, seed and fixed, reaches
// every reachability property bound to it, by a path that replays to an
// example; the configurations without servers, workers or core pairs
// (probes, and the general clients) bind none.
//
// Under the race detector it searches two configurations only (the
// workers tracking reachability at once, with symmetry): TestExploreShippedConfigs
// tracks it on every configuration there.
func TestReachability(t *testing.T) {
	names := model.ConfigNames()
	if raceEnabled {
		names = []string{"default", "groups2"}
	}
	for _, v := range []model.Variant{model.Seed, model.Fixed} {
		for _, n := range names {
			c, _ := model.NamedConfig(n)
			c.Variant = v
			m, err := model.New(c)
			if err != nil {
				t.Fatal(err)
			}
			ids := reachIDs(m)
			if (n == "probes" || strings.HasPrefix(n, "general")) != (len(ids) == 0) {
				t.Errorf("%s %s: binds %v", v, n, ids)
			}
			e := m.Engine()
			r := e.Explore(sim.Explorer{NoLiveness: true, Symmetry: true})
			if len(r.Sometimes) != len(ids) {
				t.Fatalf("%s %s: %d results for %d properties", v, n, len(r.Sometimes), len(ids))
			}
			for _, x := range r.Sometimes {
				if !x.Reached {
					t.Errorf("%s %s: %s never reached", v, n, x.Property)
					continue
				}
				s := e.Init()
				for _, a := range x.Actions {
					e.Step(&s, a)
				}
				p := e.Properties[slices.IndexFunc(e.Properties, func(p *model.Property) bool { return p.ID == x.Property })]
				if p.State(&s) == "" {
					t.Errorf("%s %s: %s: the example's path does not end in an example", v, n, x.Property)
				}
			}
		}
	}
}

// TestReachabilityBites: a configuration whose workers never block does
// not bind reach-worker-blocked; given it anyway (taken from a
// configuration that binds it), the complete search reports it never
// reached, and a bounded search that does not get there cannot tell.
func TestReachabilityBites(t *testing.T) {
	c := model.DefaultConfig()
	c.Variant, c.Servers, c.Blocks = model.Fixed, 1, 0
	m, _ := model.New(c)
	if ids := reachIDs(m); slices.Contains(ids, "reach-worker-blocked") || !slices.Contains(ids, "reach-worker-served") {
		t.Fatalf("blocks=0 binds %v", ids)
	}
	blocking, _ := model.New(model.DefaultConfig())
	var blocked *model.Property
	for _, p := range blocking.Reachability() {
		if p.ID == "reach-worker-blocked" {
			blocked = p
		}
	}
	if blocked == nil || blocked.Class != props.Sometimes {
		t.Fatal("reach-worker-blocked is not a reachability property of the default configuration")
	}
	e := m.Engine()
	// The property's check is bound to its own model; the state types
	// are the same, and the check reads only the state.
	e.Properties = append(e.Properties, blocked)
	r := e.Explore(sim.Explorer{NoLiveness: true})
	x := r.Sometimes[len(r.Sometimes)-1]
	if x.Property != "reach-worker-blocked" || x.Reached || !r.Proven(x) {
		t.Errorf("complete search: %+v (proven %v), want never reached", x, r.Proven(x))
	}
	for _, other := range r.Sometimes[:len(r.Sometimes)-1] {
		if !other.Reached {
			t.Errorf("%s not reached", other.Property)
		}
	}
	r = e.Explore(sim.Explorer{NoLiveness: true, MaxStates: 50})
	x = r.Sometimes[len(r.Sometimes)-1]
	if x.Reached || r.Proven(x) {
		t.Errorf("bounded search: %+v proven %v, want not proven", x, r.Proven(x))
	}
}
