// Package props holds the properties UMCG must keep, as plain values: each
// has an id, a one-line doc and a check over model states or steps. The
// explorer and the simulator in package sim evaluate them; nothing here
// searches.
package umcg01

import (
	"fmt"
)

// Class says over what a property is evaluated.
type Class uint8

const (
	// Invariant properties hold in every reachable state.
	Invariant Class = iota
	// StepProperty properties hold on every step (before, observation, after).
	StepProperty
	// Deadlock properties hold in every reachable terminal state.
	Deadlock
	// Liveness properties hold on every infinite or maximal path that is
	// weakly fair to threads (see Liveness).
	Liveness
)

func (c Class) String() string {
	return [...]string{"invariant", "step", "deadlock", "liveness"}[c]
}

// Property is one property. Exactly the check fields its Class needs are set.
type Property struct {
	ID    string
	Doc   string
	Class Class
	// State checks an invariant, or a terminal state for Deadlock. It
	// returns "" when the property holds, else what is wrong.
	State func(m *Model, s *State) string
	// Step checks a step: before and after are the states around it.
	// A property may have both State and Step (queue-fifo does).
	Step func(m *Model, before, after *State, o *Observation) string
	// Live defines a liveness property.
	Live *LeadsTo
}

// LeadsTo is a liveness property "whenever Trigger(t) holds, Goal(t) holds
// later", for every thread t, on every path that is weakly fair to threads:
// a path on which a thread's step stays enabled forever takes that step
// infinitely often. A maximal finite path (ending in a terminal state) on
// which Trigger(t) held with no later Goal(t) violates it too. When Trigger
// is nil the property is "no weakly fair cycle contains a step for which
// Cycle returns true".
type LeadsTo struct {
	Fairness string
	Trigger  func(m *Model, s *State, t int) bool
	Goal     func(m *Model, s *State, t int) bool
	Cycle    func(o *Observation) bool
}

// Violation is a property found false, with what was wrong.
type Violation struct {
	Property *Property
	Message  string
}

func (v Violation) String() string { return v.Property.ID + ": " + v.Message }

// All lists every property, in a fixed order.
func All() []*Property { return all }

// ByID returns the property with that id.
func ByID(id string) (*Property, bool) {
	for _, p := range all {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// CheckState appends to vs the invariants s violates, and, when terminal is
// set, the Deadlock properties. Once the process is gone (exit(1) or a
// kill) only no-exit and no-kill are evaluated: the rest of the state is
// debris.
func CheckState(m *Model, s *State, terminal bool, vs []Violation) []Violation {
	live := s.Live()
	for _, p := range all {
		if p.State == nil || (p.Class == Deadlock && !terminal) {
			continue
		}
		if !live && p.ID != "no-exit" && p.ID != "no-kill" {
			continue
		}
		if msg := p.State(m, s); msg != "" {
			vs = append(vs, Violation{p, msg})
		}
	}
	return vs
}

// CheckStep appends to vs the step properties the step violates.
func CheckStep(m *Model, before, after *State, o *Observation, vs []Violation) []Violation {
	for _, p := range all {
		if p.Step == nil {
			continue
		}
		if msg := p.Step(m, before, after, o); msg != "" {
			vs = append(vs, Violation{p, msg})
		}
	}
	return vs
}

var all = []*Property{
	{ID: "state-domain", Class: Invariant,
		Doc:   "each registered task's state word holds a state (and flags) of its kind",
		State: stateDomain},
	{ID: "legal-edge", Class: StepProperty,
		Doc:  "every step moves task states only along the documented edges",
		Step: legalEdge},
	{ID: "worker-has-server", Class: Invariant,
		Doc:   "a RUNNING worker is served by exactly one SERVING server of its group; peer links are symmetric",
		State: workerHasServer},
	{ID: "queue-fifo", Class: Invariant,
		Doc:   "the unblocked queue holds exactly the UNBLOCKED workers, once each, in unblock order; poll takes the longest waiting",
		State: queueFIFO, Step: pollTakesOldest},
	{ID: "no-lost-wakeup", Class: Invariant,
		Doc:   "no server sleeps polling while its group has an UNBLOCKED worker",
		State: noLostWakeup},
	{ID: "errno-contract", Class: StepProperty,
		Doc:  "every call's result and errno match the header's doc comments",
		Step: errnoContract},
	{ID: "no-exit", Class: Invariant,
		Doc:   "a well-behaved client never reaches an exit(1) path of the library",
		State: func(m *Model, s *State) string { return statusIs(m, s, Exited) }},
	{ID: "no-kill", Class: Invariant,
		Doc:   "the kernel never kills (SIGSEGV) a thread of a well-behaved client",
		State: func(m *Model, s *State) string { return statusIs(m, s, Killed) }},
	{ID: "no-use-after-free", Class: StepProperty,
		Doc: "no thread touches a freed task_tls, a freed group, or the TLS of a thread that exited",
		Step: func(m *Model, b, a *State, o *Observation) string {
			if o.UAF {
				return fmt.Sprintf("%s: %s touches freed memory", m.ThreadName(int(o.Action.Thread)), o.Label)
			}
			return ""
		}},
	{ID: "server-processing", Class: StepProperty,
		Doc:  "whenever poll_worker or run_worker returns, the server is PROCESSING",
		Step: serverProcessing},
	{ID: "no-deadlock", Class: Deadlock,
		Doc:   "unless every program finished (servers may poll forever), some thread can move",
		State: noDeadlock},
	{ID: "worker-eventually-runs", Class: Liveness,
		Doc: "an UNBLOCKED worker is eventually RUNNING (or dead)",
		Live: &LeadsTo{Fairness: "weak fairness of every thread's steps and of unblock events",
			Trigger: func(m *Model, s *State, t int) bool {
				th := &s.T[t]
				return th.Kind == KindWorker && th.Status == Alive && th.Word == StateUnblocked
			},
			Goal: func(m *Model, s *State, t int) bool {
				th := &s.T[t]
				return th.Word.Base() == StateRunning || th.Status != Alive
			}}},
	{ID: "run-returns", Class: Liveness,
		Doc: "every run_worker call returns (its worker always blocks, yields or unregisters)",
		Live: &LeadsTo{Fairness: "weak fairness of every thread's steps and of unblock events",
			Trigger: func(m *Model, s *State, t int) bool {
				return s.T[t].Fn == CallRunWorker && s.T[t].Status == Alive
			},
			Goal: func(m *Model, s *State, t int) bool {
				return s.T[t].Fn != CallRunWorker || s.T[t].Status != Alive
			}}},
	{ID: "no-busy-wait", Class: Liveness,
		Doc: "no weakly fair cycle of states contains a busy retry (EAGAIN or OP_AGAIN loop)",
		Live: &LeadsTo{Fairness: "weak fairness of every thread's steps and of unblock events",
			Cycle: func(o *Observation) bool { return o.Retry }}},
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
