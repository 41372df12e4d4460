package umcg01

import (
	"math/bits"
	"slices"

	"github.com/umcgcheck/umcgcheck/sim"
)

// Action is one move of the model: an action kind by a thread.
type Action = sim.Action

// Action kinds (Action.Kind), in the order Enabled lists them for each
// thread.
const (
	// ActStep: the thread executes its next step (a library step, a client
	// step, or finishing a syscall after a wakeup).
	ActStep = iota
	// ActFail: the thread's next step, a malloc or a syscall, fails (fault).
	ActFail
	// ActUnblock: kernel event, the worker's blocking syscall completes.
	ActUnblock
	// ActPreempt: kernel event, the running served worker is preempted.
	ActPreempt
	// ActSignal: a signal interrupts the thread's UMCG sleep (fault eintr).
	ActSignal
	// ActSpurious: the sleeping thread is woken for no reason.
	ActSpurious
	// ActDie: the thread dies without unregistering.
	ActDie
	// ActSleep: kernel event, a registered worker sleeps outside UMCG (a
	// page fault, a mutex), wherever it runs (Config.Sleeps).
	ActSleep
)

// ActionNames names the action kinds, by Action.Kind.
var ActionNames = []string{"step", "fail", "unblock", "preempt", "signal", "spurious", "die", "sleep"}

// Observation is what a step did, for properties and for people.
type Observation struct {
	Action Action
	// Label names the step: "poll_worker: CAS self PROCESSING->POLLING",
	// "kernel: unblock", ... (Label.String: a code here, the words on
	// demand).
	Label Label
	// Call is the library call the step belongs to, CallNone for client
	// steps and kernel events.
	Call Call
	// Syscall is set when the step made a syscall that returned at once,
	// with SysErrno its result.
	Syscall  bool
	SysErrno Errno
	// Returned is set when Call returned in this step, with Ret and Errno
	// the values the caller sees. Ret is a utid (thread+1, 0 = UMCG_NONE),
	// a group handle (group+1), 0/-1, or a state word, as the call returns.
	Returned bool
	Ret      int16
	Errno    Errno
	// GEntry and GKern are the ghost facts the errno contract needs at a
	// return: the error the call's entry checks require, and the error
	// the kernel returned in the call (0 if none).
	GEntry, GKern Errno
	// UAF is set when the step read or wrote freed memory: a freed
	// task_tls, a freed umcg_group, or the TLS of a thread that exited.
	UAF bool
	// Retry is set when the step is one more turn of a busy retry loop.
	Retry bool
	// Retried is set when the call returned a failure in this step and
	// its client decided to make the same call again.
	Retried bool
}

// Enabled appends to buf the actions enabled in s, in a deterministic order
// (by thread, then by action kind), and returns it. A state with no enabled
// action is terminal: see Terminal.
func (m *Model) Enabled(s *State, buf []Action) []Action {
	budget := int(s.FaultsUsed) < m.cfg.MaxFaults
	f := m.cfg.Faults
	given := len(buf)
	for i := 0; i < int(s.N); i++ {
		t := int8(i)
		th := &s.T[i]
		if th.Status != Alive {
			if th.Status == Exited || th.Status == Killed {
				return buf[:given] // the process is gone (!s.Live()): nothing is enabled
			}
			continue
		}
		if th.Sleep != Awake {
			if th.Wake != WakeNone {
				buf = append(buf, Action{Kind: ActStep, Thread: t})
			} else if th.Sleep == SleepIO {
				buf = append(buf, Action{Kind: ActUnblock, Thread: t})
			}
			// A signal also reaches a thread that was woken but has not
			// yet returned: v0.1's poll and run (do_context_switch), and
			// a core task's wait (do_wait) and swap (do_context_switch),
			// return EINTR whenever a signal is pending after the sleep,
			// whatever woke them (for a core task, the lost wakeup of
			// Jann Horn's review: research §5).
			if budget && f&FaultEINTR != 0 && m.interruptible(th) && th.Wake != WakeSignal {
				buf = append(buf, Action{Kind: ActSignal, Thread: t})
			}
			if budget && th.Wake == WakeNone {
				if f&FaultSpurious != 0 && th.Sleep != SleepIO {
					buf = append(buf, Action{Kind: ActSpurious, Thread: t})
				}
			}
		} else {
			if m.canStep(s, t) {
				buf = append(buf, Action{Kind: ActStep, Thread: t})
				if budget && m.failErrno(s, t) != 0 {
					buf = append(buf, Action{Kind: ActFail, Thread: t})
				}
				buf = m.appendChoices(s, t, buf)
			}
			// Preemption is modelled where a worker runs its own code,
			// not inside a libumcg call (whose trace op could not
			// contain it).
			if budget && f&FaultPreempt != 0 && m.isWorker(i) && th.Kind == KindWorker &&
				th.Fn == CallNone && th.Word.Base() == StateRunning && th.Peer >= 0 {
				buf = append(buf, Action{Kind: ActPreempt, Thread: t})
			}
			// Any registered worker can sleep outside UMCG wherever it
			// runs: in its own code and between libumcg's steps.
			if th.Kind == KindWorker && int(s.SleepsUsed) < m.cfg.Sleeps {
				buf = append(buf, Action{Kind: ActSleep, Thread: t})
			}
		}
		if budget && f&FaultDeath != 0 && m.isWorker(i) {
			buf = append(buf, Action{Kind: ActDie, Thread: t})
		}
	}
	return buf
}

// isWorker reports whether thread i's program is a worker's (a worker
// client, or a general client in the worker's role): the threads the
// preempt and death faults may strike. Enabled asks only when one is on.
func (m *Model) isWorker(i int) bool {
	p := &m.progs[i]
	return p.kind == progWorker || (p.kind == progGeneral && p.role == KindWorker)
}

// interruptible reports whether a signal can end th's sleep: the sleeps
// of poll_worker and run_worker, and a core task's wait and swap. Workers'
// sleeps are not interrupted (see docs/semantics.md).
func (m *Model) interruptible(th *Thread) bool {
	switch th.Sleep {
	case SleepPoll, SleepRun:
		return true
	case SleepWait, SleepSwap:
		return th.Kind == KindCore
	}
	return false
}

// The labels of the steps in this file (see Label).
var (
	lblResume            = newLabel("kernel: resume after wakeup")
	lblResumeSleepsAgain = newLabel("kernel: woken, sleeps again")
	lblResumeKilled      = newLabel("kernel: worker woken while not RUNNING with a server: SIGSEGV")
	lblUnblock           = newLabel("kernel: unblock (blocking syscall completes)")
	lblUnblockNap        = newLabel("kernel: unblock (the sleep outside UMCG ends)")
	lblUnblockKilled     = newLabel("kernel: unblock while still linked to a server: SIGSEGV")
	lblUnblockNapKilled  = newLabel("kernel: unblock: wake hook finds the word not RUNNING: SIGSEGV")
	lblNap               = newLabel("kernel: worker sleeps outside UMCG (page fault): block hook")
	lblPreempt           = newLabel("kernel: preempt worker")
	lblSignal            = newLabel("fault: signal interrupts the sleep")
	lblSignalPending     = newLabel("fault: signal pending when the woken thread returns")
	lblSpurious          = newLabel("fault: spurious wakeup")
	lblDie               = newLabel("fault: thread dies without unregistering")
)

// Step applies a, which must be enabled in s, and reports what happened.
func (m *Model) Step(s *State, a Action) Observation {
	o := Observation{Action: a}
	t := a.Thread
	th := &s.T[t]
	switch a.Kind {
	case ActStep, ActFail:
		fault := a.Kind == ActFail
		if fault {
			s.FaultsUsed++
		}
		if th.Sleep != Awake {
			o.Call = th.Fn
			o.Label = lblResume
			napping := th.Nap != NapNone
			e, again := m.Resume(s, t)
			if again {
				o.Label = lblResumeSleepsAgain
			}
			if !napping {
				// A worker back from a sleep outside UMCG goes on
				// where it was: no syscall of its own returned.
				th.SysRet = e
			}
			if th.Status == Killed {
				o.Label = lblResumeKilled
			}
			m.updateGhost(s)
			return o
		}
		if th.Fn == CallNone {
			m.clientStep(s, t, fault, &o)
		} else {
			m.libStep(s, t, fault, &o)
		}
	case ActUnblock:
		o.Label = lblUnblock
		nap := th.Nap
		if nap != NapNone {
			o.Call = th.Fn
			o.Label = lblUnblockNap
		}
		m.Unblock(s, t)
		if th.Status == Killed {
			o.Label = lblUnblockKilled
			if nap == NapPlain {
				o.Label = lblUnblockNapKilled
			}
		}
	case ActSleep:
		s.SleepsUsed++
		o.Call = th.Fn
		o.Label = lblNap
		m.Nap(s, t)
	case ActPreempt:
		s.FaultsUsed++
		o.Label = lblPreempt
		m.Preempt(s, t)
	case ActSignal:
		s.FaultsUsed++
		o.Label = lblSignal
		if th.Wake != WakeNone {
			o.Label = lblSignalPending
		}
		m.Signal(s, t)
	case ActSpurious:
		s.FaultsUsed++
		o.Label = lblSpurious
		wake(s, t, WakeSpurious)
	case ActDie:
		s.FaultsUsed++
		o.Label = lblDie
		m.Die(s, t)
	default:
		m.startChoice(s, a, &o)
	}
	m.updateGhost(s)
	return o
}

// updateGhost keeps each group's ghost queue: workers in the order they
// became UNBLOCKED. It looks only at state words, not at the kernel's list,
// so a kernel bug in the list cannot hide from queue-fifo. It runs after
// every step, so it makes one pass over the threads, then one per group
// that has or had an UNBLOCKED worker. Its masks hold a bit per thread: a
// state of more than 64 threads (the trace specification's) takes
// updateGhostLong.
func (m *Model) updateGhost(s *State) {
	if s.N > 64 {
		m.updateGhostLong(s)
		return
	}
	var unblocked [MaxGroups]uint64 // by group, its UNBLOCKED workers (bit t: thread t)
	var linking uint64              // threads inside run_worker or holding a GRan
	ts := s.T[:s.N]
	// One pass without branches on the threads' fields (every step runs
	// it, and which way such branches go differs from state to state):
	// masks only, then the few threads they name.
	for i := range ts {
		th := &ts[i]
		u := b2u(th.Kind == KindWorker) & b2u(th.Word == StateUnblocked) & b2u(th.Group >= 0)
		unblocked[uint8(th.Group)%MaxGroups] |= u << i // a None group (u is 0) indexes a slot it leaves as it is
		linking |= (b2u(th.Fn == CallRunWorker) | b2u(th.GRan != None)) << i
	}
	for ; linking != 0; linking &= linking - 1 {
		i := bits.TrailingZeros64(linking)
		th := &ts[i]
		// GRan: the last worker that ran linked to a server inside
		// run_worker (what run_worker promises to return), from state
		// words and links.
		if th.Fn != CallRunWorker {
			th.GRan = None
			continue
		}
		if p := th.Peer; p >= 0 {
			if w := &ts[p]; w.Kind == KindWorker && w.Status == Alive && w.Sleep == Awake &&
				w.Word.Base() == StateRunning && w.Peer == int8(i) {
				th.GRan = p
			}
		}
	}
	// A worker's group is one of the state's G groups (registration finds
	// it by id among them), and the slots past G are not the state's.
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		if gr.NGhost == 0 && unblocked[g] == 0 {
			continue
		}
		var queued uint64 // the workers the ghost queue holds
		for _, w := range gr.Ghost[:gr.NGhost] {
			queued |= 1 << w
		}
		if queued == unblocked[g] {
			continue // most steps: the queue stands
		}
		if queued&^unblocked[g] != 0 {
			// Drop the workers no longer UNBLOCKED in g, in order.
			queued = 0
			n := uint8(0)
			for _, w := range gr.Ghost[:gr.NGhost] {
				if unblocked[g]&(1<<w) != 0 {
					gr.Ghost[n] = w
					n++
					queued |= 1 << w
				}
			}
			clear(gr.Ghost[n:gr.NGhost])
			gr.NGhost = n
		}
		// Queue the newly UNBLOCKED ones, by thread.
		for add := unblocked[g] &^ queued; add != 0; add &= add - 1 {
			gr.Ghost[gr.NGhost] = int8(bits.TrailingZeros64(add))
			gr.NGhost++
		}
	}
}

// updateGhostLong is updateGhost for any number of threads, without
// masks: a group's ghost queue loses the workers no longer UNBLOCKED in
// it, in order, and gains the newly UNBLOCKED ones, by thread.
func (m *Model) updateGhostLong(s *State) {
	for i := 0; i < int(s.N); i++ {
		if th := &s.T[i]; th.Fn != CallRunWorker {
			th.GRan = None
		} else if p := th.Peer; p >= 0 {
			if w := &s.T[p]; w.Kind == KindWorker && w.Status == Alive && w.Sleep == Awake &&
				w.Word.Base() == StateRunning && w.Peer == int8(i) {
				th.GRan = p
			}
		}
	}
	unblockedIn := func(w int8, g int) bool {
		th := &s.T[w]
		return th.Kind == KindWorker && th.Word == StateUnblocked && int(th.Group) == g
	}
	for g := range int(s.G) {
		gr := &s.Grp[g]
		for i := 0; i < int(gr.NGhost); {
			if unblockedIn(gr.Ghost[i], g) {
				i++
				continue
			}
			removeFrom(&gr.Ghost, &gr.NGhost, gr.Ghost[i])
		}
	}
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if th.Kind != KindWorker || th.Word != StateUnblocked || th.Group < 0 {
			continue
		}
		gr := &s.Grp[th.Group]
		if !slices.Contains(gr.Ghost[:gr.NGhost], int8(i)) {
			gr.Ghost[gr.NGhost] = int8(i)
			gr.NGhost++
		}
	}
}

// Terminal reports whether no action is enabled in s.
func (m *Model) Terminal(s *State) bool {
	var buf [64 * MaxThreads]Action
	return len(m.Enabled(s, buf[:0])) == 0
}

// ValidEnd reports whether s is a proper end of the programs: every thread
// finished (or died by a fault), or is a server polling for work that will
// not come, or a general thread asleep with no wakeup pending. A terminal state that is not a valid end is a deadlock.
func (m *Model) ValidEnd(s *State) bool {
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		switch th.Status {
		case Finished, Dead, Aborted:
			continue
		case Alive:
			if th.Kind == KindServer && th.Sleep == SleepPoll && th.Wake == WakeNone {
				continue
			}
			if m.general(i) && th.Sleep != Awake && th.Wake == WakeNone {
				// A general client may end, or spend its calls, before
				// it makes the call another one waits for: progress is
				// owed only to clients that keep calling (see general.go).
				continue
			}
		}
		return false
	}
	return true
}
