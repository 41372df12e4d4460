package umcg2023

import (
	"slices"
	"strings"

	"github.com/umcgcheck/umcgcheck/sim"
)

// Symmetry: every server runs the same loop, and workers with the same
// script run the same program; the kernel treats all of them alike (its
// only orders are those of its lists and of the servers' run queue, which
// are state). Exchanging two threads of a class, and every reference to
// them, therefore maps states to states, steps to steps, and keeps every
// property: a search may store one representative per class.

// symmetryClasses returns the sets of interchangeable threads with two or more
// members: the servers, and per script the workers that run it.
func (m *Model) symmetryClasses() [][]int8 {
	if m.general() {
		return nil // action kinds name their targets
	}
	var out [][]int8
	var servers []int8
	for t := 0; t < m.nsv; t++ {
		servers = append(servers, int8(t))
	}
	if len(servers) > 1 {
		out = append(out, servers)
	}
	seen := map[string]bool{}
	for i, w := range m.cfg.Workers {
		if seen[w] {
			continue
		}
		seen[w] = true
		var c []int8
		for j := i; j < len(m.cfg.Workers); j++ {
			if m.cfg.Workers[j] == w {
				c = append(c, int8(m.nsv+j))
			}
		}
		if len(c) > 1 {
			out = append(out, c)
		}
	}
	return out
}

// permute returns s with thread i moved to place p[i] and every reference
// to a thread renamed accordingly: links, server_bq, targets, slot events,
// the fine model's waiters, the lists and the run queue, and the masks of
// killed threads and of the servers an event was written for.
func (m *Model) permute(s *State, p sim.Perm) State {
	r := *s
	ref := func(t int8) int8 {
		if t < 0 {
			return t
		}
		return p[t]
	}
	mask := func(b uint8) uint8 {
		var out uint8
		for t := 0; t < m.threads; t++ {
			if b&(1<<t) != 0 {
				out |= 1 << p[t]
			}
		}
		return out
	}
	for t := 0; t < m.threads; t++ {
		n := p[t]
		r.Status[n], r.Timer[n], r.PC[n], r.Pending[n], r.Calls[n] = s.Status[t], s.Timer[t], s.PC[t], s.Pending[t], s.Calls[t]
		r.Link[n], r.BQ[n], r.Target[n] = ref(s.Link[t]), ref(s.BQ[t]), ref(s.Target[t])
		r.Slot[n] = s.Slot[t]
		if s.Slot[t] != 0 {
			r.Slot[n] = uint8(p[s.Slot[t]>>3])<<3 | s.Slot[t]&7
		}
		r.For[n] = mask(s.For[t])
		r.Waiter[n] = s.Waiter[t]
		if w := s.Waiter[t]; w&0x7f != 0 {
			r.Waiter[n] = 0x80 | uint8(p[w&0x7f-1]+1)
		}
	}
	for i := range int(s.NIdleW) {
		r.IdleW[i] = ref(s.IdleW[i])
	}
	for i := range int(s.NIdleS) {
		r.IdleS[i] = ref(s.IdleS[i])
	}
	for i := range int(s.NQueue) {
		r.Queue[i] = ref(s.Queue[i])
	}
	r.Killed, r.Waiting = mask(s.Killed), mask(s.Waiting)
	return r
}

// canonical returns a representative of s's symmetry class and the
// permutation that produced it (s's thread i is the representative's
// thread p[i]). Within each class, threads are sorted by their own fields
// with references to class members abstracted to their class; threads
// that tie keep their order. Symmetric states usually, not always, get the
// same representative: the reduction is sound either way, since the
// representative is always a state symmetric to s.
func (m *Model) canonical(s *State, classes [][]int8) (State, sim.Perm) {
	p := sim.Identity()
	var classOf [MaxThreads]int8
	for i := range classOf {
		classOf[i] = -1
	}
	for ci, c := range classes {
		for _, t := range c {
			classOf[t] = int8(ci)
		}
	}
	abs := func(t int8) byte {
		if t < 0 {
			return 0xff
		}
		if classOf[t] >= 0 {
			return 0x80 | byte(classOf[t])
		}
		return byte(t)
	}
	key := func(t int8) string {
		slot := byte(0)
		if ev := s.Slot[t]; ev != 0 {
			slot = abs(int8(ev>>3))<<3 | ev&7
		}
		var on byte // where t stands in the lists and the queue, abstracted
		for i, x := range s.IdleW[:s.NIdleW] {
			if x == t {
				on = 1 + byte(i)
			}
		}
		for i, x := range s.IdleS[:s.NIdleS] {
			if x == t {
				on = 0x10 + byte(i)
			}
		}
		for i, x := range s.Queue[:s.NQueue] {
			if x == t {
				on |= 0x20 + byte(i)<<4
			}
		}
		k := []byte{byte(s.Status[t]), byte(s.Status[t] >> 8), abs(s.Link[t]), abs(s.BQ[t]), abs(s.Target[t]),
			slot, s.PC[t], byte(s.Pending[t]), byte(s.Pending[t] >> 8), byte(s.Killed >> t & 1), on, byte(s.Waiting >> t & 1)}
		if s.Timer[t] {
			k = append(k, 1)
		}
		return string(k)
	}
	changed := false
	for _, c := range classes {
		sorted := slices.Clone(c)
		var keys [MaxThreads]string
		for _, t := range c {
			keys[t] = key(t)
		}
		slices.SortStableFunc(sorted, func(a, b int8) int { return strings.Compare(keys[a], keys[b]) })
		for k, t := range sorted {
			p[t] = c[k]
			changed = changed || t != c[k]
		}
	}
	if !changed {
		return *s, p
	}
	return m.permute(s, p), p
}
