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
//     or destroys a group, so it reads what no step writes;
//   - the last two steps of a worker's unregister_task, the free of its
//     task_tls and the store of NULL to it (and the return), in the same
//     configurations, once no other thread can reach that task_tls from
//     here on (unreachable): a server that still can load it may find
//     it freed (finding unregister-free-race), which the order of the two
//     steps decides. The worker is then unregistered (state word and
//     task_tls read only with a registered kind: state-domain,
//     worker-has-server, the reach-* properties), and the free is not a
//     second one (no-use-after-free sees nothing in it); the return is
//     of a call that succeeded (nothing for errno-contract), and moves
//     the worker's own program counter.
//   - a server's return from its run_worker sleep in the kernel (Resume),
//     in the same configurations, once it was woken for a reason and no
//     worker is linked to it (resumeUnlinked).
//
// Every other action of the thread must be local too for the engine to
// use it (a fault that could strike the same step, a death, a sleep
// outside UMCG are not local), and none of those can be enabled by
// another thread: the fault and sleep budgets only shrink, and a thread
// not registered (before register_*, after unregister_task's syscall)
// can neither be preempted nor sleep outside UMCG.
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
		if a.Kind == ActStep && th.Status == Alive && th.Sleep == SleepRun && servedOnly && m.progs[t].kind == progServer {
			return m.resumeUnlinked(s, t)
		}
		if a.Kind != ActStep || th.Status != Alive || th.Sleep != Awake {
			return false
		}
		p := &m.progs[t]
		if th.Fn == CallUnregister && (th.LPC == lpUnregFree || th.LPC == lpUnregClear) {
			ownLive := th.TLS != 0 && th.TLS == th.Gen && !th.Freed // touchOwnTLS finds no use after free
			return servedOnly && p.kind == progWorker && (ownLive || th.LPC == lpUnregClear) && m.unreachable(s, t)
		}
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

// unreachable reports whether no other thread of a configuration of
// servers and workers can reach worker t's task_tls from s on: t is
// unregistered in the kernel and on no group's list, so no syscall hands
// it out again (a server learns of a worker only from poll_worker's and
// run_worker's results, which come from those lists and links), and no
// other thread holds its name: in a call's argument or loaded pointer,
// in the kernel's links and results (Peer, Out, GRan), or in a server's
// program where it is read next (Iter at srvRun and srvState; at srvPoll
// the next poll overwrites it before any read). None of these can name
// t again without t's own steps, so the answer holds along every path of
// other threads' steps, as Local's contract asks.
func (m *Model) unreachable(s *State, t int8) bool {
	th := &s.T[t]
	if th.Kind != KindNone || th.Group != None || th.Peer != None {
		return false
	}
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		for _, w := range gr.Waiters[:gr.NWait] {
			if w == t {
				return false
			}
		}
		for _, w := range gr.Ghost[:gr.NGhost] {
			if w == t {
				return false
			}
		}
	}
	for i := 0; i < int(s.N); i++ {
		u := &s.T[i]
		if int8(i) == t || u.Status != Alive {
			continue
		}
		if (u.Fn != CallNone && u.Arg == t) || u.Ptr == t || u.Out == t || u.Peer == t || u.GRan == t {
			return false
		}
		if m.progs[i].kind == progServer && (u.PC == srvRun || u.PC == srvState) && int8(u.Iter)-1 == t {
			return false
		}
	}
	return true
}

// resumeUnlinked reports whether server t's return from its run_worker
// sleep is local in a configuration of servers and workers: it was woken
// (Wake set: the step is enabled, and every other thread's wake of it is a
// no-op until it runs, as canWake says no) for a reason (Reason set, so
// the fixed kernel's run_worker does not sleep again, which would make it
// wakeable), and no worker is linked to it (Peer: only a linked worker's
// block, unregister or wakeup reads or writes a server's Sleep, Reason or
// Out, and only the server's own run_worker links one). The step then
// writes the server's own Sleep, Wake, InWait, Out (the seed's copy of its
// Peer, None) and SysRet, which no property reads (no-lost-wakeup looks at
// polling servers only; no-deadlock's message is a deadlock check). A
// signal's EINTR is the server's own action, so where one is enabled the
// engine does not use this one.
func (m *Model) resumeUnlinked(s *State, t int8) bool {
	th := &s.T[t]
	if th.Wake == WakeNone || th.Reason == ReasonNone || th.Peer != None {
		return false
	}
	for i := 0; i < int(s.N); i++ {
		if s.T[i].Peer == t {
			return false
		}
	}
	return true
}
