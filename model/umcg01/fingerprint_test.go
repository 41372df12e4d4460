package umcg01_test

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"testing"
	"unsafe"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/sim/simtest"
)

// reachable calls visit on every state reachable in m, each once, in
// breadth-first order, with its encoding: a plain search over a map of
// encodings (no fingerprint of the engine's). Every state is built as the
// explorer builds it: decoded, or copied (CopyState) and stepped, into a
// State whose every byte held garbage at first (poisoned once: the
// unused slots keep it, the rest holds earlier states); before each
// decode, the thread slots an explored configuration may use and the
// groups are garbled anew, so that what Decode does not write (a Thread's
// padding, the slots past N threads and G groups, a list past its count)
// differs from state to state, and from the copies that are stepped.
func reachable(t *testing.T, c model.Config, visit func(s *model.State, enc []byte)) int {
	t.Helper()
	m, err := model.New(c)
	if err != nil {
		t.Fatal(err)
	}
	init := m.Init()
	queue := [][]byte{init.AppendEncoding(nil)}
	seen := map[string]bool{string(queue[0]): true}
	var s, next model.State
	poison(&s)
	poison(&next)
	var buf []model.Action
	for k := 0; len(queue) > 0; k++ {
		enc := queue[0]
		queue = queue[1:]
		threads := unsafe.Slice((*byte)(unsafe.Pointer(&s.T[0])), model.MaxModelThreads*unsafe.Sizeof(s.T[0]))
		groups := unsafe.Slice((*byte)(unsafe.Pointer(&s.Grp[0])), unsafe.Sizeof(s.Grp))
		for _, b := range [][]byte{threads, groups} {
			for i := range b {
				b[i] = byte(k*131 + i*7)
			}
		}
		if !s.Decode(enc) {
			t.Fatalf("%s: an encoding does not decode", c)
		}
		visit(&s, enc)
		for _, a := range m.Enabled(&s, buf[:0]) {
			model.CopyState(&next, &s)
			m.Step(&next, a)
			e := next.AppendEncoding(nil)
			if !seen[string(e)] {
				seen[string(e)] = true
				queue = append(queue, e)
				// The state as the explorer fingerprints it: just
				// stepped, its padding and unused slots garbage.
				visit(&next, e)
			}
		}
	}
	return len(seen)
}

// TestSearchFingerprintSound: over every reachable state of every shipped
// configuration of both variants and every deliberate bug, a state's
// SearchFingerprint is that of the state decoded from its encoding (into
// garbage, and after a step), under seed 0 and another; on this
// (little-endian) machine it is what a big-endian machine computes; and
// two states with different encodings never share a fingerprint.
func TestSearchFingerprintSound(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("every reachable state of every shipped and bug configuration: run without -race and -short")
	}
	shipped, bugs := everyConfig()
	total := 0
	for _, c := range append(shipped, bugs...) {
		byFP := map[uint64][]byte{}
		byEnc := map[string][2]uint64{}
		total += reachable(t, c, func(s *model.State, enc []byte) {
			fp, fp7 := s.SearchFingerprint(0), s.SearchFingerprint(7)
			if old, ok := byEnc[string(enc)]; ok {
				if old != [2]uint64{fp, fp7} {
					t.Fatalf("%s: one state, two fingerprints under seeds 0 and 7: %#x and %#x", c, old, [2]uint64{fp, fp7})
				}
				return
			}
			byEnc[string(enc)] = [2]uint64{fp, fp7}
			if other, ok := byFP[fp]; ok {
				t.Fatalf("%s: two states share the fingerprint %#x:\n%x\n%x", c, fp, enc, other)
			}
			byFP[fp] = bytes.Clone(enc)
			if got := model.SearchFingerprintBigEndian(s, 0); got != fp {
				t.Fatalf("%s: little-endian fingerprint %#x, big-endian %#x", c, fp, got)
			}
			if fp7 == fp {
				t.Fatalf("%s: seeds 0 and 7 give a state the same fingerprint", c)
			}
		})
	}
	t.Logf("%d states", total)
}

// TestFingerprintMixes: the fingerprints of distinct states behave as
// uniform 64-bit values, as the collision estimate assumes. Over the
// states of a configuration, the pairs that agree on 24 bits (low,
// middle, high; under seed 0 and another) number about what the birthday
// count predicts: n(n-1)/2 / 2^24, within six standard deviations. A hash
// that left some bits to a few fields would give many more.
func TestFingerprintMixes(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("every state of a configuration of 195,274 states")
	}
	c, _ := model.NamedConfig("single")
	c.Workers = 4
	seeds := []uint64{0, 0x9e3779b97f4a7c15}
	fps := make([][]uint64, len(seeds))
	seen := map[string]bool{}
	n := float64(reachable(t, c, func(s *model.State, enc []byte) {
		if !seen[string(enc)] {
			seen[string(enc)] = true
			for i, seed := range seeds {
				fps[i] = append(fps[i], s.SearchFingerprint(seed))
			}
		}
	}))
	want := n * (n - 1) / 2 / (1 << 24)
	if want < 100 {
		t.Fatalf("%.0f states: too few for the test", n)
	}
	for i, seed := range seeds {
		for _, shift := range []uint{0, 20, 40} {
			count := map[uint64]int{}
			for _, fp := range fps[i] {
				count[fp>>shift&(1<<24-1)]++
			}
			pairs := 0.0
			for _, k := range count {
				pairs += float64(k) * float64(k-1) / 2
			}
			if math.Abs(pairs-want) > 6*math.Sqrt(want) {
				t.Errorf("seed %#x, bits %d-%d: %.0f pairs agree, about %.0f expected of %.0f states", seed, shift, shift+23, pairs, want, n)
			} else {
				t.Logf("seed %#x, bits %d-%d: %.0f pairs agree, about %.0f expected", seed, shift, shift+23, pairs, want)
			}
		}
	}
}

// TestFingerprintKeepsSearches: the engine's searches with umcg01's
// Fingerprint and without (the hash of the encoding) find the same
// states, transitions, depth, violations (with their counterexamples and
// counts) and reachability examples, on every shipped configuration and
// deliberate bug: unreduced with liveness, and reduced by symmetry and
// partial order on two goroutines (the proviso looks states up).
func TestFingerprintKeepsSearches(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("every shipped and bug configuration, four searches each: run without -race and -short")
	}
	shipped, bugs := everyConfig()
	for _, c := range append(shipped, bugs...) {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		with, without := m.Engine(), m.Engine()
		if with.Fingerprint == nil {
			t.Fatal("umcg01's model has no Fingerprint")
		}
		without.Fingerprint = nil
		for _, x := range []sim.Explorer{{Workers: 1}, {Workers: 2, NoLiveness: true, Symmetry: true, PartialOrder: true}} {
			a, b := with.Explore(x), without.Explore(x)
			a.Elapsed, b.Elapsed = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s, %s: with Fingerprint %s; without %s", c, simtest.Describe(x), summary(a), summary(b))
			}
		}
	}
}

func summary(r sim.Report) string {
	return fmt.Sprintf("%d states, %d transitions, depth %d, %v", r.States, r.Transitions, r.Depth, violatedIDs(r))
}

// TestSearchFingerprintGolden pins the fingerprint of a state under seeds
// 0 and 1: it is the same on every run and machine, and changes only on
// purpose (checkpoints hold fingerprints: sim.SnapshotVersion must change
// with it).
func TestSearchFingerprintGolden(t *testing.T) {
	c := model.DefaultConfig()
	c.Variant = model.Fixed
	m, err := model.New(c)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init()
	for _, g := range []struct{ seed, want uint64 }{{0, 0x94a1065d82328a4a}, {1, 0xb260f0ddb3425ee0}} {
		if got := s.SearchFingerprint(g.seed); got != g.want {
			t.Errorf("SearchFingerprint(%d) of %v's initial state: want %#x, got %#x", g.seed, c, g.want, got)
		}
	}
}
