package umcg2023

import (
	"testing"

	"github.com/umcgcheck/umcgcheck/traces"
)

// TestSpecWakeBranches: UMCG_WAKE's outcomes are the specification's
// only nondeterminism: which waiting server it released, and whether that
// server found events (only when none are queued).
func TestSpecWakeBranches(t *testing.T) {
	var sp Spec
	s := sp.Init()
	apply := func(op SpecOp) {
		t.Helper()
		next := sp.Next(s, op)
		if len(next) != 1 {
			t.Fatalf("%s: %d next states, want 1", sp.Describe(op, []string{"s1", "s2", "w1"}), len(next))
		}
		s = next[0]
	}
	apply(SpecOp{Thread: 0, Call: CallRegisterServer, Next: -1})
	apply(SpecOp{Thread: 1, Call: CallRegisterServer, Next: -1})
	if n := len(sp.Next(s, SpecOp{Thread: 0, Call: CallWake, Next: -1})); n != 0 {
		t.Errorf("wake -> 0 with no server waiting: %d next states, want 0", n)
	}
	if n := len(sp.Next(s, SpecOp{Thread: 0, Call: CallWake, Ret: -1, Errno: eAGAIN, Next: -1})); n != 1 {
		t.Errorf("wake -> EAGAIN with no server waiting: %d next states, want 1", n)
	}
	apply(SpecOp{Thread: 0, Call: CallWait, Phase: Request, Next: -1})
	apply(SpecOp{Thread: 1, Call: CallWait, Phase: Request, Next: -1})
	wake := SpecOp{Thread: 2, Call: CallWake, Next: -1}
	if n := len(sp.Next(s, wake)); n != 4 {
		t.Errorf("wake -> 0, two servers waiting, nothing queued: %d next states, want 4", n)
	}
	if n := len(sp.Next(s, SpecOp{Thread: 2, Call: CallWake, Ret: -1, Errno: eAGAIN, Next: -1})); n != 0 {
		t.Errorf("wake -> EAGAIN with servers waiting: %d next states, want 0", n)
	}
	apply(SpecOp{Thread: 2, Call: CallRegisterWorker, Phase: Request, Next: -1})
	if n := len(sp.Next(s, wake)); n != 2 {
		t.Errorf("wake -> 0, two servers waiting, w1 queued: %d next states, want 2", n)
	}
	// A released server returns with what is queued, or (released empty)
	// with nothing; not with nothing when events were queued.
	for _, n := range sp.Next(s, wake) {
		fu := SpecOp{Thread: 0, Call: CallWait, Phase: Followup, Next: -1, Events: []SpecEvent{{Worker: 2, Kind: EvWake}}}
		empty := SpecOp{Thread: 0, Call: CallWait, Phase: Followup, Next: -1}
		if n.S[0] == sReleased && (len(sp.Next(n, fu)) != 1 || len(sp.Next(n, empty)) != 0) {
			t.Errorf("released s1 (events): with w1's WAKE %d, empty %d; want 1, 0", len(sp.Next(n, fu)), len(sp.Next(n, empty)))
		}
	}
}

// TestSpecOpsFoldsEvents: read_event lines join the followup before them,
// and a request carries its followup's result.
func TestSpecOpsFoldsEvents(t *testing.T) {
	tr := traces.Trace{Header: traces.Header{Version: 1, Protocol: ProtocolName, Source: "t", Clock: traces.ClockNS, Tasks: []string{"s1", "w1"}}}
	add := func(op traces.Op) { tr.Ops = append(tr.Ops, op) }
	add(traces.Op{Thread: "s1", Kind: OpWait, Phase: traces.PhaseRequest, Call: 1, Return: 2})
	add(traces.Op{Thread: "s1", Kind: OpWait, Phase: traces.PhaseFollowup, Ret: traces.IntRet(0), Call: 3, Return: 3})
	add(traces.Op{Thread: "s1", Kind: OpReadEvent, Args: traces.Args{Worker: "w1"}, Ret: traces.NameRet("WAKE"), Call: 4, Return: 4})
	add(traces.Op{Thread: "s1", Kind: OpReadEvent, Args: traces.Args{Worker: "w1"}, Ret: traces.NameRet("EXIT"), Call: 5, Return: 5})
	add(traces.Op{Thread: "w1", Kind: OpSyscall, Phase: traces.PhaseRequest, Call: 1, Return: 2})
	add(traces.Op{Thread: "w1", Kind: OpSyscall, Phase: traces.PhaseFollowup, Ret: traces.IntRet(-1), Errno: 4, Call: 3, Return: 3})
	ops, err := SpecOps(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 4 {
		t.Fatalf("%d ops, want 4: %+v", len(ops), ops)
	}
	if f := ops[1]; f.Index != 1 || len(f.Events) != 2 || f.Events[0] != (SpecEvent{1, EvWake}) || f.Events[1] != (SpecEvent{1, EvExit}) {
		t.Errorf("followup %+v", f)
	}
	if r := ops[2]; r.Phase != Request || r.Pending || r.Ret != -1 || r.Errno != 4 {
		t.Errorf("request %+v does not carry its followup's result", r)
	}
	tr.Ops = tr.Ops[:1]
	if ops, _ := SpecOps(tr); len(ops) != 1 || !ops[0].Pending {
		t.Errorf("a request without followup: %+v, want Pending", ops)
	}
}
