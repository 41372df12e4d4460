package umcg2023

import "github.com/umcgcheck/umcgcheck/sim"

// Partial-order reduction: which steps are local (sim.Model.Local). The
// model is coarse (§6.3): a step is a whole command or kernel hook, so
// nearly every step touches the shared status words, links, slots, lists
// or budgets. Per kind of step, scripted clients:
//
//   - REGISTER_WORKER (W1), a block (W2), a yield (W4), UNREGISTER (W9):
//     push the worker or write its server's slot and wake a server;
//   - unblock (W3, both halves of the fine model), timeout (W5), preempt
//     (W8): push the worker or write a slot, and wake a server; preempt
//     also spends the budget every other preempt reads;
//   - REGISTER_SERVER (S1): no other thread names the server yet, but it
//     sets the server RUNNING, which no-lost-event reads ("no server is
//     awake to collect it") and worker-has-server counts: visible;
//   - the server's CTX_SWITCH, WAIT, WAIT(next_tid) and its re-check, the
//     wind-down's WAKE and UNREGISTER, the end of a WAIT or CTX_SWITCH
//     (collect and handle) and, in the posting, of a WAIT(next_tid) (it
//     clears the worker's link: R1): read or write the run queue, the
//     lists, a slot, a worker's status or link, a worker's server_bq;
//   - a signal (D13): spends the budget every signal reads;
//   - general clients: in user space every command is enabled at once,
//     most of them shared, and all of a thread's enabled actions must be
//     local for the engine to use any.
//
// Three kinds are local:
//
//   - a worker's compute step (script op c) when no preemption is left in
//     the budget: it moves only the worker's program counter. Another
//     thread writes a worker's PC never, and a RUNNING worker's status
//     only together with a SIGKILL (a server's CTX_SWITCH to it, a collect
//     that finds it on the idle-worker list), which ends the run: the
//     step is never disabled but by a crash. The worker's only other
//     action there, preempt, is off and stays off (the budget only
//     shrinks). No property and no other thread's step reads a worker's
//     PC (no-deadlock reads it only in terminal states, which the
//     reduction keeps exactly); the step delivers, pushes and kills
//     nothing, so no step property fires on it.
//   - a server's return to its sleep after EINTR ([P], D13: WAIT with
//     flags=INTERRUPTED from SIntrWait or SIntrSwitch): it moves only the
//     server's PC; its status stays IDLE (and listed) or ATTACHED, so a
//     wake or an event reaches it the same before or after. Only the
//     server writes its PC; the one other reader, [N]'s wake of a
//     server_bq (nanosWake), treats SIntrSwitch as SSwitched and neither
//     SIntrWait nor SWaiting specially. The server's other actions (resume,
//     signal) are off at SIntr* and only its own step turns them on.
//   - under reading waitfor=bq ([N], D10), a server's return from
//     WAIT(next_tid) (S10's end, [N:umcg_server_wait_worker_bh]): it
//     clears nothing of the worker's ([P]'s xchg of the worker's link,
//     race R1, is shared), only the server's own PC and Target. Its
//     status is RUNNING, which other threads' steps only ever set (wakes
//     of all kinds), so they cannot disable it; the only readers of its
//     Target, [N]'s wake of a server_bq and server-woken, look at a server
//     in WAIT, not a RUNNING one; no invariant reads PC or Target. At
//     SWaitFor the server has no other action (no signal strikes a
//     WAIT(next_tid)).
//
// Liveness (worker-eventually-runs) is not asked to be invisible: liveness
// searches are not reduced. TestReductionsKeepVerdicts compares the
// verdicts with and without the reduction on every shipped configuration,
// both kernels and every bug.
func (m *Model) localSteps() func(s *State, a sim.Action) bool {
	if m.general() {
		return nil // no step of a general client is local (above)
	}
	return func(s *State, a sim.Action) bool {
		t := int(a.Thread)
		switch {
		case s.Killed != 0:
			return false
		case m.isServer(t) && a.Kind == AStep:
			return s.PC[t] == SIntrWait || s.PC[t] == SIntrSwitch
		case m.isServer(t) && a.Kind == AResume:
			return m.r.waitforBQ && s.PC[t] == SWaitFor
		case a.Kind == AStep:
			return s.Status[t] == WorkerRunning && m.op(s, t) == 'c' && int(s.Preempts) >= m.cfg.Preempts
		}
		return false
	}
}
