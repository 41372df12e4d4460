package umcg2023

import (
	"fmt"
	"strings"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// fairness is owed to every client step, the end of every sleep whose
// wake condition holds, the completion of a blocking syscall and a
// timeout; not to preemption (docs/umcg-2023.md §6.2).
const fairness = "weak fairness of step, resume, unblock and timer; none of preempt and signal"

func fair(a sim.Action) bool { return a.Kind != APreempt && a.Kind != ASignal }

func (m *Model) ready(s *State, w int) bool {
	switch s.Status[w] {
	case WorkerWaking, WorkerSwapping, WorkerRunnable, WorkerRunnable | WorkerTimeout, WorkerSwapping | WorkerTimeout:
		return true
	}
	return false
}

func (m *Model) properties() []*props.Property[State, Observation] {
	return []*props.Property[State, Observation]{
		{ID: "exactly-once", Class: props.StepProperty,
			Doc: "every event a server collects was generated for that worker and not yet delivered; from its slot only the attached events written there for it, from the idle-worker list only WAKE, WAIT (of a worker-to-worker switch) and TIMEOUT (§5)",
			Step: func(before, after *State, o *Observation) string {
				for i := 0; i < int(o.NDeliv); i++ {
					ev := o.Delivered[i]
					w, k := int(ev>>3), ev&7
					if pendingCount(before.Pending[w], k) == 0 {
						return fmt.Sprintf("%s collects %s of %s, which is not pending (delivered twice or never generated)", m.name(int(o.Thread)), evNames[k], m.name(w))
					}
					if slot := i == 0 && o.FromSlot; slot && (!attached(k) || before.For[w]&(1<<o.Thread) == 0) {
						return fmt.Sprintf("%s collects %s of %s from its slot, which was not written there", m.name(int(o.Thread)), evNames[k], m.name(w))
					} else if !slot && k != EvWake && k != EvTimeout && k != EvWait {
						return fmt.Sprintf("%s collects %s of %s from the idle-worker list, which carries only WAKE, WAIT and TIMEOUT", m.name(int(o.Thread)), evNames[k], m.name(w))
					}
				}
				return ""
			}},
		{ID: "worker-has-server", Class: props.Invariant,
			Doc: "a RUNNING worker has an attached server asleep in CTX_SWITCH (SERVER_ATTACHED), no two share one, and no more threads run in user space than there are servers ([PO]); with general clients, servers are the threads with a server status, and the run is over once one is SIGKILLed",
			State: func(s *State) string {
				if m.general() && s.Killed != 0 {
					return ""
				}
				var owner [MaxThreads]int8
				running, servers := 0, m.nsv
				if m.general() {
					servers = 0
				}
				for t := 0; t < m.threads; t++ {
					if s.Killed&(1<<t) != 0 {
						continue
					}
					if st := s.Status[t]; m.general() && st != 0 && !isWorkerStatus(st) {
						servers++
					}
					if s.Status[t] == ServerRunning {
						running++
					}
					if s.Status[t] != WorkerRunning {
						continue
					}
					running++
					sv := s.Link[t]
					if sv < 0 || s.Status[sv] != ServerAttached {
						return m.name(t) + " runs with no server attached"
					}
					if owner[sv] != 0 {
						return fmt.Sprintf("%s and %s run under %s", m.name(int(owner[sv]-1)), m.name(t), m.name(int(sv)))
					}
					owner[sv] = int8(t + 1)
				}
				if running > servers {
					return fmt.Sprintf("%d threads run in user space with %d servers", running, servers)
				}
				return ""
			}},
		{ID: "no-lost-event", Class: props.Invariant,
			Doc: "never a worker on the idle-worker list while a server sleeps on the idle-server list, no wake is in flight and no server is awake to collect it (§5)",
			State: func(s *State) string {
				if s.NIdleW == 0 || s.NIdleS == 0 || m.general() && s.Killed != 0 {
					return ""
				}
				for w := 0; w < m.threads; w++ {
					if s.Waiter[w] != 0 {
						return "" // a wake is in flight (fine model, between the halves of W3)
					}
				}
				for t := 0; t < m.threads; t++ {
					if s.Status[t] == ServerRunning {
						return ""
					}
				}
				return fmt.Sprintf("%s waits on the idle-worker list while %s sleeps idle and no server is awake", m.name(int(s.IdleW[0])), m.name(int(s.IdleS[0])))
			}},
		{ID: "server-woken", Class: props.StepProperty,
			Doc: "a step that writes a server's slot sets that server RUNNING; a step that pushes a worker while a server sleeps idle (or waits for it) wakes one (§5)",
			Step: func(before, after *State, o *Observation) string {
				if m.general() && after.Killed != 0 {
					return "" // a SIGKILL ends the process; no-kill and errors-as-documented judge it
				}
				for sv := 0; sv < m.threads; sv++ {
					if before.Slot[sv] == 0 && after.Slot[sv] != 0 && after.Status[sv] != ServerRunning && after.Killed == 0 {
						return fmt.Sprintf("%s's slot gets %s but %s is not woken", m.name(sv), evNames[after.Slot[sv]&7], m.name(sv))
					}
				}
				// In the fine model the wake is owed by the second half of
				// W3 (the pushing thread's next step), not by the push.
				push := after.NIdleW > before.NIdleW && o.Kind != AResume && !(m.fine() && o.Kind == AUnblock)
				if push || o.Kind == AWakeStep {
					sleeping := before.NIdleS > 0
					for sv := 0; sv < m.threads; sv++ { // or a server waits for the pushed worker
						sleeping = sleeping || before.Status[sv] == ServerWait && before.Target[sv] == o.Thread
					}
					if !sleeping {
						return ""
					}
					for sv := 0; sv < m.threads; sv++ {
						if (before.Status[sv] == ServerIdle || before.Status[sv] == ServerWait) && after.Status[sv] == ServerRunning {
							return ""
						}
					}
					return fmt.Sprintf("%s is pushed on the idle-worker list and no sleeping server is woken", m.name(int(o.Thread)))
				}
				return ""
			}},
		{ID: "single-slot", Class: props.StepProperty,
			Doc: "a server's one-event slot is written only when empty: no attached event overwrites another (D16; the posting SIGKILLs the worker instead, which no-kill reports)",
			Step: func(before, after *State, o *Observation) string {
				for sv := 0; sv < m.threads; sv++ {
					if old, now := before.Slot[sv], after.Slot[sv]; old != 0 && now != 0 && now != old {
						return fmt.Sprintf("%s's slot holding %s of %s is overwritten with %s of %s", m.name(sv), evNames[old&7], m.name(int(old>>3)), evNames[now&7], m.name(int(now>>3)))
					}
				}
				return ""
			}},
		{ID: "no-kill", Class: props.StepProperty,
			Doc: "the kernel never SIGKILLs a thread, but a general client for its own misuse (the posting's answer to misuse, §2.2 and rows S7x, W6x, C3)",
			Step: func(before, after *State, o *Observation) string {
				killed := o.Killed
				if o.Call != 0 && m.documented(before, int(o.Thread), m.choices[o.Call-1]).kill {
					// a general caller killed for its own misuse, as
					// documented (errors-as-documented checks it)
					killed &^= 1 << o.Thread
				}
				if killed == 0 {
					return ""
				}
				var ks []string
				for t := 0; t < m.threads; t++ {
					if killed&(1<<t) != 0 {
						ks = append(ks, m.name(t))
					}
				}
				return strings.Join(ks, " and ") + " SIGKILLed by " + m.opName(o)
			}},
		{ID: "errors-as-documented", Class: props.StepProperty,
			Doc: "each command a general client makes fails with the errno, SIGKILLs its caller, returns 0 or sleeps exactly as the posting's table documents it (docs/umcg-2023.md §2.2), or Nanos's (§2.3) for the points read as Nanos's",
			Step: func(before, after *State, o *Observation) string {
				if o.Call == 0 {
					return ""
				}
				c := m.choices[o.Call-1]
				want, got := m.documented(before, int(o.Thread), c), observed(o)
				if want.any || want == got || got.kill && !want.kill {
					return "" // an undocumented SIGKILL is no-kill's to report
				}
				return fmt.Sprintf("%s by %s (%s): %s, documented %s", m.choiceName(c, int(o.Thread)), m.name(int(o.Thread)), statusName(before.Status[o.Thread]), got, want)
			}},
		{ID: "no-deadlock", Class: props.Deadlock,
			Doc: "a run stops only when every scripted client program has finished (or a thread was killed: no-kill reports that); general clients are owed no progress",
			State: func(s *State) string {
				if s.Killed != 0 || m.general() {
					return ""
				}
				var stuck []string
				for t := 0; t < m.threads; t++ {
					if !m.done(s, t) {
						stuck = append(stuck, m.name(t)+" "+m.threadState(s, t))
					}
				}
				if len(stuck) == 0 {
					return ""
				}
				return "no move: " + strings.Join(stuck, ", ")
			}},
		{ID: "delivered-by-end", Class: props.Deadlock,
			Doc: "when a run of scripted clients stops, no event generated is still undelivered (the loss half of exactly-once, §5)",
			State: func(s *State) string {
				if s.Killed != 0 || m.general() {
					return ""
				}
				for w := m.nsv; w < m.threads; w++ {
					for k := uint8(1); k <= EvPreempt; k++ {
						if pendingCount(s.Pending[w], k) > 0 {
							return fmt.Sprintf("%s of %s was never delivered", evNames[k], m.name(w))
						}
					}
				}
				return ""
			}},
		{ID: "worker-eventually-runs", Class: props.Liveness,
			Doc: "a worker that becomes ready (WAKING, SWAPPING, RUNNABLE) eventually runs or finishes",
			Live: &props.LeadsTo[State, Observation]{Fairness: fairness,
				Trigger: func(s *State, t int) bool { return !m.general() && !m.isServer(t) && t < m.threads && m.ready(s, t) },
				Goal: func(s *State, t int) bool {
					return s.Status[t] == WorkerRunning || m.done(s, t)
				}}},
	}
}

func (m *Model) opName(o *Observation) string {
	if o.Call != 0 {
		return m.choiceName(m.choices[o.Call-1], int(o.Thread))
	}
	switch o.Kind {
	case AUnblock:
		return "unblock"
	case ATimer:
		return "timeout"
	case APreempt:
		return "preempt"
	case AWakeStep:
		return "unblock: wake the waiting or an idle server"
	case ASignal:
		return "signal"
	}
	switch o.Op {
	case 'r':
		return "REGISTER_WORKER"
	case 'R':
		return "REGISTER_SERVER"
	case 'b':
		return "a blocking syscall"
	case 'y':
		return "WAIT (yield)"
	case 't':
		return "WAIT (yield, timeout)"
	case 'u':
		return "UNREGISTER"
	case 'U':
		return "WAKE (EAGAIN), UNREGISTER"
	case 'K':
		return "WAKE"
	case 'S':
		return "CTX_SWITCH"
	case 'W':
		return "WAIT"
	case 'F':
		return "WAIT(next_tid)"
	case 'f':
		return "return from WAIT(next_tid)"
	case 'I':
		return "WAIT(INTERRUPTED)"
	case 'C':
		return "WAIT(next_tid) re-check"
	case 'c':
		if o.Kind == AResume {
			return "collect"
		}
		return "compute"
	}
	return "step"
}

var statusNames = []struct {
	v uint16
	n string
}{{ServerAttached, "ATTACHED"}, {ServerIdle, "IDLE"}, {ServerRunning, "RUNNING"}, {ServerWait, "WAIT"},
	{WorkerBlocked, "BLOCKED"}, {WorkerWaking, "WAKING"}, {WorkerSwapping, "SWAPPING"}, {WorkerRunnable, "RUNNABLE"},
	{WorkerRunning, "RUNNING"}, {WorkerTimeout, "TIMEOUT"}}

func statusName(v uint16) string {
	if v == 0 {
		return "0"
	}
	var ns []string
	for _, sn := range statusNames {
		if v&sn.v != 0 {
			ns = append(ns, sn.n)
		}
	}
	return strings.Join(ns, "|")
}

func (m *Model) threadState(s *State, t int) string {
	st := statusName(s.Status[t])
	if m.general() {
		if s.PC[t] != 0 {
			st += " " + sPCNames[s.PC[t]]
		}
		st += fmt.Sprintf(" calls %d", s.Calls[t])
	} else if m.isServer(t) {
		st += " " + sPCNames[s.PC[t]]
	} else if op := m.op(s, t); op != 0 {
		st += " at " + string(op)
	}
	if s.Killed&(1<<t) != 0 {
		st += " killed"
	}
	return st
}

func (m *Model) describe(s *State, sep string) string {
	var parts []string
	for t := 0; t < m.threads; t++ {
		p := m.name(t) + " " + m.threadState(s, t)
		if s.Link[t] >= 0 {
			p += " link " + m.name(int(s.Link[t]))
		} else if s.Link[t] == deadSlot {
			p += " link a finished call's slot"
		}
		if m.isServer(t) && s.Slot[t] != 0 {
			p += fmt.Sprintf(" slot %s:%s", m.name(int(s.Slot[t]>>3)), evNames[s.Slot[t]&7])
		}
		parts = append(parts, p)
	}
	list := func(name string, l []int8) string {
		var ns []string
		for _, t := range l {
			ns = append(ns, m.name(int(t)))
		}
		return name + " [" + strings.Join(ns, " ") + "]"
	}
	parts = append(parts, list("idle workers", s.IdleW[:s.NIdleW]), list("idle servers", s.IdleS[:s.NIdleS]), list("queue", s.Queue[:s.NQueue]))
	return strings.Join(parts, sep)
}

// encode: per used thread its status (2 bytes), link, slot, timer, pc,
// target, pending (2 bytes), the servers the pending events are for, the
// fine model's waiter, [N]'s server_bq and a general thread's calls; then
// the three lists as length and entries, the counters, the kill mask,
// [N]'s wake flag, the signals so far and [N]'s WAITING mask.
func (m *Model) encode(b []byte, s *State) []byte {
	for t := 0; t < m.threads; t++ {
		tm := byte(0)
		if s.Timer[t] {
			tm = 1
		}
		b = append(b, byte(s.Status[t]), byte(s.Status[t]>>8), byte(s.Link[t]), s.Slot[t], tm, s.PC[t],
			byte(s.Target[t]), byte(s.Pending[t]), byte(s.Pending[t]>>8), s.For[t], s.Waiter[t], byte(s.BQ[t]), s.Calls[t])
	}
	b = append(b, s.NIdleW)
	for _, t := range s.IdleW[:s.NIdleW] {
		b = append(b, byte(t))
	}
	b = append(b, s.NIdleS)
	for _, t := range s.IdleS[:s.NIdleS] {
		b = append(b, byte(t))
	}
	b = append(b, s.NQueue)
	for _, t := range s.Queue[:s.NQueue] {
		b = append(b, byte(t))
	}
	wf := byte(0)
	if s.WakeFlag {
		wf = 1
	}
	return append(b, s.Exited, s.Preempts, s.Killed, wf, s.Signals, s.Waiting)
}

func (m *Model) decode(s *State, b []byte) {
	*s = m.Init()
	for t := 0; t < m.threads; t++ {
		s.Status[t] = uint16(b[0]) | uint16(b[1])<<8
		s.Link[t], s.Slot[t], s.Timer[t], s.PC[t] = int8(b[2]), b[3], b[4] == 1, b[5]
		s.Target[t], s.Pending[t], s.For[t], s.Waiter[t] = int8(b[6]), uint16(b[7])|uint16(b[8])<<8, b[9], b[10]
		s.BQ[t], s.Calls[t] = int8(b[11]), b[12]
		b = b[13:]
	}
	s.NIdleW = b[0]
	for i := range int(s.NIdleW) {
		s.IdleW[i] = int8(b[1+i])
	}
	b = b[1+s.NIdleW:]
	s.NIdleS = b[0]
	for i := range int(s.NIdleS) {
		s.IdleS[i] = int8(b[1+i])
	}
	b = b[1+s.NIdleS:]
	s.NQueue = b[0]
	for i := range int(s.NQueue) {
		s.Queue[i] = int8(b[1+i])
	}
	b = b[1+s.NQueue:]
	s.Exited, s.Preempts, s.Killed, s.WakeFlag, s.Signals, s.Waiting = b[0], b[1], b[2], b[3] == 1, b[4], b[5]
}

// Engine returns m as the engine's Model.
func (m *Model) Engine() *sim.Model[State, Observation] {
	names := make([]string, m.threads)
	for t := range names {
		names[t] = m.name(t)
	}
	e := &sim.Model[State, Observation]{
		Protocol:    ProtocolName,
		Config:      m.cfg,
		ThreadNames: names,
		ActionNames: m.actionNames,
		Init:        m.Init,
		Enabled:     m.enabled,
		Step:        m.step,
		Encode:      m.encode,
		Decode:      m.decode,
		MaxEncoded:  13*MaxThreads + 3*(1+MaxThreads) + 6,
		Properties:  m.properties(),
		Fair:        fair,
		Halted:      func(s *State) bool { return s.Killed != 0 },
		Local:       m.localSteps(),
		Place: func(before *State, o *Observation) string {
			kind := "worker"
			if m.isServer(int(o.Thread)) {
				kind = "server"
			}
			if m.general() {
				kind = "general " + kind
			}
			if o.Call != 0 {
				return kind + " " + choicePlace(m.choices[o.Call-1])
			}
			return kind + " " + m.opName(o)
		},
		ExplainStep: func(before, after *State, o *Observation) sim.StepText {
			st := sim.StepText{What: m.opName(o)}
			switch o.Kind {
			case AUnblock, ATimer, APreempt, AWakeStep:
				st.Event = sim.EventKernel // the kernel's events (W3, W5, W8), not a thread's command
			case ASignal:
				st.Event = sim.EventFault // a signal the configuration injects
			}
			if o.Call != 0 { // the action names the command: say what it did
				st.What = "-> " + observed(o).String()
			} else if o.Result != 0 {
				st.Result = errnoName(o.Result)
			}
			for i := 0; i < int(o.NDeliv); i++ {
				ev := o.Delivered[i]
				st.Changes = append(st.Changes, fmt.Sprintf("delivers %s of %s", evNames[ev&7], m.name(int(ev>>3))))
			}
			for t := 0; t < m.threads; t++ {
				if before.Status[t] != after.Status[t] {
					st.Changes = append(st.Changes, fmt.Sprintf("%s %s -> %s", m.name(t), statusName(before.Status[t]), statusName(after.Status[t])))
				}
				if before.Link[t] != after.Link[t] {
					to := "none"
					if after.Link[t] >= 0 {
						to = m.name(int(after.Link[t]))
					} else if after.Link[t] == deadSlot {
						to = "a finished call's slot"
					}
					st.Changes = append(st.Changes, fmt.Sprintf("%s's server -> %s", m.name(t), to))
				}
				if before.BQ[t] != after.BQ[t] {
					to := "none"
					if after.BQ[t] >= 0 {
						to = m.name(int(after.BQ[t]))
					}
					st.Changes = append(st.Changes, fmt.Sprintf("%s's server_bq -> %s", m.name(t), to))
				}
				if o.Killed&(1<<t) != 0 {
					st.Changes = append(st.Changes, m.name(t)+" SIGKILLed")
				}
			}
			if before.WakeFlag != after.WakeFlag {
				st.Changes = append(st.Changes, fmt.Sprintf("wake flag %v -> %v", before.WakeFlag, after.WakeFlag))
			}
			return st
		},
		LabelStep:     func(o *Observation) string { return m.name(int(o.Thread)) + " " + m.opName(o) },
		DescribeState: func(s *State) string { return m.describe(s, "\n") },
	}
	if classes := m.symmetryClasses(); len(classes) > 0 {
		e.Canonical = func(s *State) sim.Perm {
			r, p := m.canonical(s, classes)
			*s = r
			return p
		}
		e.Symmetry = sim.SymmetryClasses(e.ThreadNames, classes)
	}
	return e
}
