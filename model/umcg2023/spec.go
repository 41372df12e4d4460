package umcg2023

import (
	"fmt"
	"slices"
	"strings"
)

// Spec is the sequential specification that umcg-2023 traces are checked
// against: the sys_umcg commands one at a time, on the state the kernel
// keeps (docs/umcg-2023.md §2, docs/trace-format.md "umcg-2023"). A command
// that can sleep (REGISTER_WORKER, WAIT, CTX_SWITCH, and a worker's
// blocking system call) is two atomic operations, its request (the
// command's effect up to where the caller sleeps) and its followup (the
// caller runs again and the call returns, with the events a server
// collected). It is the behaviour the posting [P] and Nanos [N] share;
// where they differ on what a trace shows, both are accepted, and said so
// at the place.
//
// Four kernel events are not in traces because no user program sees them
// happen: a worker's system call going to sleep (BLOCK; a call that does
// not sleep sends nothing), a blocked worker's wakeup (the WAKE pushed on
// the idle-worker list), a preemption, and a waiting worker's timeout
// (TIMEOUT pushed on the idle-worker list). The specification places each
// at the first point a trace can tell it happened: where a server reads
// its event, a server's WAIT for the worker returns (a wakeup), or a
// CTX_SWITCH to the worker fails because it is no longer WAITING (a
// timeout).
//
// The specification checks what every collection must respect: every
// event read is one the kernel generated and not yet delivered (exactly
// once), an attached event (BLOCK, WAIT, EXIT, PREEMPT) reaches the server
// the worker ran under and no other, a CTX_SWITCH returns with its
// worker's event, a worker runs only after a server switched to it, a
// worker's wait_until returns ETIMEDOUT exactly when its timeout fired,
// WAIT returns empty only when an UMCG_WAKE released it (or it timed out
// with nothing on the idle list), and UMCG_WAKE returns 0 only when it
// released a waiting server and EAGAIN only when none waited. The empty
// WAIT is Nanos's rule, not shared: in the posting a server woken for a
// pushed worker that another server collected first also returns empty
// ([P:umcg_wake_idle_server] sets it RUNNING, [P:umcg_server_idle_loop]
// finds nothing), where Nanos's goes back to sleep
// ([N:umcg_server_wait_bh]); traces come from Nanos only. What it
// does not check: that the number of events fits the caller's buffer (the
// trace does not record event_sz) and the order of the idle list (LIFO or
// FIFO, D6: a server may read the queued events in any order).
type Spec struct{}

// MaxSpecTasks bounds the tasks of a trace the specification checks.
const MaxSpecTasks = 16

// SpecCall is a call of a trace.
type SpecCall uint8

// Calls (CallNone: nothing).
const (
	CallNone SpecCall = iota
	CallRegisterWorker
	CallRegisterServer
	CallUnregister
	CallWake
	CallWait
	CallCtxSwitch
	CallSyscall
	CallWaitUntil
)

var specCallNames = [...]string{"none", OpRegisterWorker, OpRegisterServer, OpUnregister, OpWake, OpWait, OpCtxSwitch, OpSyscall, OpWaitUntil}

func (c SpecCall) String() string { return specCallNames[c] }

// SpecPhase says which half of a sleeping call an operation is.
type SpecPhase uint8

// Phases.
const (
	WholeCall SpecPhase = iota
	Request
	Followup
)

// SpecEvent is one event a server read: the worker's task and the kind
// (EvBlock .. EvPreempt).
type SpecEvent struct {
	Worker int8
	Kind   uint8
}

// SpecOp is one operation of a trace, tasks as indices (SpecOps).
type SpecOp struct {
	Index  int // the trace op it comes from (its times)
	Thread int8
	Call   SpecCall
	Phase  SpecPhase
	Next   int8 // args.next, -1 for none
	// Ret and Errno are the call's result: a whole call's or a followup's
	// own, and for a request its followup's (Pending if the trace ends
	// before the followup).
	Ret     int64
	Errno   int
	Pending bool
	Events  []SpecEvent // a followup's events, in buffer order
	// Unknown: the call's outcome was not seen (the thread died, the
	// trace was cut; Jepsen's :info): Ret, Errno and Events are
	// ignored, and the call may have taken effect with any result the
	// specification knows (unknownResults), or not at all.
	Unknown bool
}

// unknownResults are the results an operation of unknown outcome is tried
// with: success, and each failure the specification knows. A followup of
// unknown outcome read no events: a server's call whose events were
// collected but never read is not among its outcomes (a checker may then
// reject a trace that other threads' ops explain only so).
var unknownResults = [...]struct {
	ret   int64
	errno int
}{{0, 0}, {-1, eINVAL}, {-1, eAGAIN}, {-1, eINTR}, {-1, eTIMEDOUT}, {-1, eSRCH}}

// Errnos the specification knows.
const (
	eSRCH      = 3
	eINTR      = 4
	eAGAIN     = 11
	eINVAL     = 22
	eTIMEDOUT  = 110
	eRESTART   = 512 // ERESTARTSYS: Nanos restarts the call; never seen by user space, accepted as EINTR
	roleNone   = 0
	roleServer = 1
	roleWorker = 2
)

// Worker states of the specification.
const (
	wNone     = iota // not a worker (or unregistered)
	wQueued          // on the idle-worker list, with Pool's event
	wRunnable        // collected by a server, or preempted: a server may switch to it
	wWaiting         // returned control with UMCG_WAIT (its WAIT went to its server)
	wRunning         // a server switched to it: it runs
	wBlocked         // blocked in a system call (its BLOCK went to its server)
	wPaused          // in a system call that has not slept (yet): it may block, or return
)

var wNames = [...]string{"none", "queued", "runnable", "waiting", "running", "blocked", "in a syscall"}

// Worker timers.
const (
	timerNone = iota
	timerArmed
	timerFired
)

// Server calls in progress.
const (
	sIdle = iota
	sWait
	sWaitFor
	sCtxSwitch
	sReleased      // in wait, released by an UMCG_WAKE: returns with events
	sReleasedEmpty // in wait, released by an UMCG_WAKE with nothing to collect: returns empty
)

// SpecState is the kernel's state as traces see it. It is a value:
// comparable with ==, copied by assignment.
type SpecState struct {
	Role [MaxSpecTasks]uint8
	W    [MaxSpecTasks]uint8 // worker state
	Srv  [MaxSpecTasks]int8  // a running or waiting worker's server, -1 none
	Pool [MaxSpecTasks]uint8 // the event of a worker on the idle-worker list, 0 none
	Slot [MaxSpecTasks]uint8 // a worker's attached event not yet read, 0 none
	For  [MaxSpecTasks]int8  // the server Slot's event goes to
	S    [MaxSpecTasks]uint8 // a server's call in progress
	// Timer is a worker's timeout of its wait_until: armed, or fired
	// (it was put on the idle list with TIMEOUT, and its call returns
	// ETIMEDOUT).
	Timer [MaxSpecTasks]uint8
	// WakeFlag: an UMCG_WAKE is owed to a waiting server ([N]'s
	// wake_idle_server; [P] wakes one idle server at once).
	WakeFlag bool
}

// Init returns the state before any call: nothing registered.
func (Spec) Init() SpecState {
	var s SpecState
	for i := range s.Srv {
		s.Srv[i], s.For[i] = -1, -1
	}
	return s
}

// Next returns the states the specification may be in after op, from s,
// with the result the trace gives: none if it does not allow op. Only
// UMCG_WAKE has more than one: which waiting server it released, and
// whether that server found events ([N] runs the released server's
// collection inside the waker's call: with none, it takes the wake flag
// and returns empty; with some, the flag stays set).
//
// An op of unknown outcome has every next state of the op with each of
// unknownResults, and s itself (it did not take effect).
func (sp Spec) Next(s SpecState, op SpecOp) []SpecState {
	if op.Unknown {
		out := []SpecState{s}
		for _, r := range unknownResults {
			o := op
			o.Unknown, o.Ret, o.Errno, o.Events = false, r.ret, r.errno, nil
			for _, n := range sp.Next(s, o) {
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
		return out
	}
	if op.Call != CallWake {
		if !sp.apply(&s, op) {
			return nil
		}
		return []SpecState{s}
	}
	var out []SpecState
	if op.Ret < 0 {
		// EAGAIN: no server waits unreleased; [N] clears its flag.
		for _, c := range s.S {
			if c == sWait {
				return nil
			}
		}
		if op.Errno != eAGAIN {
			return nil
		}
		s.WakeFlag = false
		return []SpecState{s}
	}
	for t, c := range s.S {
		if c != sWait {
			continue
		}
		empty := true
		for _, e := range s.Pool {
			empty = empty && e == 0
		}
		if empty {
			n := s
			n.S[t], n.WakeFlag = sReleasedEmpty, false
			out = append(out, n)
		}
		n := s
		n.S[t], n.WakeFlag = sReleased, true
		out = append(out, n)
	}
	return out
}

// apply applies op, any but UMCG_WAKE, to s and reports whether the
// specification allows it with the result the trace gives; on false, s is
// unspecified.
func (sp Spec) apply(s *SpecState, op SpecOp) bool {
	t := op.Thread
	failed := op.Ret < 0
	switch op.Call {
	case CallRegisterServer:
		if s.Role[t] == roleNone {
			if failed {
				return false
			}
			s.Role[t] = roleServer
			return true
		}
		// Registered already: [P] EINVAL, [N] 0 and nothing recorded.
		return !failed || op.Errno == eINVAL
	case CallUnregister:
		switch {
		case s.Role[t] == roleServer:
			s.Role[t] = roleNone
			return !failed
		case s.Role[t] == roleWorker:
			if s.W[t] != wRunning || failed {
				return false
			}
			s.Slot[t], s.For[t] = EvExit, s.Srv[t]
			s.Role[t], s.W[t], s.Srv[t] = roleNone, wNone, -1
			return true
		}
		// Not registered: [P] EINVAL, [N] 0.
		return !failed || op.Errno == eINVAL
	case CallWake:
		return false // Next: a wake has several outcomes
	case CallRegisterWorker:
		return sp.registerWorker(s, op)
	case CallSyscall:
		return sp.syscall(s, op)
	case CallWait, CallWaitUntil:
		if s.Role[t] == roleWorker {
			return sp.workerWait(s, op)
		}
		return sp.serverWait(s, op)
	case CallCtxSwitch:
		if s.Role[t] == roleWorker {
			return sp.workerSwitch(s, op)
		}
		return sp.serverSwitch(s, op)
	}
	return false
}

// resumed is the followup of a worker's sleeping call: it returns once a
// server switched to it.
func resumed(s *SpecState, op SpecOp) bool {
	return s.Role[op.Thread] == roleWorker && s.W[op.Thread] == wRunning
}

func (Spec) registerWorker(s *SpecState, op SpecOp) bool {
	t := op.Thread
	if op.Ret < 0 { // it failed before sleeping: nothing changes
		return op.Errno != 0
	}
	if op.Phase == Request {
		if s.Role[t] != roleNone {
			return false
		}
		s.Role[t], s.W[t], s.Pool[t] = roleWorker, wQueued, EvWake
		return true
	}
	return resumed(s, op)
}

func (Spec) syscall(s *SpecState, op SpecOp) bool {
	t := op.Thread
	if op.Phase == Followup {
		// It did not sleep (still paused: no event), or it slept and a
		// server switched to it since.
		if s.Role[t] != roleWorker || (s.W[t] != wPaused && s.W[t] != wRunning) {
			return false
		}
		s.W[t] = wRunning
		return true
	}
	if s.Role[t] != roleWorker || s.W[t] != wRunning {
		return false
	}
	s.W[t] = wPaused
	return true
}

func (Spec) workerWait(s *SpecState, op SpecOp) bool {
	t := op.Thread
	if op.Phase == Followup {
		if op.Ret < 0 && op.Errno == eINVAL {
			return true // refused at once: nothing changed
		}
		if !resumed(s, op) {
			return false
		}
		// ETIMEDOUT exactly when the timer fired before a server
		// switched to it ([N:umcg_worker_timeout]; a switch cancels it).
		fired := s.Timer[t] == timerFired
		s.Timer[t] = timerNone
		if fired {
			return op.Ret == -1 && op.Errno == eTIMEDOUT
		}
		return op.Ret == 0
	}
	if s.W[t] != wRunning {
		return false
	}
	if op.Ret < 0 && op.Errno == eINVAL {
		return true // bad arguments: nothing changes
	}
	s.W[t], s.Slot[t], s.For[t], s.Srv[t] = wWaiting, EvWait, s.Srv[t], -1
	if op.Call == CallWaitUntil {
		s.Timer[t] = timerArmed
	}
	return true
}

// fire is a waiting worker's timeout, which no trace shows: the worker
// goes on the idle list with TIMEOUT and its call will return ETIMEDOUT
// ([N:umcg_worker_timeout]). The specification fires it where a trace
// first tells: a server reads the TIMEOUT, or a CTX_SWITCH to the worker
// fails because it is no longer WAITING.
func fire(s *SpecState, w int8) bool {
	if s.Role[w] != roleWorker || s.W[w] != wWaiting || s.Timer[w] != timerArmed {
		return false
	}
	s.W[w], s.Pool[w], s.Timer[w] = wQueued, EvTimeout, timerFired
	return true
}

// workerSwitch is a worker's CTX_SWITCH: it goes on the idle list with a
// WAIT event, next runs under its server. next must be RUNNABLE ([N]
// EINVAL otherwise; [P] kills the caller, which a trace cannot follow).
func (Spec) workerSwitch(s *SpecState, op SpecOp) bool {
	t, n := op.Thread, op.Next
	if op.Phase == Followup {
		return op.Ret < 0 || resumed(s, op)
	}
	if s.W[t] != wRunning {
		return false
	}
	ok := n >= 0 && s.Role[n] == roleWorker && s.W[n] == wRunnable
	if op.Ret < 0 {
		return !ok && op.Errno == eINVAL
	}
	if !ok {
		return false
	}
	s.W[n], s.Srv[n] = wRunning, s.Srv[t]
	s.W[t], s.Pool[t], s.Srv[t] = wQueued, EvWait, -1
	return true
}

func (sp Spec) serverWait(s *SpecState, op SpecOp) bool {
	t := op.Thread
	if s.Role[t] != roleServer {
		return false
	}
	if op.Phase == Request {
		if op.Ret < 0 && op.Errno != eTIMEDOUT && op.Errno != eINTR && op.Errno != eRESTART {
			return true // refused at once (bad arguments): nothing changes
		}
		s.S[t] = sWait
		if op.Next >= 0 {
			s.S[t] = sWaitFor
		}
		return true
	}
	switch s.S[t] {
	case sIdle: // the request failed at once
		return op.Ret < 0
	case sWaitFor:
		// WAIT(next): returns once next is not blocked. A blocked
		// worker's wakeup, which no trace shows, is placed here at the
		// latest: its WAKE is on the idle list from now on.
		s.S[t] = sIdle
		n := op.Next
		if op.Ret == 0 && n >= 0 && s.Role[n] == roleWorker && s.W[n] == wBlocked {
			s.W[n], s.Pool[n] = wQueued, EvWake
		}
		return op.Ret == 0 || op.Errno == eINTR || op.Errno == eRESTART
	case sReleasedEmpty:
		s.S[t] = sIdle
		return op.Ret == 0 && len(op.Events) == 0
	case sReleased:
		s.S[t] = sIdle
		if op.Ret != 0 || len(op.Events) == 0 {
			return false
		}
		_, ok := sp.collect(s, t, op.Events)
		return ok
	}
	s.S[t] = sIdle
	if op.Ret < 0 {
		if len(op.Events) > 0 {
			return false
		}
		if op.Errno == eTIMEDOUT {
			// Timed out: nothing was on the idle list to collect.
			for _, e := range s.Pool {
				if e != 0 {
					return false
				}
			}
			return true
		}
		return op.Errno == eINTR || op.Errno == eRESTART
	}
	if len(op.Events) == 0 {
		// Returned empty: an UMCG_WAKE owed it.
		if !s.WakeFlag {
			return false
		}
		s.WakeFlag = false
		return true
	}
	_, ok := sp.collect(s, t, op.Events)
	return ok
}

// serverSwitch is a server's CTX_SWITCH to next. next must be RUNNABLE or
// WAITING ([N]; else EINVAL and nothing changes).
func (sp Spec) serverSwitch(s *SpecState, op SpecOp) bool {
	t, n := op.Thread, op.Next
	if s.Role[t] != roleServer {
		return false
	}
	if op.Phase == Request {
		ok := n >= 0 && s.Role[n] == roleWorker && (s.W[n] == wRunnable || s.W[n] == wWaiting)
		if op.Ret < 0 && op.Errno == eINVAL {
			// Refused: n is not switchable, or its timeout fired.
			return !ok || fire(s, n)
		}
		if op.Ret < 0 && op.Errno == eSRCH {
			// No such thread: n is no worker (any more).
			return n < 0 || s.Role[n] != roleWorker
		}
		if !ok {
			return false
		}
		if s.Timer[n] == timerArmed {
			s.Timer[n] = timerNone // the switch cancels the timeout
		}
		s.W[n], s.Srv[n], s.S[t] = wRunning, t, sCtxSwitch
		return true
	}
	if s.S[t] != sCtxSwitch {
		return op.Ret < 0 // refused at once
	}
	s.S[t] = sIdle
	if op.Ret < 0 {
		return len(op.Events) == 0 && (op.Errno == eINTR || op.Errno == eRESTART)
	}
	attachedRead, ok := sp.collect(s, t, op.Events)
	if !ok || !attachedRead {
		return false // a CTX_SWITCH returns with its worker's event
	}
	for w := range s.Slot {
		if s.Slot[w] != 0 && s.For[w] == t {
			return false // an attached event for this server was not delivered
		}
	}
	return true
}

// collect applies the events server t read, in order, and reports whether
// one came through t's slot (an attached event).
func (Spec) collect(s *SpecState, t int8, evs []SpecEvent) (attachedRead, ok bool) {
	for _, e := range evs {
		w := e.Worker
		if w < 0 {
			return false, false
		}
		fromSlot := s.Slot[w] == e.Kind && s.For[w] == t
		switch e.Kind {
		case EvBlock:
			// The system call slept (unseen) and is read now: the
			// worker ran under t.
			if s.Role[w] != roleWorker || s.W[w] != wPaused || s.Srv[w] != t {
				return false, false
			}
			s.W[w], s.Srv[w] = wBlocked, -1
			fromSlot = true
		case EvExit:
			if !fromSlot {
				return false, false
			}
			s.Slot[w], s.For[w] = 0, -1
		case EvWait:
			switch {
			case fromSlot:
				s.Slot[w], s.For[w] = 0, -1
			case s.Pool[w] == EvWait:
				s.Pool[w], s.W[w] = 0, wRunnable
			default:
				return false, false
			}
		case EvWake:
			switch {
			case s.Pool[w] == EvWake:
				s.Pool[w], s.W[w] = 0, wRunnable
			case s.Role[w] == roleWorker && s.W[w] == wBlocked:
				// The wakeup happened (unseen) and is read now.
				s.W[w] = wRunnable
			default:
				return false, false
			}
		case EvPreempt:
			// The preemption happened (unseen) and is read now: the
			// worker ran under t, in user space or returning from a
			// system call that did not sleep ([N] checks on return).
			if s.Role[w] != roleWorker || (s.W[w] != wRunning && s.W[w] != wPaused) || s.Srv[w] != t {
				return false, false
			}
			s.W[w], s.Srv[w] = wRunnable, -1
			fromSlot = true
		case EvTimeout:
			// Its timeout fired: now (unseen), or when a CTX_SWITCH
			// to it failed.
			if s.Pool[w] != EvTimeout && !fire(s, w) {
				return false, false
			}
			s.Pool[w], s.W[w] = 0, wRunnable
		default:
			return false, false
		}
		attachedRead = attachedRead || fromSlot
	}
	return attachedRead, true
}

// Describe returns op as a line for reports, with task names from names.
func (Spec) Describe(op SpecOp, names []string) string {
	name := func(i int8) string {
		if i < 0 || int(i) >= len(names) {
			return "none"
		}
		return names[i]
	}
	s := name(op.Thread) + ": " + op.Call.String()
	if op.Next >= 0 {
		s += "(" + name(op.Next) + ")"
	}
	switch op.Phase {
	case Request:
		s += " request"
	case Followup:
		s += " followup"
	}
	switch {
	case op.Unknown:
		return s + " -> outcome unknown"
	case op.Phase == Request:
		return s
	}
	s += fmt.Sprintf(" -> %d errno %d", op.Ret, op.Errno)
	if len(op.Events) > 0 {
		var evs []string
		for _, e := range op.Events {
			evs = append(evs, name(e.Worker)+" "+evNames[e.Kind])
		}
		s += " [" + strings.Join(evs, ", ") + "]"
	}
	return s
}

// DescribeState returns s as a line for reports.
func (Spec) DescribeState(s *SpecState, names []string) string {
	var parts []string
	for i, n := range names {
		switch s.Role[i] {
		case roleServer:
			p := n + " server"
			switch s.S[i] {
			case sWait:
				p += " in wait"
			case sReleased, sReleasedEmpty:
				p += " in wait, released by a wake"
			case sWaitFor:
				p += " in wait(next)"
			case sCtxSwitch:
				p += " in ctx_switch"
			}
			parts = append(parts, p)
		case roleWorker:
			p := n + " worker " + wNames[s.W[i]]
			if s.Srv[i] >= 0 {
				p += " under " + names[s.Srv[i]]
			}
			if s.Pool[i] != 0 {
				p += ", " + evNames[s.Pool[i]] + " on the idle list"
			}
			parts = append(parts, p)
		}
		if s.Slot[i] != 0 {
			parts = append(parts, n+" "+evNames[s.Slot[i]]+" for "+names[s.For[i]])
		}
	}
	if s.WakeFlag {
		parts = append(parts, "a wake is owed")
	}
	if len(parts) == 0 {
		return "nothing registered"
	}
	return strings.Join(parts, "; ")
}
