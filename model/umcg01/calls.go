package umcg01

import (
	"fmt"
	"strconv"
)

// The calls table: everything the rest of the code knows about each
// libumcg call (its name, which is also its trace name, its argument,
// whether it can sleep, how its result reads) and about each kernel event
// a trace records. The specification (spec.go), symmetry (symmetry.go),
// the trace vocabulary and recording (trace.go), the linearizability
// checker (lincheck) and the output formatting read it; nothing else
// lists calls by name.

// ArgKind is what a call's one argument is.
type ArgKind uint8

// Argument kinds.
const (
	ArgNone   ArgKind = iota // no argument
	ArgGroup                 // a group (index; None for UMCG_NONE)
	ArgThread                // a thread (index, its utid minus one; None for UMCG_NONE)
)

// ResultKind is how a call's return value reads.
type ResultKind uint8

// Result kinds.
const (
	// ResultThread is a utid (thread index + 1), or 0 for UMCG_NONE, which
	// reports a failure (or, for run_worker, why it has nothing to run).
	ResultThread ResultKind = iota
	// ResultGroup is a group (index + 1), 0 for UMCG_NONE (malloc failed),
	// or -1 (the seed's create_group when its syscall fails).
	ResultGroup
	// ResultInt is 0, or -1 on failure.
	ResultInt
	// ResultState is a task state word (TaskState); it never fails.
	ResultState
)

// callInfo is one row of the calls table.
type callInfo struct {
	name   string     // the C name without umcg_; the trace's "op"
	arg    ArgKind    // its argument, if any
	role   string     // the argument's key in a trace's "args"
	sleeps bool       // recorded as a request and a followup
	result ResultKind // how its return value reads
}

// calls is the calls table, indexed by Call.
var calls = [numCalls]callInfo{
	CallNone:           {name: ""},
	CallRegisterCore:   {name: "register_core_task", result: ResultThread},
	CallRegisterWorker: {name: "register_worker", arg: ArgGroup, role: "group", sleeps: true, result: ResultThread},
	CallRegisterServer: {name: "register_server", arg: ArgGroup, role: "group", result: ResultThread},
	CallUnregister:     {name: "unregister_task", result: ResultInt},
	CallWait:           {name: "wait", sleeps: true, result: ResultInt},
	CallWake:           {name: "wake", arg: ArgThread, role: "next", result: ResultInt},
	CallSwap:           {name: "swap", arg: ArgThread, role: "next", sleeps: true, result: ResultInt},
	CallCreateGroup:    {name: "create_group", result: ResultGroup},
	CallDestroyGroup:   {name: "destroy_group", arg: ArgGroup, role: "group", result: ResultInt},
	CallPollWorker:     {name: "poll_worker", sleeps: true, result: ResultThread},
	CallRunWorker:      {name: "run_worker", arg: ArgThread, role: "worker", sleeps: true, result: ResultThread},
	CallGetTaskState:   {name: "get_task_state", arg: ArgThread, role: "task", result: ResultState},
}

// events names the kernel events a trace records, indexed by SpecEvent.
var events = [...]string{NoEvent: "", EventBlock: "block", EventUnblock: "unblock", EventPreempt: "preempt"}

func (c Call) valid() bool { return c > CallNone && c < numCalls }

func (c Call) String() string {
	if c < numCalls {
		return calls[c].name
	}
	return "call(" + strconv.Itoa(int(c)) + ")"
}

// Calls lists every library call, in a fixed order.
func Calls() []Call {
	cs := make([]Call, 0, numCalls-1)
	for c := CallNone + 1; c < numCalls; c++ {
		cs = append(cs, c)
	}
	return cs
}

// ParseCall is the inverse of Call.String.
func ParseCall(s string) (Call, bool) {
	for c := CallNone + 1; c < numCalls; c++ {
		if calls[c].name == s {
			return c, true
		}
	}
	return 0, false
}

// Arg returns what c's argument is.
func (c Call) Arg() ArgKind {
	if !c.valid() {
		return ArgNone
	}
	return calls[c].arg
}

// TakesThread reports whether c's argument is a thread (a utid): wake,
// swap, run_worker, get_task_state.
func (c Call) TakesThread() bool { return c.Arg() == ArgThread }

// TakesGroup reports whether c's argument is a group: register_worker,
// register_server, destroy_group.
func (c Call) TakesGroup() bool { return c.Arg() == ArgGroup }

// ArgRole returns the key of c's argument in a trace's "args" ("group",
// "worker", "next" or "task"), or "" when c takes none.
func (c Call) ArgRole() string {
	if !c.valid() {
		return ""
	}
	return calls[c].role
}

// Sleeps reports whether c can sleep, and so is recorded as a request and
// a followup: register_worker, wait, swap, poll_worker, run_worker.
func (c Call) Sleeps() bool { return c.valid() && calls[c].sleeps }

// Result returns how c's return value reads.
func (c Call) Result() ResultKind {
	if !c.valid() {
		return ResultInt
	}
	return calls[c].result
}

// Failed reports whether ret, returned by c, reports a failure (or, for
// run_worker, UMCG_NONE, whose errno says why): then errno is meaningful.
func (c Call) Failed(ret int16) bool {
	switch c.Result() {
	case ResultThread, ResultGroup:
		return ret <= 0
	case ResultState:
		return false
	}
	return ret == -1
}

// FormatRet renders ret, returned by c, as the caller sees it: a thread's
// or a group's name, UMCG_NONE, a task state, or the number. thread(i) and
// group(i) name thread and group i (i >= 0), or return "" when there is no
// such thread or group, and the number is rendered instead.
func (c Call) FormatRet(ret int16, thread, group func(int) string) string {
	switch c.Result() {
	case ResultThread:
		if ret == 0 {
			return "UMCG_NONE"
		}
		if ret > 0 {
			if n := thread(int(ret) - 1); n != "" {
				return n
			}
		}
	case ResultGroup:
		if ret == 0 {
			return "UMCG_NONE"
		}
		if ret > 0 {
			if n := group(int(ret) - 1); n != "" {
				return n
			}
		}
	case ResultState:
		return TaskState(ret).String()
	}
	return strconv.Itoa(int(ret))
}

// RetString renders ret, returned by c in a run of m, as the caller sees
// it: threads by their names, groups as g0, g1, ...
func (m *Model) RetString(c Call, ret int16) string {
	return c.FormatRet(ret, func(i int) string {
		if i < m.Threads() {
			return m.ThreadName(i)
		}
		return ""
	}, func(i int) string { return fmt.Sprintf("g%d", i) })
}

func (e SpecEvent) String() string {
	if int(e) < len(events) {
		return events[e]
	}
	return "event(" + strconv.Itoa(int(e)) + ")"
}

// Events lists the kernel events a trace records, in a fixed order.
func Events() []SpecEvent { return []SpecEvent{EventBlock, EventUnblock, EventPreempt} }

// ParseEvent is the inverse of SpecEvent.String on events.
func ParseEvent(s string) (SpecEvent, bool) {
	for _, e := range Events() {
		if events[e] == s {
			return e, true
		}
	}
	return NoEvent, false
}
