package umcg01

import (
	"fmt"
	"strings"

	"github.com/umcgcheck/umcgcheck/sim"
)

// ProtocolName is the name --protocol gives UMCG v0.1.
const ProtocolName = "umcg-v0.1"

// Engine returns m as the engine's Model: every function the searches
// need, bound to m.
func (m *Model) Engine() *sim.Model[State, Observation] {
	names := make([]string, m.Threads())
	for t := range names {
		names[t] = m.ThreadName(t)
	}
	classes := m.Classes()
	e := &sim.Model[State, Observation]{
		Protocol:      ProtocolName,
		Config:        m.cfg,
		ThreadNames:   names,
		ActionNames:   m.actionNames,
		Init:          m.Init,
		Enabled:       m.Enabled,
		Step:          m.Step,
		Encode:        func(b []byte, s *State) []byte { return s.AppendEncoding(b) },
		Decode:        func(s *State, b []byte) { s.Decode(b) },
		MaxEncoded:    encodedSize(len(m.progs)),
		Copy:          CopyState,
		Fingerprint:   (*State).SearchFingerprint,
		Properties:    append(m.Properties(), m.Reachability()...),
		Fair:          fair,
		Halted:        func(s *State) bool { return !s.Live() },
		Place:         m.place,
		ExplainStep:   m.explainStep,
		LabelStep:     m.labelStep,
		DescribeState: m.describeState,
		Coverage:      coverage,
		Local:         m.localSteps(),
	}
	if len(classes) > 0 {
		e.Canonical = func(s *State) sim.Perm { return m.canonicalize(s, classes) }
		e.Symmetry = sim.SymmetryClasses(e.ThreadNames, classes)
	}
	return e
}

// describeState says, one line per thread and then per group, what the
// documentation tracks, in its words (words.go): each task's kind and state
// word, the call it is inside, the server a worker runs on (or the worker
// a server runs), where it sleeps, its life, and each existing group's
// queue.
func (m *Model) describeState(s *State) string {
	var lines []string
	name := func(t int8) string { return m.ThreadName(int(t)) }
	for t := 0; t < int(s.N); t++ {
		th := &s.T[t]
		p := m.ThreadName(t) + " " + KindWords(th.Kind) + " " + th.Word.String()
		if th.Fn != CallNone {
			p += " in " + th.Fn.String()
		}
		for _, w := range []string{PeerWords(th, name), SleepWords(th)} {
			if w != "" {
				p += ", " + w
			}
		}
		if th.Wake != WakeNone && th.Sleep != Awake {
			p += " (woken, not yet returned)"
		}
		if th.Status != Alive {
			p += ", " + th.Status.String()
		}
		lines = append(lines, p)
	}
	for g := 0; g < int(s.G); g++ {
		if s.Grp[g].Exists {
			lines = append(lines, fmt.Sprintf("queue of g%d: %s", g, QueueWords(s, g, name)))
		}
	}
	return strings.Join(lines, "\n")
}

// fair reports whether weak fairness is owed to a: a thread's own step
// (or its faulty twin) or the completion of its blocking syscall. Faults
// are never owed.
func fair(a Action) bool {
	return a.Kind == ActStep || a.Kind == ActFail || a.Kind == ActUnblock
}

// labelStep is a step's label with what its call returned.
func (m *Model) labelStep(o *Observation) string {
	if o.Returned {
		return o.Label.String() + " => " + m.RetString(o.Call, o.Ret)
	}
	return o.Label.String()
}

// explainStep says what a step did, in the documentation's words.
func (m *Model) explainStep(before, after *State, o *Observation) sim.StepText {
	st := sim.StepText{What: o.Label.String(), Changes: m.Changes(before, after)}
	if o.Syscall && o.SysErrno != 0 {
		st.Result = "syscall error " + o.SysErrno.String()
	}
	if o.Returned {
		st.Result = fmt.Sprintf("returns %s, errno %s", m.RetString(o.Call, o.Ret), o.Errno)
	}
	if o.UAF {
		st.Changes = append(st.Changes, "touches freed memory")
	}
	switch {
	case o.Action.Kind == ActFail || o.Action.Kind == ActSignal || o.Action.Kind == ActSpurious ||
		o.Action.Kind == ActDie || o.Action.Kind == ActPreempt:
		st.Event = sim.EventFault // --faults injects each of these
	case o.Action.Kind == ActUnblock || strings.HasPrefix(o.Label.String(), "kernel:"):
		st.Event = sim.EventKernel
	}
	return st
}

// Changes describes, in words, what differs between two states: state
// words, registrations, sleeps, peers, lives and group queues.
func (m *Model) Changes(b, a *State) []string {
	var out []string
	name := func(t int8) string { return m.ThreadName(int(t)) }
	for i := 0; i < int(a.N); i++ {
		tb, ta := &b.T[i], &a.T[i]
		n := m.ThreadName(i)
		if tb.Kind != ta.Kind {
			out = append(out, n+" registered as "+KindWords(ta.Kind))
			if ta.Kind == KindNone {
				out[len(out)-1] = n + " unregistered"
			}
		}
		if ta.Dangling && !tb.Dangling {
			out = append(out, n+"'s kernel record freed, pointer kept")
		}
		if tb.Word != ta.Word && (ta.Kind != KindNone || tb.Kind != KindNone) {
			out = append(out, fmt.Sprintf("%s %s->%s", n, tb.Word, ta.Word))
		}
		if tb.Sleep != ta.Sleep {
			if ta.Sleep == Awake {
				out = append(out, n+" returns from the kernel")
			} else {
				out = append(out, n+" "+SleepWords(ta))
			}
		}
		if tb.Wake != ta.Wake && ta.Wake != WakeNone {
			out = append(out, n+" woken")
		}
		if tb.Peer != ta.Peer {
			if ta.Peer < 0 {
				out = append(out, n+" unlinked")
			} else if i < int(ta.Peer) || b.T[ta.Peer].Peer == ta.Peer {
				out = append(out, fmt.Sprintf("%s linked to %s", n, m.ThreadName(int(ta.Peer))))
			}
		}
		if tb.Status != ta.Status {
			out = append(out, fmt.Sprintf("%s %s", n, ta.Status))
		}
		if tb.TLS != ta.TLS || tb.Freed != ta.Freed {
			switch {
			case ta.TLS != 0 && tb.TLS == 0 && ta.Gen == tb.Gen:
				out = append(out, n+" task_tls taken back")
			case ta.TLS != 0 && tb.TLS != ta.TLS:
				out = append(out, n+" task_tls allocated")
			case ta.Freed && !tb.Freed:
				out = append(out, n+" task_tls freed")
			case ta.TLS == 0:
				out = append(out, n+" task_tls = NULL")
			}
		}
	}
	for g := 0; g < int(a.G); g++ {
		gb, ga := &b.Grp[g], &a.Grp[g]
		if g >= int(b.G) {
			gb = &Group{}
		}
		qb, qa := "empty", QueueWords(a, g, name)
		if g < int(b.G) {
			qb = QueueWords(b, g, name)
		}
		if qb != qa {
			out = append(out, fmt.Sprintf("queue of g%d: %s->%s", g, qb, qa))
		}
		if gb.Exists != ga.Exists {
			out = append(out, fmt.Sprintf("g%d exists=%v", g, ga.Exists))
		}
		if gb.Unlisted != ga.Unlisted && ga.Exists {
			if ga.Unlisted {
				out = append(out, fmt.Sprintf("g%d off the group list", g))
			} else {
				out = append(out, fmt.Sprintf("g%d listed", g))
			}
		}
		if gb.Lib != ga.Lib {
			out = append(out, fmt.Sprintf("g%d umcg_group %s", g, [...]string{"none", "allocated", "freed"}[ga.Lib]))
		}
	}
	return out
}

// place says where a step happens, without thread names: the kind of
// thread, the action when it is not a plain step, the call and the step's
// label. Violations at different places are reported apart.
func (m *Model) place(before *State, o *Observation) string {
	a := o.Action
	pr := &m.progs[a.Thread]
	p := [...]string{progServer: "server", progWorker: "worker", progScript: "probe", progPuppet: "task", progGeneral: "general"}[pr.kind]
	if pr.kind == progScript && strings.HasPrefix(pr.name, "c") {
		p = "core task"
	}
	if pr.kind == progGeneral {
		p = "general " + [...]string{KindCore: "core task", KindServer: "server", KindWorker: "worker"}[pr.role]
	}
	if a.Kind >= ActCall {
		// The call is named below; its argument is left out, as
		// threads are.
	} else if a.Kind != ActStep {
		p += " (" + ActionNames[a.Kind] + ")"
	}
	if o.Call != CallNone && !strings.HasPrefix(o.Label.String(), o.Call.String()+":") {
		p += " in " + o.Call.String()
	}
	return p + ": " + o.Label.String()
}
