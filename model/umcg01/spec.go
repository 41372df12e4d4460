package umcg01

import "fmt"

// Spec is the sequential specification that traces are checked against:
// the API of the fixed library and kernel, one call at a time. A call that
// cannot sleep is one atomic operation. A call that can sleep is two: its
// request (the call runs until it sleeps or returns) and its followup (it
// wakes, if it slept, and runs until it returns); each is atomic (dual
// linearizability, Scherer and Scott 2004). Kernel events are atomic too.
// A signal is not an operation: a followup that reports EINTR, of a
// request that slept and that nobody woke, is taken as ended by a signal
// delivered at that point. An operation of unknown outcome (SpecOp.Unknown)
// may take effect, with whatever result, or be a no-op.
// Spec drives the same library and kernel code as the explorer, on threads
// whose program is the trace itself.
type Spec struct {
	m *Model
}

// SpecEvent is a kernel event in a trace.
type SpecEvent uint8

// Kernel events.
const (
	NoEvent SpecEvent = iota
	EventBlock
	EventUnblock
	EventPreempt
)

// SpecPhase says which half of a sleeping call an operation is.
type SpecPhase uint8

// Phases.
const (
	WholeCall SpecPhase = iota // a call that cannot sleep, or an event
	Request
	Followup
)

// SpecOp is one operation of a trace, with tasks and groups as indices.
type SpecOp struct {
	Thread int8
	Call   Call      // CallNone for an event
	Event  SpecEvent // NoEvent for a call
	Phase  SpecPhase
	// Arg is the call's argument: a task (wake, swap, run_worker,
	// get_task_state) or a group (register_worker, register_server,
	// destroy_group), None for UMCG_NONE.
	Arg int8
	// Ret and Errno are what the call returned, for a whole call or a
	// followup, encoded as Observation.Ret (a utid is task+1 and 0 is
	// UMCG_NONE, a group is group+1, get_task_state gives the state
	// word). Errno is compared only when the call failed (it returned -1,
	// or UMCG_NONE); a successful call must report errno 0 (a C library
	// leaves errno as it was after a success: a converter from traces
	// writes 0 there).
	Ret   int16
	Errno Errno
	// Unknown: the operation's outcome was not seen (the thread died, the
	// trace was cut; Jepsen's :info). Its Ret and Errno are ignored: it
	// takes effect with the result the specification gives, and where it
	// cannot happen (its request did not, its thread was not woken) it is
	// a no-op. A checker gives it no end in time, so that it may also
	// come after everything else, where its effect is seen by nobody.
	Unknown bool
}

// spec flags kept in Thread.Sig for a puppet thread.
const sigCompleted = 1 << 7 // a request returned without sleeping; its followup only reports

// maxAtomicSteps bounds the library steps of one atomic operation: the
// fixed library's only retry loop (run_worker's EAGAIN) cannot spin when
// nothing else moves.
const maxAtomicSteps = 64

// NewSpec makes the specification for traces of the given numbers of tasks
// and groups; the first preexisting groups exist from the start, the others
// are created by create_group operations.
func NewSpec(tasks, groups, preexisting int) (*Spec, error) {
	if tasks < 1 || tasks > MaxThreads {
		return nil, fmt.Errorf("tasks: %d is out of range 1..%d", tasks, MaxThreads)
	}
	if groups < 0 || groups > MaxGroups || preexisting < 0 || preexisting > groups {
		return nil, fmt.Errorf("groups: %d (%d preexisting) is out of range 0..%d", groups, preexisting, MaxGroups)
	}
	m := &Model{cfg: Config{Variant: Fixed, Groups: preexisting}, nGroups: uint8(preexisting)}
	for i := 0; i < tasks; i++ {
		m.progs = append(m.progs, program{kind: progPuppet, name: fmt.Sprintf("t%d", i)})
	}
	return &Spec{m: m}, nil
}

// Model returns the model behind the specification.
func (sp *Spec) Model() *Model { return sp.m }

// Init is the state before the trace: every task unregistered, the
// preexisting groups created.
func (sp *Spec) Init() State { return sp.m.Init() }

// Apply applies op to s, which it changes, and reports whether the
// specification allows op with its recorded result in state s. It allows
// an op of unknown outcome in every state: with the specification's
// result, or as a no-op (s unchanged) where it cannot happen.
func (sp *Spec) Apply(s *State, op SpecOp) bool {
	if op.Unknown {
		before := *s
		if _, ok := sp.apply(s, op, false); !ok {
			*s = before
		}
		return true
	}
	_, ok := sp.apply(s, op, true)
	return ok
}

// Run applies op to s, which it changes, whatever op's recorded result,
// and returns op with the result the specification gives (Ret and Errno,
// for a whole call or a followup); false when op cannot happen in s. It
// is how valid traces are generated.
func (sp *Spec) Run(s *State, op SpecOp) (SpecOp, bool) {
	return sp.apply(s, op, false)
}

func (sp *Spec) apply(s *State, op SpecOp, check bool) (SpecOp, bool) {
	ok := sp.step(s, &op, check)
	return op, ok
}

func (sp *Spec) step(s *State, op *SpecOp, check bool) bool {
	m := sp.m
	t := op.Thread
	if t < 0 || int(t) >= int(s.N) {
		return false
	}
	th := &s.T[t]
	if th.Status != Alive {
		return false
	}
	switch op.Event {
	case EventBlock:
		if th.Fn != CallNone || !sp.awake(s, t) {
			return false
		}
		m.Block(s, t)
		m.updateGhost(s)
		return true
	case EventUnblock:
		if th.Sleep != SleepIO {
			return false
		}
		m.Unblock(s, t)
		m.updateGhost(s)
		return th.Status == Alive
	case EventPreempt:
		if th.Fn != CallNone || !sp.awake(s, t) || th.Kind != KindWorker ||
			th.Word.Base() != StateRunning || th.Peer < 0 {
			return false
		}
		m.Preempt(s, t)
		m.updateGhost(s)
		return true
	}
	if op.Phase == Followup {
		return sp.followup(s, op, check)
	}
	if th.Fn != CallNone || th.Sig&sigCompleted != 0 {
		return false // a call is still in progress
	}
	if !sp.awake(s, t) {
		return false
	}
	th.Fn, th.LPC, th.Arg, th.Local = op.Call, lpEntry, op.Arg, 0
	th.GEntry, th.GKern = 0, 0
	if !sp.run(s, t) {
		return false
	}
	switch {
	case th.Fn == CallNone && op.Phase == Request:
		th.Sig |= sigCompleted
		return true
	case th.Fn == CallNone:
		return sp.result(th, op, check)
	}
	return op.Phase == Request // it sleeps: only a request may
}

// awake makes sure thread t, outside any call, runs: a worker back from
// its blocking syscall, or waiting to be run again, must have been woken,
// and then returns to user space.
func (sp *Spec) awake(s *State, t int8) bool {
	th := &s.T[t]
	if th.Sleep == Awake {
		return true
	}
	if th.Fn != CallNone || th.Wake == WakeNone {
		return false
	}
	_, again := sp.m.Resume(s, t)
	sp.m.updateGhost(s)
	return !again && th.Sleep == Awake && th.Status == Alive
}

func (sp *Spec) followup(s *State, op *SpecOp, check bool) bool {
	m := sp.m
	t := op.Thread
	th := &s.T[t]
	if th.Sig&sigCompleted != 0 {
		th.Sig &^= sigCompleted
		return th.Fn == CallNone && sp.result(th, op, check)
	}
	if th.Fn != op.Call || th.Sleep == Awake {
		return false
	}
	if th.Wake == WakeNone {
		// Nobody woke the thread: only a signal ends its sleep here, and
		// a followup reporting EINTR says one did. It is delivered as the
		// explorer's eintr fault is, to a sleep that a signal interrupts
		// (poll_worker, run_worker, a core task's wait or swap); whether
		// the call then returns EINTR, or sleeps on, is the library's.
		if op.Errno != EINTR || !m.interruptible(th) {
			return false
		}
		wake(s, t, WakeSignal)
	}
	e, again := m.Resume(s, t)
	th.SysRet = e
	if again || th.Status != Alive {
		return false
	}
	if !sp.run(s, t) || th.Fn != CallNone {
		return false
	}
	return sp.result(th, op, check)
}

// run executes t's library steps until its call returns or it sleeps;
// false when it dies or spins.
func (sp *Spec) run(s *State, t int8) bool {
	th := &s.T[t]
	var o Observation
	for i := 0; i < maxAtomicSteps; i++ {
		if th.Fn == CallNone || th.Sleep != Awake {
			return true
		}
		o = Observation{}
		sp.m.libStep(s, t, false, &o)
		sp.m.updateGhost(s)
		if th.Status != Alive {
			return false
		}
	}
	return false
}

// result compares the call's result with op's (check), or sets op's.
func (sp *Spec) result(th *Thread, op *SpecOp, check bool) bool {
	errno := Errno(0)
	if op.Call.Failed(th.Ret) {
		errno = th.Errno
	}
	if !check {
		op.Ret, op.Errno = th.Ret, errno
		return true
	}
	return th.Ret == op.Ret && op.Errno == errno
}
