package sim

import (
	"encoding/json"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/umcgcheck/umcgcheck/props"
)

// Explorer configures an exhaustive breadth-first search of a model.
// The zero value searches without bounds on GOMAXPROCS goroutines.
type Explorer struct {
	MaxStates int           // stop (incomplete) after storing this many states; 0: no bound
	MaxDepth  int           // expand only states fewer than this many steps from the start; 0: no bound
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
	// only by exchanging interchangeable threads (Model.Canonical), when the
	// model has a symmetry. Counterexamples are translated back to real
	// thread names.
	Symmetry bool
	// NoLiveness skips the search for fair cycles, which needs the whole
	// state graph in memory (about 8 bytes per transition and 30 per state).
	NoLiveness bool
	// Progress, when set, is called after each BFS level and at most
	// every ProgressEvery while a level is expanded.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Stop, when set, is asked at each level boundary and, every few
	// hundred states, while a level is expanded: a non-empty answer ends
	// the search, incomplete, with that answer in Report.Stopped (as
	// "signal" or "max-memory"); a level cut short is dropped whole. Once
	// it has answered, it must keep giving the same answer. It is called
	// from several goroutines.
	Stop func() string
	// Coverage counts, per step kind and documented state edge of the
	// model's Coverage table, the transitions that took it
	// (Report.Coverage). Without it the search counts nothing and costs
	// nothing more.
	Coverage bool
	// Checkpoint, when set, receives the search saved at a level boundary
	// (Snapshot): every CheckpointEvery (0: at every level), and when the
	// search ends incomplete because Stop answered (even inside a level:
	// the level is dropped whole, so the search stands at its start) or
	// the time limit passed. It runs on the searching goroutine while the
	// search waits; the snapshot shares the search's memory and is valid
	// only during the call.
	Checkpoint      func(*Snapshot)
	CheckpointEvery time.Duration
	// PartialOrder expands, where the model's Local steps allow, the
	// actions of one thread rather than every enabled action (an ample
	// set, see por.go): fewer states, the same safety verdicts. Searches
	// that check liveness are not reduced (Report.PartialOrderOff).
	// Counterexamples stay real runs but may be longer than the shortest.
	PartialOrder bool
	// HashSeed, when not 0, makes the search one member of a swarm (as
	// SPIN's -RS): fingerprints are SeededHash with this seed (the
	// model's Fingerprint under it, when it has one), and each
	// state's actions are tried in an order drawn from the seed and the
	// state (seededOrder), so that a bitstate search loses other states
	// than under another seed. 0 is the plain Hash (or Fingerprint's
	// seed 0) and the model's order.
	HashSeed uint64
	// ExpectStates sizes the exact set of fingerprints for this many
	// states up front, as pan's -w does (FPTableBytes says how much memory
	// that takes): a search that stores more grows the set as it would
	// have without the hint, one that stores fewer leaves it partly empty.
	// It changes no result. 0: start small and grow. A resumed search
	// takes the set the snapshot holds.
	ExpectStates int
	// Resume, when set, continues the search a snapshot saved instead of
	// starting afresh, to the same report as a search never interrupted.
	// The snapshot must pass Check for this model and Explorer: Explore
	// panics otherwise (the caller checks first).
	Resume *Snapshot
}

// Progress is a snapshot of a running search.
type Progress struct {
	States, Transitions uint64
	Depth, Queue        int
	Elapsed             time.Duration
	// Remaining estimates the states still to be stored, when Estimated:
	// once the frontier narrows, the levels to come are taken to shrink
	// as the last ones did (see estimateRemaining). It is an estimate, not
	// a bound.
	Remaining float64
	Estimated bool
}

// Report is the outcome of a search.
type Report struct {
	States, Transitions uint64
	Depth               int // the depth of the last level expanded (the initial state is at 0)
	// Complete is true when every reachable state was expanded. An
	// incomplete search says why in Stopped ("max-states", "max-depth",
	// "time-limit", or Explorer.Stop's answer) and proves nothing about the states it did not reach.
	Complete bool
	Stopped  string
	// Liveness says how liveness was checked: "lassos" (fair cycles and
	// terminal paths on the complete graph), "terminal states only" (the
	// search was incomplete or NoLiveness was set).
	Liveness string
	// Symmetry is set when the search stored one representative per class
	// of symmetric states; SymmetryOff says why a symmetry reduction that
	// was asked for was not applied.
	Symmetry    bool
	SymmetryOff string
	// PartialOrder is set when the search expanded ample sets
	// (Explorer.PartialOrder); PartialOrderOff says why a reduction that
	// was asked for was not applied.
	PartialOrder    bool
	PartialOrderOff string
	// Bitstate is set for a bitstate search; Missed estimates how many
	// reachable states it skipped because their bits were already set
	// (Holzmann's estimate). The states reachable only through those are
	// skipped too and not counted: the loss can be far larger.
	Bitstate bool
	Missed   float64
	// Violations holds every distinct violation (a property at a place),
	// grouped by property in Model.Properties order, each with a shortest
	// counterexample (fewest steps from the initial state), shortest first.
	Violations []Counterexample
	// Sometimes says, for each Sometimes property in Model.Properties
	// order, whether the search met an example, and the shortest path to
	// the first one. A property with no example is violated only if the
	// search was complete and exact (not Bitstate); otherwise the search
	// cannot tell.
	Sometimes []Reach
	// Coverage holds the counts Explorer.Coverage asked for (nil without
	// it, or when the model has no Coverage table).
	Coverage *CoverageReport
	Elapsed  time.Duration
}

// Reach is what a search found for a Sometimes property.
type Reach struct {
	Property string
	Reached  bool
	// Example is what the first example shows (its check's words), and
	// Actions a shortest path to it: to the state, or through the step.
	Example string
	Actions []Action
}

// Proven reports whether the search proves the property's verdict: an
// example is always a proof; its absence only after a complete, exact
// search.
func (r Report) Proven(x Reach) bool { return x.Reached || (r.Complete && !r.Bitstate) }

// succ is one transition found while expanding a level: every one when
// the search builds the state graph (liveness), otherwise only those
// that may reach a new state (neither stored at an earlier level nor
// repeats, about one per new state: the others only count).
// It holds no pointer and is 32 bytes: the rare violations
// are kept apart (stepViolations), and the encoding of a successor not
// stored before is in its worker's arena for the level, at to.
type succ struct {
	fp     uint64
	inv    uint64 // the invariants the successor violates (bit per invariant)
	parent uint32
	// to is the id of the state, when known: the successor was stored at
	// an earlier level (found while expanding: the merge need not probe
	// the set again). For a dup, the index in the chunk of the first
	// record of the same state. Otherwise where its encoding starts in
	// the arena, until the merge replaces it with the state's id (or
	// notStored).
	to     uint32
	encLen uint16
	action Action
	cycle  uint8 // bit i: the step is one Model.cycles[i] looks for
	known  bool
	dup    bool // the worker reached the same state earlier in the level (levelSet)
}

// notStored is what the merge leaves in succ.to for a new successor it
// could not store (Explorer.MaxStates): its repeats are not stored either.
const notStored = math.MaxUint32

// stepViolations are the violations of one successor, merged before the
// successor record chunks[w][at] (its own, or the next one when the
// successor keeps no record).
type stepViolations[S, O any] struct {
	at     int
	vs     []props.Violation[S, O]
	place  string // where the step happens
	parent uint32
	action Action
}

// pending is a successor between the two passes of a batch's expansion
// (Explore): its encoding is scratch[from:to], or, when the model has a
// Fingerprint, nexts[i] is encoded only once found new.
type pending[S, O any] struct {
	parent   uint32
	action   Action
	cycle    uint8
	before   int // the state stepped from: batch[before]
	from, to int
	fp       uint64
	vs       []props.Violation[S, O]
	o        O
}

// expandBatch is how many states a worker expands before it probes the
// set for their successors (about three each): enough misses in flight
// to fill the core's line-fill buffers.
const expandBatch = 4

// mergeAhead is how many successors ahead the merge reads the slot of
// the set a successor will probe.
const mergeAhead = 8

// expanded is what a worker reports for each state it expands.
type expanded struct {
	nsucc int
	info  info
}

// Explore searches every state of m reachable from its initial state,
// breadth first, checks every safety property on every transition and
// every state, checks terminal states for deadlock and for liveness
// triggers that can no longer be met, and returns every distinct violation
// with a shortest counterexample. States are identified by
// their 64-bit fingerprints. The result is the same for every number of
// workers.
func (m *Model[S, O]) Explore(e Explorer) Report {
	m.mustBeValid()
	start := time.Now()
	workers := e.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var r Report
	found := map[string]int{} // violation key -> index in r.Violations
	// The parent and action of every state, by id: flat, so that they
	// grow without copies and outside the heap.
	var parent flat[uint32]
	var via flat[Action]
	defer func() { parent.release(); via.release() }()
	var seen visited
	if e.BitstateBits > 0 {
		seen = newBitstate(e.BitstateBits)
		r.Bitstate = true
	} else {
		seen = newFPTable(e.ExpectStates)
	}
	defer func() { seen.release() }() // the set in use at the end

	live, cycles := m.liveness()
	wantGraph := !e.NoLiveness && !r.Bitstate && len(live)+len(cycles) > 0
	// Weak fairness and per-thread triggers are facts about threads, which
	// a symmetry reduction renames from state to state: the quotient graph
	// can hide a fair cycle of the real one. Liveness is therefore checked
	// on the unreduced graph, and the report says so.
	symmetry := e.Symmetry && m.Canonical != nil
	if symmetry && wantGraph {
		symmetry = false
		r.SymmetryOff = "liveness is checked on the unreduced state graph"
	}
	r.Symmetry = symmetry
	por := m.partialOrder(e, wantGraph, &r)
	init := m.Init()
	if symmetry {
		m.Canonical(&init)
	}
	initEnc := m.encode(&init)
	initFP := m.fingerprinter(e.HashSeed)
	seen.insert(initFP.of(&init), 0)
	parent.push(0)
	via.push(Action{})
	r.States = 1
	inv := newInvariants(m.Properties)
	some := newSometimes(m.Properties, workers)
	// The properties checked on every transition: the reachability ones
	// are checked apart (some), and only until they are met.
	checked := slices.DeleteFunc(slices.Clone(m.Properties), func(p *props.Property[S, O]) bool { return p.Class == props.Sometimes })
	chk := props.Prepare(checked) // checked, prepared for the checks of every step and new state
	some.checkInit(&init)
	var cov *Coverage[S, O] // nil: nothing counted
	var covIx *coverageIndex
	var covTotal *coverageCounts
	var covs []*coverageCounts
	if e.Coverage && m.Coverage != nil {
		cov, covIx, covTotal = m.Coverage, newCoverageIndex(m.Coverage), newCoverageCounts(m.Coverage)
		for range workers {
			covs = append(covs, newCoverageCounts(m.Coverage))
		}
	}
	if vs := chk.State(&init, false, nil); len(vs) > 0 {
		inv.set(0, inv.maskOf(vs))
		for _, v := range vs {
			record(m, &r, found, v, "", nil, -1)
		}
	}
	path := func(id uint32) []Action {
		var acts []Action
		for id != 0 {
			acts = append(acts, via.s[id])
			id = parent.s[id]
		}
		for i, j := 0, len(acts)-1; i < j; i, j = i+1, j-1 {
			acts[i], acts[j] = acts[j], acts[i]
		}
		return acts
	}

	frontier := [][]byte{initEnc}
	ids := []uint32{0}
	var g *graph
	if wantGraph {
		g = &graph{trig: make([][]uint32, len(live)), goal: make([][]uint32, len(live))}
	}
	lastProgress := time.Now()
	levels := []int{1} // states first reached at each depth, for the progress estimate
	firstDepth := 0
	if x := e.Resume; x != nil {
		if err := x.Check(m.Describe(), e); err != nil {
			panic("sim: Explorer.Resume: " + err.Error())
		}
		st := &x.State
		firstDepth, r.States, r.Transitions, r.Depth = st.Depth, st.States, st.Transitions, st.LastDepth
		r.Violations = st.Violations
		clear(found)
		for i, c := range r.Violations {
			found[key(c.Property, c.Place)] = i
		}
		parent.release()
		via.release()
		parent.s, via.s = st.Parent, st.Via
		seen.release()
		if r.Bitstate {
			seen = &bitstate{words: st.Bits, mask: uint64(len(st.Bits))*64 - 1, set: st.BitsSet, missed: st.Missed}
		} else {
			seen = fpTableOf(st.FPKeys, st.FPIDs, st.FPN)
		}
		inv.any, inv.masks = st.InvAny, st.InvMasks
		if inv.masks == nil {
			inv.masks = map[uint32]uint64{}
		}
		frontier, ids, levels = st.Frontier, st.IDs, st.Levels
		if g != nil {
			if g = st.Graph.graph(); g == nil {
				panic("sim: Explorer.Resume: the snapshot has no state graph")
			}
		}
		some.restore(st.SomeFound, st.SomeEx)
		if covTotal != nil {
			covTotal.restore(st.Coverage)
		}
	}
	// snapshot saves the search at the start of level depth.
	snapshot := func(depth int) {
		cfg, err := json.Marshal(m.Config)
		if err != nil {
			panic(err) // configurations are plain data
		}
		st := searchState{Depth: depth, States: r.States, Transitions: r.Transitions, LastDepth: r.Depth,
			Violations: r.Violations, Parent: parent.s, Via: via.s, InvAny: inv.any, InvMasks: inv.masks,
			Frontier: frontier, IDs: ids, Graph: g.state(), Levels: levels, Coverage: covTotal.state()}
		switch v := seen.(type) {
		case *fpTable:
			st.FPKeys, st.FPIDs = v.columns()
			st.FPN = v.n
		case *bitstate:
			st.Bits, st.BitsSet, st.Missed = v.words, v.set, v.missed
		}
		st.SomeFound, st.SomeEx = some.state()
		e.Checkpoint(&Snapshot{Version: SnapshotVersion, Protocol: m.Protocol, Config: cfg, Options: optionsOf(e), State: st})
	}
	lastCheckpoint := time.Now()
	chunks := make([]flat[succ], workers)
	// Per worker: the level's successors, and those that may be new (not
	// stored at an earlier level nor repeats).
	succs, fresh := make([]uint64, workers), make([]uint64, workers)
	levelSets := make([]levelSet, workers)
	viols := make([][]stepViolations[S, O], workers)
	// Encodings of new successors go to one growing arena per worker and
	// level: the frontier of the next level points into it. Two sets, used
	// on alternate levels: a level's arenas are reused two levels later,
	// once the frontier that pointed into them has been expanded.
	arenas := [2][]flat[byte]{make([]flat[byte], workers), make([]flat[byte], workers)}
	defer func() {
		for w := range workers {
			chunks[w].release()
			arenas[0][w].release()
			arenas[1][w].release()
		}
	}()
	terms := make([][]terminalHit[S, O], workers)
	exps := make([][]expanded, workers)
	// A step's fair-cycle bits are read only by the state graph: without
	// one, no step is asked for them.
	edgeCycles := cycles
	if g == nil {
		edgeCycles = nil
	}
	for depth := firstDepth; ; depth++ {
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
		}
		if e.Stop != nil && r.Stopped == "" {
			r.Stopped = e.Stop()
		}
		if r.Stopped != "" {
			if e.Checkpoint != nil {
				snapshot(depth)
			}
			break
		}
		if e.Checkpoint != nil && time.Since(lastCheckpoint) >= e.CheckpointEvery {
			snapshot(depth)
			lastCheckpoint = time.Now()
		}
		// Expand the level in parallel, in contiguous chunks.
		// The per-goroutine buffers keep their capacity from level to
		// level: one growth, not one per level.
		arena := arenas[depth%2]
		for w := range chunks {
			clear(viols[w])
			chunks[w].s, viols[w], terms[w], exps[w], arena[w].s = chunks[w].s[:0], viols[w][:0], terms[w][:0], exps[w][:0], arena[w].s[:0]
			succs[w], fresh[w] = 0, 0
		}
		var wg sync.WaitGroup
		var cut atomic.Bool // Stop answered while the level was expanded
		n := len(frontier)
		for w := 0; w < workers; w++ {
			lo, hi := n*w/workers, n*(w+1)/workers
			wg.Add(1)
			go func(w, lo, hi int) {
				defer wg.Done()
				var buf []Action
				var ample *ampleSets[S, O]
				if por {
					ample = m.newAmpleSets(seen, symmetry, e.HashSeed)
				}
				// batch, nexts and o live for the whole chunk: the
				// checks they are handed to would move per-step copies
				// to the heap.
				var batch [expandBatch]S // the states of a batch
				var o O
				// The chunk is expanded a batch of states at a time, in
				// two passes: the first steps, checks and fingerprints
				// every successor of the batch (into pend, nexts and
				// scratch) and prefetches the slots of the sets they will
				// probe, so that the cache misses, which dominate the
				// cost of a probe, overlap; the second probes the sets
				// (now in cache) and checks the invariants of the new
				// successors.
				// succs[w] and fresh[w], counted here: no shared line
				// written per step.
				var nSuccs, nFresh uint64
				defer func() { succs[w], fresh[w] = nSuccs, nFresh }()
				level := &levelSets[w]
				level.reset()
				var pend []pending[S, O]
				var nexts []S
				var scratch []byte
				var ahead []uint64 // the fingerprints whose slots are read ahead
				for b := lo; b < hi; b += expandBatch {
					pend, nexts, scratch = pend[:0], nexts[:0], scratch[:0]
					lag := 0 // pend[lag:]'s table slots are not read ahead yet
					for i := b; i < min(b+expandBatch, hi); i++ {
						if e.Stop != nil && (i-lo)%256 == 255 && e.Stop() != "" {
							cut.Store(true)
							return
						}
						s := &batch[i-b]
						m.Decode(s, frontier[i])
						buf = m.Enabled(s, buf[:0])
						if ample != nil {
							buf = ample.reduce(s, buf)
						}
						if e.HashSeed != 0 {
							seededOrder(buf, e.HashSeed, ids[i])
						}
						if g != nil {
							exps[w] = append(exps[w], expanded{nsucc: len(buf), info: m.stateInfo(s, buf, live)})
						}
						if len(buf) == 0 {
							if hit, ok := m.checkTerminal(chk, s, live); ok {
								hit.id = ids[i]
								terms[w] = append(terms[w], hit)
							}
							continue
						}
						first := len(pend)
						for _, a := range buf {
							// The successor is built where the second
							// pass reads it: one copy of the state, not two.
							nexts = m.appendCopy(nexts, s)
							next := &nexts[len(nexts)-1]
							o = m.Step(next, a)
							vs := chk.Step(s, next, &o, nil)
							if cov != nil {
								countCoverage(cov, covIx, covs[w], s, next, &o)
							}
							if some.pending > 0 {
								some.check(w, ids[i], a, s, next, &o)
							}
							if symmetry {
								m.Canonical(next)
							}
							at := len(scratch)
							var fp uint64 // with Model.Fingerprint, taken after the loop
							if m.Fingerprint == nil {
								scratch = m.Encode(scratch, next)
								fp = SeededHash(scratch[at:], e.HashSeed)
							}
							pend = append(pend, pending[S, O]{parent: ids[i], action: a, before: i - b, fp: fp,
								from: at, to: len(scratch), vs: vs, o: o, cycle: cycleBits(edgeCycles, &o)})
						}
						if m.Fingerprint != nil {
							// Fingerprinted once the state's successors are
							// all stepped, not right after each step: the
							// hash's wide loads of a successor would wait
							// for the step's byte stores to it to drain.
							for j := first; j < len(pend); j++ {
								pend[j].fp = m.Fingerprint(&nexts[j], e.HashSeed)
							}
						}
						// The slots are read ahead one state behind:
						// the level set's of this state's successors,
						// and the table's of the previous state's (whose
						// level set slots came in meanwhile) that are not
						// repeats: a state the worker reached earlier in
						// the level cannot be in the set of stored
						// states. The next states' expansion then hides
						// the misses.
						ahead = ahead[:0]
						for j := first; j < len(pend); j++ {
							ahead = append(ahead, pend[j].fp)
						}
						level.prefetch(ahead)
						ahead = ahead[:0]
						for j := lag; j < first; j++ {
							if _, _, dup := level.find(pend[j].fp); !dup {
								ahead = append(ahead, pend[j].fp)
							}
						}
						seen.prefetch(ahead)
						lag = first
					}
					ahead = ahead[:0]
					for j := lag; j < len(pend); j++ {
						if _, _, dup := level.find(pend[j].fp); !dup {
							ahead = append(ahead, pend[j].fp)
						}
					}
					seen.prefetch(ahead)
					for j := range pend {
						p := &pend[j]
						vs := p.vs
						parentInv := inv.of(p.parent)
						// An invariant counts where a step breaks it: the
						// successor violates it and the parent does not.
						// Invariants depend on the state alone, so they are
						// checked once per new state (on the
						// representative: they are symmetric) and
						// remembered as a mask; a step into a state stored
						// earlier reads the mask, and checks again only
						// for the messages when it broke something.
						var mask uint64
						sc := succ{parent: p.parent, action: p.action, fp: p.fp, cycle: p.cycle}
						at := len(chunks[w].s)
						if uint64(at) >= maxLevelRecords {
							panic("explore: a level has more than 2^31 successors on one goroutine")
						}
						if first, breaks, dup := level.find(p.fp); dup {
							// The same state, so the same invariants as
							// its first record's.
							sc.dup, sc.to = true, first
							if breaks {
								if mask = chunks[w].s[first].inv; mask&^parentInv != 0 {
									vs = inv.keep(chk.State(&nexts[j], false, vs), len(vs), mask&^parentInv)
								}
							}
						} else if id, old := seen.lookup(p.fp); old {
							sc.known, sc.to = true, id
							if !r.Bitstate && inv.of(id)&^parentInv != 0 {
								mask = inv.of(id)
								vs = inv.keep(chk.State(&nexts[j], false, vs), len(vs), mask&^parentInv)
							}
						} else {
							n := len(vs)
							vs = chk.State(&nexts[j], false, vs)
							mask = inv.maskOf(vs[n:])
							vs = inv.keep(vs, n, mask&^parentInv)
							level.add(p.fp, uint32(at), mask != 0)
							nFresh++
							// A successor stored at an earlier level
							// keeps no encoding (the set is only read
							// while a level is expanded, so the lookup
							// is safe).
							a := &arena[w]
							if uint64(len(a.s)) > math.MaxUint32-math.MaxUint16 {
								panic("explore: a level's encodings pass 4 GiB on one goroutine")
							}
							start := len(a.s)
							if m.Fingerprint != nil {
								// Written in place: room for the longest.
								a.grow(m.MaxEncoded)
								a.s = m.Encode(a.s, &nexts[j])
							} else {
								a.grow(p.to - p.from)
								a.s = append(a.s, scratch[p.from:p.to]...)
							}
							if n := len(a.s) - start; n > math.MaxUint16 || m.Fingerprint != nil && n > m.MaxEncoded {
								panic("explore: an encoding longer than MaxEncoded or 64 KiB")
							}
							sc.to, sc.encLen = uint32(start), uint16(len(a.s)-start)
						}
						sc.inv = mask
						if len(vs) > 0 {
							sv := stepViolations[S, O]{at: at, vs: vs, parent: p.parent, action: p.action}
							if m.Place != nil {
								sv.place = m.Place(&batch[p.before], &p.o)
							}
							viols[w] = append(viols[w], sv)
						}
						nSuccs++
						// Without a state graph to build, the merge needs
						// the records of new successors only.
						if g != nil || !sc.known && !sc.dup {
							chunks[w].push(sc)
						}
					}
				}
			}(w, lo, hi)
		}
		wg.Wait()
		if cut.Load() {
			// Nothing the search keeps changed while the level was
			// expanded: it stands at the level's start.
			r.Stopped = e.Stop()
			if e.Checkpoint != nil {
				snapshot(depth)
			}
			break
		}
		r.Depth = depth
		for _, c := range covs {
			covTotal.add(c)
		}
		some.merge()
		// Merge in order: the same ids and the same first violations for
		// any number of workers.
		for _, ts := range terms {
			for _, h := range ts {
				for _, v := range h.vs {
					record(m, &r, found, v, "", path(h.id), -1)
				}
			}
		}
		// At most the successors not stored before are new: sized once,
		// not grown by copying as the level is merged.
		nFresh := 0
		for w := range chunks {
			nFresh += int(fresh[w])
			r.Transitions += succs[w]
		}
		nextFrontier := make([][]byte, 0, nFresh)
		nextIDs := make([]uint32, 0, nFresh)
		parent.grow(nFresh)
		via.grow(nFresh)
		stop := false
		var ahead []uint64 // the fingerprints whose slots are read ahead
		for w := range chunks {
			ch := chunks[w].s
			k := 0 // successors left of the state being merged
			ei := 0
			vs := viols[w]
			vi := 0 // the next of vs
			// recordViolations records the violations of the successors
			// before record j (and of j itself).
			recordViolations := func(j int) {
				for ; vi < len(vs) && vs[vi].at == j; vi++ {
					sv := &vs[vi]
					var p []Action
					for j, v := range sv.vs {
						if slices.ContainsFunc(sv.vs[:j], func(u props.Violation[S, O]) bool { return u.Property == v.Property }) {
							continue // its state and step checks both failed: one violation
						}
						if i, ok := found[key(v.Property.ID, sv.place)]; ok {
							r.Violations[i].Hits++
							continue
						}
						if p == nil {
							p = append(path(sv.parent), sv.action)
						}
						record(m, &r, found, v, sv.place, p, -1)
					}
				}
			}
			for j, sc := range ch {
				// Read ahead the slots the next successors will probe,
				// mergeAhead at a time, so that their misses overlap
				// with each other and with this one's work.
				if j%mergeAhead == 0 {
					ahead = ahead[:0]
					for _, x := range ch[min(j+mergeAhead, len(ch)):min(j+2*mergeAhead, len(ch))] {
						if !x.known && !x.dup {
							ahead = append(ahead, x.fp)
						}
					}
					seen.prefetch(ahead)
				}
				if g != nil {
					for k == 0 {
						ex := exps[w][ei]
						ei++
						g.addState(ex.info)
						k = ex.nsucc
					}
					k--
				}
				recordViolations(j)
				if sc.known {
					if g != nil {
						g.addEdge(sc.to, sc.action, sc.cycle)
					}
					continue
				}
				if sc.dup {
					// Its first record was merged already: as a probe
					// would, find the state stored then or not at all.
					if to := ch[sc.to].to; to != notStored {
						if g != nil {
							g.addEdge(to, sc.action, sc.cycle)
						}
					} else {
						stop = true
					}
					continue
				}
				// A state first reached at this level may have been
				// reached by an earlier successor of the level: one
				// probe both finds it and stores a new one.
				id := uint32(len(parent.s))
				full := e.MaxStates > 0 && int(r.States) >= e.MaxStates
				var to uint32
				var ok bool
				if full {
					to, ok = seen.lookup(sc.fp)
				} else {
					to, ok = seen.lookupOrInsert(sc.fp, id)
				}
				if ok {
					ch[j].to = to
					if g != nil {
						g.addEdge(to, sc.action, sc.cycle)
					}
					continue
				}
				if full {
					ch[j].to = notStored
					stop = true
					g = nil // the graph is incomplete: no lassos
					continue
				}
				ch[j].to = id
				if g != nil {
					g.addEdge(id, sc.action, sc.cycle)
				}
				inv.set(id, sc.inv)
				parent.s, via.s = append(parent.s, sc.parent), append(via.s, sc.action)
				r.States++
				nextFrontier = append(nextFrontier, arena[w].s[sc.to:sc.to+uint32(sc.encLen):sc.to+uint32(sc.encLen)])
				nextIDs = append(nextIDs, id)
			}
			recordViolations(len(ch))
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
		levels = append(levels, len(frontier))
		if e.Progress != nil {
			if time.Since(lastProgress) >= e.ProgressEvery || len(frontier) == 0 {
				lastProgress = time.Now()
				p := Progress{States: r.States, Transitions: r.Transitions, Depth: depth + 1, Queue: len(frontier), Elapsed: time.Since(start)}
				p.Remaining, p.Estimated = estimateRemaining(levels)
				e.Progress(p)
			}
		}
		if stop {
			r.Stopped = "max-states"
			break
		}
	}
	if b, ok := seen.(*bitstate); ok {
		r.Missed = b.missed
	}
	r.Sometimes = some.results(path)
	if cov != nil {
		r.Coverage = covTotal.report(cov.Steps, cov.Edges, symmetry)
	}
	r.Liveness = "terminal states only"
	if g != nil && r.Complete {
		g.off = append(g.off, uint32(len(g.to)))
		g.stop = e.Stop
		before := slices.Clone(r.Violations) // what a checkpoint of this point holds
		for _, c := range m.checkLiveness(g, live, cycles, path) {
			v := props.Violation[S, O]{Property: m.property(c.Property), Message: c.Message}
			record(m, &r, found, v, "", c.Actions, c.Loop)
		}
		r.Liveness = "lassos"
		if g.stopped != "" {
			// Every state was expanded, but the lasso search did not
			// end: the lassos it found are real, and the search proves
			// nothing more.
			r.Complete, r.Stopped = false, g.stopped
			r.Liveness = "lassos searched in part (stopped)"
			if e.Checkpoint != nil {
				// The saved search has an empty frontier: a resumed
				// one goes straight to the lasso search.
				// It holds the violations found before the lasso
				// search, which the resumed one finds again.
				frontier, ids = nil, nil
				all := r.Violations
				r.Violations = before
				snapshot(r.Depth + 1)
				r.Violations = all
			}
		}
	}
	for i, x := range r.Sometimes {
		if symmetry && x.Reached {
			r.Sometimes[i].Actions = m.realPath(Counterexample{Actions: x.Actions, Loop: -1}).Actions
		}
	}
	for i := range r.Violations {
		if symmetry {
			r.Violations[i] = m.realPath(r.Violations[i])
			// The message named the representative's threads.
			if msg, err := m.Confirm(r.Violations[i]); err == nil {
				r.Violations[i].Message = msg
			}
		}
	}
	r.Elapsed = time.Since(start)
	return r
}

// key identifies a distinct violation: a property and where it happens.
func key(property, place string) string { return property + "\x00" + place }

// record keeps the first (shortest) counterexample of each distinct
// violation, in the order of m.Properties and, within a property, in the
// order found (shortest first).
func record[S, O any](m *Model[S, O], r *Report, found map[string]int, v props.Violation[S, O], place string, path []Action, loop int) {
	k := key(v.Property.ID, place)
	if i, ok := found[k]; ok {
		r.Violations[i].Hits++
		return
	}
	c := Counterexample{Property: v.Property.ID, Place: place, Hits: 1, Message: v.Message, Actions: append([]Action(nil), path...), Loop: loop}
	order := func(id string) int {
		for i, p := range m.Properties {
			if p.ID == id {
				return i
			}
		}
		return len(m.Properties)
	}
	i := len(r.Violations)
	r.Violations = append(r.Violations, c)
	for i > 0 && order(r.Violations[i-1].Property) > order(c.Property) {
		r.Violations[i] = r.Violations[i-1]
		i--
	}
	r.Violations[i] = c
	for j := i; j < len(r.Violations); j++ {
		found[key(r.Violations[j].Property, r.Violations[j].Place)] = j
	}
}

// invariants remembers which invariants each stored state violates: a
// bit per state id says whether it violates any, and a map holds the
// masks of those few. It is written only while a level is merged, and
// read while the next is expanded.
type invariants[S, O any] struct {
	bit   map[*props.Property[S, O]]uint64
	any   []uint64 // bit per state id
	masks map[uint32]uint64
}

func newInvariants[S, O any](ps []*props.Property[S, O]) *invariants[S, O] {
	v := &invariants[S, O]{bit: map[*props.Property[S, O]]uint64{}, masks: map[uint32]uint64{}}
	for _, p := range ps {
		if p.Class == props.Invariant {
			v.bit[p] = 1 << uint(len(v.bit)) // Validate allows at most 64
		}
	}
	return v
}

func (v *invariants[S, O]) of(id uint32) uint64 {
	if w := int(id / 64); w < len(v.any) && v.any[w]&(1<<(id%64)) != 0 {
		return v.masks[id]
	}
	return 0
}

func (v *invariants[S, O]) set(id uint32, mask uint64) {
	if mask == 0 {
		return
	}
	for int(id/64) >= len(v.any) {
		v.any = append(v.any, 0)
	}
	v.any[id/64] |= 1 << (id % 64)
	v.masks[id] = mask
}

func (v *invariants[S, O]) maskOf(vs []props.Violation[S, O]) uint64 {
	var m uint64
	for _, x := range vs {
		m |= v.bit[x.Property]
	}
	return m
}

// keep keeps, of vs[from:], the invariants in mask.
func (v *invariants[S, O]) keep(vs []props.Violation[S, O], from int, mask uint64) []props.Violation[S, O] {
	out := vs[:from]
	for _, x := range vs[from:] {
		if v.bit[x.Property]&mask != 0 {
			out = append(out, x)
		}
	}
	return out
}

type terminalHit[S, O any] struct {
	id uint32
	vs []props.Violation[S, O]
}

// liveness splits the liveness properties: leads-to ones (with a trigger)
// and fair-cycle ones.
func (m *Model[S, O]) liveness() (leads, cycles []*props.Property[S, O]) {
	for _, p := range m.Properties {
		if p.Live != nil && p.Live.Trigger != nil {
			leads = append(leads, p)
		}
		if p.Live != nil && p.Live.Cycle != nil {
			cycles = append(cycles, p)
		}
	}
	return leads, cycles
}

// cycleBits says which of the fair-cycle properties look for the step o
// reports (bit i for cycles[i]; at most 8 such properties).
func cycleBits[S, O any](cycles []*props.Property[S, O], o *O) uint8 {
	var b uint8
	for i, p := range cycles {
		if p.Live.Cycle(o) != "" {
			b |= 1 << uint(i)
		}
	}
	return b
}

// checkTerminal checks a terminal state: deadlock, and leads-to properties
// whose trigger still holds with no goal, which nothing can now change.
func (m *Model[S, O]) checkTerminal(chk *props.Checks[S, O], s *S, live []*props.Property[S, O]) (terminalHit[S, O], bool) {
	vs := chk.State(s, true, nil)
	// Invariants were checked when the state was reached; keep only the
	// terminal ones here.
	var out []props.Violation[S, O]
	for _, v := range vs {
		if v.Property.Class == props.Deadlock {
			out = append(out, v)
		}
	}
	if !m.halted(s) {
		for _, p := range live {
			for t := 0; t < m.Threads(); t++ {
				if p.Live.Trigger(s, t) && !p.Live.Goal(s, t) {
					out = append(out, props.Violation[S, O]{Property: p, Message: m.ThreadNames[t] + " waits forever: the run ends before the goal"})
					break
				}
			}
		}
	}
	return terminalHit[S, O]{vs: out}, len(out) > 0
}

// realPath translates a counterexample found among representatives
// (thread numbers of canonical states) into one of the model itself: it
// replays the representatives alongside the real states, keeping the
// permutation between them. Lassos never come from a reduced search
// (liveness is checked on the unreduced graph), so c is a finite path.
func (m *Model[S, O]) realPath(c Counterexample) Counterexample {
	if c.Loop >= 0 {
		panic("sim: a lasso from a search reduced by symmetry")
	}
	canon := m.Init()
	p0 := m.Canonical(&canon)
	pi := p0.Inverse() // representative's thread -> real thread
	out := c
	out.Actions = nil
	for _, a := range c.Actions {
		real := Action{Kind: a.Kind, Thread: pi[a.Thread]}
		out.Actions = append(out.Actions, real)
		m.Step(&canon, a)
		sigma := m.Canonical(&canon)
		inv := sigma.Inverse()
		var npi Perm
		for i := range npi {
			npi[i] = pi[inv[i]]
		}
		pi = npi
	}
	return out
}
