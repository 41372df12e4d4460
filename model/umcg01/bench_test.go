package umcg01

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/umcgcheck/umcgcheck/props"
)

// benchWalk steps m through b.N random steps (restarting at terminal
// states), as an explorer or simulator would: copy the state (the part
// it uses: CopyState), step it.
func benchWalk(b *testing.B, c Config, fingerprint func(*State) uint64) {
	m, err := New(c)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	init := m.Init()
	var states [2]State
	s, next := &states[0], &states[1]
	CopyState(s, &init)
	buf := make([]Action, 0, 4*MaxModelThreads)
	var sink uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = m.Enabled(s, buf[:0])
		if len(buf) == 0 { // terminal: start again (not counted as a step)
			CopyState(s, &init)
			buf = m.Enabled(s, buf[:0])
		}
		CopyState(next, s)
		m.Step(next, buf[rng.IntN(len(buf))])
		if fingerprint != nil {
			sink ^= fingerprint(next)
		}
		s, next = next, s
	}
	b.StopTimer()
	_ = sink
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkStep measures Enabled+Step, the model's inner loop.
func BenchmarkStep(b *testing.B) {
	for _, v := range []Variant{Seed, Fixed} {
		c := DefaultConfig()
		c.Variant, c.Servers, c.Workers, c.Blocks = v, 2, 3, 2
		c.Faults = AllFaults
		b.Run(v.String(), func(b *testing.B) { benchWalk(b, c, nil) })
	}
}

// BenchmarkStepFingerprint adds the fingerprint an explorer computes for
// every successor: the hash of the encoding (Fingerprint, how the
// explorer fingerprinted until session 5) or SearchFingerprint (how it
// does now).
func BenchmarkStepFingerprint(b *testing.B) {
	c := DefaultConfig()
	c.Variant, c.Servers, c.Workers, c.Blocks = Fixed, 2, 3, 2
	b.Run("encoding", func(b *testing.B) { benchWalk(b, c, (*State).Fingerprint) })
	b.Run("search", func(b *testing.B) {
		benchWalk(b, c, func(s *State) uint64 { return s.SearchFingerprint(0) })
	})
}

// TestStateSize records the sizes the performance notes quote.
func TestStateSize(t *testing.T) {
	m, _ := New(DefaultConfig())
	s := m.Init()
	enc := s.AppendEncoding(nil)
	t.Logf("State value: %d bytes; encoding of the default configuration: %d bytes; bound: %d", unsafe.Sizeof(State{}), len(enc), EncodedSize)
	if len(enc) > EncodedSize {
		t.Fatalf("encoding %d bytes exceeds EncodedSize %d", len(enc), EncodedSize)
	}
}

// BenchmarkProperties measures the safety checks a search makes: on
// every transition its step properties, on every new state its
// invariants, over the steps of random walks of the race configuration
// (single, 5 workers, seed). "prepared" is how Explore checks (props.Checks,
// with the screens); "one-by-one" calls every property's own check (the
// same properties prepared without their screens).
func BenchmarkProperties(b *testing.B) {
	m, err := New(RaceConfig())
	if err != nil {
		b.Fatal(err)
	}
	type step struct {
		before, after State
		o             Observation
	}
	var steps []step
	rng := rand.New(rand.NewPCG(1, 2))
	s := m.Init()
	for len(steps) < 512 { // 512 steps, 0.6 MB: cache-resident, as a batch of successors is
		buf := m.Enabled(&s, nil)
		if len(buf) == 0 {
			s = m.Init()
			continue
		}
		next := s
		o := m.Step(&next, buf[rng.IntN(len(buf))])
		steps = append(steps, step{s, next, o})
		s = next
	}
	var plain []*Property
	for _, p := range m.Properties() {
		q := *p
		q.Screen = nil
		plain = append(plain, &q)
	}
	prepared, unscreened := props.Prepare(m.Properties()), props.Prepare(plain)
	var vs []Violation
	b.Run("prepared", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			x := &steps[i%len(steps)]
			vs = prepared.Step(&x.before, &x.after, &x.o, vs[:0])
			vs = prepared.State(&x.after, false, vs)
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			x := &steps[i%len(steps)]
			vs = unscreened.Step(&x.before, &x.after, &x.o, vs[:0])
			vs = unscreened.State(&x.after, false, vs)
		}
	})
}

// BenchmarkFingerprint measures the fingerprint alone, over states of
// random walks of the race configuration (single, 5 workers, seed): the
// hash of the encoding (Fingerprint) and SearchFingerprint.
func BenchmarkFingerprint(b *testing.B) {
	m, err := New(RaceConfig())
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	states := make([]State, 16) // in cache, as the explorer's successors are
	s := m.Init()
	var buf []Action
	for i := range states {
		if buf = m.Enabled(&s, buf[:0]); len(buf) == 0 {
			s = m.Init()
			buf = m.Enabled(&s, buf[:0])
		}
		m.Step(&s, buf[rng.IntN(len(buf))])
		states[i] = s
	}
	for _, f := range []struct {
		name string
		fp   func(*State) uint64
	}{{"encoding", (*State).Fingerprint}, {"search", func(s *State) uint64 { return s.SearchFingerprint(0) }}} {
		b.Run(f.name, func(b *testing.B) {
			var sink uint64
			for i := 0; b.Loop(); i++ {
				sink ^= f.fp(&states[i%len(states)])
			}
			_ = sink
		})
	}
}
