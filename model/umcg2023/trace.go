package umcg2023

import (
	"fmt"

	"github.com/umcgcheck/umcgcheck/traces"
)

// The trace vocabulary of the 2023 API (docs/trace-format.md, "umcg-2023").
// Tasks are named; worker ids and tids are not recorded (a worker's id is
// its task). The six UMCG_* commands are ops; a worker's blocking system
// call is the op "syscall"; the events a server's WAIT or CTX_SWITCH
// returned are "read_event" lines of that server, one per event in buffer
// order, right after the call's followup. The format's task state names
// are, in this vocabulary, the event kinds (read_event's ret).
const (
	OpRegisterWorker = "register_worker"
	OpRegisterServer = "register_server"
	OpUnregister     = "unregister"
	OpWake           = "wake"
	OpWait           = "wait"
	OpCtxSwitch      = "ctx_switch"
	OpSyscall        = "syscall"
	OpWaitUntil      = "wait_until"
	OpReadEvent      = "read_event"
)

// traceOps is the vocabulary's table: one fact per op.
var traceOps = []traces.OpSpec{
	{Name: OpRegisterWorker, Sleeps: true, Ret: traces.RetsInt},
	{Name: OpRegisterServer, Ret: traces.RetsInt},
	{Name: OpUnregister, Ret: traces.RetsInt},
	{Name: OpWake, Ret: traces.RetsInt},
	// args.next: WAIT's next_tid (a worker to wait for; absent or null: none).
	{Name: OpWait, Sleeps: true, Arg: "next", Ret: traces.RetsInt},
	// args.next: the worker to switch to.
	{Name: OpCtxSwitch, Sleeps: true, Arg: "next", Ret: traces.RetsInt},
	// A worker's system call that blocks in the kernel (nanosleep, read,
	// futex wait): ret is the system call's own result.
	{Name: OpSyscall, Sleeps: true, Ret: traces.RetsInt},
	// args.worker: the worker the event is about; ret: its kind.
	{Name: OpReadEvent, Arg: "worker", Ret: traces.RetsState},
	// UMCG_WAIT with a timeout (abs_timeout other than 0 and 1); a
	// worker's returns ETIMEDOUT if the timeout fired first.
	{Name: OpWaitUntil, Sleeps: true, Arg: "next", Ret: traces.RetsInt},
}

var vocabulary = func() *traces.Vocabulary {
	v, err := traces.NewVocabulary(ProtocolName, traceOps, traces.States{
		Names: evNames[EvBlock : EvPreempt+1],
		Hint:  `an event kind: "BLOCK", "WAKE", "WAIT", "EXIT", "TIMEOUT" or "PREEMPT"`,
	})
	if err != nil {
		panic(err)
	}
	return v
}()

// Vocabulary returns the ops of umcg-2023 traces.
func Vocabulary() *traces.Vocabulary { return vocabulary }

// SpecOps converts a trace of the 2023 vocabulary into the operations
// Spec applies, in file order: each op's index in t.Ops is Index, and the
// read_event lines are folded into the followup they follow (their
// Index is that followup's). A request carries its followup's result, so
// that the specification can decide at the request whether the call took
// effect. An op of unknown outcome (traces.OutcomeUnknown) is Unknown;
// after a success (Ret >= 0) Errno is 0, whatever the trace recorded. The
// ops must be in the forms lincheck gives them: no Died lines, and every
// sleeping call a request and a followup. An error names the line (header = line 1) and what is wrong:
// a read_event that does not follow a server's successful wait, wait_until
// or ctx_switch followup, or more tasks than a state holds.
func SpecOps(t traces.Trace) ([]SpecOp, error) {
	if len(t.Header.Tasks) > MaxSpecTasks {
		return nil, &traces.Error{Line: 1, Field: "tasks", Msg: fmt.Sprintf(
			"%d tasks: the umcg-2023 specification handles at most %d", len(t.Header.Tasks), MaxSpecTasks)}
	}
	task := map[string]int8{}
	for i, n := range t.Header.Tasks {
		task[n] = int8(i)
	}
	name := func(n string) int8 {
		if n == "" {
			return -1
		}
		return task[n]
	}
	var out []SpecOp
	last := map[int8]int{}    // thread -> index in out of its latest op
	request := map[int8]int{} // thread -> index in out of its pending request
	for i, op := range t.Ops {
		th := task[op.Thread]
		if op.Kind == OpReadEvent {
			j, ok := last[th]
			if !ok || out[j].Phase != Followup || (out[j].Call != CallWait && out[j].Call != CallWaitUntil && out[j].Call != CallCtxSwitch) || out[j].Ret != 0 {
				return nil, &traces.Error{Line: i + 2, Field: "op",
					Msg: "read_event must follow a successful wait, wait_until or ctx_switch followup of the same thread (or another read_event)"}
			}
			k, _ := parseEvent(op.Ret.Name)
			out[j].Events = append(out[j].Events, SpecEvent{Worker: name(op.Args.Worker), Kind: k})
			continue
		}
		so := SpecOp{Index: i, Thread: th, Call: callOf(op.Kind), Next: -1, Unknown: op.Outcome == traces.OutcomeUnknown}
		switch op.Phase {
		case traces.PhaseRequest:
			so.Phase = Request
			so.Pending = true
		case traces.PhaseFollowup:
			so.Phase = Followup
		}
		so.Next = name(op.Args.Next)
		if op.Phase != traces.PhaseRequest {
			so.Ret, so.Errno = op.Ret.Int, op.Errno
			if so.Ret >= 0 {
				// errno is unspecified after a success: a C library
				// leaves what an earlier call set.
				so.Errno = 0
			}
		}
		out = append(out, so)
		last[th] = len(out) - 1
		switch so.Phase {
		case Request:
			request[th] = len(out) - 1
		case Followup:
			r := &out[request[th]]
			r.Pending, r.Ret, r.Errno = false, so.Ret, so.Errno
			so := &out[len(out)-1]
			so.Next = r.Next
		}
	}
	return out, nil
}

func callOf(k traces.OpKind) SpecCall {
	for c := CallRegisterWorker; c <= CallWaitUntil; c++ {
		if specCallNames[c] == string(k) {
			return c
		}
	}
	return CallNone
}

func parseEvent(s string) (uint8, bool) {
	for k := uint8(EvBlock); k <= EvPreempt; k++ {
		if evNames[k] == s {
			return k, true
		}
	}
	return 0, false
}
