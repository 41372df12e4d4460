package umcg2023_test

import (
	"slices"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/sim/simtest"
)

func model(t *testing.T, c umcg2023.Config) *sim.Model[umcg2023.State, umcg2023.Observation] {
	t.Helper()
	m, err := umcg2023.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m.Engine()
}

func withBug(name, bug string) umcg2023.Config {
	c := umcg2023.Configs[name]
	c.Bug = bug
	return c
}

func violated(r sim.Report) []string {
	var ids []string
	for _, c := range r.Violations {
		ids = append(ids, c.Property)
	}
	return ids
}

// TestStateCounts pins the counts of the shipped configurations and
// cross-checks each against the naive search.
func TestStateCounts(t *testing.T) {
	want := map[string][2]int{
		"basic":         {19, 22},
		"yield":         {17, 18},
		"preempt":       {19, 20},
		"timeout":       {17, 19},
		"wait-for":      {167, 302},
		"wait-for-fine": {316, 643},
		"two-servers":   {1027, 2442},
		"mixed":         {1106, 2482},
	}
	for name, c := range umcg2023.Configs {
		m := model(t, c)
		s, tr, err := simtest.Naive(m)
		if err != nil {
			t.Fatal(err)
		}
		rep := m.Explore(sim.Explorer{NoLiveness: true, Workers: 1})
		if !rep.Complete || int(rep.States) != s || int(rep.Transitions) != tr {
			t.Errorf("%s: explorer %d states %d transitions (complete %v), naive search %d and %d", name, rep.States, rep.Transitions, rep.Complete, s, tr)
		}
		if w, ok := want[name]; !ok || w != [2]int{s, tr} {
			t.Errorf("%s: %d states %d transitions, pinned %v", name, s, tr, w)
		}
	}
}

// TestShippedConfigurations: the posting holds every property on the
// configurations without a race, and the two races the model reaches are
// found with their shortest counterexamples (findings about the design).
func TestShippedConfigurations(t *testing.T) {
	type finding struct {
		property string
		steps    int
	}
	want := map[string][]finding{
		"basic":       nil,
		"yield":       nil,
		"preempt":     nil,
		"two-servers": nil,
		"mixed":       nil,
		// R2: the timeout fires after the server queued the worker on its
		// WAIT event; CTX_SWITCH finds RUNNABLE|TIMEOUT and kills the server.
		"timeout": {{"no-kill", 9}},
		// R1: the server that waited for the blocked worker clears the
		// worker's link after another server attached it.
		"wait-for": {{"worker-has-server", 14}, {"no-kill", 15}},
		// R1 again, also on the re-check path (the server kills itself
		// there), and R3: the waiting server leaves by its re-check
		// between the halves of W3, whose compare-and-swap then fails
		// and wakes no idle server, though one sleeps with the worker on
		// the idle list. Only a delay: no-lost-event and
		// worker-eventually-runs hold, since the server that left is
		// awake and collects the worker itself.
		"wait-for-fine": {{"worker-has-server", 14}, {"worker-has-server", 15}, {"server-woken", 13}, {"no-kill", 14}, {"no-kill", 17}},
	}
	for name, c := range umcg2023.Configs {
		m := model(t, c)
		rep := m.Explore(sim.Explorer{Workers: 1})
		var got []finding
		for _, v := range rep.Violations {
			got = append(got, finding{v.Property, len(v.Actions)})
			if _, err := m.Confirm(v); err != nil {
				t.Errorf("%s: %s does not replay: %v", name, v.Property, err)
			}
		}
		if !rep.Complete || !slices.Equal(got, want[name]) {
			t.Errorf("%s: complete %v, violations %v; want %v", name, rep.Complete, got, want[name])
		}
	}
}

// TestEachPropertyBites: for each property a deliberately broken model on
// which it is violated, while the same configuration unbroken holds it.
func TestEachPropertyBites(t *testing.T) {
	rows := []struct{ property, config, bug string }{
		{"exactly-once", "basic", "keep-slot"},
		{"worker-has-server", "basic", "run-unattached"},
		{"no-lost-event", "basic", "no-wake-idle"},
		{"server-woken", "basic", "no-wake-server"},
		{"no-kill", "yield", "keep-slot"},
		{"no-deadlock", "basic", "no-wake-idle"},
		{"delivered-by-end", "basic", "drop-exit"},
		{"worker-eventually-runs", "preempt", "no-requeue"},
	}
	m := model(t, umcg2023.Configs["basic"])
	for _, p := range m.Properties {
		if !slices.ContainsFunc(rows, func(r struct{ property, config, bug string }) bool { return r.property == p.ID }) {
			t.Errorf("property %s has no broken model", p.ID)
		}
	}
	for _, r := range rows {
		good := violated(model(t, umcg2023.Configs[r.config]).Explore(sim.Explorer{Workers: 1}))
		if slices.Contains(good, r.property) {
			t.Errorf("%s: violated on %s unbroken", r.property, r.config)
		}
		bad := model(t, withBug(r.config, r.bug))
		rep := bad.Explore(sim.Explorer{Workers: 1})
		if !slices.Contains(violated(rep), r.property) {
			t.Errorf("%s: not violated on %s with bug %s (violations %v)", r.property, r.config, r.bug, violated(rep))
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []umcg2023.Config{
		{Servers: 0, Workers: []string{"u"}},
		{Servers: 1},
		{Servers: 1, Workers: []string{"b"}},
		{Servers: 1, Workers: []string{"bxu"}},
		{Servers: 3, Workers: []string{"u", "u", "u", "u"}},
		{Servers: 1, Workers: []string{"u"}, Kernel: "linux"},
		{Servers: 1, Workers: []string{"u"}, Readings: map[string]string{"order": "random"}},
		{Servers: 1, Workers: []string{"u"}, Readings: map[string]string{"colour": "red"}},
		{Servers: 1, Workers: []string{"u"}, Bug: "nope"},
		{Servers: 1, Workers: []string{"u"}, Fix: "nope"},
	} {
		if _, err := umcg2023.New(c); err == nil {
			t.Errorf("%s: accepted", c)
		}
	}
}

// TestFixCmpxchgLink: the repair open question 1 of docs/umcg-2023.md
// suggests for R1 (clear the link only if it still names this server)
// removes R1 on both atomicities; R3 stays, being another race.
func TestFixCmpxchgLink(t *testing.T) {
	for name, want := range map[string][]string{"wait-for": nil, "wait-for-fine": {"server-woken"}} {
		c := umcg2023.Configs[name]
		c.Fix = "cmpxchg-link"
		rep := model(t, c).Explore(sim.Explorer{Workers: 1})
		if got := violated(rep); !rep.Complete || !slices.Equal(got, want) {
			t.Errorf("%s fixed: violations %v, want %v", name, got, want)
		}
	}
}

// TestReadings: of the points both readings of which are modelled, two
// decide every shipped configuration's verdict, each point tried alone
// from either kernel: bad-switch (kill: R2 on timeout; einval: nothing)
// and waitfor (link: R1, and R3 on the fine model; bq: the lost wakeup of
// D10). order, wake and slot change no verdict of the well-behaved
// clients.
func TestReadings(t *testing.T) {
	r1 := map[string][]string{
		"wait-for":      {"worker-has-server", "no-kill"},
		"wait-for-fine": {"worker-has-server", "server-woken", "no-kill"},
	}
	d10 := map[string][]string{
		"wait-for":      {"server-woken", "no-deadlock", "delivered-by-end"},
		"wait-for-fine": {"server-woken", "no-deadlock", "delivered-by-end"},
	}
	for _, kernel := range umcg2023.Kernels {
		flips := []string{""}
		for _, p := range umcg2023.Points {
			flips = append(flips, p.Name)
		}
		for _, flip := range flips {
			readings := map[string]string{}
			for _, p := range umcg2023.Points {
				v := p.Posting
				if kernel == "nanos" {
					v = p.Nanos
				}
				if p.Name == flip {
					v = map[string]string{p.Posting: p.Nanos, p.Nanos: p.Posting}[v]
					readings[p.Name] = v
				}
				if p.Name == "bad-switch" || p.Name == "waitfor" {
					readings["_"+p.Name] = v
				}
			}
			for name, c := range umcg2023.Configs {
				c.Kernel = kernel
				if flip != "" {
					c.Readings = map[string]string{flip: readings[flip]}
				}
				var want []string
				if readings["_bad-switch"] == "kill" && name == "timeout" {
					want = append(want, "no-kill")
				}
				if readings["_waitfor"] == "link" {
					want = append(want, r1[name]...)
				} else {
					want = append(want, d10[name]...)
				}
				rep := model(t, c).Explore(sim.Explorer{Workers: 1})
				got := violated(rep)
				got = slices.Compact(slices.Sorted(slices.Values(got)))
				slices.Sort(want)
				if !rep.Complete || !slices.Equal(got, want) {
					t.Errorf("%s: violates %v, want %v", c, got, want)
				}
			}
		}
	}
}
