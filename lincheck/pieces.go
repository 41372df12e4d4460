package lincheck

import (
	"math/bits"
	"slices"
	"sort"
	"time"
)

// This file checks a partition's history piece by piece, so that time and
// memory grow with the trace's length and not with its square.
//
// A quiescent point is a time at which no operation is pending: every
// operation called before it has returned. Every linearization places the
// operations before such a point before those after it, so the history is
// cut there into pieces, and the pieces are checked in turn. Each piece is
// searched exhaustively, level by level (a level is a number of placed
// operations): a configuration is the set of placed operations and the
// specification's state, and configurations are deduplicated per level.
// The states of the last level are every state the specification may be
// in after the piece, whichever of its linearizations happened: the next
// piece starts from that set, so no linearization is lost at a cut and the
// verdict is the one a search over the whole history gives (the test
// TestCutsKeepVerdicts compares the two). The set of placed operations is
// kept as a count of the leading operations (in call order) all placed
// and a bit set of the few placed after them, whose size is bounded by the
// number of operations pending at once, not by the length of the history.
//
// A piece whose levels grow beyond maxWidth configurations (many
// operations at once whose orders lead to different states, like a pool
// of workers that register together) is left, with the rest of the
// partition, to a depth-first search from the states the pieces before it
// may have left: porcupine's, which tries the order the trace suggests
// first and stops at the first linearization, with the same compact
// placed sets.

// maxWidth bounds a level's configurations before a piece is left to the
// depth-first search: about 16k states of a few hundred bytes each.
var maxWidth = 1 << 10

// searchOp is one operation of a partition's history, in call order.
type searchOp struct {
	call, ret int64
	prev      int // index (in call order) of its thread's previous op, -1 if none
	hist      int // index in the partition's history
}

// searchSpec is what the piece search needs of a specification whose
// states are of type S. States are values: step must not change s.
type searchSpec[S any] struct {
	// step appends to out the states after history op hist from s; none
	// when the specification does not allow it there.
	step  func(s S, hist int, out []S) []S
	hash  func(s S) uint64
	equal func(a, b S) bool
	// keep, when not nil, is called on a state step returned when the
	// search stores it (and on no other): step's states may point into
	// memory the next call of step reuses, and keep makes one lasting.
	keep func(s *S)
	// prio, when not nil, returns the order in which the depth-first
	// search tries the ops (indices in call order) that may be placed
	// next: lower first.
	prio func(ops []searchOp) []int64
	// atCut, when not nil, is told of each level of the search where all
	// configurations placed the same ops, the first ones in call order
	// (every quiescent point is such a level, and there are more): the
	// index (in call order) of the first op after them, and every state
	// the ops before may have left.
	atCut func(at int, states []S)
	// alone, when not nil, reports whether history op a may be placed
	// from state s before each of others without losing a
	// linearization, where a is the op that returns first among the
	// unplaced ones and others are every other unplaced op called before
	// it returned (those that may be linearized before it): then the
	// search places a and nothing else there (a persistent set of one
	// op).
	alone func(s S, a int, others []int) bool
	// aloneKind, with alone, is a necessary condition on history op a
	// for alone, whatever the state: the search asks alone only then.
	aloneKind func(a int) bool
	// settle, when not nil, puts s in the form it takes given the ops
	// not yet placed (u). Two states that settle to one form must have
	// the same futures from there.
	settle func(s *S, u unplacedOps)
}

// unplacedOps is the view settle has of the ops not yet placed.
type unplacedOps struct {
	ops   []searchOp
	base  int // the configuration's ops begin at ops[base]
	p     int
	set   []uint64
	holes []int32
}

// any reports whether f holds for some unplaced op (a history index)
// called at or before t.
func (u *unplacedOps) any(t int64, f func(hist int) bool) bool {
	c := config[struct{}]{p: u.p, set: u.set, holes: u.holes}
	for _, h := range u.holes {
		if u.ops[u.base+int(h)].call <= t && f(u.ops[u.base+int(h)].hist) {
			return true
		}
	}
	for i := u.base + u.p; i < len(u.ops) && u.ops[i].call <= t; i++ {
		if !c.placed(i-u.base) && f(u.ops[i].hist) {
			return true
		}
	}
	return false
}

// settle applies sp.settle to s, the state of a configuration with the
// placed set (p, set, holes) of the piece (or the rest of the history)
// that begins at ops[base]. s is in the step's output buffer: a pointer
// to a local configuration would make every one escape to the heap.
func settle[S any](sp searchSpec[S], s *S, p int, set []uint64, holes []int32, ops []searchOp, base int) {
	if sp.settle != nil {
		sp.settle(s, unplacedOps{ops: ops, base: base, p: p, set: set, holes: holes})
	}
}

// config is a configuration of the search: ops [0,p) of the piece placed
// but those in holes, and op p+k placed when bit k of set is; link is its
// place in the links kept for coverage (-1 when none are kept). An op
// that never returns (of unknown outcome) may stay unplaced while
// everything after it is placed: it is a hole behind p rather than a bit
// that would keep the set as long as the history after it.
type config[S any] struct {
	p     int
	set   []uint64
	holes []int32 // ops before p not placed: ops that never return (unknown outcome)
	s     S
	h     uint64
	link  int32
	// chain is the next configuration of the level with the same hash
	// bucket (-1: none).
	chain int32
}

// link records how a configuration was reached, for coverage: the op
// placed last (a history index) and the configuration before.
type link struct {
	parent int32
	hist   int32
}

// searchResult is the outcome of a piece search.
type searchResult struct {
	verdict Verdict
	// unplaced are the history ops of a failing partition that the
	// deepest partial linearization of the failing piece did not place,
	// then every op after that piece, in call order.
	unplaced []int
	// lin is a linearization (history ops), for a linearizable partition
	// when links are kept.
	lin []int
	// pieces counts the pieces the history was cut into; fellBack says
	// a piece was left to the depth-first search.
	pieces   int
	fellBack bool
}

// searchOps sorts a history's intervals by call (ties in history order,
// which is each thread's program order) and links each op to its
// thread's previous one.
func searchOps(call, ret []int64, thread []int) []searchOp {
	n := len(call)
	ops := make([]searchOp, n)
	for i := range ops {
		ops[i] = searchOp{call: call[i], ret: ret[i], hist: i}
	}
	sort.SliceStable(ops, func(a, b int) bool { return ops[a].call < ops[b].call })
	last := map[int]int{}
	for i := range ops {
		t := thread[ops[i].hist]
		ops[i].prev = -1
		if p, ok := last[t]; ok {
			ops[i].prev = p
		}
		last[t] = i
	}
	return ops
}

// cuts returns where ops (in call order) may be cut: i such that every op
// before i returned before op i was called (porcupine's convention: at
// equal times a call comes before a return, so they overlap) and no op
// before i follows, in its thread's order, one at i or after. The first
// element is 0.
func cuts(ops []searchOp) []int {
	out := []int{0}
	if len(ops) == 0 {
		return out
	}
	maxRet := ops[0].ret
	for i := 1; i < len(ops); i++ {
		if maxRet < ops[i].call {
			out = append(out, i)
		}
		maxRet = max(maxRet, ops[i].ret)
	}
	// A thread's op never precedes its previous op in call order (the
	// reader checks that a thread's call is at or after its previous
	// return), so a cut never separates an op from a later predecessor;
	// keep the check cheap and certain anyway.
	keep := out[:1]
	for _, c := range out[1:] {
		ok := true
		for i := keep[len(keep)-1]; i < c && ok; i++ {
			ok = ops[i].prev < c
		}
		if ok {
			keep = append(keep, c)
		}
	}
	return keep
}

// search checks ops (in call order) from init, piece by piece. With
// keepLinks, a linearizable result carries one linearization.
func search[S any](ops []searchOp, init S, sp searchSpec[S], deadline time.Time, keepLinks bool) searchResult {
	n := len(ops)
	sufMinRet := make([]int64, n+1)
	sufMinRet[n] = 1<<63 - 1
	for i := n - 1; i >= 0; i-- {
		sufMinRet[i] = min(sufMinRet[i+1], ops[i].ret)
	}
	var links []link
	newLink := func(parent int32, hist int) int32 {
		if !keepLinks {
			return -1
		}
		links = append(links, link{parent, int32(hist)})
		return int32(len(links) - 1)
	}
	res := searchResult{verdict: Linearizable}
	cur := []config[S]{{s: init, h: sp.hash(init), link: -1}}
	// Levels alternate between two buffers, and share one table.
	var next []config[S]
	table := map[uint64]int32{} // hash -> first configuration of the level with it
	var after []S
	var starts []config[S]
	var mayPrecede []int
	cs := cuts(ops)
	res.pieces = len(cs)
	for pi, a := range cs {
		starts = append(starts[:0], cur...) // the states the pieces before may have left
		b := n
		if pi+1 < len(cs) {
			b = cs[pi+1]
		}
		for level := a; level < b; level++ {
			if !deadline.IsZero() && (level&255 == 0 || len(cur) > 64) && time.Now().After(deadline) {
				res.verdict = Unknown
				return res
			}
			next = next[:0]
			clear(table)
			for ci := range cur {
				c := &cur[ci]
				placed := func(i int) bool { return c.placed(i - a) } // i: an index in ops
				// The earliest return among unplaced ops bounds which
				// ops may be placed next (holes never return).
				hi := a + c.p + setLen(c.set)
				minRet := sufMinRet[hi]
				for i := a + c.p; i < hi; i++ {
					if !placed(i) {
						minRet = min(minRet, ops[i].ret)
					}
				}
				try := func(j int) {
					if ops[j].prev >= a && !placed(ops[j].prev) {
						return
					}
					after = sp.step(c.s, ops[j].hist, after[:0])
					for k := range after {
						var nc config[S]
						nc.p, nc.set, nc.holes = c.place(j-a, func(i int) bool { return a+i < b && ops[a+i].ret == NoReturn })
						settle(sp, &after[k], nc.p, nc.set, nc.holes, ops, a)
						nc.s = after[k]
						nc.h = sp.hash(nc.s) ^ setHash(nc.p, nc.set, nc.holes)
						if !insert(table, &next, nc, sp.equal, sp.keep) {
							continue
						}
						next[len(next)-1].link = newLink(c.link, ops[j].hist)
					}
				}
				if sp.alone != nil && aloneFirst(sp, ops, a+c.p, b, minRet, placed) {
					mayPrecede = mayPrecede[:0] // every unplaced op called before minRet
					for _, h := range c.holes {
						mayPrecede = append(mayPrecede, a+int(h))
					}
					for j := a + c.p; j < b && ops[j].call <= minRet; j++ {
						if !placed(j) {
							mayPrecede = append(mayPrecede, j)
						}
					}
					enabled := func(j int) bool { return ops[j].prev < a || placed(ops[j].prev) }
					if j, ok := aloneOp(sp, c.s, ops, mayPrecede, minRet, enabled); ok {
						try(j)
						continue
					}
				}
				for _, h := range c.holes {
					try(a + int(h))
				}
				for j := a + c.p; j < b && ops[j].call <= minRet; j++ {
					if !placed(j) {
						try(j)
					}
				}
			}
			if len(next) == 0 {
				res.verdict = NotLinearizable
				c := &cur[0]
				for i := a; i < n; i++ {
					if !c.placed(i - a) {
						res.unplaced = append(res.unplaced, ops[i].hist)
					}
				}
				return res
			}
			if len(next) > maxWidth {
				var prio []int64
				if sp.prio != nil {
					prio = sp.prio(ops)
				} else {
					prio = make([]int64, n)
					for i := range prio {
						prio[i] = int64(i)
					}
				}
				r := depthFirst(ops, a, starts, sp, prio, deadline, links, keepLinks)
				r.pieces = res.pieces
				return r
			}
			cur, next = next, cur
			if sp.atCut != nil && level+1 < n {
				reportCut(cur, a, sp.atCut)
			}
		}
		// A cut: every configuration placed the whole piece; keep each
		// state once, to start the next piece from.
		ends := next[:0]
		clear(table)
		for _, c := range cur {
			c.p, c.set, c.holes, c.h = 0, nil, nil, sp.hash(c.s)
			insert(table, &ends, c, sp.equal, nil)
		}
		cur, next = ends, cur
	}
	if keepLinks {
		res.lin = linearization(links, cur[0].link)
	}
	return res
}

// reportCut tells atCut of the level cur (of the piece starting at a) if
// every configuration there placed the same ops: the first ones in call
// order, and no other. Such a level is a cut of the search even where
// ops still overlap in time: every linearization of the piece passes
// through one of its states.
func reportCut[S any](cur []config[S], a int, atCut func(int, []S)) {
	for _, c := range cur {
		if c.set != nil || c.holes != nil || c.p != cur[0].p {
			return
		}
	}
	states := make([]S, len(cur))
	for i, c := range cur {
		states[i] = c.s
	}
	atCut(a+cur[0].p, states)
}

// aloneFirst reports whether the first unplaced op of ops[lo:hi] that
// returns at minRet is one sp.aloneKind allows: a cheap test before
// aloneOp.
func aloneFirst[S any](sp searchSpec[S], ops []searchOp, lo, hi int, minRet int64, placed func(int) bool) bool {
	for j := lo; j < hi && ops[j].call <= minRet; j++ {
		if ops[j].ret == minRet && !placed(j) {
			return sp.aloneKind == nil || sp.aloneKind(ops[j].hist)
		}
	}
	return false
}

// aloneOp returns the op of mayPrecede (indices in ops: every unplaced op
// called at or before minRet, the earliest return of the unplaced ones)
// that returns at minRet, is enabled, and that sp.alone lets the search
// place alone.
func aloneOp[S any](sp searchSpec[S], s S, ops []searchOp, mayPrecede []int, minRet int64, enabled func(int) bool) (int, bool) {
	if len(mayPrecede) < 2 {
		return 0, false
	}
	for k, j := range mayPrecede {
		if ops[j].ret != minRet || !enabled(j) {
			continue
		}
		if sp.aloneKind != nil && !sp.aloneKind(ops[j].hist) {
			return 0, false
		}
		others := make([]int, 0, len(mayPrecede)-1)
		for _, x := range mayPrecede[:k] {
			others = append(others, ops[x].hist)
		}
		for _, x := range mayPrecede[k+1:] {
			others = append(others, ops[x].hist)
		}
		return j, sp.alone(s, ops[j].hist, others)
	}
	return 0, false
}

// linearization follows links back from l: the history ops placed, first
// to last.
func linearization(links []link, l int32) []int {
	var lin []int
	for ; l >= 0; l = links[l].parent {
		lin = append(lin, int(links[l].hist))
	}
	for i, j := 0, len(lin)-1; i < j; i, j = i+1, j-1 {
		lin[i], lin[j] = lin[j], lin[i]
	}
	return lin
}

// insert appends c to the level cs unless an equal configuration is
// there already, calling keep (when not nil) on the state it stores; it
// reports whether it did.
func insert[S any](table map[uint64]int32, cs *[]config[S], c config[S], equal func(a, b S) bool, keep func(*S)) bool {
	first, ok := table[c.h]
	if !ok {
		first = -1
	}
	for i := first; i >= 0; i = (*cs)[i].chain {
		o := &(*cs)[i]
		if o.h == c.h && o.p == c.p && equalSets(o.set, c.set) && slices.Equal(o.holes, c.holes) && equal(o.s, c.s) {
			return false
		}
	}
	c.chain = first
	table[c.h] = int32(len(*cs))
	*cs = append(*cs, c)
	if keep != nil {
		keep(&(*cs)[len(*cs)-1].s) // not &c.s, which would move c to the heap
	}
	return true
}

// chunks holds the depth-first search's visited configurations in
// blocks, so that storing one never copies the others.
type chunks[S any] struct {
	blocks [][]config[S]
	n      int
}

const chunkSize = 1024

func (cs *chunks[S]) at(i int32) *config[S] {
	return &cs.blocks[i/chunkSize][i%chunkSize]
}

// insert adds *c unless an equal configuration is there already, calling
// keep (when not nil) on the state it stores, which c then holds too; it
// reports whether it did.
func (cs *chunks[S]) insert(table map[uint64]int32, c *config[S], equal func(a, b S) bool, keep func(*S)) bool {
	first, ok := table[c.h]
	if !ok {
		first = -1
	}
	for i := first; i >= 0; i = cs.at(i).chain {
		o := cs.at(i)
		if o.h == c.h && o.p == c.p && equalSets(o.set, c.set) && slices.Equal(o.holes, c.holes) && equal(o.s, c.s) {
			return false
		}
	}
	if cs.n%chunkSize == 0 {
		cs.blocks = append(cs.blocks, make([]config[S], 0, chunkSize))
	}
	c.chain = first
	table[c.h] = int32(cs.n)
	b := &cs.blocks[len(cs.blocks)-1]
	*b = append(*b, *c)
	if keep != nil {
		stored := &(*b)[len(*b)-1]
		keep(&stored.s) // not &c.s, which would move the caller's c to the heap
		c.s = stored.s
	}
	cs.n++
	return true
}

func equalSets(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// placed reports whether op i (relative to the configuration's base) is
// placed.
func (c *config[S]) placed(i int) bool {
	k := i - c.p
	if k < 0 {
		_, hole := slices.BinarySearch(c.holes, int32(i))
		return !hole
	}
	return k < 64*len(c.set) && c.set[k/64]&(1<<(k%64)) != 0
}

// place returns c's placed set with op i (not placed) placed, in normal
// form (normalize); isNever says which ops never return. c is not changed.
func (c *config[S]) place(i int, isNever func(int) bool) (int, []uint64, []int32) {
	if i < c.p { // a hole
		var holes []int32
		for _, h := range c.holes {
			if int(h) != i {
				holes = append(holes, h)
			}
		}
		return c.p, c.set, holes
	}
	p, set := advance(c.p, c.set, i-c.p)
	return normalize(p, set, c.holes, isNever)
}

// normalize moves p past the ops that never return and are not placed,
// making them holes, and past the placed ops after them: the placed set
// (p, set, holes) has one form. set and holes are not changed.
func normalize(p int, set []uint64, holes []int32, isNever func(int) bool) (int, []uint64, []int32) {
	for isNever(p) && (len(set) == 0 || set[0]&1 == 0) {
		holes = append(holes[:len(holes):len(holes)], int32(p))
		// Place the never-op for the moment, so that advance moves p
		// past it and every placed op after it.
		var q int
		q, set = advance(p, set, 0)
		p = q
	}
	return p, set, holes
}

// setLen is one past the highest bit of set (0 for an empty set).
func setLen(set []uint64) int {
	if len(set) == 0 {
		return 0
	}
	return 64*(len(set)-1) + 64 - bits.LeadingZeros64(set[len(set)-1])
}

// advance places op p+k (k >= 0, not yet placed) in the placed set (p,
// set) and returns the set in normal form: p counts every leading placed
// op, bit 0 of set is clear, and set has no trailing zero words. set is
// not changed.
func advance(p int, set []uint64, k int) (int, []uint64) {
	if k == 0 && len(set) == 0 {
		return p + 1, nil
	}
	words := max(len(set), k/64+1)
	out := make([]uint64, words)
	copy(out, set)
	out[k/64] |= 1 << (k % 64)
	// Count the leading ones and shift them out.
	t := 0
	for t/64 < len(out) && out[t/64] == ^uint64(0) {
		t += 64
	}
	if t/64 < len(out) {
		t += bits.TrailingZeros64(^out[t/64])
	}
	if t > 0 {
		out = shiftRight(out, t)
	}
	for len(out) > 0 && out[len(out)-1] == 0 {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		out = nil
	}
	return p + t, out
}

// shiftRight shifts the bit set right by t bits.
func shiftRight(set []uint64, t int) []uint64 {
	w, b := t/64, uint(t%64)
	if w >= len(set) {
		return nil
	}
	out := make([]uint64, len(set)-w)
	for i := range out {
		out[i] = set[i+w] >> b
		if b > 0 && i+w+1 < len(set) {
			out[i] |= set[i+w+1] << (64 - b)
		}
	}
	return out
}

// setHash hashes a placed set.
func setHash(p int, set []uint64, holes []int32) uint64 {
	h := uint64(p)*0x9e3779b97f4a7c15 + 1
	for _, x := range holes {
		h = (h ^ uint64(x)) * 0xc4ceb9fe1a85ec53
	}
	for _, w := range set {
		h = (h ^ w) * 0xff51afd7ed558ccd
		h ^= h >> 32
	}
	return h
}

// frame is a configuration on the depth-first search's stack, with the
// ops that may be placed next (indices in ops, best first) and how many
// of them were tried.
type frame[S any] struct {
	c     config[S]
	cand  []int
	tried int
	// next are the configurations the last op tried leads to (more than
	// one when the specification is not deterministic), not yet explored.
	next   []config[S]
	op     int // the op placed to reach c (an index in ops[from:]), -1 for a start
	nextOp int // the op that leads to next
	start  int // the start it began from
}

// depthFirst checks ops[from:] from each of starts (configurations at
// from with nothing after it placed) depth first, as porcupine does
// (Lowe's just-in-time linearization with a cache of visited
// configurations), but with the placed set kept as in the level search:
// its memory grows with the configurations visited, not with their
// number times the history's length. Candidates are tried in the order
// prio gives (lower first): the order the trace suggests. It returns the
// verdict and, for a failure, the ops (history indices) the deepest
// configuration did not place; for a success, when links are kept, the
// linearization.
func depthFirst[S any](ops []searchOp, from int, starts []config[S], sp searchSpec[S], prio []int64, deadline time.Time, links []link, keepLinks bool) searchResult {
	n := len(ops) - from
	sufMinRet := make([]int64, n+1)
	sufMinRet[n] = 1<<63 - 1
	for i := n - 1; i >= 0; i-- {
		sufMinRet[i] = min(sufMinRet[i+1], ops[from+i].ret)
	}
	placed := func(c *config[S], i int) bool { return c.placed(i) } // i: an index in ops[from:]
	isNever := func(i int) bool { return from+i < len(ops) && ops[from+i].ret == NoReturn }
	candidates := func(c *config[S]) []int {
		hi := c.p + setLen(c.set)
		minRet := sufMinRet[hi]
		for i := c.p; i < hi; i++ {
			if !placed(c, i) {
				minRet = min(minRet, ops[from+i].ret)
			}
		}
		var out []int
		ok := func(j int) bool {
			return ops[from+j].prev < from || placed(c, ops[from+j].prev-from)
		}
		if sp.alone != nil && aloneFirst(sp, ops, from+c.p, len(ops), minRet, func(i int) bool { return placed(c, i-from) }) {
			var mayPrecede []int // every unplaced op called before minRet (indices in ops)
			for _, h := range c.holes {
				mayPrecede = append(mayPrecede, from+int(h))
			}
			for j := c.p; j < n && ops[from+j].call <= minRet; j++ {
				if !placed(c, j) {
					mayPrecede = append(mayPrecede, from+j)
				}
			}
			if j, found := aloneOp(sp, c.s, ops, mayPrecede, minRet, func(j int) bool { return ok(j - from) }); found {
				return []int{j - from}
			}
		}
		for _, h := range c.holes {
			if ok(int(h)) {
				out = append(out, int(h))
			}
		}
		for j := c.p; j < n && ops[from+j].call <= minRet; j++ {
			if !placed(c, j) && ok(j) {
				out = append(out, j)
			}
		}
		sort.SliceStable(out, func(a, b int) bool { return prio[from+out[a]] < prio[from+out[b]] })
		return out
	}
	count := func(c *config[S]) int {
		k := c.p - len(c.holes)
		for _, w := range c.set {
			k += bits.OnesCount64(w)
		}
		return k
	}
	var visited chunks[S]
	table := map[uint64]int32{}
	var deepest config[S]
	deepestN := -1
	var stack []frame[S]
	var after []S
	steps := 0
	for si := range starts {
		c := starts[si]
		c.p, c.set, c.holes = normalize(0, nil, nil, isNever)
		c.h = sp.hash(c.s) ^ setHash(c.p, c.set, c.holes)
		if !visited.insert(table, &c, sp.equal, nil) {
			continue
		}
		stack = append(stack[:0], frame[S]{c: c, cand: candidates(&c), op: -1, start: si})
		for len(stack) > 0 {
			if steps++; !deadline.IsZero() && steps&1023 == 0 && time.Now().After(deadline) {
				return searchResult{verdict: Unknown}
			}
			f := &stack[len(stack)-1]
			if f.c.p == n && f.c.holes == nil {
				res := searchResult{verdict: Linearizable, fellBack: true}
				if keepLinks {
					res.lin = linearization(links, starts[f.start].link)
					for _, g := range stack[1:] {
						res.lin = append(res.lin, ops[from+g.op].hist)
					}
				}
				return res
			}
			if k := count(&f.c); k > deepestN {
				deepest, deepestN = f.c, k
			}
			if len(f.next) > 0 {
				nc := f.next[0]
				f.next = f.next[1:]
				stack = append(stack, frame[S]{c: nc, cand: candidates(&nc), op: f.nextOp, start: f.start})
				continue
			}
			if f.tried == len(f.cand) {
				stack = stack[:len(stack)-1]
				continue
			}
			j := f.cand[f.tried]
			f.tried++
			after = sp.step(f.c.s, ops[from+j].hist, after[:0])
			for k := range after {
				var nc config[S]
				nc.p, nc.set, nc.holes = f.c.place(j, isNever)
				settle(sp, &after[k], nc.p, nc.set, nc.holes, ops, from)
				nc.s = after[k]
				nc.h = sp.hash(nc.s) ^ setHash(nc.p, nc.set, nc.holes)
				if visited.insert(table, &nc, sp.equal, sp.keep) {
					f.next = append(f.next, nc)
				}
			}
			f.nextOp = j
		}
	}
	res := searchResult{verdict: NotLinearizable, fellBack: true}
	for i := 0; i < n; i++ {
		if deepestN < 0 || !placed(&deepest, i) {
			res.unplaced = append(res.unplaced, ops[from+i].hist)
		}
	}
	return res
}
