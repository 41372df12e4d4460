package umcg01

import (
	"fmt"

	"github.com/umcgcheck/umcgcheck/props"
)

// Property is a property of UMCG v0.1, over its states and steps.
type Property = props.Property[State, Observation]

// Violation is a property found false.
type Violation = props.Violation[State, Observation]

// fairness is the fairness every liveness property assumes.
const fairness = "weak fairness of every thread's steps and of unblock events"

// Properties lists the properties of UMCG v0.1 that m must keep, in a
// fixed order, bound to m. Once the process is gone (exit(1) or a kill)
// only no-exit and no-kill are evaluated on states: the rest of the state
// is debris. Each invariant and step property gets its screen from
// screenOf (checks.go).
func (m *Model) Properties() []*Property {
	st := func(f func(*Model, *State) string) func(*State) string {
		return func(s *State) string {
			if !s.Live() {
				return ""
			}
			return f(m, s)
		}
	}
	step := func(f func(*Model, *State, *State, *Observation) string) func(b, a *State, o *Observation) string {
		return func(b, a *State, o *Observation) string { return f(m, b, a, o) }
	}
	ps := []*Property{
		{ID: "state-domain", Class: props.Invariant,
			Doc:   "each registered task's state word holds a state (and flags) of its kind",
			State: st(stateDomain)},
		{ID: "legal-edge", Class: props.StepProperty,
			Doc:  "every step moves task states only along the documented edges",
			Step: step(legalEdge)},
		{ID: "worker-has-server", Class: props.Invariant,
			Doc:   "a RUNNING worker is served by exactly one SERVING server of its group; peer links are symmetric",
			State: st(workerHasServer)},
		{ID: "peer-registered", Class: props.Invariant,
			Doc:   "a peer link joins two registered tasks: nobody is linked to a task that unregistered",
			State: st(peerRegistered)},
		{ID: "queue-fifo", Class: props.Invariant,
			Doc:   "the unblocked queue holds exactly the UNBLOCKED workers, once each, in unblock order; poll takes the longest waiting",
			State: st(queueFIFO), Step: step(pollTakesOldest)},
		{ID: "no-lost-wakeup", Class: props.Invariant,
			Doc:   "no server sleeps polling while its group has an UNBLOCKED worker",
			State: st(noLostWakeup)},
		{ID: "errno-contract", Class: props.StepProperty,
			Doc:  "every call's result and errno match the header's doc comments",
			Step: step(errnoContract)},
		{ID: "no-exit", Class: props.Invariant,
			Doc:   "a well-behaved client never reaches an exit(1) path of the library",
			State: func(s *State) string { return statusIs(m, s, Exited) }},
		{ID: "no-kill", Class: props.Invariant,
			Doc:   "the kernel never kills (SIGSEGV) a thread of a well-behaved client",
			State: func(s *State) string { return statusIs(m, s, Killed) }},
		{ID: "no-use-after-free", Class: props.StepProperty,
			Doc: "no thread touches a freed task_tls, a freed group, or the TLS of a thread that exited",
			Step: func(b, a *State, o *Observation) string {
				if o.UAF {
					return fmt.Sprintf("%s: %s touches freed memory", m.ThreadName(int(o.Action.Thread)), o.Label)
				}
				return ""
			}},
		{ID: "server-processing", Class: props.StepProperty,
			Doc:  "whenever poll_worker or run_worker returns, the server is PROCESSING",
			Step: step(serverProcessing)},
		{ID: "register-succeeds", Class: props.StepProperty,
			Doc:  "a registration with valid arguments succeeds: by a thread not registered, into a group that exists (core tasks: none), with memory to spare",
			Step: step(registerSucceeds)},
		{ID: "run-returns-worker", Class: props.StepProperty,
			Doc:  "a worker run_worker returns is the last worker the server was running, as its documentation promises",
			Step: step(runReturnsWorker)},
		{ID: "no-leak", Class: props.Deadlock,
			Doc:   "at the end of a run nothing is left behind: a thread that finished or died is unregistered and (unless a general client) has freed its task_tls; no group counts or lists a task that is gone; an empty group can be destroyed",
			State: st(noLeak)},
		{ID: "no-deadlock", Class: props.Deadlock,
			Doc:   "unless every program finished (servers may poll forever, general clients wait forever), some thread can move",
			State: st(noDeadlock)},
		{ID: "worker-eventually-runs", Class: props.Liveness,
			Doc: "an UNBLOCKED worker is eventually RUNNING (or dead)",
			Live: &props.LeadsTo[State, Observation]{Fairness: fairness,
				Trigger: func(s *State, t int) bool {
					th := &s.T[t]
					return th.Kind == KindWorker && th.Status == Alive && th.Word == StateUnblocked && !m.general(t)
				},
				Goal: func(s *State, t int) bool {
					th := &s.T[t]
					return th.Word.Base() == StateRunning || th.Status != Alive
				}}},
		{ID: "run-returns", Class: props.Liveness,
			Doc: "every run_worker call returns (its worker always blocks, yields or unregisters)",
			Live: &props.LeadsTo[State, Observation]{Fairness: fairness,
				Trigger: func(s *State, t int) bool {
					return s.T[t].Fn == CallRunWorker && s.T[t].Status == Alive && !m.general(t)
				},
				Goal: func(s *State, t int) bool {
					return s.T[t].Fn != CallRunWorker || s.T[t].Status != Alive
				}}},
		{ID: "retry-progress", Class: props.Liveness,
			Doc: "a client that retries a failed call eventually succeeds or gives up: no weakly fair cycle of states contains such a retry",
			Live: &props.LeadsTo[State, Observation]{Fairness: fairness,
				Cycle: func(o *Observation) string {
					if o.Retried {
						return o.Label.String()
					}
					return ""
				}}},
		{ID: "no-busy-wait", Class: props.Liveness,
			Doc: "no weakly fair cycle of states contains a busy retry (EAGAIN or OP_AGAIN loop)",
			Live: &props.LeadsTo[State, Observation]{Fairness: fairness,
				Cycle: func(o *Observation) string {
					if o.Retry {
						return o.Label.String()
					}
					return ""
				}}},
	}
	for _, p := range ps {
		p.Screen = screenOf[p.ID]
	}
	return ps
}

func statusIs(m *Model, s *State, st Status) string {
	for i := 0; i < int(s.N); i++ {
		if s.T[i].Status == st {
			return fmt.Sprintf("%s is %s", m.ThreadName(i), st)
		}
	}
	return ""
}

func noDeadlock(m *Model, s *State) string {
	if !s.Live() || m.ValidEnd(s) {
		return ""
	}
	msg := "no thread can move:"
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		switch {
		case th.Status != Alive:
			msg += fmt.Sprintf(" %s %s;", m.ThreadName(i), th.Status)
		case th.Sleep != Awake:
			msg += fmt.Sprintf(" %s sleeps in %s (%s);", m.ThreadName(i), th.Sleep, th.Fn)
		default:
			msg += fmt.Sprintf(" %s waits for a flag;", m.ThreadName(i))
		}
	}
	return msg
}

// peerRegistered finds a peer link that names or leaves from a task that is
// not registered (or whose thread is gone).
func peerRegistered(mo *Model, s *State) string {
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		p := th.Peer
		if p < 0 || th.Status != Alive {
			continue
		}
		if th.Kind == KindNone {
			return fmt.Sprintf("%s is not registered but is linked to %s", mo.ThreadName(i), mo.ThreadName(int(p)))
		}
		if pt := &s.T[p]; pt.Kind == KindNone && pt.Status == Alive {
			return fmt.Sprintf("%s is linked to %s, which is not registered", mo.ThreadName(i), mo.ThreadName(int(p)))
		}
	}
	return ""
}

// registerSucceeds: a register call that fails although its arguments were
// valid. The library's entry checks (GEntry) catch a NULL group and a
// thread that holds a task_tls, and a fault sets GEntry to ENOMEM; what
// is left is the kernel refusing a thread the library takes for
// unregistered, or a group that exists (created, not destroyed).
func registerSucceeds(mo *Model, b, a *State, o *Observation) string {
	if !o.Returned || !isRegister(o.Call) || o.Ret != 0 || o.GEntry != 0 {
		return ""
	}
	t := o.Action.Thread
	if o.Call != CallRegisterCore {
		g := b.T[t].Arg
		if g < 0 || int(g) >= int(b.G) || !b.Grp[g].Exists || b.Grp[g].Lib != 1 {
			return "" // no such group: EINVAL is the answer
		}
	}
	return fmt.Sprintf("%s: %s failed (errno %s) with valid arguments", mo.ThreadName(int(t)), o.Call, o.Errno)
}

// runReturnsWorker: run_worker returned a worker other than the last one
// that ran linked to the server during the call (Thread.GRan, kept by
// updateGhost). The header: "the ID of the last worker the server was
// running before the worker was blocked or preempted". UMCG_NONE results
// are errno-contract's.
func runReturnsWorker(mo *Model, b, a *State, o *Observation) string {
	if !o.Returned || o.Call != CallRunWorker || o.Ret <= 0 {
		return ""
	}
	t := o.Action.Thread
	got, want := int8(o.Ret-1), b.T[t].GRan
	if got == want {
		return ""
	}
	if want < 0 {
		return fmt.Sprintf("%s: run_worker returned %s, but no worker ran", mo.ThreadName(int(t)), mo.ThreadName(int(got)))
	}
	return fmt.Sprintf("%s: run_worker returned %s, but the last worker it ran was %s", mo.ThreadName(int(t)), mo.ThreadName(int(got)), mo.ThreadName(int(want)))
}

// noLeak checks a terminal state for what the run left behind. Threads
// that gave up (Aborted) are not asked to clean up; general clients may
// end registered, which the kernel must then undo (exit-unregisters), but
// their task_tls is theirs to leak.
func noLeak(mo *Model, s *State) string {
	var count [MaxGroups]uint8
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if th.Kind != KindNone && th.Group >= 0 {
			count[th.Group]++
		}
		if th.Status != Finished && th.Status != Dead {
			continue
		}
		if th.Kind != KindNone {
			return fmt.Sprintf("%s is %s but still registered as %s", mo.ThreadName(i), th.Status, th.Kind)
		}
		if th.Status == Finished && th.TLS != 0 && !mo.general(i) {
			return fmt.Sprintf("%s finished with its task_tls allocated", mo.ThreadName(i))
		}
	}
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		if !gr.Exists {
			continue
		}
		if gr.NrTasks != count[g] {
			return fmt.Sprintf("group %d counts %d tasks, but %d are registered in it", g, gr.NrTasks, count[g])
		}
		for _, w := range gr.Waiters[:gr.NWait] {
			if wt := &s.T[w]; wt.Status != Alive || wt.Sleep == Awake {
				return fmt.Sprintf("group %d lists %s, which is %s and %s", g, mo.ThreadName(int(w)), wt.Status, wt.Sleep)
			}
		}
		if gr.NrTasks == 0 && gr.Unlisted {
			return fmt.Sprintf("group %d is empty but off the process's list: it can never be destroyed", g)
		}
	}
	return ""
}
