package umcg01

import (
	"fmt"

	"github.com/umcgcheck/umcgcheck/props"
)

// domain is the set of base states each kind may hold (v0.1 uapi).
func inDomain(k Kind, st TaskState) bool {
	b := st.Base()
	if st&^(0xff|FlagWakeupQueued) != 0 {
		return false
	}
	if st&FlagWakeupQueued != 0 && (k == KindServer || b != StateRunning) {
		return false
	}
	switch k {
	case KindServer:
		return b == StatePolling || b == StateServing || b == StateProcessing
	case KindWorker:
		return b >= StateRunnable && b <= StateUnblocked
	case KindCore:
		return b == StateRunnable || b == StateRunning
	}
	return true
}

func stateDomain(mo *Model, s *State) string {
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if th.Kind != KindNone && !th.Freed && th.Status == Alive && !inDomain(th.Kind, th.Word) {
			return fmt.Sprintf("%s (%s) is %s", mo.ThreadName(i), th.Kind, th.Word)
		}
	}
	return ""
}

type edge struct{ from, to TaskState }

const wq = FlagWakeupQueued

var legal = map[Kind]map[edge]bool{
	KindCore: set(
		edge{StateNone, StateRunning}, edge{StateRunning, StateRunnable},
		edge{StateRunnable, StateRunning}, edge{StateRunning, StateRunning | wq},
		edge{StateRunning | wq, StateRunning}, edge{StateRunning, StateNone},
		edge{StateRunning | wq, StateNone}),
	KindWorker: set(
		edge{StateNone, StateUnblocked}, edge{StateNone, StateRunnable},
		edge{StateUnblocked, StateRunnable}, edge{StateRunnable, StateRunning},
		edge{StateRunning, StateBlocked}, edge{StateBlocked, StateUnblocked},
		edge{StateBlocked, StateRunnable}, edge{StateRunning, StateRunnable},
		edge{StateRunning, StateNone}, edge{StateRunning, StateRunning | wq},
		edge{StateRunning, StateUnblocked}, // woken RUNNING but unlinked (research table)
		edge{StateRunning | wq, StateRunning}, edge{StateRunning | wq, StateNone}),
	KindServer: set(
		edge{StateNone, StateProcessing}, edge{StateProcessing, StatePolling},
		edge{StatePolling, StateProcessing}, edge{StateProcessing, StateServing},
		edge{StateServing, StateProcessing}, edge{StateProcessing, StateNone}),
}

// legalBits is legal as bits, for legal-edge, which looks up every state
// word a step changes: by kind, the bit (from, to) of words in compact
// form (see compactWord) is set when the edge is documented.
var legalBits = func() (bits [KindServer + 1][256 / 64]uint64) {
	for k, es := range legal {
		for e := range es {
			f, okf := compactWord(e.from)
			t, okt := compactWord(e.to)
			if !okf || !okt {
				panic(fmt.Sprintf("legal: %s edge %s -> %s is outside compactWord's range (base state and FlagWakeupQueued only)", k, e.from, e.to))
			}
			i := f<<4 | t
			bits[k][i/64] |= 1 << (i % 64)
		}
	}
	return bits
}()

// compactWord is w in four bits (its base state and FlagWakeupQueued),
// when it fits.
func compactWord(w TaskState) (uint, bool) {
	if w&^(7|FlagWakeupQueued) != 0 {
		return 0, false
	}
	return uint(w&7) | uint(w>>8)<<3, true
}

// isLegal reports whether legal lists e.
func isLegal(e documentedEdge) bool {
	f, okf := compactWord(e.from)
	t, okt := compactWord(e.to)
	if !okf || !okt || int(e.kind) >= len(legalBits) {
		return false
	}
	i := f<<4 | t
	return legalBits[e.kind][i/64]&(1<<(i%64)) != 0
}

func set(es ...edge) map[edge]bool {
	r := make(map[edge]bool, len(es))
	for _, e := range es {
		r[e] = true
	}
	return r
}

// LegalEdges lists the documented edges of kind k, for documentation and
// coverage.
func LegalEdges(k Kind) [][2]TaskState {
	var r [][2]TaskState
	for e := range legal[k] {
		r = append(r, [2]TaskState{e.from, e.to})
	}
	return r
}

func legalEdge(mo *Model, b, a *State, o *Observation) string {
	for i := 0; i < int(a.N); i++ {
		if b.T[i].Word == a.T[i].Word {
			continue // most threads, most steps: no call
		}
		if e, bad := illegalEdge(b, a, o, i); bad {
			return fmt.Sprintf("%s (%s) moved %s -> %s in %q", mo.ThreadName(i), e.kind, e.from, e.to, o.Label)
		}
	}
	return ""
}

// illegalEdge reports whether thread i, in the step from b to a, takes a
// task state edge (edgeOf) that the legal-edge table does not list, and
// which.
func illegalEdge(b, a *State, o *Observation, i int) (documentedEdge, bool) {
	e, ok := edgeOf(b, a, o, i)
	return e, ok && !isLegal(e)
}

// edgeOf is the task state edge thread i takes in the step from b to a
// (its kind, old word, new word), if it takes one that counts: legal-edge
// checks them, coverage counts them.
func edgeOf(b, a *State, o *Observation, i int) (documentedEdge, bool) {
	tb, ta := &b.T[i], &a.T[i]
	if tb.Word == ta.Word || tb.Gen != ta.Gen {
		return documentedEdge{}, false // unchanged, or a fresh allocation
	}
	k := ta.Kind
	if k == KindNone {
		k = tb.Kind
	}
	if k == KindNone {
		return documentedEdge{}, false // the library initialising its own task_tls
	}
	if o.Action.Kind == ActDie && int(o.Action.Thread) == i && ta.Word == StateNone {
		return documentedEdge{}, false // the fixed kernel unregisters a dying task
	}
	return documentedEdge{k, tb.Word, ta.Word}, true
}

func workerHasServer(mo *Model, s *State) string {
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if p := th.Peer; p >= 0 && s.T[p].Peer != int8(i) {
			return fmt.Sprintf("%s's peer is %s, whose peer is not %s", mo.ThreadName(i), mo.ThreadName(int(p)), mo.ThreadName(i))
		}
		if th.Kind != KindWorker || th.Status != Alive || th.Sleep != Awake || th.Word.Base() != StateRunning {
			continue
		}
		p := th.Peer
		if p < 0 {
			return fmt.Sprintf("%s runs with no server", mo.ThreadName(i))
		}
		sv := &s.T[p]
		if sv.Kind != KindServer || sv.Group != th.Group || sv.Word != StateServing {
			return fmt.Sprintf("%s runs, served by %s (%s, %s)", mo.ThreadName(i), mo.ThreadName(int(p)), sv.Kind, sv.Word)
		}
	}
	return ""
}

func queueFIFO(mo *Model, s *State) string {
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		var workers []int8
		for _, w := range gr.Waiters[:gr.NWait] {
			if s.T[w].Kind == KindWorker {
				workers = append(workers, w)
			}
		}
		ghost := gr.Ghost[:gr.NGhost]
		same := len(workers) == len(ghost)
		for i := 0; same && i < len(ghost); i++ {
			same = workers[i] == ghost[i]
		}
		if !same {
			return fmt.Sprintf("group %d queues %s but its UNBLOCKED workers in unblock order are %s",
				g, names(mo, workers), names(mo, ghost))
		}
	}
	return ""
}

// pollTakesOldest: a worker leaving UNBLOCKED must be the longest waiting.
func pollTakesOldest(mo *Model, b, a *State, o *Observation) string {
	for i := 0; i < int(a.N); i++ {
		if oldest, bad := leftBeforeOldest(b, a, i); bad {
			return fmt.Sprintf("%s left the queue before %s, which waited longer", mo.ThreadName(i), mo.ThreadName(int(oldest)))
		}
	}
	return ""
}

// leftBeforeOldest reports whether thread i, a live worker, leaves
// UNBLOCKED in the step from b to a while another worker of its group
// had waited longer (the head of the group's ghost queue in b), and
// which. Only a thread whose word changes can.
func leftBeforeOldest(b, a *State, i int) (int8, bool) {
	tb, ta := &b.T[i], &a.T[i]
	if tb.Word != StateUnblocked || ta.Word == StateUnblocked || tb.Group < 0 || ta.Status != Alive {
		return 0, false
	}
	gr := &b.Grp[tb.Group]
	if gr.NGhost == 0 || gr.Ghost[0] == int8(i) {
		return 0, false
	}
	return gr.Ghost[0], true
}

func names(mo *Model, ts []int8) string {
	r := "["
	for i, t := range ts {
		if i > 0 {
			r += " "
		}
		r += mo.ThreadName(int(t))
	}
	return r + "]"
}

func noLostWakeup(mo *Model, s *State) string {
	for i := 0; i < int(s.N); i++ {
		sv := &s.T[i]
		if sv.Kind != KindServer || sv.Status != Alive || sv.Sleep != SleepPoll || sv.Wake != WakeNone {
			continue
		}
		for j := 0; j < int(s.N); j++ {
			w := &s.T[j]
			if w.Kind == KindWorker && w.Status == Alive && w.Group == sv.Group && w.Word == StateUnblocked {
				return fmt.Sprintf("%s sleeps polling while %s is UNBLOCKED", mo.ThreadName(i), mo.ThreadName(j))
			}
		}
	}
	return ""
}

func serverProcessing(mo *Model, b, a *State, o *Observation) string {
	if !o.Returned || (o.Call != CallPollWorker && o.Call != CallRunWorker) {
		return ""
	}
	th := &a.T[o.Action.Thread]
	if th.Kind == KindServer && th.Word != StateProcessing {
		return fmt.Sprintf("%s returned from %s %s", mo.ThreadName(int(o.Action.Thread)), o.Call, th.Word)
	}
	return ""
}

// errnoContract checks a returning call against the header's doc comments.
func errnoContract(mo *Model, b, a *State, o *Observation) string {
	if !o.Returned {
		return ""
	}
	t := o.Action.Thread
	// got is formatted only when something is wrong: this runs on every
	// returning step of every search.
	got := func() string {
		return fmt.Sprintf("%s: %s returned %d errno %s", mo.ThreadName(int(t)), o.Call, o.Ret, o.Errno)
	}
	want := func(ret int16, e Errno) string {
		if o.Ret == ret && o.Errno == e {
			return ""
		}
		return fmt.Sprintf("%s; the header says %d errno %s", got(), ret, e)
	}
	fail := o.GEntry
	if fail == 0 {
		fail = o.GKern
	}
	switch o.Call {
	case CallRegisterCore, CallRegisterWorker, CallRegisterServer:
		if fail != 0 {
			return want(0, fail)
		}
		if o.Ret != int16(t)+1 {
			return got() + "; the header says the caller's utid"
		}
	case CallUnregister:
		if fail != 0 {
			return want(-1, fail)
		}
		return want(0, o.Errno)
	case CallCreateGroup:
		if fail != 0 {
			return want(0, fail)
		}
		if o.Ret <= 0 {
			return got() + "; the header says a group id"
		}
	case CallDestroyGroup:
		if fail == EBUSY {
			return want(-1, EAGAIN)
		}
		if fail != 0 {
			return want(-1, fail)
		}
		return want(0, o.Errno)
	case CallPollWorker:
		if fail != 0 {
			return want(0, fail)
		}
		w := int(o.Ret) - 1
		if w < 0 || (a.T[w].Word != StateRunnable && a.T[w].Status != Dead) {
			return got() + "; the header says a RUNNABLE worker"
		}
	case CallRunWorker:
		unreg := o.GEntry == EntryUnregistered ||
			(o.GEntry == 0 && o.GKern == 0 && a.T[t].Reason == ReasonUnregistered)
		switch {
		case unreg:
			if o.Ret != 0 || o.Errno != 0 {
				return got() + "; the worker unregistered, so the header says UMCG_NONE errno 0"
			}
		case o.GEntry != 0 || o.GKern != 0:
			if o.Ret != 0 || o.Errno == 0 {
				return got() + "; the call failed, so the header says UMCG_NONE with errno != 0"
			}
			if o.GEntry == 0 && o.Errno != o.GKern {
				return fmt.Sprintf("%s; the kernel said %s", got(), o.GKern)
			}
		case o.Ret == 0:
			return got() + "; the worker did not unregister and nothing failed, so the header says a worker"
		}
	case CallWait, CallSwap:
		if o.GEntry == EAGAIN && o.Ret != -1 {
			return got() + "; a wakeup was already queued, so the header says -1"
		}
		if o.GEntry != 0 && o.GEntry != EAGAIN {
			return want(-1, o.GEntry)
		}
		if o.Ret == 0 && a.T[t].Word.Base() == StateRunnable {
			return got() + " while still RUNNABLE; the header says 0 only once woken"
		}
		if o.Ret == -1 && o.Errno == EINTR && b.T[t].Word.Base() != StateRunnable {
			return got() + " after a wakeup had arrived: the wakeup is lost"
		}
		// A kernel error (a signal, or swap's next gone) fails the
		// call unless a wakeup had arrived before the return: then the
		// wakeup wins, and 0 is right (the wake half of swap is done
		// in next's word before its syscall).
		if o.GKern != 0 && o.Ret == 0 && b.T[t].Word.Base() == StateRunnable {
			return fmt.Sprintf("%s; the kernel said %s and no wakeup had arrived", got(), o.GKern)
		}
	case CallWake:
		if o.GEntry == EAGAIN {
			if o.Ret != -1 {
				return got() + "; a wakeup was already queued, so the header says -1"
			}
			return ""
		}
		if fail != 0 {
			return want(-1, fail)
		}
		return want(0, o.Errno)
	}
	return ""
}

// The screens clear the properties of a state or a step in one call
// (props.Screen): a search checks every new state and every transition,
// and nearly all of them break nothing. Their functions restate the
// conditions of the checks above, in one pass and without a message;
// TestScreenClearsOnlyWhatHolds compares them with the checks on every
// transition of the shipped configurations and of the deliberate bugs.
var (
	// invariantScreen screens the invariants, and the step checks that
	// look only at state words that changed (legal-edge, queue-fifo).
	invariantScreen = &props.Screen[State, Observation]{State: invariantsHold, Step: edgesHold}
	// returnScreen screens the step properties of calls that return, and
	// no-use-after-free.
	returnScreen = &props.Screen[State, Observation]{Step: func(_, _ *State, o *Observation) bool { return !o.Returned && !o.UAF }}
)

// screenOf is the screen of each invariant and step property of
// Properties, which sets it; nil: checked one by one. Every such property
// is listed (TestScreenOfEveryProperty), so a new one is given a screen
// here, next to the screen's test, which must then cover it, or nil.
var screenOf = map[string]*props.Screen[State, Observation]{
	"state-domain":       invariantScreen,
	"legal-edge":         invariantScreen,
	"worker-has-server":  invariantScreen,
	"peer-registered":    invariantScreen,
	"queue-fifo":         invariantScreen,
	"no-lost-wakeup":     invariantScreen,
	"no-exit":            invariantScreen,
	"no-kill":            invariantScreen,
	"errno-contract":     returnScreen,
	"no-use-after-free":  returnScreen,
	"server-processing":  returnScreen,
	"register-succeeds":  returnScreen,
	"run-returns-worker": returnScreen,
}

// The group masks of invariantsHold hold a bit per group and one for None.
var _ [64 - (MaxGroups + 1)]struct{}

// invariantsHold reports that s violates none of state-domain,
// worker-has-server, peer-registered, queue-fifo (its state half),
// no-lost-wakeup, no-exit and no-kill. It may say false when they hold
// (a group outside the table); it never says true when one is violated.
func invariantsHold(s *State) bool {
	// Groups by index+1 (a core task's group is None): servers asleep
	// in poll with no wakeup, and live UNBLOCKED workers (no-lost-wakeup).
	var polling, unblocked uint64
	ts := s.T[:s.N]
	for i := range ts {
		th := &ts[i]
		if th.Status == Exited || th.Status == Killed {
			return false // no-exit, no-kill; and the rest are not checked
		}
		alive := th.Status == Alive
		if p := th.Peer; p >= 0 {
			pt := &s.T[p]
			if pt.Peer != int8(i) {
				return false // worker-has-server: links are symmetric
			}
			if alive && (th.Kind == KindNone || (pt.Kind == KindNone && pt.Status == Alive)) {
				return false // peer-registered
			}
		}
		if th.Kind == KindNone || !alive {
			continue
		}
		if !th.Freed && !inDomain(th.Kind, th.Word) {
			return false // state-domain
		}
		if th.Group < None || int(th.Group) >= MaxGroups {
			return false
		}
		group := uint64(1) << uint(th.Group+1)
		switch th.Kind {
		case KindWorker:
			if th.Word == StateUnblocked {
				unblocked |= group
			}
			if th.Sleep == Awake && th.Word.Base() == StateRunning {
				if th.Peer < 0 {
					return false // worker-has-server
				}
				if sv := &s.T[th.Peer]; sv.Kind != KindServer || sv.Group != th.Group || sv.Word != StateServing {
					return false // worker-has-server
				}
			}
		case KindServer:
			if th.Sleep == SleepPoll && th.Wake == WakeNone {
				polling |= group
			}
		}
	}
	if polling&unblocked != 0 {
		return false // no-lost-wakeup
	}
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		n := 0 // queue-fifo: the queued workers, in order, are the ghost queue
		for _, w := range gr.Waiters[:gr.NWait] {
			if s.T[w].Kind == KindWorker {
				if n == int(gr.NGhost) || gr.Ghost[n] != w {
					return false
				}
				n++
			}
		}
		if n != int(gr.NGhost) {
			return false
		}
	}
	return true
}

// edgesHold reports that the step from b to a breaks neither legal-edge
// nor queue-fifo's poll half (pollTakesOldest): every state word it
// changes moves along a documented edge, and no worker leaves UNBLOCKED
// before the longest waiting. Both look only at the threads whose word
// changed, so it makes one pass over the words and no more for the
// others (most threads, most steps).
func edgesHold(b, a *State, o *Observation) bool {
	tb, ta := b.T[:a.N], a.T[:a.N]
	for i := range ta {
		if tb[i].Word == ta[i].Word {
			continue
		}
		if _, bad := illegalEdge(b, a, o, i); bad {
			return false
		}
		if _, bad := leftBeforeOldest(b, a, i); bad {
			return false
		}
	}
	return true
}
