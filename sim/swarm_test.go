package sim_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/umcgcheck/umcgcheck/sim"
)

// TestSeededHash: SeededHash under seed 0 is Hash, whose values are pinned
// (those of Hash before seeds existed: the fingerprints of every model
// without a Model.Fingerprint, umcg-2023's and the toys', and of umcg01
// before session 5); other seeds are other functions. A model's own
// Fingerprint is pinned by its protocol's tests (umcg01:
// TestSearchFingerprintGolden).
func TestSeededHash(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
	}{
		{"", 0x0},
		{"u", 0xc33fd844fec812d9},
		{"umcgche", 0x882133342744643b},
		{"umcgcheck", 0x11fa477ab59f74eb},
		{"umcgcheck search checkpoint", 0xb9fa994161366cd5},
	} {
		b := []byte(c.in)
		if got := sim.Hash(b); got != c.want {
			t.Errorf("Hash(%q) = %#x, want %#x (the unseeded hash changed)", c.in, got, c.want)
		}
		if got := sim.SeededHash(b, 0); got != c.want {
			t.Errorf("SeededHash(%q, 0) = %#x, want Hash's %#x", c.in, got, c.want)
		}
		seen := map[uint64]uint64{}
		for seed := uint64(0); seed < 64; seed++ {
			h := sim.SeededHash(b, seed)
			if prev, ok := seen[h]; ok {
				t.Errorf("SeededHash(%q): seeds %d and %d give the same %#x", c.in, prev, seed, h)
			}
			seen[h] = seed
		}
	}
}

// storedStates runs e and returns the report and the encodings of the
// states it stored, read from a checkpoint taken at every level (each
// holds the next level's states: exactly those stored at that level).
func storedStates[S, O any](m *sim.Model[S, O], e sim.Explorer) (sim.Report, map[string]bool) {
	init := m.Init()
	stored := map[string]bool{string(m.Encode(nil, &init)): true}
	e.CheckpointEvery = 0
	e.Checkpoint = func(s *sim.Snapshot) {
		for _, enc := range s.State.Frontier {
			stored[string(enc)] = true
		}
	}
	return m.Explore(e), stored
}

// TestSwarmSeeds: in a bitstate array small enough to lose states, two
// seeds store different sets of states (different fingerprints and
// orders), each a subset of the reachable states, and together more than
// either; the same seed gives the same report and states for any number
// of workers; an exact search under any seed finds the same states,
// transitions and violations, with counterexamples as short.
func TestSwarmSeeds(t *testing.T) {
	m := twophaseModel(t, 5, "eager-commit")
	all, exact := storedStates(m, sim.Explorer{Workers: 1, NoLiveness: true})
	bits := uint64(1) << 14
	var sets []map[string]bool
	for _, seed := range []uint64{1, 2} {
		e := sim.Explorer{Workers: 1, NoLiveness: true, BitstateBits: bits, HashSeed: seed}
		r, stored := storedStates(m, e)
		if int(r.States) != len(stored) {
			t.Fatalf("seed %d: %d states reported, %d in the checkpoints", seed, r.States, len(stored))
		}
		if r.States >= all.States || r.Missed <= 0 {
			t.Fatalf("seed %d, 2^14 bits: %d of %d states stored, %.1f estimated missed: the array is not small enough to lose states",
				seed, r.States, all.States, r.Missed)
		}
		for s := range stored {
			if !exact[s] {
				t.Fatalf("seed %d stored a state the exact search never reached", seed)
			}
		}
		for _, w := range []int{1, 3} {
			x := e
			x.Workers = w
			again, again2 := storedStates(m, x)
			if !reflect.DeepEqual(same(again), same(r)) || !reflect.DeepEqual(again2, stored) {
				t.Errorf("seed %d, %d workers: another report or other states than the first run", seed, w)
			}
		}
		sets = append(sets, stored)
	}
	union := 0
	for s := range exact {
		if sets[0][s] || sets[1][s] {
			union++
		}
	}
	if reflect.DeepEqual(sets[0], sets[1]) || union <= max(len(sets[0]), len(sets[1])) {
		t.Errorf("seeds 1 and 2 stored %d and %d states, %d together: the seeds lose the same states", len(sets[0]), len(sets[1]), union)
	}
	for _, seed := range []uint64{1, 2, 1 << 40} {
		r := m.Explore(sim.Explorer{Workers: 2, NoLiveness: true, HashSeed: seed})
		if r.States != all.States || r.Transitions != all.Transitions || !slices.Equal(violated(r), violated(all)) {
			t.Errorf("exact search, seed %d: %d states, %d transitions, %v; unseeded: %d, %d, %v",
				seed, r.States, r.Transitions, violated(r), all.States, all.Transitions, violated(all))
			continue
		}
		for i, c := range r.Violations {
			if len(c.Actions) != len(all.Violations[i].Actions) {
				t.Errorf("exact search, seed %d: %s counterexample of %d steps, unseeded %d", seed, c.Property, len(c.Actions), len(all.Violations[i].Actions))
			}
			if _, err := m.Confirm(c); err != nil {
				t.Errorf("exact search, seed %d: %s counterexample does not replay: %v", seed, c.Property, err)
			}
		}
	}
}

// TestSwarmPartialOrder: the reduction's cycle proviso looks states up by
// the seed's fingerprints: under any seed it still expands the state that
// closes thread 0's loop (TestPartialOrderProviso), and the reduction keeps
// the unreduced verdicts.
func TestSwarmPartialOrder(t *testing.T) {
	p := progToy{Progs: [][]progStep{{{}, {}}, {{Kind: progWrite, C: 1}}}, BadX: 1, BadStepX: 15, ReachX: 15, Loop: true}
	m := p.model()
	full := m.Explore(sim.Explorer{Workers: 1})
	for _, seed := range []uint64{1, 2, 3} {
		for _, w := range []int{1, 2} {
			r := m.Explore(sim.Explorer{Workers: w, PartialOrder: true, HashSeed: seed})
			if !r.PartialOrder || !slices.Contains(violated(full), "x-not-bad") || verdicts(r) != verdicts(full) {
				t.Errorf("seed %d, workers=%d: reduced %s, unreduced %s", seed, w, verdicts(r), verdicts(full))
			}
		}
	}
}
