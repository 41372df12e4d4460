package umcg01_test

import (
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// BenchmarkExplore reports states/s of a complete search of the default
// configuration with one more worker, exact set, liveness on, symmetry off
// (the figure to compare with SPIN) and on.
func BenchmarkExplore(b *testing.B) {
	c := model.DefaultConfig()
	c.Variant = model.Fixed
	c.Workers = 3
	m, _ := model.New(c)
	for _, e := range []struct {
		name string
		x    sim.Explorer
	}{{"exact", sim.Explorer{NoLiveness: true}}, {"liveness", sim.Explorer{}}, {"symmetry", sim.Explorer{Symmetry: true}}} {
		b.Run(e.name, func(b *testing.B) {
			var states uint64
			for i := 0; i < b.N; i++ {
				states += m.Engine().Explore(e.x).States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(states)/float64(b.N), "states")
		})
	}
}

// BenchmarkRaceFloor measures how far the engine is from the cost of the
// model itself, on the configuration of the race against SPIN
// (model.RaceConfig; docs/performance.md): "engine" is
// Explore on one goroutine, unreduced, no liveness; "lean" is the least
// breadth-first search that does the same work with the same model
// functions (decode, Enabled, copy, Step, every safety property, the
// fingerprint, an open-addressed table of fingerprints, the encoding of
// new states) and nothing else: no counterexample records, no level set,
// its table's slots read ahead by plain loads, not the engine's prefetch
// (leanSearch); "lean-unchecked" is lean without the property checks.
// Each reports ns per transition. Run with -benchtime 1x.
func BenchmarkRaceFloor(b *testing.B) {
	m, err := model.New(model.RaceConfig())
	if err != nil {
		b.Fatal(err)
	}
	e := m.Engine()
	b.Run("engine", func(b *testing.B) {
		var r sim.Report
		for b.Loop() {
			r = e.Explore(sim.Explorer{Workers: 1, NoLiveness: true, ExpectStates: model.RaceStates})
		}
		if !r.Complete || r.States != model.RaceStates || r.Transitions != model.RaceTransitions || len(r.Violations) > 0 {
			b.Fatalf("engine: complete %v, %d states, %d transitions, %d violations", r.Complete, r.States, r.Transitions, len(r.Violations))
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(r.Transitions), "ns/transition")
	})
	for _, checked := range []bool{true, false} {
		name := "lean"
		if !checked {
			name = "lean-unchecked"
		}
		b.Run(name, func(b *testing.B) {
			var states, transitions int
			for b.Loop() {
				states, transitions = leanSearch(e, checked)
			}
			if states != model.RaceStates || transitions != model.RaceTransitions {
				b.Fatalf("lean search: %d states, %d transitions", states, transitions)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(transitions), "ns/transition")
		})
	}
}

// leanSearch is BenchmarkRaceFloor's least search: breadth first, one
// level's encodings in one flat buffer, fingerprints in a table of 2^23
// slots (0 is empty), each state's successors stepped together before
// their fingerprints are looked up. It panics on a violation (the race
// configuration has none).
func leanSearch(e *sim.Model[model.State, model.Observation], checked bool) (states, transitions int) {
	var ps []*props.Property[model.State, model.Observation]
	for _, p := range e.Properties {
		if p.Class != props.Sometimes {
			ps = append(ps, p)
		}
	}
	chk := props.Prepare(ps)
	const bits = 23
	table := make([]uint64, 1<<bits)
	insert := func(fp uint64) bool { // whether fp is new
		fp |= 1
		for i := fp & (1<<bits - 1); ; i = (i + 1) & (1<<bits - 1) {
			switch table[i] {
			case fp:
				return false
			case 0:
				table[i] = fp
				return true
			}
		}
	}
	init := e.Init()
	insert(e.Fingerprint(&init, 0))
	states = 1
	level, ends := e.Encode(nil, &init), []int{0}
	var next []byte
	nextEnds := []int{}
	var batch [4]model.State
	var acts []sim.Action
	var succs []model.State
	var fps []uint64
	var sink uint64
	var o model.Observation // one for the search: &o per step would move each to the heap
	for len(level) > 0 {
		next, nextEnds = next[:0], nextEnds[:0]
		ends = append(ends, len(level))
		// Four states at a time: their successors are stepped and
		// fingerprinted, then their slots loaded, so that the misses of
		// those independent loads overlap, then looked up.
		for b := 0; b+1 < len(ends); b += len(batch) {
			succs, fps = succs[:0], fps[:0]
			for i := b; i < min(b+len(batch), len(ends)-1); i++ {
				s := &batch[i-b]
				e.Decode(s, level[ends[i]:ends[i+1]])
				acts = e.Enabled(s, acts[:0])
				for _, a := range acts {
					// Not append(succs, model.State{}): a State has room
					// for 127 threads, and zeroing it costs more than a step.
					if len(succs) == cap(succs) {
						succs = append(succs, make([]model.State, len(succs)+8)...)[:len(succs)]
					}
					succs = succs[:len(succs)+1]
					n := &succs[len(succs)-1]
					e.Copy(n, s)
					o = e.Step(n, a)
					if checked && len(chk.Step(s, n, &o, nil)) > 0 {
						panic("lean search: a step property is violated")
					}
				}
				transitions += len(acts)
			}
			for j := range succs {
				fps = append(fps, e.Fingerprint(&succs[j], 0))
			}
			for _, fp := range fps {
				sink += table[(fp|1)&(1<<bits-1)]
			}
			for j := range succs {
				n := &succs[j]
				if !insert(fps[j]) {
					continue
				}
				states++
				if checked && len(chk.State(n, false, nil)) > 0 {
					panic("lean search: an invariant is violated")
				}
				nextEnds = append(nextEnds, len(next))
				next = e.Encode(next, n)
			}
		}
		level, next = next, level
		ends, nextEnds = nextEnds, ends
	}
	if sink == 1 {
		states++ // never: keeps the loads
	}
	return states, transitions
}
