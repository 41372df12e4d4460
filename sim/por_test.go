package sim_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/toy/mutex"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
	"pgregory.net/rapid"
)

// A toy for partial-order reduction: threads run straight-line programs
// over one shared word X. A step is local (it moves only its thread's
// program counter), a write (X = (X*3 + C) mod 16) or a guarded write,
// enabled only while X's parity is Guard (X = X+C mod 16). The properties
// look at X only: an invariant, a step property, a deadlock (a thread that
// can never finish its program) and a reachability example.

const (
	progLocal = iota
	progWrite
	progGuarded
)

type progStep struct {
	Kind  int
	C     uint8
	Guard uint8
}

type progState struct {
	X  uint8
	PC [3]uint8
}

type progObs struct {
	Thread int8
	Kind   int
	X      uint8 // X after the step
}

type progToy struct {
	Progs          [][]progStep
	BadX, BadStepX uint8 // the invariant X != BadX; the step property: no write makes X BadStepX
	ReachX         uint8 // the reachability example: X == ReachX
	Loop           bool  // thread 0 runs its program forever
}

func (p progToy) model() *sim.Model[progState, progObs] {
	names := make([]string, len(p.Progs))
	for t := range names {
		names[t] = fmt.Sprintf("t%d", t)
	}
	return &sim.Model[progState, progObs]{
		Protocol:    "programs",
		Config:      p,
		ThreadNames: names,
		ActionNames: []string{"step"},
		Init:        func() progState { return progState{} },
		Enabled: func(s *progState, buf []sim.Action) []sim.Action {
			for t, prog := range p.Progs {
				if pc := int(s.PC[t]); pc < len(prog) && (prog[pc].Kind != progGuarded || s.X%2 == prog[pc].Guard) {
					buf = append(buf, sim.Action{Thread: int8(t)})
				}
			}
			return buf
		},
		Step: func(s *progState, a sim.Action) progObs {
			st := p.Progs[a.Thread][s.PC[a.Thread]]
			s.PC[a.Thread]++
			if p.Loop && a.Thread == 0 && int(s.PC[0]) == len(p.Progs[0]) {
				s.PC[0] = 0
			}
			switch st.Kind {
			case progWrite:
				s.X = (s.X*3 + st.C) % 16
			case progGuarded:
				s.X = (s.X + st.C) % 16
			}
			return progObs{Thread: a.Thread, Kind: st.Kind, X: s.X}
		},
		Encode:     func(b []byte, s *progState) []byte { return append(append(b, s.X), s.PC[:]...) },
		Decode:     func(s *progState, b []byte) { s.X = b[0]; copy(s.PC[:], b[1:]) },
		MaxEncoded: 4,
		Properties: []*props.Property[progState, progObs]{
			{ID: "x-not-bad", Class: props.Invariant, State: func(s *progState) string {
				if s.X == p.BadX {
					return "X is bad"
				}
				return ""
			}},
			{ID: "no-bad-write", Class: props.StepProperty, Step: func(_, _ *progState, o *progObs) string {
				if o.Kind != progLocal && o.X == p.BadStepX {
					return "a write makes X bad"
				}
				return ""
			}},
			{ID: "finishes", Class: props.Deadlock, State: func(s *progState) string {
				for t, prog := range p.Progs {
					if int(s.PC[t]) < len(prog) {
						return "a thread is stuck"
					}
				}
				return ""
			}},
			{ID: "reaches-x", Class: props.Sometimes, State: func(s *progState) string {
				if s.X == p.ReachX {
					return "X reached"
				}
				return ""
			}},
		},
		Fair:          func(sim.Action) bool { return true },
		ExplainStep:   func(_, _ *progState, o *progObs) sim.StepText { return sim.StepText{What: "step"} },
		LabelStep:     func(o *progObs) string { return "step" },
		DescribeState: func(s *progState) string { return fmt.Sprint(*s) },
		// The truth: a local step moves only its own counter, which
		// nothing else reads, and it is enabled until it is taken.
		Local: func(s *progState, a sim.Action) bool {
			return p.Progs[a.Thread][s.PC[a.Thread]].Kind == progLocal
		},
	}
}

// verdicts is what a reduction must keep: the violated properties and
// the reachability examples met.
func verdicts(r sim.Report) string {
	ids := slices.Compact(slices.Sorted(slices.Values(violated(r))))
	var reached []bool
	for _, x := range r.Sometimes {
		reached = append(reached, x.Reached)
	}
	return fmt.Sprint(ids, reached)
}

func TestPartialOrderCounters(t *testing.T) {
	// n threads of k local steps each: (k+1)^n states unreduced; reduced,
	// thread 0 runs to its end, then thread 1, ...: a chain of n*k+1
	// states and n*k transitions (every successor is new, so the proviso
	// never expands a state in full).
	for _, c := range []struct{ n, k, full, reduced int }{{1, 3, 4, 4}, {2, 2, 9, 5}, {3, 2, 27, 7}, {3, 3, 64, 10}} {
		progs := make([][]progStep, c.n)
		for i := range progs {
			progs[i] = make([]progStep, c.k)
		}
		m := progToy{Progs: progs, BadX: 1, BadStepX: 1, ReachX: 0}.model()
		full := m.Explore(sim.Explorer{Workers: 1})
		if int(full.States) != c.full || full.PartialOrder {
			t.Errorf("n=%d k=%d unreduced: %d states (want %d), reduced %v", c.n, c.k, full.States, c.full, full.PartialOrder)
		}
		for _, w := range []int{1, 2} {
			r := m.Explore(sim.Explorer{Workers: w, PartialOrder: true})
			if int(r.States) != c.reduced || int(r.Transitions) != c.reduced-1 || !r.PartialOrder || !r.Complete {
				t.Errorf("n=%d k=%d workers=%d reduced: %d states, %d transitions (want %d, %d), applied %v",
					c.n, c.k, w, r.States, r.Transitions, c.reduced, c.reduced-1, r.PartialOrder)
			}
			if verdicts(r) != verdicts(full) {
				t.Errorf("n=%d k=%d: reduced %s, unreduced %s", c.n, c.k, verdicts(r), verdicts(full))
			}
		}
	}
}

func TestPartialOrderWrongIndependenceIsCaught(t *testing.T) {
	// Two writes that do not commute (X*3+1 then X*3+2 gives 5, the other
	// order 7): a model that calls them local hides the order that breaks
	// the invariant, and comparing verdicts shows it.
	p := progToy{Progs: [][]progStep{{{Kind: progWrite, C: 1}}, {{Kind: progWrite, C: 2}}}, BadX: 7, BadStepX: 15, ReachX: 15}
	m := p.model()
	full := m.Explore(sim.Explorer{Workers: 1})
	if got := violated(full); !slices.Contains(got, "x-not-bad") {
		t.Fatalf("unreduced: %v, want x-not-bad", got)
	}
	if r := m.Explore(sim.Explorer{Workers: 1, PartialOrder: true}); verdicts(r) != verdicts(full) {
		t.Errorf("the true relation changes the verdicts: %s, unreduced %s", verdicts(r), verdicts(full))
	}
	m.Local = func(*progState, sim.Action) bool { return true } // wrong
	r := m.Explore(sim.Explorer{Workers: 1, PartialOrder: true})
	if !r.PartialOrder || verdicts(r) == verdicts(full) {
		t.Errorf("a wrong independence relation went unseen: reduced %s, unreduced %s", verdicts(r), verdicts(full))
	}
}

func TestPartialOrderProviso(t *testing.T) {
	// Thread 0 loops through local steps forever; thread 1's one write
	// breaks the invariant. Thread 0's steps alone qualify as an ample set
	// everywhere: without the cycle proviso the reduced search would go
	// round thread 0's loop and never take thread 1's step (the ignoring
	// problem). The proviso expands the state that closes the loop.
	p := progToy{Progs: [][]progStep{{{}, {}}, {{Kind: progWrite, C: 1}}}, BadX: 1, BadStepX: 15, ReachX: 15, Loop: true}
	m := p.model()
	full := m.Explore(sim.Explorer{Workers: 1})
	for _, w := range []int{1, 2} {
		r := m.Explore(sim.Explorer{Workers: w, PartialOrder: true})
		if !slices.Contains(violated(full), "x-not-bad") || verdicts(r) != verdicts(full) {
			t.Errorf("workers=%d: reduced %s, unreduced %s", w, verdicts(r), verdicts(full))
		}
	}
}

// TestPartialOrderKeepsVerdicts: on random small programs, the reduction
// with the true relation keeps every verdict, stores no more states, and
// its counterexamples replay; the same for one goroutine or two, and with
// bitstate hashing too (where the proviso only errs towards expanding).
func TestPartialOrderKeepsVerdicts(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 3).Draw(rt, "threads")
		var p progToy
		for range n {
			var prog []progStep
			for range rapid.IntRange(0, 4).Draw(rt, "length") {
				prog = append(prog, progStep{
					Kind:  rapid.IntRange(progLocal, progGuarded).Draw(rt, "kind"),
					C:     uint8(rapid.IntRange(0, 15).Draw(rt, "c")),
					Guard: uint8(rapid.IntRange(0, 1).Draw(rt, "guard")),
				})
			}
			p.Progs = append(p.Progs, prog)
		}
		p.BadX = uint8(rapid.IntRange(1, 15).Draw(rt, "bad"))
		p.BadStepX = uint8(rapid.IntRange(0, 15).Draw(rt, "badstep"))
		p.ReachX = uint8(rapid.IntRange(0, 15).Draw(rt, "reach"))
		m := p.model()
		full := m.Explore(sim.Explorer{Workers: 1})
		var first sim.Report
		for i, e := range []sim.Explorer{{Workers: 1, PartialOrder: true}, {Workers: 2, PartialOrder: true},
			{Workers: 1, PartialOrder: true, BitstateBits: 1 << 12}} {
			r := m.Explore(e)
			if verdicts(r) != verdicts(full) {
				rt.Fatalf("%+v: reduced %s, unreduced %s", e, verdicts(r), verdicts(full))
			}
			if r.States > full.States {
				rt.Fatalf("%+v: reduced %d states, unreduced %d", e, r.States, full.States)
			}
			for _, c := range r.Violations {
				if _, err := m.Confirm(c); err != nil {
					rt.Fatalf("%+v: %s does not replay: %v", e, c.Property, err)
				}
			}
			if i == 1 && (r.States != first.States || fmt.Sprint(r.Violations) != fmt.Sprint(first.Violations)) {
				rt.Fatalf("two goroutines: %d states %v, one: %d states %v", r.States, r.Violations, first.States, first.Violations)
			}
			first = r
		}
	})
}

// TestPartialOrderMutex: in the mutex toy, leaving idle for trying reads
// and writes only the process's own counter, which no safety property
// reads (mutual exclusion counts critical processes; the deadlock check
// fails at any terminal state): a local step. The safety verdicts of every
// lock and bug stay as they are, with no more states (fewer for the spin
// and blocking locks; the racy lock's cycles keep every state through the
// proviso); a search that checks
// liveness is not reduced and says why.
func TestPartialOrderMutex(t *testing.T) {
	fewer := 0 // searches that stored fewer states
	for _, lock := range []string{"spin", "block", "racy"} {
		for _, bug := range []string{"", "no-release"} {
			for n := 1; n <= 3; n++ {
				m := mutexModel(t, n, lock, bug)
				m.Local = func(s *mutex.State, a sim.Action) bool { return s.PC[a.Thread] == mutex.Idle }
				full := m.Explore(sim.Explorer{Workers: 1, NoLiveness: true})
				for _, e := range []sim.Explorer{{Workers: 1, NoLiveness: true, PartialOrder: true},
					{Workers: 2, NoLiveness: true, PartialOrder: true, Symmetry: true}} {
					r := m.Explore(e)
					if r.States < full.States {
						fewer++
					}
					if verdicts(r) != verdicts(full) || !r.PartialOrder || r.States > full.States {
						t.Errorf("%s %s n=%d %+v: reduced %s in %d states, unreduced %s in %d",
							lock, bug, n, e, verdicts(r), r.States, verdicts(full), full.States)
					}
				}
				r := m.Explore(sim.Explorer{Workers: 1, PartialOrder: true})
				if r.PartialOrder || r.PartialOrderOff == "" {
					t.Errorf("%s %s n=%d: a liveness search reduced (%v, %q)", lock, bug, n, r.PartialOrder, r.PartialOrderOff)
				}
			}
		}
	}
	if fewer == 0 {
		t.Error("the reduction stored fewer states in no search")
	}
}

// TestPartialOrderCheckpoint: a reduced search stopped, saved and resumed
// ends with the report of one never stopped, and a snapshot of a reduced
// search does not resume an unreduced one.
func TestPartialOrderCheckpoint(t *testing.T) {
	m := mutexModel(t, 3, "block", "no-release")
	m.Local = func(s *mutex.State, a sim.Action) bool { return s.PC[a.Thread] == mutex.Idle }
	e := sim.Explorer{Workers: 2, NoLiveness: true, PartialOrder: true, Coverage: true}
	full := m.Explore(e)
	if !full.PartialOrder || len(full.Violations) == 0 {
		t.Fatalf("reduced %v, %d violations: want a reduced search with a violation", full.PartialOrder, len(full.Violations))
	}
	for _, n := range []int{1, 4} {
		got, cuts := interruptAndResume(t, m, e, n)
		if cuts == 0 || !reflect.DeepEqual(same(got), same(full)) {
			t.Errorf("stop after %d calls, %d cuts: resumed report differs:\n got %+v\nwant %+v", n, cuts, same(got), same(full))
		}
	}
	var snap *sim.Snapshot
	x := e
	x.Stop = (&stopAfter{n: 2}).stop
	x.Checkpoint = func(s *sim.Snapshot) { c := *s; snap = &c }
	m.Explore(x)
	if snap == nil {
		t.Fatal("no checkpoint")
	}
	e.PartialOrder = false
	if err := snap.Check(m.Describe(), e); err == nil || !strings.Contains(err.Error(), "partial-order") {
		t.Errorf("a reduced snapshot resumes an unreduced search: %v", err)
	}
}
