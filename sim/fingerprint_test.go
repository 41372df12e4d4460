package sim_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/toy/twophase"
	"github.com/umcgcheck/umcgcheck/sim"
)

// withFingerprint returns a copy of m with a Model.Fingerprint: f, or,
// when f is nil, one that meets the contract and is another function than
// the engine's own (SeededHash of the encoding, under another seed).
func withFingerprint[S, O any](m *sim.Model[S, O], f func(s *S, seed uint64) uint64) *sim.Model[S, O] {
	x := *m
	if f == nil {
		f = func(s *S, seed uint64) uint64 { return sim.SeededHash(m.Encode(nil, s), seed^0x5bd1e995) }
	}
	x.Fingerprint = f
	return &x
}

// TestFingerprintHook: a model's Fingerprint is the one the searches use
// wherever they compare states (the initial state and successors, the
// partial-order proviso, checkpoints, walks, graphs): with one that meets
// the contract, every report equals the one without; with one that gives
// every state the same value, the search stores one state.
func TestFingerprintHook(t *testing.T) {
	check := func(name string, a, b sim.Report) {
		t.Helper()
		if !reflect.DeepEqual(same(a), same(b)) {
			t.Errorf("%s: with Fingerprint %+v\nwithout %+v", name, same(a), same(b))
		}
	}
	tp := twophaseModel(t, 5, "eager-commit")
	tpf := withFingerprint(tp, nil)
	for _, e := range []sim.Explorer{{Workers: 1, Coverage: true}, {Workers: 3, NoLiveness: true}, {Workers: 2, HashSeed: 9}} {
		check("twophase", tpf.Explore(e), tp.Explore(e))
	}
	got, cuts := interruptAndResume(t, tpf, sim.Explorer{Workers: 2}, 4)
	if cuts == 0 {
		t.Error("twophase: the search was never cut")
	}
	check("twophase, resumed", got, tp.Explore(sim.Explorer{Workers: 2}))

	mx := mutexModel(t, 3, "spin", "")
	mx.Properties = append(mx.Properties, sometimesProps()...)
	mxf := withFingerprint(mx, nil)
	check("mutex, symmetry", mxf.Explore(sim.Explorer{Workers: 2, Symmetry: true, NoLiveness: true}), mx.Explore(sim.Explorer{Workers: 2, Symmetry: true, NoLiveness: true}))
	w := sim.Walks{Runs: 50, Depth: 100, Seed: 1, Only: "no-busy-wait"}
	if a, b := mxf.Walk(w), mx.Walk(w); !reflect.DeepEqual(a, b) {
		t.Errorf("mutex walks: with Fingerprint %+v, without %+v", a, b)
	}
	var da, db bytes.Buffer
	if err := withFingerprint(mutexModel(t, 2, "spin", ""), nil).WriteDot(&da, 1000); err != nil {
		t.Fatal(err)
	}
	if err := mutexModel(t, 2, "spin", "").WriteDot(&db, 1000); err != nil {
		t.Fatal(err)
	}
	if da.String() != db.String() {
		t.Error("mutex: the graph drawn with Fingerprint differs")
	}

	// The proviso looks successors up: a fingerprint other than the
	// stored set's would find none stored and reduce differently.
	p := progToy{Progs: [][]progStep{{{}, {}}, {{Kind: progWrite, C: 1}}, {{}, {Kind: progWrite, C: 2}}}, BadX: 1, BadStepX: 15, ReachX: 15, Loop: true}
	pm := p.model()
	for _, workers := range []int{1, 2} {
		e := sim.Explorer{Workers: workers, PartialOrder: true}
		check("programs, partial order", withFingerprint(pm, nil).Explore(e), pm.Explore(e))
	}

	one := withFingerprint(tp, func(*twophase.State, uint64) uint64 { return 42 })
	if r := one.Explore(sim.Explorer{Workers: 1}); r.States != 1 {
		t.Errorf("a Fingerprint that gives every state 42: %d states stored, want 1", r.States)
	}
}
