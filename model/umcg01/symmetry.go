package umcg01

import (
	"sort"

	"github.com/umcgcheck/umcgcheck/sim"
)

// Symmetry: the servers of a group run the same program, and so do its
// workers; exchanging two of them, and every reference to them, maps
// states to states, steps to steps, and keeps every property. A search
// may therefore store one representative per class of such states.

// Perm maps thread indices: Perm[i] is where thread i goes.
type Perm = sim.Perm

// Classes returns the sets of interchangeable threads with two or more
// members: per group, its servers, and its workers.
func (m *Model) Classes() [][]int8 {
	var out [][]int8
	for g := 0; g < m.cfg.Groups; g++ {
		for _, k := range []progKind{progServer, progWorker} {
			var c []int8
			for i, p := range m.progs {
				if p.kind == k && int(p.group) == g {
					c = append(c, int8(i))
				}
			}
			if len(c) > 1 {
				out = append(out, c)
			}
		}
	}
	return out
}

// takesThread reports whether a call's argument is a thread (utid).
func takesThread(c Call) bool { return c.TakesThread() }

// Permute returns s with thread i moved to place p[i] and every reference
// to a thread renamed accordingly. p must only exchange threads within
// the classes of Classes.
func (m *Model) Permute(s *State, p Perm) State {
	r := *s
	m.permute(&r, p)
	return r
}

// permute is Permute in place: it touches only s's N threads and G
// groups, and moves each thread along its cycle of p.
func (m *Model) permute(s *State, p Perm) {
	ref := func(t int8) int8 {
		if t < 0 {
			return t
		}
		return p[t]
	}
	for i := 0; i < int(s.N); i++ {
		t := &s.T[i]
		t.Peer, t.Out, t.Ptr, t.GRan = ref(t.Peer), ref(t.Out), ref(t.Ptr), ref(t.GRan)
		if takesThread(t.Fn) {
			t.Arg = ref(t.Arg)
		}
		if m.progs[i].kind == progServer && t.Iter > 0 {
			t.Iter = uint8(ref(int8(t.Iter)-1) + 1)
		}
	}
	// Thread i goes to p[i]: follow each cycle of p from its smallest
	// member, carrying one thread.
	var moved [MaxModelThreads]bool
	for i := 0; i < int(s.N); i++ {
		if moved[i] || p[i] == int8(i) {
			continue
		}
		carry := s.T[i]
		for j := p[i]; ; j = p[j] {
			moved[j] = true
			carry, s.T[j] = s.T[j], carry
			if j == int8(i) {
				break
			}
		}
	}
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		for i := 0; i < int(gr.NWait); i++ {
			gr.Waiters[i] = ref(gr.Waiters[i])
		}
		for i := 0; i < int(gr.NGhost); i++ {
			gr.Ghost[i] = ref(gr.Ghost[i])
		}
	}
}

// Canonical returns a representative of s's symmetry class and the
// permutation that produced it (s's thread i is the representative's
// thread p[i]). Within each class, threads are sorted by their own fields,
// with references to class members abstracted to their class; threads
// that tie keep their order. Symmetric states usually, but not always,
// get the same representative: the reduction is sound either way, since
// the representative is always a state symmetric to s.
func (m *Model) Canonical(s *State, classes [][]int8) (State, Perm) {
	r := *s
	p := m.canonicalize(&r, classes)
	return r, p
}

// canonicalize is Canonical in place (the engine's Model.Canonical): it
// replaces *s by the representative and touches only s's N threads and G
// groups.
func (m *Model) canonicalize(s *State, classes [][]int8) Perm {
	p := sim.Identity()
	if len(classes) == 0 {
		return p
	}
	var classOf [MaxModelThreads]int8
	for i := range classOf {
		classOf[i] = -1
	}
	for ci, c := range classes {
		for _, t := range c {
			classOf[t] = int8(ci)
		}
	}
	abs := func(t int8) uint8 {
		if t < 0 {
			return 0xff
		}
		if classOf[t] >= 0 {
			return 0x80 | uint8(classOf[t])
		}
		return uint8(t)
	}
	var keys [MaxModelThreads][threadBytes]byte
	for _, c := range classes {
		for _, i := range c {
			t := s.T[i]
			t.Peer, t.Out, t.Ptr, t.GRan = int8(abs(t.Peer)), int8(abs(t.Out)), int8(abs(t.Ptr)), int8(abs(t.GRan))
			if takesThread(t.Fn) {
				t.Arg = int8(abs(t.Arg))
			}
			if m.progs[i].kind == progServer && t.Iter > 0 {
				t.Iter = abs(int8(t.Iter) - 1)
			}
			putThread(&keys[i], &t)
		}
	}
	changed := false
	for _, c := range classes {
		sorted := append([]int8(nil), c...)
		sort.SliceStable(sorted, func(a, b int) bool {
			return string(keys[sorted[a]][:]) < string(keys[sorted[b]][:])
		})
		for k, t := range sorted {
			p[t] = c[k]
			if t != c[k] {
				changed = true
			}
		}
	}
	if changed {
		m.permute(s, p)
	}
	return p
}
