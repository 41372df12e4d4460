package sim_test

// The engine on toy protocols with answers known without it: state counts
// derived by hand (and, for two-phase commit, the counts TLC reports for
// Lamport's TwoPhase specification), shortest counterexamples whose length
// is argued in the toys' package docs, and fair cycles checked here by a
// replay that shares no code with the engine. A bug in the engine shows
// here without UMCG.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/toy/mutex"
	"github.com/umcgcheck/umcgcheck/model/toy/twophase"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/sim/simtest"
)

func mutexModel(t *testing.T, n int, lock, bug string) *sim.Model[mutex.State, mutex.Observation] {
	t.Helper()
	m, err := mutex.New(mutex.Config{Processes: n, Lock: lock, Bug: bug})
	if err != nil {
		t.Fatal(err)
	}
	return m.Engine()
}

func twophaseModel(t *testing.T, rms int, bug string) *sim.Model[twophase.State, twophase.Observation] {
	t.Helper()
	m, err := twophase.New(twophase.Config{RMs: rms, Bug: bug})
	if err != nil {
		t.Fatal(err)
	}
	return m.Engine()
}

// violated lists the properties a report found violated, in order.
func violated(r sim.Report) []string {
	var ids []string
	for _, c := range r.Violations {
		ids = append(ids, c.Property)
	}
	return ids
}

func TestStateCounts(t *testing.T) {
	type row struct {
		name                string
		sys                 sim.System
		states, transitions uint64
		reduced             uint64 // states with symmetry and no liveness; 0: no symmetry
	}
	// Mutex with spin lock, n processes: each process is idle or trying,
	// or one is critical: 2^n + n*2^(n-1) states, each with n moves.
	// Block lock: a trying process is asleep while another is critical.
	// With symmetry: multisets of program counters.
	rows := []row{
		{"mutex spin 2", mutexModel(t, 2, "spin", ""), 8, 16, 5},
		{"mutex spin 3", mutexModel(t, 3, "spin", ""), 20, 60, 7},
		{"mutex spin 4", mutexModel(t, 4, "spin", ""), 48, 192, 9},
		{"mutex block 2", mutexModel(t, 2, "block", ""), 8, 14, 5},
		// Two-phase commit: 288 states for 3 resource managers and 8832
		// for 5, as TLC counts TwoPhase.
		{"twophase 1", twophaseModel(t, 1, ""), 12, 18, 0},
		{"twophase 2", twophaseModel(t, 2, ""), 56, 145, 0},
		{"twophase 3", twophaseModel(t, 3, ""), 288, 1097, 0},
		{"twophase 5", twophaseModel(t, 5, ""), 8832, 56865, 0},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			for _, workers := range []int{1, 2, 3} {
				rep := r.sys.Explore(sim.Explorer{Workers: workers, Symmetry: true})
				if !rep.Complete || rep.States != r.states || rep.Transitions != r.transitions {
					t.Errorf("%d workers: complete=%v %d states, %d transitions; want %d, %d",
						workers, rep.Complete, rep.States, rep.Transitions, r.states, r.transitions)
				}
				if rep.Symmetry {
					t.Errorf("symmetry applied while liveness is checked")
				}
			}
			red := r.sys.Explore(sim.Explorer{Symmetry: true, NoLiveness: true})
			if r.reduced != 0 && (!red.Symmetry || red.States != r.reduced) {
				t.Errorf("with symmetry: %d states (applied %v), want %d", red.States, red.Symmetry, r.reduced)
			}
			big := r.sys.Explore(sim.Explorer{BitstateBits: 1 << 20})
			if big.States != r.states || !big.Bitstate {
				t.Errorf("bitstate with room to spare: %d states, want %d", big.States, r.states)
			}
		})
	}
}

func TestStateCountsMatchNaiveSearch(t *testing.T) {
	check := func(name string, sys sim.System, states, transitions int) {
		rep := sys.Explore(sim.Explorer{NoLiveness: true})
		if int(rep.States) != states || int(rep.Transitions) != transitions {
			t.Errorf("%s: explorer %d states %d transitions, naive search %d and %d",
				name, rep.States, rep.Transitions, states, transitions)
		}
	}
	for _, lock := range []string{"spin", "block", "racy"} {
		for _, bug := range []string{"", "no-release"} {
			for n := 1; n <= 4; n++ {
				m := mutexModel(t, n, lock, bug)
				s, tr, err := simtest.Naive(m)
				if err != nil {
					t.Fatal(err)
				}
				check(fmt.Sprintf("mutex %s %q %d", lock, bug, n), m, s, tr)
			}
		}
	}
	for _, bug := range []string{"", "eager-commit"} {
		for n := 1; n <= 4; n++ {
			m := twophaseModel(t, n, bug)
			s, tr, err := simtest.Naive(m)
			if err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("twophase %q %d", bug, n), m, s, tr)
		}
	}
}

// replay runs actions with the toy's own functions and returns the states
// on the way, failing if an action is not enabled.
func replay[S, O any](t *testing.T, m *sim.Model[S, O], actions []sim.Action) []S {
	t.Helper()
	ss := []S{m.Init()}
	for i, a := range actions {
		s := ss[i]
		if !slices.Contains(m.Enabled(&s, nil), a) {
			t.Fatalf("step %d: %+v is not enabled", i+1, a)
		}
		m.Step(&s, a)
		ss = append(ss, s)
	}
	return ss
}

func find(t *testing.T, r sim.Report, id string) sim.Counterexample {
	t.Helper()
	for _, c := range r.Violations {
		if c.Property == id {
			return c
		}
	}
	t.Fatalf("%s not found; violations: %v", id, violated(r))
	return sim.Counterexample{}
}

func TestShortestCounterexamples(t *testing.T) {
	t.Run("racy mutex: both critical in 6 steps", func(t *testing.T) {
		m := mutexModel(t, 2, "racy", "")
		for _, e := range []sim.Explorer{{}, {Workers: 1}, {Symmetry: true, NoLiveness: true}} {
			c := find(t, m.Explore(e), "mutual-exclusion")
			ss := replay(t, m, c.Actions)
			last := ss[len(ss)-1]
			if len(c.Actions) != 6 || last.PC[0] != mutex.Critical || last.PC[1] != mutex.Critical {
				t.Errorf("%+v: %d steps, ends with %v; want 6 steps, both critical", e, len(c.Actions), last.PC[:2])
			}
		}
	})
	t.Run("leaky mutex: deadlock in 5 steps", func(t *testing.T) {
		m := mutexModel(t, 2, "block", "no-release")
		c := find(t, m.Explore(sim.Explorer{}), "no-deadlock")
		ss := replay(t, m, c.Actions)
		last := ss[len(ss)-1]
		if len(c.Actions) != 5 || len(m.Enabled(&last, nil)) != 0 {
			t.Errorf("%d steps, %d moves enabled at the end; want 5 steps, none", len(c.Actions), len(m.Enabled(&last, nil)))
		}
	})
	t.Run("eager two-phase commit: inconsistent in 5 steps", func(t *testing.T) {
		for rms := 2; rms <= 4; rms++ {
			m := twophaseModel(t, rms, "eager-commit")
			c := find(t, m.Explore(sim.Explorer{}), "consistent")
			ss := replay(t, m, c.Actions)
			last := ss[len(ss)-1]
			var committed, aborted bool
			for i := 0; i < rms; i++ {
				committed = committed || last.RM[i] == twophase.Committed
				aborted = aborted || last.RM[i] == twophase.Aborted
			}
			if len(c.Actions) != 5 || !committed || !aborted {
				t.Errorf("%d rms: %d steps; want 5, one committed and one aborted", rms, len(c.Actions))
			}
		}
	})
}

// checkFairLasso checks a lasso by replay alone: the cycle returns to its
// first state, and every process with a move enabled in every state of the
// cycle moves in it (weak fairness). (That the cycle violates the property
// is Confirm's to say; TestConfirmRejects shows it refuses wrong ones.)
func checkFairLasso(t *testing.T, m *sim.Model[mutex.State, mutex.Observation], c sim.Counterexample, n int) {
	t.Helper()
	if c.Loop < 0 {
		t.Fatalf("%s: not a lasso", c.Property)
	}
	ss := replay(t, m, c.Actions)
	if ss[c.Loop] != ss[len(ss)-1] {
		t.Fatalf("%s: the cycle does not return to its first state", c.Property)
	}
	cycle := c.Actions[c.Loop:]
	for p := 0; p < n; p++ {
		always, moves := true, false
		for i := range cycle {
			always = always && slices.Contains(m.Enabled(&ss[c.Loop+i], nil), sim.Action{Thread: int8(p)})
			moves = moves || cycle[i].Thread == int8(p)
		}
		if always && !moves {
			t.Errorf("%s: p%d can always move but never does: the cycle is not fair", c.Property, p)
		}
	}
}

func TestFairCycles(t *testing.T) {
	for _, tc := range []struct {
		lock string
		want []string
	}{
		// A spinning process may lose the lock forever, and spins.
		{"spin", []string{"eventually-enters", "no-busy-wait"}},
		// A sleeping one is not continuously enabled: weak fairness does
		// not save it either, but it does not spin.
		{"block", []string{"eventually-enters"}},
	} {
		m := mutexModel(t, 2, tc.lock, "")
		for _, e := range []sim.Explorer{{}, {Workers: 1}, {Symmetry: true}} {
			r := m.Explore(e)
			if got := violated(r); !slices.Equal(got, tc.want) {
				t.Errorf("%s %+v: violated %v, want %v", tc.lock, e, got, tc.want)
			}
			for _, c := range r.Violations {
				checkFairLasso(t, m, c, 2)
			}
		}
	}
	// Two-phase commit decides under weak fairness: no lasso.
	for rms := 1; rms <= 3; rms++ {
		if got := violated(twophaseModel(t, rms, "").Explore(sim.Explorer{})); len(got) != 0 {
			t.Errorf("twophase %d: violated %v, want none", rms, got)
		}
	}
}

func TestWalks(t *testing.T) {
	m := mutexModel(t, 2, "racy", "")
	w := sim.Walks{Runs: 200, Depth: 50, Seed: 3, Only: "mutual-exclusion"}
	a, b := m.Walk(w), m.Walk(w)
	if a.Violation == nil {
		t.Fatalf("200 walks did not find mutual-exclusion")
	}
	if a.Run != b.Run || !slices.Equal(a.Violation.Actions, b.Violation.Actions) {
		t.Errorf("the same walks gave different results")
	}
	sh := m.Shrink(*a.Violation)
	if len(sh.Actions) != 6 {
		t.Errorf("shrunk to %d steps, want the shortest, 6", len(sh.Actions))
	}
	if _, err := m.Confirm(sh); err != nil {
		t.Errorf("shrunk counterexample not confirmed: %v", err)
	}
	lasso := mutexModel(t, 2, "spin", "").Walk(sim.Walks{Runs: 50, Depth: 100, Seed: 1, Only: "no-busy-wait"})
	if lasso.Violation == nil || lasso.Violation.Loop < 0 {
		t.Errorf("walks did not close a busy-wait lasso: %+v", lasso.Violation)
	}
	if r := twophaseModel(t, 3, "").Walk(sim.Walks{Runs: 300, Depth: 40, Seed: 1}); r.Violation != nil {
		t.Errorf("two-phase commit: walk found %s", r.Violation.Property)
	}
}

func TestConfirmRejects(t *testing.T) {
	m := mutexModel(t, 2, "racy", "")
	c := find(t, m.Explore(sim.Explorer{}), "mutual-exclusion")
	for name, bad := range map[string]sim.Counterexample{
		"cut short":        {Property: c.Property, Actions: c.Actions[:5], Loop: -1},
		"unknown property": {Property: "no-such", Actions: c.Actions, Loop: -1},
		"not enabled":      {Property: c.Property, Actions: append(slices.Clone(c.Actions), sim.Action{Thread: 5}), Loop: -1},
		"open cycle":       {Property: "eventually-enters", Actions: c.Actions[:2], Loop: 0},
	} {
		if _, err := m.Confirm(bad); err == nil {
			t.Errorf("%s: confirmed", name)
		}
	}
}

func TestBounds(t *testing.T) {
	m := twophaseModel(t, 3, "")
	for _, e := range []sim.Explorer{{MaxStates: 20}, {MaxDepth: 3}} {
		r := m.Explore(e)
		if r.Complete || r.Stopped == "" || r.Liveness == "lassos" {
			t.Errorf("%+v: complete=%v stopped=%q liveness=%q", e, r.Complete, r.Stopped, r.Liveness)
		}
	}
}

// TestMaxStatesStoresExactly: a bounded search stores exactly the bound,
// the same states for any number of workers, though most successors of a
// level repeat states of the level (stored by the merge from a worker's
// first record of them).
func TestMaxStatesStoresExactly(t *testing.T) {
	m := twophaseModel(t, 4, "")
	full := m.Explore(sim.Explorer{Workers: 1, NoLiveness: true})
	for _, k := range []int{1, 2, 7, int(full.States) / 2, int(full.States) - 1} {
		var first sim.Report
		for _, workers := range []int{1, 2, 3} {
			r := m.Explore(sim.Explorer{Workers: workers, NoLiveness: true, MaxStates: k})
			if r.States != uint64(k) || r.Stopped != "max-states" {
				t.Errorf("max %d, %d workers: %d states, stopped %q", k, workers, r.States, r.Stopped)
			}
			r.Elapsed = 0
			if workers == 1 {
				first = r
			} else if !reflect.DeepEqual(r, first) {
				t.Errorf("max %d: %d workers report %+v, one %+v", k, workers, r, first)
			}
		}
	}
}

// TestInvariantHitsCountEveryBreakingStep: an invariant's hits, summed
// over its places, are the transitions from a state that keeps it to one
// that breaks it, as a plain search counts them, though the search checks
// each state once, and a state reached again in the same level (or an
// earlier one) takes the first check's answer.
func TestInvariantHitsCountEveryBreakingStep(t *testing.T) {
	m := mutexModel(t, 3, "racy", "")
	breaks := map[string]int{}
	for _, p := range m.Properties {
		if p.Class != props.Invariant || p.Step != nil {
			continue
		}
		one := props.Prepare([]*props.Property[mutex.State, mutex.Observation]{p})
		bad := func(s *mutex.State) bool { return len(one.State(s, false, nil)) > 0 }
		init := m.Init()
		seen := map[string]bool{string(m.Encode(nil, &init)): true}
		for queue := []mutex.State{init}; len(queue) > 0; queue = queue[1:] {
			s := queue[0]
			for _, a := range m.Enabled(&s, nil) {
				next := s
				m.Step(&next, a)
				if bad(&next) && !bad(&s) {
					breaks[p.ID]++
				}
				if k := string(m.Encode(nil, &next)); !seen[k] {
					seen[k] = true
					queue = append(queue, next)
				}
			}
		}
	}
	if len(breaks) == 0 {
		t.Fatal("no invariant broken: the test needs a model that breaks one")
	}
	for _, workers := range []int{1, 3} {
		hits := map[string]int{}
		for _, c := range m.Explore(sim.Explorer{Workers: workers, NoLiveness: true}).Violations {
			if _, ok := breaks[c.Property]; ok {
				hits[c.Property] += c.Hits
			}
		}
		if !reflect.DeepEqual(hits, breaks) {
			t.Errorf("%d workers: hits %v, breaking steps %v", workers, hits, breaks)
		}
	}
}

// TestExpectStatesChangesNothing: the set sized up front, for fewer
// states than the search stores (it grows), as many, or more, gives the
// same report as the set grown from its smallest size.
func TestExpectStatesChangesNothing(t *testing.T) {
	m := twophaseModel(t, 6, "")
	want := m.Explore(sim.Explorer{Workers: 2, NoLiveness: true})
	want.Elapsed = 0
	if want.States <= 3<<14 { // what the smallest set (2^16 slots) holds
		t.Fatalf("%d states: too few for the set to grow", want.States)
	}
	for _, n := range []int{1, int(want.States) / 4, int(want.States), 1 << 20} {
		r := m.Explore(sim.Explorer{Workers: 2, NoLiveness: true, ExpectStates: n})
		r.Elapsed = 0
		if !reflect.DeepEqual(r, want) {
			t.Errorf("ExpectStates %d: %+v, want %+v", n, r, want)
		}
	}
}

func TestCounterexampleFile(t *testing.T) {
	m := mutexModel(t, 2, "spin", "")
	r := m.Explore(sim.Explorer{})
	var saved []sim.Saved
	for _, c := range r.Violations {
		saved = append(saved, sim.Saved{System: m, Counterexample: c})
	}
	var buf bytes.Buffer
	if err := sim.WriteFile(&buf, saved); err != nil {
		t.Fatal(err)
	}
	load := func(protocol string, raw json.RawMessage) (sim.System, error) {
		if protocol != mutex.ProtocolName {
			return nil, fmt.Errorf("protocol %q", protocol)
		}
		return mutex.CLI.Load(raw)
	}
	back, err := sim.ReadFile(buf.Bytes(), load)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(saved) {
		t.Fatalf("read %d counterexamples, wrote %d", len(back), len(saved))
	}
	for i, b := range back {
		if !slices.Equal(b.Actions, saved[i].Actions) || b.Loop != saved[i].Loop || b.Property != saved[i].Property {
			t.Errorf("counterexample %d changed on the way", i)
		}
		if _, err := b.System.Confirm(b.Counterexample); err != nil {
			t.Errorf("counterexample %d read back does not confirm: %v", i, err)
		}
	}
}

// TestPCT: probabilistic concurrency testing keeps its guarantee on the
// racy mutex, a bug of depth 3 for it (processes never block, so the
// first must be stopped between its check and its store, and the second
// stopped once it has checked, for the first to run again), and the same
// seed gives the same walks.
func TestPCT(t *testing.T) {
	m := mutexModel(t, 2, "racy", "")
	const depth, walks = 8, 1280
	hits := 0
	for k := 0; k < walks; k++ {
		r := m.Walk(sim.Walks{Runs: 1, First: k, Depth: depth, Seed: 5, Only: "mutual-exclusion", PCTDepth: 3})
		if r.Violation != nil {
			hits++
			if _, err := m.Confirm(*r.Violation); err != nil {
				t.Fatalf("walk %d: %v", k, err)
			}
		}
	}
	// At least 1/(n*k^(d-1)) = 1/128 of the walks, in expectation.
	if min := walks / 128; hits < min {
		t.Errorf("pct found the bug in %d of %d walks, the guarantee is at least %d", hits, walks, min)
	}
	t.Logf("pct: %d of %d walks of %d steps find a depth-3 bug", hits, walks, depth)
	a := m.Walk(sim.Walks{Runs: 50, Depth: depth, Seed: 9, PCTDepth: 3})
	b := m.Walk(sim.Walks{Runs: 50, Depth: depth, Seed: 9, PCTDepth: 3})
	if a.Steps != b.Steps || a.Run != b.Run || !slices.Equal(a.Last, b.Last) {
		t.Errorf("the same seed gave different pct walks")
	}
}

// TestStop: Explorer.Stop ends a search, incomplete, with its answer; at
// a level boundary, and inside a level, which is then dropped whole (the
// report counts only the levels fully expanded).
func TestStop(t *testing.T) {
	m := twophaseModel(t, 5, "")
	full := m.Explore(sim.Explorer{Workers: 1, NoLiveness: true})
	for _, after := range []int{1, 3, 6} {
		calls := 0
		r := m.Explore(sim.Explorer{Workers: 1, NoLiveness: true, Stop: func() string {
			calls++
			if calls > after {
				return "signal"
			}
			return ""
		}})
		if r.Complete || r.Stopped != "signal" || r.States >= full.States || r.Depth >= full.Depth {
			t.Errorf("stop after %d calls: complete=%v stopped=%q states %d of %d, depth %d of %d",
				after, r.Complete, r.Stopped, r.States, full.States, r.Depth, full.Depth)
		}
	}
	// Inside a level: the calls made while expanding show in the count.
	var levels, calls int
	m.Explore(sim.Explorer{Workers: 1, NoLiveness: true, Progress: func(sim.Progress) { levels++ }, Stop: func() string { calls++; return "" }})
	if calls <= levels {
		t.Errorf("Stop asked %d times for %d levels: never inside a level", calls, levels)
	}
}

// TestValidate: a model that breaks its contract is refused with one
// sentence saying how.
func TestValidate(t *testing.T) {
	for name, breakIt := range map[string]func(m *sim.Model[mutex.State, mutex.Observation]){
		"nil Fair":   func(m *sim.Model[mutex.State, mutex.Observation]) { m.Fair = nil },
		"no threads": func(m *sim.Model[mutex.State, mutex.Observation]) { m.ThreadNames = nil },
		"action name twice": func(m *sim.Model[mutex.State, mutex.Observation]) {
			m.ActionNames = append(m.ActionNames, m.ActionNames[0])
		},
		"id twice": func(m *sim.Model[mutex.State, mutex.Observation]) {
			m.Properties = append(m.Properties, m.Properties[0])
		},
		"wrong checks": func(m *sim.Model[mutex.State, mutex.Observation]) {
			p := *m.Properties[0]
			p.ID, p.Class = "x", props.Liveness
			m.Properties = append(m.Properties, &p)
		},
	} {
		m := mutexModel(t, 2, "spin", "")
		if err := m.Validate(); err != nil {
			t.Fatalf("a valid model is refused: %v", err)
		}
		breakIt(m)
		if err := m.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
