package lincheck

import (
	"cmp"
	"math"
	"slices"

	"unsafe"

	"github.com/anishathalye/porcupine"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// This file keeps the v0.1 search from trying every order of a pool of
// workers that register at once.
//
// n register_worker requests that overlap in time may be linearized in
// any of n! orders, and each order queues the workers differently (so do
// n workers whose blocking syscalls return at once, unblock events): as
// plain specification states, each order is a state of its own, and a
// failing trace is searched order after order. Yet until a server takes a
// worker from the queue, nothing tells the orders apart. So the search
// keeps a group's queue in blocks: a block is a run of workers that may
// stand in the queue in any order, and one state stands for every order
// of each block (it keeps each block sorted by task). A poll takes any
// worker of the head block, and only then is the order observed.
//
// A block is exact (every order it stands for is one some linearization
// reaches, and no other) under these rules:
//   - A worker joins the last block of its group's queue only when its
//     register_worker request (or unblock event: joinGroup) is placed
//     right after the op that queued the block's previous worker (no op
//     in between), when it overlaps in time every op of the block, and
//     when it only appended its worker to the queue (no other task's
//     state changed: no polling server was handed the worker). Such ops may
//     then be linearized in any order, at the same places, and each
//     leaves the same state but for the queue's order (neither reads
//     another worker's state; the group's count of tasks only adds up).
//   - The kernel reads the queue only at its head (poll_worker takes the
//     head, an unblocked worker wakes the head server, and whether the
//     queue holds servers is the head's kind, the same for every worker)
//     and otherwise removes a given task or appends at the tail, which
//     keep the others' order (kernel.go). So an op is applied once per
//     worker of the head block put first, and the results are the union.
//   - Once no unplaced op may join the last block (none that may queue a
//     worker was called before the block's first return), the state
//     forgets that the block may grow (settle), so that it merges with
//     the same state reached with another op last.
//   - The ghost queue (Group.Ghost: the order in which workers became
//     UNBLOCKED) is read by the explorer's properties only, by no call of
//     the specification: it is kept sorted.
//
// Even as sets, n requests placed one by one pass through 2^n sets of
// placed requests. alone lets the search place such ops in one order
// only: when the op that returns first is such an op and every op that
// may be linearized before it (called before it returned) is one too,
// into the same queue, every order of them ends in the same state,
// so placing it first loses no linearization (a persistent set of one
// op). TestQueueBlocksKeepVerdicts and TestUnblockBlocksKeepVerdicts
// compare the verdicts with and without both rules.
//
// Blocks cost every state that carries them, so they form only where
// they pay: among ops that may queue a worker, at least blockWidth
// pending at one time. A partition where none may form is searched on
// plain specification states (plainSearch).

// indexSet is a set of queue positions or of tasks (model.MaxThreads of
// either).
type indexSet [(model.MaxThreads + 63) / 64]uint64

func (b *indexSet) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b *indexSet) add(i int)      { b[i/64] |= 1 << (i % 64) }
func (b *indexSet) empty() bool    { return *b == indexSet{} }

// qstate is the state the v0.1 search carries: a specification state
// whose queues are cut into blocks.
type qstate struct {
	// enc is the specification state's encoding
	// (model.State.AppendEncoding): the search keeps states sized to the
	// partition's tasks, not model.State's MaxThreads slots; the
	// queuer's functions decode it into a scratch model.State.
	enc string
	// join has bit i of a group set when Waiters[i] and Waiters[i+1] are
	// in one block.
	join [model.MaxGroups]indexSet
	// open is group+1 when the last op placed appended a worker to that
	// group's last block (which may still grow), 0 otherwise; openRet is
	// the earliest return of the block's requests.
	open    int8
	openRet int64
}

// queuer is the v0.1 search's specification on qstates, for one
// partition's history.
type queuer struct {
	spec *model.Spec
	hist []porcupine.Operation
	// concrete turns blocks off: every state has one order (coverage
	// replays a linearization on plain states; tests compare).
	concrete bool
	// mayOpen says which history ops may queue a worker (joinKind) and
	// are in a component of such ops that overlap in time at least
	// blockWidth wide (newQueuer): only those may open a block that
	// another joins. The others leave open at 0, so that states that
	// differ only in it do not multiply.
	mayOpen []bool
	// named lists, for each task, the returns of the ops of other tasks
	// that name it (run_worker's worker, a poll's result...), in time
	// order: a poll tries first the head worker named soonest after it,
	// so that the depth-first search follows the trace.
	named [][]int64
	// takes is, for a request, the task its followup returns (a poll
	// request that took a worker from the queue), -1 if none: tried
	// first of all.
	takes []int8
	// Scratch specification states, reused from call to call (a queuer
	// serves one search, on one goroutine): next and alt are states
	// after an op; encs decodes the state a call was given.
	next, alt, altNext model.State
	encs               encodings
}

// encodings keeps a search's states as their encodings
// (model.State.AppendEncoding), sized to the partition's tasks rather than
// model.State's MaxThreads slots, for one search on one goroutine.
// seal writes an encoding to scratch, which reset lets the next step
// reuse; keep copies the encoding of a state the search stores
// (searchSpec.keep) to slab, which is appended to, never changed, and
// replaced by a fresh one when full, so that a state costs no allocation
// of its own and a slab is freed once no state it holds is kept.
type encodings struct {
	// cur is the state whose encoding is curEnc, decoded (no caller
	// changes it): a search steps one state by op after op and decodes
	// it once. Holding curEnc keeps its slab, so that no other encoding
	// can share its address.
	cur           model.State
	curEnc        string
	scratch, slab []byte
}

// encBytes is the read-only view of an encoding as bytes, not copied.
func encBytes(enc string) []byte { return unsafe.Slice(unsafe.StringData(enc), len(enc)) }

// encHash is the hash of the specification state whose encoding
// (model.State.AppendEncoding) is enc: the state's Fingerprint, taken
// without copying enc. Two states are equal exactly when their encodings
// are (==): the encoding is canonical. Every search of lincheck keys its
// states so.
func encHash(enc string) uint64 { return sim.Hash(encBytes(enc)) }

// decode returns the state whose encoding is enc, in cur (its slots past
// the state's tasks and groups keep what they held: nothing reads them).
func (e *encodings) decode(enc string) *model.State {
	if unsafe.StringData(enc) == unsafe.StringData(e.curEnc) && len(enc) == len(e.curEnc) {
		return &e.cur
	}
	if !e.cur.Decode(encBytes(enc)) {
		panic("lincheck: a search state does not decode")
	}
	e.curEnc = enc
	return &e.cur
}

// reset lets seal reuse scratch: the states of the last step are dead or
// kept.
func (e *encodings) reset() { e.scratch = e.scratch[:0] }

// seal returns s's encoding, in scratch (valid until the next reset).
func (e *encodings) seal(s *model.State) string {
	at := len(e.scratch)
	e.scratch = s.AppendEncoding(e.scratch)
	return unsafe.String(&e.scratch[at], len(e.scratch)-at)
}

// slabSize is the size of a slab of encodings.
const slabSize = 64 << 10

// keep moves *enc to the slab.
func (e *encodings) keep(enc *string) {
	if cap(e.slab)-len(e.slab) < len(*enc) {
		e.slab = make([]byte, 0, max(slabSize, len(*enc)))
	}
	at := len(e.slab)
	e.slab = append(e.slab, *enc...) // within capacity: in place
	*enc = unsafe.String(&e.slab[at], len(*enc))
}

// keep moves q's encoding to the slab (searchSpec.keep).
func (qu *queuer) keep(q *qstate) { qu.encs.keep(&q.enc) }

// newQueuer makes the queuer of a partition's history (its ops in file
// order, each thread's in program order); concrete turns the blocks off.
func newQueuer(spec *model.Spec, hist []porcupine.Operation, concrete bool) *queuer {
	qu := &queuer{spec: spec, hist: hist, concrete: concrete, mayOpen: make([]bool, len(hist))}
	var js []int
	for i := range hist {
		if joinKind(qu.op(i)) {
			js = append(js, i)
		}
	}
	qu.named = make([][]int64, model.MaxThreads)
	qu.takes = make([]int8, len(hist))
	var request [model.MaxThreads]int // a thread's pending request, +1
	for i := range hist {
		op := qu.op(i)
		qu.takes[i] = model.None
		switch op.Phase {
		case model.Request:
			request[op.Thread] = i + 1
		case model.Followup:
			if r := request[op.Thread]; r > 0 && !op.Unknown && op.Call.Result() == model.ResultThread && op.Ret > 0 && int(op.Ret) <= model.MaxThreads {
				qu.takes[r-1] = int8(op.Ret - 1)
			}
			request[op.Thread] = 0
		}
		if op.Event != model.NoEvent {
			continue
		}
		if op.Call.Arg() == model.ArgThread && op.Arg >= 0 && op.Arg != op.Thread {
			qu.named[op.Arg] = append(qu.named[op.Arg], hist[i].Return)
		}
		if op.Call.Result() == model.ResultThread && op.Phase != model.Request && !op.Unknown && op.Ret > 0 && int(op.Ret) <= model.MaxThreads && int8(op.Ret-1) != op.Thread {
			qu.named[op.Ret-1] = append(qu.named[op.Ret-1], hist[i].Return)
		}
	}
	for _, l := range qu.named {
		slices.Sort(l)
	}
	slices.SortStableFunc(js, func(a, b int) int { return cmp.Compare(hist[a].Call, hist[b].Call) })
	// The join ops in components of their overlap graph: in call order,
	// an op is in the component of the ops before it when one of them
	// returns at or after its call. A component's width is the most of
	// its ops pending at one time; only a component at least blockWidth
	// wide may form blocks. Every op of a component gets the same answer,
	// so an op that could join a block (it overlaps the block's ops) may
	// do so exactly when the block's ops may, as the rules above need.
	// An op that returns before a call returns before every later call,
	// so the ops pending at each call are those pending at the one before
	// that have not returned, and the new one: a component costs its
	// length times its width, not its length squared (an op pending for
	// the whole trace makes it one component).
	var pending []int64 // the returns of the component's ops pending at the latest call
	for a := 0; a < len(js); {
		b, maxRet, width := a+1, hist[js[a]].Return, 1
		pending = append(pending[:0], maxRet)
		for ; b < len(js) && hist[js[b]].Call <= maxRet; b++ {
			call := hist[js[b]].Call
			pending = slices.DeleteFunc(pending, func(r int64) bool { return r < call })
			pending = append(pending, hist[js[b]].Return)
			width = max(width, len(pending))
			maxRet = max(maxRet, hist[js[b]].Return)
		}
		for _, i := range js[a:b] {
			qu.mayOpen[i] = width >= max(2, blockWidth)
		}
		a = b
	}
	return qu
}

// blocks reports whether a block may form in the partition's search (an
// op may open one); when none may, the search runs on plain states
// (plainSearch), which is the same search without the blocks' cost.
func (qu *queuer) blocks() bool { return !qu.concrete && slices.Contains(qu.mayOpen, true) }

// plainSearch is the search's specification on plain states, for a
// partition in which no block forms: queuer's with every block a single
// worker, and the ghost queue kept sorted as normalize keeps it. A state
// is its encoding (encodings), and init the encoding of the state before
// the partition's ops.
func plainSearch(spec *model.Spec, hist []porcupine.Operation) (sp searchSpec[string], init string) {
	e := &encodings{}
	var next model.State
	s := spec.Init()
	init = e.seal(&s)
	e.keep(&init)
	return searchSpec[string]{
		step: func(enc string, h int, out []string) []string {
			cur := e.decode(enc)
			e.reset()
			model.CopyState(&next, cur)
			if !spec.Apply(&next, hist[h].Input.(specInput).op) {
				return out
			}
			for g := 0; g < int(next.G); g++ {
				if gr := &next.Grp[g]; gr.NGhost > 1 {
					slices.Sort(gr.Ghost[:gr.NGhost])
				}
			}
			return append(out, e.seal(&next))
		},
		hash:  encHash,
		equal: func(a, b string) bool { return a == b },
		keep:  e.keep,
	}, init
}

// blockWidth is how many ops that may queue a worker must be pending at
// one time for the search to keep the workers they queue as blocks. A
// block saves the orders of its workers that no op observed, n! states
// for n workers, and costs every state that carries it (docs/performance.md
// measures 15-50% on traces whose workers only ever unblock two at a
// time). Two workers have two orders, which the plain search tries
// faster than it keeps a block; from three on, the blocks pay. Tests
// lower it to 2, the blocks' every use.
var blockWidth = 3

// joinKind reports whether op is of a kind that may queue a worker as a
// block's member (joinGroup says whether it does in a state).
func joinKind(op model.SpecOp) bool {
	return !op.Unknown && (op.Event == model.EventUnblock ||
		op.Event == model.NoEvent && op.Call == model.CallRegisterWorker && op.Phase == model.Request)
}

func (qu *queuer) op(hist int) model.SpecOp { return qu.hist[hist].Input.(specInput).op }

func (qu *queuer) init() qstate {
	var q qstate
	s := qu.spec.Init()
	q.enc = qu.encs.seal(&s)
	qu.keep(&q)
	return q
}

func (qu *queuer) hash(q qstate) uint64 {
	h := encHash(q.enc)
	for _, b := range q.join {
		for _, j := range b {
			h = (h ^ j) * 0x9e3779b97f4a7c15
		}
	}
	return h ^ uint64(q.open)<<56 ^ uint64(q.openRet)*0xff51afd7ed558ccd
}

func (qu *queuer) equal(a, b qstate) bool {
	return a.join == b.join && a.open == b.open && a.openRet == b.openRet && a.enc == b.enc
}

// encode appends q's encoding (for the cuts shrink compares).
func (qu *queuer) encode(b []byte, q qstate) []byte {
	b = append(b, q.enc...)
	for _, js := range q.join {
		for _, j := range js {
			for k := 0; k < 64; k += 8 {
				b = append(b, byte(j>>k))
			}
		}
	}
	for k := 0; k < 64; k += 8 {
		b = append(b, byte(q.openRet>>k))
	}
	return append(b, byte(q.open))
}

// joinGroup returns the group whose queue op may append its worker to as
// a block's member, when s is the state before it: a register_worker
// request's group, or an unblocked worker's own (a pool of workers whose
// blocking syscalls return at once); false for any other op, and for an
// op of unknown outcome.
func joinGroup(s *model.State, op model.SpecOp) (int8, bool) {
	switch {
	case !joinKind(op):
	case op.Event == model.EventUnblock:
		g := s.T[op.Thread].Group
		return g, g >= 0
	default:
		return op.Arg, op.Arg >= 0 && op.Arg < int8(s.G)
	}
	return 0, false
}

// step appends the states after history op hist from q.
func (qu *queuer) step(q qstate, hist int, out []qstate) []qstate {
	op := qu.op(hist)
	cur := qu.encs.decode(q.enc)
	qu.encs.reset()
	// As it is (the first of the head block first).
	after := &qu.next
	model.CopyState(after, cur)
	ok := qu.spec.Apply(after, op)
	// The head block of the op's thread's group: the workers it may take
	// (a poll takes from its server's group only).
	g := cur.T[op.Thread].Group
	if g < 0 || !q.join[g].has(0) || (ok && slices.Contains(after.Grp[g].Waiters[:after.Grp[g].NWait], cur.Grp[g].Waiters[0])) {
		// No head block, or the op did not take its head: no other
		// order of the block changes what it does.
		if ok {
			out = append(out, qu.normalize(&q, cur, after, op, hist))
		}
		return out
	}
	gr := &cur.Grp[g]
	k := 1
	for k < int(gr.NWait) && q.join[g].has(k-1) {
		k++
	}
	// Each worker of the block first: the one the op's followup returns,
	// then the one the trace names soonest after the op, first.
	var order [model.MaxThreads]int
	var when [model.MaxThreads]int64
	for i := range k {
		order[i] = i
		l := qu.named[gr.Waiters[i]]
		j, _ := slices.BinarySearch(l, qu.hist[hist].Call)
		switch {
		case gr.Waiters[i] == qu.takes[hist]:
			when[i] = math.MinInt64
		case j < len(l):
			when[i] = l[j]
		default:
			when[i] = math.MaxInt64
		}
	}
	slices.SortStableFunc(order[:k], func(a, b int) int { return cmp.Compare(when[a], when[b]) })
	for _, i := range order[:k] {
		if i == 0 {
			if ok {
				out = append(out, qu.normalize(&q, cur, after, op, hist))
			}
			continue
		}
		before, next := &qu.alt, &qu.altNext
		model.CopyState(before, cur)
		w := &before.Grp[g].Waiters
		w[0], w[i] = w[i], w[0] // the block is a set: any order of the rest
		model.CopyState(next, before)
		if qu.spec.Apply(next, op) {
			out = append(out, qu.normalize(&q, before, next, op, hist))
		}
	}
	return out
}

// normalize returns n, the qstate of after, the state op (history op
// hist) left from before, as a representative of q: its blocks are q's
// but for the workers that left, and the op's worker joins the last
// block if the rules allow; each block is sorted (in after).
func (qu *queuer) normalize(q *qstate, before, after *model.State, op model.SpecOp, hist int) qstate {
	var n qstate
	appended := int8(-1)
	for g := 0; g < int(after.G); g++ {
		b, a := &before.Grp[g], &after.Grp[g]
		if a.NWait == b.NWait+1 && a.Waiters[b.NWait] == op.Thread && slices.Equal(a.Waiters[:b.NWait], b.Waiters[:b.NWait]) {
			appended = int8(g)
		}
		if q.join[g].empty() {
			continue
		}
		var blk [model.MaxThreads]uint8 // by task: its block in before's queue, from 1; 0 none
		id := uint8(1)
		for i := 0; i < int(b.NWait); i++ {
			blk[b.Waiters[i]] = id
			if !q.join[g].has(i) {
				id++
			}
		}
		for i := 0; i+1 < int(a.NWait); i++ {
			if x, y := a.Waiters[i], a.Waiters[i+1]; blk[x] != 0 && blk[x] == blk[y] {
				n.join[g].add(i)
			}
		}
	}
	if g, ok := joinGroup(before, op); !qu.concrete && qu.mayOpen[hist] && ok && appended == g && onlyAppended(before, after, op.Thread, g) {
		ret := qu.hist[hist].Return
		n.open, n.openRet = g+1, ret
		if nw := before.Grp[g].NWait; q.open == g+1 && qu.hist[hist].Call <= q.openRet && nw > 0 {
			n.join[g].add(int(nw) - 1)
			n.openRet = min(q.openRet, ret)
		}
	}
	for g := 0; g < int(after.G); g++ {
		gr := &after.Grp[g]
		for i := 0; !n.join[g].empty() && i < int(gr.NWait); {
			j := i + 1
			for j < int(gr.NWait) && n.join[g].has(j-1) {
				j++
			}
			slices.Sort(gr.Waiters[i:j])
			i = j
		}
		if gr.NGhost > 1 {
			slices.Sort(gr.Ghost[:gr.NGhost])
		}
	}
	n.enc = qu.encs.seal(after)
	return n
}

// onlyAppended reports whether the step from before to after changed no
// task but t and no group but g's queue (t appended), count and ghost.
func onlyAppended(before, after *model.State, t, g int8) bool {
	for i := 0; i < int(after.N); i++ {
		if int8(i) != t && before.T[i] != after.T[i] {
			return false
		}
	}
	for i := 0; i < int(after.G); i++ {
		b, a := &before.Grp[i], &after.Grp[i]
		if int8(i) == g {
			// Its queue, count and ghost may change: the rest may not.
			if b.Lib != a.Lib || b.Exists != a.Exists || b.Unlisted != a.Unlisted {
				return false
			}
		} else if !a.Equal(b) {
			return false
		}
	}
	return before.N == after.N && before.G == after.G && before.FaultsUsed == after.FaultsUsed && before.SleepsUsed == after.SleepsUsed
}

// alone reports whether history op a may be placed before every op of
// others (the unplaced ops that may be linearized before it) without
// losing a linearization: a returns first, and it and the others are
// register_worker requests or unblocks of distinct workers into one
// group (joinGroup), each of which only appends its worker to a queue
// that holds no server, and each may join the block the first of them
// opens or the open one.
func (qu *queuer) alone(q qstate, a int, others []int) bool {
	if !qu.aloneKind(a) || len(others) == 0 {
		return false
	}
	cur := qu.encs.decode(q.enc)
	g, ok := joinGroup(cur, qu.op(a))
	if !ok {
		return false
	}
	gr := &cur.Grp[g]
	if gr.NWait > 0 && cur.T[gr.Waiters[0]].Kind == model.KindServer {
		return false
	}
	var threads indexSet
	all := append(others[:len(others):len(others)], a)
	for _, x := range all {
		o := qu.op(x)
		if gx, ok := joinGroup(cur, o); !ok || gx != g || threads.has(int(o.Thread)) {
			return false
		}
		threads.add(int(o.Thread))
		if q.open == g+1 && qu.hist[x].Call > q.openRet {
			return false
		}
	}
	after := &qu.next
	for _, x := range all {
		model.CopyState(after, cur)
		if !qu.spec.Apply(after, qu.op(x)) {
			return false
		}
		n := after.Grp[g].NWait
		if n != gr.NWait+1 || after.Grp[g].Waiters[gr.NWait] != qu.op(x).Thread || !onlyAppended(cur, after, qu.op(x).Thread, g) {
			return false
		}
	}
	return true
}

// aloneKind is what alone asks of op a whatever the state: that it may
// open or join a block.
func (qu *queuer) aloneKind(a int) bool { return !qu.concrete && qu.mayOpen[a] }

// settle closes q's open block when no unplaced op that may join it is
// left (one that may queue a worker, called before the block's first
// return): no op can join it then, and q is the state without it.
func (qu *queuer) settle(q *qstate, u unplacedOps) {
	if q.open != 0 && !u.any(q.openRet, qu.joinKindAt) {
		q.open, q.openRet = 0, 0
	}
}

func (qu *queuer) joinKindAt(hist int) bool { return joinKind(qu.op(hist)) }
