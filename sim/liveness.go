package sim

import "github.com/umcgcheck/umcgcheck/props"

// graph is the state graph a complete search recorded, for liveness: edges
// in compressed rows (the edges of state i are off[i]..off[i+1]) and, per
// state, which threads had a fair move enabled and the liveness
// predicates of every thread.
type graph struct {
	off   []uint32
	to    []uint32
	act   []Action
	cycle []uint8    // per edge: which fair-cycle properties look for its step
	mask  []uint32   // threads with a fair move enabled
	live  []bool     // the process is still running
	trig  [][]uint32 // per leads-to property: threads whose trigger holds
	goal  [][]uint32 // per leads-to property: threads whose goal holds

	// stop, when set, is polled by the long walks over the graph (every
	// stopEvery steps); once it answers, they return what they have and
	// the lasso search ends (stopped holds the answer). What they return
	// is still true of the graph: whole components, real paths.
	stop    func() string
	stopped string
	polls   int
}

const stopEvery = 1 << 16

// halted polls stop, and reports whether the lasso search must end.
func (g *graph) halted() bool {
	if g.stopped != "" {
		return true
	}
	if g.stop == nil {
		return false
	}
	if g.polls++; g.polls%stopEvery != 0 {
		return false
	}
	g.stopped = g.stop()
	return g.stopped != ""
}

// haltedNow asks stop at once (between the phases of the lasso search).
func (g *graph) haltedNow() bool {
	if g.stopped == "" && g.stop != nil {
		g.stopped = g.stop()
	}
	return g.stopped != ""
}

func (g *graph) edges(v uint32) (lo, hi uint32) { return g.off[v], g.off[v+1] }

// addState starts the next state's row; states come in id order.
func (g *graph) addState(in info) {
	g.off = append(g.off, uint32(len(g.to)))
	g.mask = append(g.mask, in.mask)
	g.live = append(g.live, in.live)
	for j := range g.trig {
		g.trig[j] = append(g.trig[j], in.trig[j])
		g.goal[j] = append(g.goal[j], in.goal[j])
	}
}

// addEdge adds an edge from the state of the last row.
func (g *graph) addEdge(to uint32, a Action, cycle uint8) {
	g.to, g.act, g.cycle = append(g.to, to), append(g.act, a), append(g.cycle, cycle)
}

// info is what expanding a state records for the graph.
type info struct {
	mask       uint32
	live       bool
	trig, goal []uint32
}

func (m *Model[S, O]) stateInfo(s *S, enabled []Action, leads []*props.Property[S, O]) info {
	in := info{mask: m.fairMask(enabled), live: !m.halted(s), trig: make([]uint32, len(leads)), goal: make([]uint32, len(leads))}
	for i, p := range leads {
		for t := 0; t < m.Threads(); t++ {
			if p.Live.Trigger(s, t) {
				in.trig[i] |= 1 << uint(t)
			}
			if p.Live.Goal(s, t) {
				in.goal[i] |= 1 << uint(t)
			}
		}
	}
	return in
}

// sccs returns the strongly connected components of the subgraph of nodes
// with allowed[v], reachable from the nodes in from, that contain a cycle
// (more than one node, or a self-loop). Iterative Tarjan: no recursion
// depth limit.
func (g *graph) sccs(allowed []bool, from []uint32) [][]uint32 {
	n := len(g.mask)
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []uint32
	var out [][]uint32
	next := int32(0)
	type frame struct {
		v  uint32
		ei uint32
	}
	for _, root := range from {
		if !allowed[root] || index[root] >= 0 {
			continue
		}
		call := []frame{{root, g.off[root]}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			if g.halted() {
				return out
			}
			f := &call[len(call)-1]
			v := f.v
			if f.ei < g.off[v+1] {
				w := g.to[f.ei]
				f.ei++
				if !allowed[w] {
					continue
				}
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, g.off[w]})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				if low[v] < low[u] {
					low[u] = low[v]
				}
			}
			if low[v] != index[v] {
				continue
			}
			var comp []uint32
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 || g.selfLoop(v) {
				out = append(out, comp)
			}
		}
	}
	return out
}

func (g *graph) selfLoop(v uint32) bool {
	lo, hi := g.edges(v)
	for e := lo; e < hi; e++ {
		if g.to[e] == v {
			return true
		}
	}
	return false
}

// fairSCC checks a component: it holds a weakly fair cycle iff every thread
// with a fair move enabled in all of its states moves along one of its
// edges. It returns the edges a cycle through the component must take
// (one per such thread, and one edge whose cycle bits include want when
// want is not 0), or ok=false.
func (g *graph) fairSCC(comp []uint32, in []bool, want uint8, fair func(Action) bool) (need []uint32, ok bool) {
	always := ^uint32(0)
	for _, v := range comp {
		always &= g.mask[v]
	}
	moved := map[int8]uint32{}
	retryEdge := int64(-1)
	for _, v := range comp {
		lo, hi := g.edges(v)
		for e := lo; e < hi; e++ {
			if !in[g.to[e]] {
				continue
			}
			a := g.act[e]
			if fair(a) {
				if _, seen := moved[a.Thread]; !seen {
					moved[a.Thread] = e
				}
			}
			if want != 0 && g.cycle[e]&want != 0 && retryEdge < 0 {
				retryEdge = int64(e)
			}
		}
	}
	if want != 0 && retryEdge < 0 {
		return nil, false
	}
	if retryEdge >= 0 {
		need = append(need, uint32(retryEdge))
	}
	for t := int8(0); t < 32; t++ {
		if always&(1<<uint(t)) == 0 {
			continue
		}
		e, ok := moved[t]
		if !ok {
			return nil, false
		}
		need = append(need, e)
	}
	return need, true
}

// edgeSource finds the state an edge leaves.
func (g *graph) edgeSource(e uint32) uint32 {
	lo, hi := 0, len(g.off)-1
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if g.off[mid] <= e {
			lo = mid
		} else {
			hi = mid
		}
	}
	for g.off[lo+1] <= e {
		lo++
	}
	return uint32(lo)
}

// pathWithin is a shortest path of actions from a to a state in target,
// through states with allowed set; it returns the actions and the state
// reached.
func (g *graph) pathWithin(a uint32, allowed []bool, target func(uint32) bool) ([]Action, uint32, bool) {
	if target(a) {
		return nil, a, true
	}
	r := g.bfsFrom([]uint32{a}, allowed)
	best := int64(-1)
	for v := range r.prev {
		if r.prev[v] != -1 && target(uint32(v)) && (best < 0 || r.dist[v] < r.dist[best]) {
			best = int64(v)
		}
	}
	if best < 0 {
		return nil, 0, false
	}
	_, acts := r.path(g, uint32(best))
	return acts, uint32(best), true
}

// cycleThrough builds a cycle from entry through every edge in need, inside
// the component in.
func (g *graph) cycleThrough(entry uint32, need []uint32, in []bool) ([]Action, bool) {
	var acts []Action
	at := entry
	for _, e := range need {
		src := g.edgeSource(e)
		p, _, ok := g.pathWithin(at, in, func(v uint32) bool { return v == src })
		if !ok {
			return nil, false
		}
		acts = append(acts, p...)
		acts = append(acts, g.act[e])
		at = g.to[e]
	}
	if len(acts) == 0 || at != entry {
		// Close the cycle (at least one step).
		lo, hi := g.edges(at)
		if len(acts) == 0 {
			for e := lo; e < hi; e++ {
				if in[g.to[e]] {
					acts = append(acts, g.act[e])
					at = g.to[e]
					break
				}
			}
		}
		p, _, ok := g.pathWithin(at, in, func(v uint32) bool { return v == entry })
		if !ok {
			return nil, false
		}
		acts = append(acts, p...)
	}
	return acts, true
}

// checkLiveness finds liveness violations on a complete graph: for
// each fair-cycle property a weakly fair cycle through a step it looks
// for (no-busy-wait: a retry); for each leads-to
// property and thread, a state where the trigger holds from which a path
// avoiding the goal ends in a terminal state of a running process or
// enters a weakly fair cycle. root gives the shortest path to a state.
func (m *Model[S, O]) checkLiveness(g *graph, leads []*props.Property[S, O], cycles []*props.Property[S, O], root func(uint32) []Action) []Counterexample {
	n := len(g.mask)
	var out []Counterexample
	all := make([]bool, n)
	for i := range all {
		all[i] = true
	}
	for ci, p := range cycles {
		if g.haltedNow() {
			return out
		}
		comps := g.sccs(all, []uint32{0})
		// in marks the component at hand; one array for them all,
		// cleared component by component (one per component cost n
		// bytes to clear each, n^2 over a graph of singletons: most of
		// the lasso search's time).
		in := make([]bool, n)
		var last []uint32
		for _, comp := range comps {
			if g.haltedNow() {
				return out
			}
			mark(in, last, false)
			mark(in, comp, true)
			last = comp
			need, ok := g.fairSCC(comp, in, 1<<uint(ci), m.Fair)
			if !ok {
				continue
			}
			entry := comp[0]
			for _, v := range comp {
				if v < entry {
					entry = v
				}
			}
			cyc, ok := g.cycleThrough(entry, need, in)
			if !ok {
				continue
			}
			prefix := root(entry)
			if c, ok := m.confirmLasso(g, p.ID, prefix, cyc, entry, need, comp, in); ok {
				out = append(out, c)
				break
			}
		}
	}
	for i, p := range leads {
		var best *Counterexample
		for t := 0; t < m.Threads() && best == nil; t++ {
			if g.haltedNow() {
				return out
			}
			bit := uint32(1) << uint(t)
			allowed := make([]bool, n)
			var sources []uint32
			for v := 0; v < n; v++ {
				allowed[v] = g.goal[i][v]&bit == 0
				if allowed[v] && g.trig[i][v]&bit != 0 {
					sources = append(sources, uint32(v))
				}
			}
			if len(sources) == 0 {
				continue
			}
			reach := g.bfsFrom(sources, allowed)
			// Finite: a terminal state of a running process, reachable
			// from a trigger without the goal.
			for v := 0; v < n && best == nil; v++ {
				lo, hi := g.edges(uint32(v))
				if reach.prev[v] == -1 || lo != hi || !g.live[v] {
					continue
				}
				src, p2 := reach.path(g, uint32(v))
				c := Counterexample{Property: p.ID, Actions: append(root(src), p2...), Loop: -1}
				if msg, err := m.Confirm(c); err == nil {
					c.Message = msg
					best = &c
				}
			}
			if best != nil {
				break
			}
			in := make([]bool, n)
			var last []uint32
			for _, comp := range g.sccs(allowed, sources) {
				if g.haltedNow() {
					return out
				}
				mark(in, last, false)
				mark(in, comp, true)
				last = comp
				need, ok := g.fairSCC(comp, in, 0, m.Fair)
				if !ok {
					continue
				}
				entry := comp[0]
				for _, v := range comp {
					if reach.dist[v] < reach.dist[entry] {
						entry = v
					}
				}
				cyc, ok := g.cycleThrough(entry, need, in)
				if !ok {
					continue
				}
				src, p2 := reach.path(g, entry)
				prefix := append(root(src), p2...)
				if c, ok := m.confirmLasso(g, p.ID, prefix, cyc, entry, need, comp, in); ok {
					best = &c
					break
				}
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	return out
}

// mark sets in[v] to b for every v of vs.
func mark(in []bool, vs []uint32, b bool) {
	for _, v := range vs {
		in[v] = b
	}
}

// reach is a multi-source breadth-first search: prev[v] is the edge that
// reached v (-1: not reached, -2: a source).
type reach struct {
	prev []int64
	dist []int32
}

func (g *graph) bfsFrom(sources []uint32, allowed []bool) reach {
	n := len(g.mask)
	r := reach{prev: make([]int64, n), dist: make([]int32, n)}
	for i := range r.prev {
		r.prev[i] = -1
		r.dist[i] = 1 << 30
	}
	queue := make([]uint32, 0, len(sources))
	for _, s := range sources {
		if r.prev[s] == -1 {
			r.prev[s], r.dist[s] = -2, 0
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 && !g.halted() {
		v := queue[0]
		queue = queue[1:]
		lo, hi := g.edges(v)
		for e := lo; e < hi; e++ {
			w := g.to[e]
			if allowed[w] && r.prev[w] == -1 {
				r.prev[w], r.dist[w] = int64(e), r.dist[v]+1
				queue = append(queue, w)
			}
		}
	}
	return r
}

// path returns the source that reached v and the actions from it to v.
func (r reach) path(g *graph, v uint32) (uint32, []Action) {
	var acts []Action
	for r.prev[v] >= 0 {
		e := uint32(r.prev[v])
		acts = append(acts, g.act[e])
		v = g.edgeSource(e)
	}
	for i, j := 0, len(acts)-1; i < j; i, j = i+1, j-1 {
		acts[i], acts[j] = acts[j], acts[i]
	}
	return v, acts
}

// maxCover bounds the components whose every state a fallback lasso visits
// (each visit is a breadth-first search of the graph).
const maxCover = 4096

// confirmLasso confirms the lasso prefix + cyc. A cycle through the edges
// fairSCC asked for can still be unfair: it may stay where some thread
// can always move; then the cycle is extended through every state of the
// component, where every thread that is not always enabled is disabled
// somewhere, which makes it fair if the component holds a fair cycle.
func (m *Model[S, O]) confirmLasso(g *graph, id string, prefix, cyc []Action, entry uint32, need, comp []uint32, in []bool) (Counterexample, bool) {
	c := Counterexample{Property: id, Actions: append(append([]Action(nil), prefix...), cyc...), Loop: len(prefix)}
	if msg, err := m.Confirm(c); err == nil {
		c.Message = msg
		return c, true
	}
	if len(comp) > maxCover {
		return c, false
	}
	at := entry
	for _, v := range comp {
		p, _, ok := g.pathWithin(at, in, func(x uint32) bool { return x == v })
		if !ok {
			return c, false
		}
		cyc, at = append(cyc, p...), v
	}
	back, _, ok := g.pathWithin(at, in, func(x uint32) bool { return x == entry })
	if !ok {
		return c, false
	}
	c.Actions = append(append(append([]Action(nil), prefix...), cyc...), back...)
	msg, err := m.Confirm(c)
	c.Message = msg
	return c, err == nil
}
