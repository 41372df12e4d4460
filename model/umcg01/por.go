package umcg01

// Partial-order reduction: which steps are local (sim.Model.Local). Each
// library step is at most one access to memory another thread may touch or
// one syscall (library.go), so almost every step is shared; the local ones
// are those that touch only the thread's own private fields, which no
// other thread's step and no property reads, and that no other thread can
// disable (short of ending the process, which every property check sees
// the same with the step taken or not: none reads what a local step
// writes). The list is conservative; docs/semantics.md says why each is
// local, and TestReductionsKeepVerdicts compares the verdicts with and
// without the reduction on every shipped configuration and bug.

// localSteps returns the model's Local function: a thread's step is local
// when it is
//
//   - a script's "set flag", its "flag seen" (its await, once the flag
//     is set: flags are only ever set) or its skip of a call whose
//     argument the previous call failed to give: each moves the script's
//     own program counter and, for the set, its own flags, which only
//     other scripts' awaits read (setting one can enable an await, which
//     independence allows: the await was not enabled before);
//   - the first step of register_* by a server or a worker (the check of
//     its own arguments and the malloc of its own task_tls), in a
//     configuration of servers and workers only: its task_tls is named by
//     nobody until the task is registered (a server learns of a worker
//     from the kernel, after its registration), and its state word is
//     UMCG_NONE before and after, so no property sees the step. Where a
//     core task, a probe or a general client could name the thread, it
//     is not local (its partner's wake loads that very task_tls);
//   - the second step of register_* by a server or a worker, the load of
//     group->group_id, in the same configurations: nobody there creates
//     or destroys a group, so it reads what no step writes.
//
// Every other action of the thread must be local too for the engine to
// use it (a fault that could strike the same step, a death, a sleep
// outside UMCG are not local), and none of those can be enabled by
// another thread: the fault and sleep budgets only shrink, and a thread
// not yet registered can neither be preempted nor sleep outside UMCG.
func (m *Model) localSteps() func(s *State, a Action) bool {
	servedOnly := true
	for _, p := range m.progs {
		if p.kind != progServer && p.kind != progWorker {
			servedOnly = false
		}
	}
	return func(s *State, a Action) bool {
		t := a.Thread
		th := &s.T[t]
		if a.Kind != ActStep || th.Status != Alive || th.Sleep != Awake {
			return false
		}
		p := &m.progs[t]
		if th.Fn != CallNone {
			// register_*'s load of group->group_id: in a configuration
			// of servers and workers, no thread creates or destroys a
			// group, so the load reads what nobody writes.
			return servedOnly && (th.Fn == CallRegisterServer || th.Fn == CallRegisterWorker) &&
				th.LPC == lpRegGroup && th.Kind == KindNone
		}
		switch p.kind {
		case progScript:
			if int(th.PC) >= len(p.script) {
				return false // the thread ends: its status is read by others
			}
			in := &p.script[th.PC]
			return in.op == opSet || in.op == opAwait || (in.op == opCall && in.arg == argLast && th.Ret <= 0)
		case progServer, progWorker:
			if !servedOnly {
				return false
			}
			c, arg, ok := m.nextCall(s, t)
			return ok && (c == CallRegisterServer || c == CallRegisterWorker) && arg != None &&
				th.TLS == 0 && th.Kind == KindNone && th.Word == StateNone
		}
		return false
	}
}
