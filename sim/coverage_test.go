package sim_test

import (
	"slices"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/toy/mutex"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// counts maps a coverage report's step kinds and edges to their counts.
func counts(c *sim.CoverageReport) map[string]uint64 {
	out := map[string]uint64{}
	for _, x := range append(append([]sim.Count(nil), c.Steps...), c.Edges...) {
		out[x.Name] = x.N
	}
	return out
}

// TestCoverageCounts: the mutex with a spin lock and two processes has 8
// states (each process idle or trying, or one critical) with 2 moves
// each. Per process: idle in 3 states (idle->trying); trying in 3, the
// lock free in 2 of them (trying->critical) and held in 1 (spin);
// critical in 2 (critical->idle). Twice that for two processes. The racy
// lock's load and store never fire with a spin lock.
func TestCoverageCounts(t *testing.T) {
	want := map[string]uint64{"idle->trying": 6, "trying->critical": 4, "spin": 2, "critical->idle": 4, "trying->set": 0, "set->critical": 0}
	m := mutexModel(t, 2, "spin", "")
	for _, workers := range []int{1, 2, 3} {
		r := m.Explore(sim.Explorer{Workers: workers, Coverage: true})
		if r.Coverage == nil {
			t.Fatal("no coverage report")
		}
		if got := counts(r.Coverage); !mapsEqual(got, want) {
			t.Errorf("%d workers: %v, want %v", workers, got, want)
		}
		steps, _ := r.Coverage.NeverFired()
		if !slices.Equal(steps, []string{"trying->set", "set->critical"}) || r.Coverage.Representatives {
			t.Errorf("never fired %v (representatives %v), want trying->set, set->critical", steps, r.Coverage.Representatives)
		}
	}
	if r := m.Explore(sim.Explorer{}); r.Coverage != nil {
		t.Error("coverage counted without being asked")
	}
	// Symmetry: 5 representatives (multisets of program counters), the
	// counts are over their transitions and say so.
	r := m.Explore(sim.Explorer{Coverage: true, Symmetry: true, NoLiveness: true})
	var sum uint64
	for _, x := range r.Coverage.Steps {
		sum += x.N
	}
	if !r.Coverage.Representatives || sum != r.Transitions || r.States != 5 {
		t.Errorf("symmetry: representatives %v, %d counted, %d transitions, %d states", r.Coverage.Representatives, sum, r.Transitions, r.States)
	}
	// The blocking lock never spins; the racy one does every step.
	if n := counts(mutexModel(t, 2, "block", "").Explore(sim.Explorer{Coverage: true}).Coverage); n["spin"] != 0 || n["trying->set"] != 0 {
		t.Errorf("block lock: %v", n)
	}
	if n := counts(mutexModel(t, 2, "racy", "").Explore(sim.Explorer{Coverage: true}).Coverage); n["spin"] == 0 || n["trying->set"] == 0 || n["set->critical"] == 0 {
		t.Errorf("racy lock: %v", n)
	}
}

// TestCoverageEdges: two-phase commit with three resource managers takes
// every action and every edge of the resource managers' diagram; a step
// outside the table is counted as unlisted, by name.
func TestCoverageEdges(t *testing.T) {
	m := twophaseModel(t, 3, "")
	r := m.Explore(sim.Explorer{Coverage: true})
	steps, edges := r.Coverage.NeverFired()
	if len(steps)+len(edges) > 0 || len(r.Coverage.UnlistedSteps)+len(r.Coverage.UnlistedEdges) > 0 {
		t.Errorf("never fired %v %v; unlisted %v %v", steps, edges, r.Coverage.UnlistedSteps, r.Coverage.UnlistedEdges)
	}
	var sum uint64
	for _, x := range r.Coverage.Steps {
		sum += x.N
	}
	if sum != r.Transitions {
		t.Errorf("%d steps counted, %d transitions", sum, r.Transitions)
	}
	// A table that forgets an action: its steps are unlisted, not lost.
	cov := *m.Coverage
	cov.Steps = slices.DeleteFunc(slices.Clone(cov.Steps), func(s string) bool { return s == "prepare" })
	m.Coverage = &cov
	r2 := m.Explore(sim.Explorer{Coverage: true})
	if u := r2.Coverage.UnlistedSteps; len(u) != 1 || u[0].Name != "prepare" || u[0].N != counts(r.Coverage)["prepare"] {
		t.Errorf("unlisted %v, want prepare %d times", u, counts(r.Coverage)["prepare"])
	}
}

func mapsEqual(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// sometimesProps are reachability properties of the mutex toy with known
// answers: two processes trying at once (2 steps, every lock), both in
// the critical section (only the racy lock: 6 steps, its
// mutual-exclusion counterexample), and a spin (only a spin or racy lock;
// 4 steps: p0 tries and enters, p1 tries and spins; the racy lock enters
// in two steps, so 5).
func sometimesProps() []*props.Property[mutex.State, mutex.Observation] {
	return []*props.Property[mutex.State, mutex.Observation]{
		{ID: "both-trying", Class: props.Sometimes, State: func(s *mutex.State) string {
			if s.PC[0] == mutex.Trying && s.PC[1] == mutex.Trying {
				return "p0 and p1 trying"
			}
			return ""
		}},
		{ID: "both-critical", Class: props.Sometimes, State: func(s *mutex.State) string {
			if s.PC[0] == mutex.Critical && s.PC[1] == mutex.Critical {
				return "p0 and p1 critical"
			}
			return ""
		}},
		{ID: "spins", Class: props.Sometimes, Step: func(_, _ *mutex.State, o *mutex.Observation) string {
			if o.Spin {
				return "a test-and-set finds the lock held"
			}
			return ""
		}},
	}
}

// TestSometimes: a complete search that meets no example reports the
// property never reached (Proven); a bounded one cannot tell; an example
// comes with a shortest path, the same for any number of workers and
// with symmetry (translated back to real threads).
func TestSometimes(t *testing.T) {
	type want struct {
		reached bool
		steps   int
	}
	for _, c := range []struct {
		lock string
		want map[string]want
	}{
		{"spin", map[string]want{"both-trying": {true, 2}, "both-critical": {false, 0}, "spins": {true, 4}}},
		{"block", map[string]want{"both-trying": {true, 2}, "both-critical": {false, 0}, "spins": {false, 0}}},
		{"racy", map[string]want{"both-trying": {true, 2}, "both-critical": {true, 6}, "spins": {true, 5}}},
	} {
		for _, e := range []sim.Explorer{{Workers: 1}, {Workers: 3}, {Symmetry: true, NoLiveness: true}} {
			m := mutexModel(t, 2, c.lock, "")
			m.Properties = append(m.Properties, sometimesProps()...)
			r := m.Explore(e)
			if len(r.Sometimes) != 3 {
				t.Fatalf("%s: %d reachability results", c.lock, len(r.Sometimes))
			}
			for _, x := range r.Sometimes {
				w := c.want[x.Property]
				if x.Reached != w.reached || len(x.Actions) != w.steps || !r.Proven(x) {
					t.Errorf("%s %+v: %s reached=%v in %d steps (proven %v), want %v in %d", c.lock, e, x.Property, x.Reached, len(x.Actions), r.Proven(x), w.reached, w.steps)
				}
				if x.Reached {
					// The path leads to an example: replay it.
					states := replay(t, m, x.Actions)
					last := states[len(states)-1]
					p := m.Properties[slices.IndexFunc(m.Properties, func(p *props.Property[mutex.State, mutex.Observation]) bool { return p.ID == x.Property })]
					if p.State != nil && p.State(&last) == "" {
						t.Errorf("%s: %s: the example's path ends in %v, not an example", c.lock, x.Property, last)
					}
				}
			}
		}
	}
	// Bounded: what was not reached is not proven unreachable.
	m := mutexModel(t, 2, "spin", "")
	m.Properties = append(m.Properties, sometimesProps()...)
	r := m.Explore(sim.Explorer{MaxDepth: 3})
	for _, x := range r.Sometimes {
		if !x.Reached && r.Proven(x) {
			t.Errorf("max-depth 3: %s not reached and proven so", x.Property)
		}
	}
	// The reachability properties are not invariants: no violation.
	if len(r.Violations) > 0 {
		t.Errorf("violations %v", violated(r))
	}
}
