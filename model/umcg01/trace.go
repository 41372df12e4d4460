package umcg01

import (
	"fmt"
	"slices"

	"github.com/umcgcheck/umcgcheck/traces"
)

// Protocol is the name of this protocol in a trace's header.
const Protocol = "umcg-v0.1"

// vocabulary is the trace vocabulary of v0.1, built from the calls table.
var vocabulary = buildVocabulary()

// Vocabulary returns the ops of v0.1 traces, read from the calls table: the
// library calls in their order, then the kernel events.
func Vocabulary() *traces.Vocabulary { return vocabulary }

func buildVocabulary() *traces.Vocabulary {
	var ops []traces.OpSpec
	for _, c := range Calls() {
		var ret traces.RetSet
		switch c.Result() {
		case ResultThread:
			ret = traces.RetsNull | traces.RetsTask
		case ResultGroup:
			// The seed's umcg_create_group returns -1 (an integer, not
			// a group) when the syscall fails, UMCG_NONE when malloc
			// fails.
			ret = traces.RetsNull | traces.RetsGroup | traces.RetsInt
		case ResultInt:
			ret = traces.RetsInt
		case ResultState:
			ret = traces.RetsState
		}
		ops = append(ops, traces.OpSpec{Name: c.String(), Sleeps: c.Sleeps(), Arg: c.ArgRole(), Ret: ret})
	}
	for _, e := range Events() {
		ops = append(ops, traces.OpSpec{Name: e.String(), Event: true, Ret: traces.RetsNull})
	}
	var names []string
	for s := StateNone; s <= StateUnblocked; s++ {
		names = append(names, s.String())
	}
	v, err := traces.NewVocabulary(Protocol, ops, traces.States{
		Names: names,
		Flags: []string{"WAKEUP_QUEUED"},
		Hint:  `a v0.1 state name such as "RUNNABLE", optionally with "|WAKEUP_QUEUED"`,
	})
	if err != nil {
		panic(err)
	}
	return v
}

// Trace records a run of m (actions from its initial state) as a trace:
// each library call as an op (a request and a followup for calls
// that can sleep), each block, unblock and preemption as an event; step k
// happens at time 10(k+1) ns. Faults other than preemption leave no op, and
// neither does a sleep outside UMCG (the sleep event, its unblock and its
// wakeup), so a run with them records a trace the fixed specification may
// reject.
func (m *Model) Trace(actions []Action, source string) (traces.Trace, error) {
	s := m.Init()
	type pending struct {
		call, followup int64
		requested      bool
	}
	p := make([]pending, m.Threads())
	var tr traces.Trace
	var buf []Action
	for k, a := range actions {
		buf = m.Enabled(&s, buf[:0])
		if !slices.Contains(buf, a) {
			return traces.Trace{}, fmt.Errorf("step %d: action %s of %s is not enabled", k+1, m.actionNames[a.Kind], m.ThreadName(int(a.Thread)))
		}
		t := a.Thread
		before := s.T[t]
		o := m.Step(&s, a)
		after := &s.T[t]
		now := int64(k+1) * 10
		name := m.ThreadName(int(t))
		switch {
		case before.Nap != NapNone && before.Sleep != Awake:
			continue // the end of a sleep outside UMCG
		case a.Kind == ActUnblock:
			tr.Ops = append(tr.Ops, traces.Op{Thread: name, Kind: traces.OpKind(EventUnblock.String()), Call: now, Return: now})
			continue
		case a.Kind == ActPreempt:
			tr.Ops = append(tr.Ops, traces.Op{Thread: name, Kind: traces.OpKind(EventPreempt.String()), Call: now, Return: now})
			continue
		case a.Kind != ActStep && a.Kind != ActFail:
			continue // faults leave no trace
		case before.Fn == CallNone && before.Sleep == Awake && after.Sleep == SleepIO:
			tr.Ops = append(tr.Ops, traces.Op{Thread: name, Kind: traces.OpKind(EventBlock.String()), Call: now, Return: now})
			continue
		}
		c := o.Call
		if c == CallNone {
			continue
		}
		if before.Fn == CallNone && before.Sleep == Awake {
			p[t] = pending{call: now}
		}
		if before.Sleep != Awake && p[t].followup == 0 {
			p[t].followup = now
		}
		kind := traces.OpKind(c.String())
		args := argsOf(m, c, after)
		if c.Sleeps() && !p[t].requested && (after.Sleep != Awake || o.Returned) {
			end := now
			tr.Ops = append(tr.Ops, traces.Op{Thread: name, Kind: kind, Phase: traces.PhaseRequest, Args: args, Call: p[t].call, Return: end})
			p[t].requested = true
			if !o.Returned {
				continue
			}
		}
		if !o.Returned {
			continue
		}
		op := traces.Op{Thread: name, Kind: kind, Args: args, Ret: retOf(m, c, o.Ret), Call: p[t].call, Return: now}
		if c.Failed(o.Ret) {
			op.Errno = int(o.Errno)
		}
		if c.Sleeps() {
			op.Phase = traces.PhaseFollowup
			op.Args = traces.Args{}
			op.Call = now
			if p[t].followup != 0 {
				op.Call = p[t].followup
			}
		}
		tr.Ops = append(tr.Ops, op)
		p[t] = pending{}
	}
	tr.Header = traces.Header{Version: traces.Version, Source: source, Clock: traces.ClockNS}
	for i := 0; i < m.Threads(); i++ {
		tr.Header.Tasks = append(tr.Header.Tasks, m.ThreadName(i))
	}
	for g := 0; g < int(s.G); g++ {
		tr.Header.Groups = append(tr.Header.Groups, fmt.Sprintf("g%d", g))
	}
	return tr, nil
}

// argsOf is the argument of the call the thread was or is in.
func argsOf(m *Model, c Call, after *Thread) traces.Args {
	arg := after.Arg // the library keeps a call's argument until the next call
	var a traces.Args
	if arg < 0 {
		return a
	}
	name := fmt.Sprintf("g%d", arg)
	if c.TakesThread() {
		name = m.ThreadName(int(arg))
	}
	switch c.ArgRole() {
	case "group":
		a.Group = name
	case "worker":
		a.Worker = name
	case "next":
		a.Next = name
	case "task":
		a.Task = name
	}
	return a
}

// retOf is the trace's ret of c's return value.
func retOf(m *Model, c Call, ret int16) traces.Ret {
	switch c.Result() {
	case ResultThread:
		if ret <= 0 {
			return traces.Ret{}
		}
		return traces.NameRet(m.ThreadName(int(ret) - 1))
	case ResultGroup:
		if ret > 0 {
			return traces.NameRet(fmt.Sprintf("g%d", ret-1))
		}
		if ret == 0 {
			return traces.Ret{}
		}
	case ResultState:
		return traces.NameRet(TaskState(ret).String())
	}
	return traces.IntRet(int64(ret))
}
