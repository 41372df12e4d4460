package sim

import (
	"runtime"
	"sync"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	props "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// Explorer configures an exhaustive breadth-first search of a model.
// The zero value searches without bounds on GOMAXPROCS goroutines.
type Explorer struct {
	MaxStates int           // stop (incomplete) after storing this many states; 0: no bound
	MaxDepth  int           // do not expand states deeper than this; 0: no bound
	TimeLimit time.Duration // stop (incomplete) after this long; 0: no bound
	Workers   int           // goroutines expanding states; 0: GOMAXPROCS
	// BitstateBits, when > 0, replaces the set of fingerprints with a bit
	// array of that many bits (rounded up to a power of two), in the
	// spirit of SPIN's supertrace: each state sets 3 bits, and a state
	// whose bits are all set already is taken as visited, so some states
	// may be missed. The report estimates how many. Liveness is then
	// checked at terminal states only.
	BitstateBits uint64
	// Symmetry stores one representative per class of states that differ
	// only by exchanging interchangeable threads (model.Classes).
	// Counterexamples are translated back to real thread names.
	Symmetry bool
	// NoLiveness skips the search for fair cycles, which needs the whole
	// state graph in memory (about 8 bytes per transition and 30 per state).
	NoLiveness bool
	// Progress, when set, is called after each BFS level and at most
	// every ProgressEvery while a level is expanded.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// Progress is a snapshot of a running search.
type Progress struct {
	States, Transitions uint64
	Depth, Queue        int
	Elapsed             time.Duration
}

// Report is the outcome of a search.
type Report struct {
	Config              model.Config
	States, Transitions uint64
	Depth               int // BFS levels fully expanded
	// Complete is true when every reachable state was expanded. An
	// incomplete search says why in Stopped ("max-states", "max-depth",
	// "time-limit") and proves nothing about the states it did not reach.
	Complete bool
	Stopped  string
	// Liveness says how liveness was checked: "lassos" (fair cycles and
	// terminal paths on the complete graph), "terminal states only" (the
	// search was incomplete or NoLiveness was set).
	Liveness string
	// Bitstate is set for a bitstate search; Missed estimates how many
	// reachable states it skipped because their bits were already set.
	Bitstate bool
	Missed   float64
	// Violations holds, for each violated property in props.All() order,
	// a shortest counterexample (fewest steps from the initial state).
	Violations []Counterexample
	Elapsed    time.Duration
}

// succ is one transition found while expanding a level.
type succ struct {
	parent uint32
	action model.Action
	fp     uint64
	enc    []byte
	vs     []props.Violation
	retry  bool
}

// expanded is what a worker reports for each state it expands.
type expanded struct {
	nsucc int
	info  info
}

// Explore searches every state of m reachable from its initial state,
// breadth first, checks every safety property on every transition and
// every state, checks terminal states for deadlock and for liveness
// triggers that can no longer be met, and returns a shortest
// counterexample for each violated property. States are identified by
// their 64-bit fingerprints. The result is the same for every number of
// workers.
func (e Explorer) Explore(m *model.Model) Report {
	start := time.Now()
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	r := Report{Config: m.Config()}
	found := map[string]bool{}
	var parent []uint32
	var via []model.Action
	var seen visited = newFPTable()
	if e.BitstateBits > 0 {
		seen = newBitstate(e.BitstateBits)
		r.Bitstate = true
	}

	var classes [][]int8
	if e.Symmetry {
		classes = m.Classes()
	}
	init := m.Init()
	init, _ = m.Canonical(&init, classes)
	seen.insert(init.Fingerprint(), 0)
	parent, via = append(parent, 0), append(via, model.Action{})
	r.States = 1
	if vs := props.CheckState(m, &init, false, nil); len(vs) > 0 {
		for _, v := range vs {
			r.record(found, v, nil, -1)
		}
	}
	path := func(id uint32) []model.Action {
		var acts []model.Action
		for id != 0 {
			acts = append(acts, via[id])
			id = parent[id]
		}
		for i, j := 0, len(acts)-1; i < j; i, j = i+1, j-1 {
			acts[i], acts[j] = acts[j], acts[i]
		}
		return acts
	}

	frontier := [][]byte{init.AppendEncoding(nil)}
	ids := []uint32{0}
	var live, cycles []*props.Property
	for _, p := range props.All() {
		if p.Live != nil && p.Live.Trigger != nil {
			live = append(live, p)
		}
		if p.Live != nil && p.Live.Cycle != nil {
			cycles = append(cycles, p)
		}
	}
	var g *graph
	if !e.NoLiveness && !r.Bitstate {
		g = &graph{trig: make([][]uint32, len(live)), goal: make([][]uint32, len(live))}
	}
	lastProgress := time.Now()
	chunks := make([][]succ, workers)
	terms := make([][]terminalHit, workers)
	exps := make([][]expanded, workers)
	for depth := 0; ; depth++ {
		if len(frontier) == 0 {
			r.Complete = true
			break
		}
		if e.MaxDepth > 0 && depth >= e.MaxDepth {
			r.Stopped = "max-depth"
			break
		}
		if e.TimeLimit > 0 && time.Since(start) > e.TimeLimit {
			r.Stopped = "time-limit"
			break
		}
		// Expand the level in parallel, in contiguous chunks.
		// The per-goroutine buffers keep their capacity from level to
		// level: one growth, not one per level.
		for w := range chunks {
			clear(chunks[w]) // drop references to the last level's arenas
			chunks[w], terms[w], exps[w] = chunks[w][:0], terms[w][:0], exps[w][:0]
		}
		var wg sync.WaitGroup
		n := len(frontier)
		for w := 0; w < workers; w++ {
			lo, hi := n*w/workers, n*(w+1)/workers
			wg.Add(1)
			go func(w, lo, hi int) {
				defer wg.Done()
				var buf []model.Action
				var s model.State
				var arena []byte
				for i := lo; i < hi; i++ {
					s.Decode(frontier[i])
					buf = m.Enabled(&s, buf[:0])
					if g != nil {
						exps[w] = append(exps[w], expanded{nsucc: len(buf), info: stateInfo(m, &s, buf, live)})
					}
					if len(buf) == 0 {
						if hit, ok := checkTerminal(m, &s, live); ok {
							hit.id = ids[i]
							terms[w] = append(terms[w], hit)
						}
						continue
					}
					for _, a := range buf {
						next := s
						o := m.Step(&next, a)
						vs := props.CheckStep(m, &s, &next, &o, nil)
						if classes != nil {
							next, _ = m.Canonical(&next, classes)
						}
						// Encodings go to one growing arena per worker:
						// one allocation per many states, not per state.
						// A successor stored at an earlier level keeps
						// none (the set is only read while a level is
						// expanded, so the lookup is safe).
						if cap(arena)-len(arena) < model.EncodedSize {
							arena = make([]byte, 0, 1<<20)
						}
						at := len(arena)
						arena = next.AppendEncoding(arena)
						enc := arena[at:len(arena):len(arena)]
						fp := model.Hash(enc)
						if _, old := seen.lookup(fp); old {
							arena, enc = arena[:at], nil
						} else {
							// Invariants depend on the state alone: check
							// them once, when the state is new (on the
							// representative: they are symmetric).
							vs = props.CheckState(m, &next, false, vs)
						}
						chunks[w] = append(chunks[w], succ{parent: ids[i], action: a,
							fp: fp, enc: enc, vs: vs, retry: o.Retry})
					}
				}
			}(w, lo, hi)
		}
		wg.Wait()
		r.Depth = depth
		// Merge in order: the same ids and the same first violations for
		// any number of workers.
		for _, ts := range terms {
			for _, h := range ts {
				for _, v := range h.vs {
					r.record(found, v, path(h.id), -1)
				}
			}
		}
		var nextFrontier [][]byte
		var nextIDs []uint32
		stop := false
		for w, ch := range chunks {
			k := 0 // successors left of the state being merged
			ei := 0
			for _, sc := range ch {
				if g != nil {
					for k == 0 {
						ex := exps[w][ei]
						ei++
						g.addState(ex.info)
						k = ex.nsucc
					}
					k--
				}
				r.Transitions++
				if len(sc.vs) > 0 {
					var p []model.Action
					for _, v := range sc.vs {
						if !found[v.Property.ID] {
							if p == nil {
								p = append(path(sc.parent), sc.action)
							}
							r.record(found, v, p, -1)
						}
					}
				}
				if to, ok := seen.lookup(sc.fp); ok {
					if g != nil {
						g.addEdge(to, sc.action, sc.retry)
					}
					continue
				}
				if e.MaxStates > 0 && int(r.States) >= e.MaxStates {
					stop = true
					g = nil // the graph is incomplete: no lassos
					continue
				}
				id := uint32(len(parent))
				if g != nil {
					g.addEdge(id, sc.action, sc.retry)
				}
				seen.insert(sc.fp, id)
				parent, via = append(parent, sc.parent), append(via, sc.action)
				r.States++
				nextFrontier = append(nextFrontier, sc.enc)
				nextIDs = append(nextIDs, id)
			}
			// Terminal states after the last successor of the chunk.
			for g != nil && ei < len(exps[w]) {
				ex := exps[w][ei]
				ei++
				if ex.nsucc != 0 {
					panic("explore: successor bookkeeping out of step")
				}
				g.addState(ex.info)
			}
		}
		frontier, ids = nextFrontier, nextIDs
		if e.Progress != nil && (time.Since(lastProgress) >= e.ProgressEvery || len(frontier) == 0) {
			lastProgress = time.Now()
			e.Progress(Progress{States: r.States, Transitions: r.Transitions, Depth: depth + 1, Queue: len(frontier), Elapsed: time.Since(start)})
		}
		if stop {
			r.Stopped = "max-states"
			break
		}
	}
	if b, ok := seen.(*bitstate); ok {
		r.Missed = b.missed
	}
	r.Liveness = "terminal states only"
	if g != nil && r.Complete {
		g.off = append(g.off, uint32(len(g.to)))
		for _, c := range checkLiveness(m, g, live, cycles, path) {
			v, _ := props.ByID(c.Property)
			r.record(found, props.Violation{Property: v, Message: c.Message}, c.Actions, c.Loop)
		}
		r.Liveness = "lassos"
	}
	for i := range r.Violations {
		r.Violations[i].Config = r.Config
		if classes != nil {
			r.Violations[i] = realPath(m, classes, r.Violations[i])
			// The message named the representative's threads.
			if v, err := Confirm(m, r.Violations[i]); err == nil {
				r.Violations[i].Message = v.Message
			}
		}
	}
	r.Elapsed = time.Since(start)
	return r
}

// record keeps the first (shortest) counterexample of each property.
func (r *Report) record(found map[string]bool, v props.Violation, path []model.Action, loop int) {
	if found[v.Property.ID] {
		return
	}
	found[v.Property.ID] = true
	c := Counterexample{Property: v.Property.ID, Message: v.Message, Actions: append([]model.Action(nil), path...), Loop: loop}
	// Keep props.All() order.
	order := map[string]int{}
	for i, p := range props.All() {
		order[p.ID] = i
	}
	i := len(r.Violations)
	r.Violations = append(r.Violations, c)
	for i > 0 && order[r.Violations[i-1].Property] > order[c.Property] {
		r.Violations[i] = r.Violations[i-1]
		i--
	}
	r.Violations[i] = c
}

type terminalHit struct {
	id uint32
	vs []props.Violation
}

// checkTerminal checks a terminal state: deadlock, and leads-to properties
// whose trigger still holds with no goal, which nothing can now change.
func checkTerminal(m *model.Model, s *model.State, live []*props.Property) (terminalHit, bool) {
	vs := props.CheckState(m, s, true, nil)
	// Invariants were checked when the state was reached; keep only the
	// terminal ones here.
	var out []props.Violation
	for _, v := range vs {
		if v.Property.Class == props.Deadlock {
			out = append(out, v)
		}
	}
	if s.Live() {
		for _, p := range live {
			for t := 0; t < m.Threads(); t++ {
				if p.Live.Trigger(m, s, t) && !p.Live.Goal(m, s, t) {
					out = append(out, props.Violation{Property: p, Message: m.ThreadName(t) + " waits forever: the run ends before the goal"})
					break
				}
			}
		}
	}
	return terminalHit{vs: out}, len(out) > 0
}

// realPath translates a counterexample found among representatives
// (thread numbers of canonical states) into one of the model itself: it
// replays the representatives alongside the real states, keeping the
// permutation between them. A lasso is unrolled until the real state
// returns to where the cycle began.
func realPath(m *model.Model, classes [][]int8, c Counterexample) Counterexample {
	canon := m.Init()
	actual := canon
	canon, p0 := m.Canonical(&canon, classes)
	pi := p0.Inverse() // representative's thread -> real thread
	out := c
	out.Actions = nil
	var loopState model.State
	step := func(a model.Action) {
		out.Actions = append(out.Actions, model.Action{Kind: a.Kind, Thread: pi[a.Thread]})
		m.Step(&actual, model.Action{Kind: a.Kind, Thread: pi[a.Thread]})
		x := canon
		m.Step(&x, a)
		var sigma model.Perm
		canon, sigma = m.Canonical(&x, classes)
		inv := sigma.Inverse()
		var npi model.Perm
		for i := range npi {
			npi[i] = pi[inv[i]]
		}
		pi = npi
	}
	for i, a := range c.Actions {
		if i == c.Loop {
			loopState = actual
			out.Loop = len(out.Actions)
		}
		step(a)
	}
	if c.Loop >= 0 {
		for k := 0; k < 64 && !sameState(&actual, &loopState); k++ {
			for _, a := range c.Actions[c.Loop:] {
				step(a)
			}
		}
	}
	return out
}
