package traces

import (
	"fmt"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// sleeps reports whether a call can sleep, and so is recorded as a request
// and a followup.
func sleeps(c model.Call) bool {
	switch c {
	case model.CallRegisterWorker, model.CallPollWorker, model.CallRunWorker, model.CallWait, model.CallSwap:
		return true
	}
	return false
}

// FromModel records a run of the model (actions from its initial state) as
// a trace: each library call as an op (a request and a followup for calls
// that can sleep), each block, unblock and preemption as an event; step k
// happens at time 10(k+1) ns. Faults other than preemption leave no op, so
// a run with them records a trace the fixed specification may reject.
func FromModel(m *model.Model, actions []model.Action, source string) (Trace, error) {
	s := m.Init()
	type pending struct {
		call, followup int64
		requested      bool
	}
	p := make([]pending, m.Threads())
	var tr Trace
	var buf []model.Action
	for k, a := range actions {
		buf = m.Enabled(&s, buf[:0])
		if !containsAction(buf, a) {
			return Trace{}, fmt.Errorf("step %d: action %s of %s is not enabled", k+1, model.ActionNames[a.Kind], m.ThreadName(int(a.Thread)))
		}
		t := a.Thread
		before := s.T[t]
		o := m.Step(&s, a)
		after := &s.T[t]
		now := int64(k+1) * 10
		name := m.ThreadName(int(t))
		switch {
		case a.Kind == model.ActUnblock:
			tr.Ops = append(tr.Ops, Op{Thread: name, Kind: OpUnblock, Call: now, Return: now})
			continue
		case a.Kind == model.ActPreempt:
			tr.Ops = append(tr.Ops, Op{Thread: name, Kind: OpPreempt, Call: now, Return: now})
			continue
		case a.Kind != model.ActStep && a.Kind != model.ActFail:
			continue // faults leave no trace
		case before.Fn == model.CallNone && before.Sleep == model.Awake && after.Sleep == model.SleepIO:
			tr.Ops = append(tr.Ops, Op{Thread: name, Kind: OpBlock, Call: now, Return: now})
			continue
		}
		c := o.Call
		if c == model.CallNone {
			continue
		}
		if before.Fn == model.CallNone && before.Sleep == model.Awake {
			p[t] = pending{call: now}
		}
		if before.Sleep != model.Awake && p[t].followup == 0 {
			p[t].followup = now
		}
		kind, _ := ParseOpKind(c.String())
		args := argsOf(m, c, after)
		if sleeps(c) && !p[t].requested && (after.Sleep != model.Awake || o.Returned) {
			end := now
			tr.Ops = append(tr.Ops, Op{Thread: name, Kind: kind, Phase: PhaseRequest, Args: args, Call: p[t].call, Return: end})
			p[t].requested = true
			if !o.Returned {
				continue
			}
		}
		if !o.Returned {
			continue
		}
		op := Op{Thread: name, Kind: kind, Args: args, Ret: retOf(m, c, o.Ret), Call: p[t].call, Return: now}
		if failedRet(c, o.Ret) {
			op.Errno = int(o.Errno)
		}
		if sleeps(c) {
			op.Phase = PhaseFollowup
			op.Args = Args{}
			op.Call = now
			if p[t].followup != 0 {
				op.Call = p[t].followup
			}
		}
		tr.Ops = append(tr.Ops, op)
		p[t] = pending{}
	}
	tr.Header = Header{Version: Version, Source: source, Clock: ClockNS}
	for i := 0; i < m.Threads(); i++ {
		tr.Header.Tasks = append(tr.Header.Tasks, m.ThreadName(i))
	}
	for g := 0; g < int(s.G); g++ {
		tr.Header.Groups = append(tr.Header.Groups, fmt.Sprintf("g%d", g))
	}
	return tr, nil
}

func containsAction(as []model.Action, a model.Action) bool {
	for _, b := range as {
		if b == a {
			return true
		}
	}
	return false
}

// argsOf is the argument of the call the thread was or is in.
func argsOf(m *model.Model, c model.Call, after *model.Thread) Args {
	arg := after.Arg // the library keeps a call's argument until the next call
	thread := func() string {
		if arg < 0 {
			return ""
		}
		return m.ThreadName(int(arg))
	}
	group := func() string {
		if arg < 0 {
			return ""
		}
		return fmt.Sprintf("g%d", arg)
	}
	switch c {
	case model.CallRegisterWorker, model.CallRegisterServer, model.CallDestroyGroup:
		return Args{Group: group()}
	case model.CallRunWorker:
		return Args{Worker: thread()}
	case model.CallWake, model.CallSwap:
		return Args{Next: thread()}
	case model.CallGetTaskState:
		return Args{Task: thread()}
	}
	return Args{}
}

func retOf(m *model.Model, c model.Call, ret int16) Ret {
	switch c {
	case model.CallRegisterCore, model.CallRegisterWorker, model.CallRegisterServer, model.CallPollWorker, model.CallRunWorker:
		if ret <= 0 {
			return Ret{}
		}
		return NameRet(m.ThreadName(int(ret) - 1))
	case model.CallCreateGroup:
		if ret > 0 {
			return NameRet(fmt.Sprintf("g%d", ret-1))
		}
		if ret == 0 {
			return Ret{}
		}
	case model.CallGetTaskState:
		return NameRet(model.TaskState(ret).String())
	}
	return IntRet(int64(ret))
}

func failedRet(c model.Call, ret int16) bool {
	switch c {
	case model.CallRegisterCore, model.CallRegisterWorker, model.CallRegisterServer, model.CallPollWorker, model.CallRunWorker, model.CallCreateGroup:
		return ret <= 0
	case model.CallGetTaskState:
		return false
	}
	return ret == -1
}
