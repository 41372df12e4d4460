package umcg01

// This file is the kernel level: every UMCG syscall effect and every kernel
// event is one atomic function on the state. A syscall either returns an
// errno at once or puts the calling thread to sleep (Sleep != Awake); a
// sleeping thread is made runnable by setting Wake, and Resume then finishes
// its syscall. The kernel reads and writes each task's state word in the
// user memory the task registered (Thread.Word).

// Sys is the immediate result of a syscall.
type Sys struct {
	Errno Errno // 0 or the error returned
	Slept bool  // the caller sleeps; Resume gives the final result
}

func ok() Sys          { return Sys{} }
func fail(e Errno) Sys { return Sys{Errno: e} }
func slept() Sys       { return Sys{Slept: true} }

func valid(s *State, t int8) bool { return t >= 0 && int(t) < int(s.N) }

// alive reports whether thread t exists as a kernel task (not dead or gone
// with the process).
func alive(s *State, t int8) bool {
	return valid(s, t) && s.T[t].Status == Alive
}

func pair(s *State, a, b int8) {
	s.T[a].Peer, s.T[b].Peer = b, a
}

func unpair(s *State, a int8) {
	if p := s.T[a].Peer; p >= 0 {
		s.T[p].Peer = None
		s.T[a].Peer = None
	}
}

// wake makes a sleeping thread runnable; it is a no-op (ttwu fails) when the
// thread is awake or already woken.
func wake(s *State, t int8, w Wake) bool {
	th := &s.T[t]
	if th.Sleep == Awake || th.Wake != WakeNone || th.Status != Alive {
		return false
	}
	th.Wake = w
	return true
}

func sleep(s *State, t int8, where Sleep, inWait bool) {
	th := &s.T[t]
	th.Sleep, th.Wake, th.InWait = where, WakeNone, inWait
}

func removeFrom(list *[MaxThreads]int8, n *uint8, t int8) bool {
	for i := 0; i < int(*n); i++ {
		if list[i] == t {
			copy(list[i:], list[i+1:*n])
			*n--
			list[*n] = 0
			return true
		}
	}
	return false
}

func (g *Group) waitersAreServers(s *State) bool {
	return g.NWait > 0 && s.T[g.Waiters[0]].Kind == KindServer
}

// processUnblocked is v0.1's process_unblocked_worker: hand an UNBLOCKED
// worker to the longest-waiting polling server as RUNNABLE, or queue it at
// the tail; either way the worker then sleeps until a server runs it.
func (m *Model) processUnblocked(s *State, w int8) {
	wt := &s.T[w]
	g := &s.Grp[wt.Group]
	if g.waitersAreServers(s) && m.bug != bugUnblockNoWake {
		srv := g.Waiters[0]
		removeFrom(&g.Waiters, &g.NWait, srv)
		if s.T[srv].Peer >= 0 || wt.Peer >= 0 {
			// WARN_ON(server_utd->peer || utd->peer): the worker is
			// killed (finding unblock-while-peer).
			wt.Status = Killed
			return
		}
		wt.Word = StateRunnable
		pair(s, srv, w)
		s.T[srv].Out = w
		if !wake(s, srv, WakeNormal) && !m.fix(FixRunNeedsServer) {
			// do_context_switch(server) fails when the poller was
			// already woken (a signal or a spurious wakeup) and has not
			// yet taken itself off the list; umcg_on_wake then reads
			// its own RUNNABLE word and kills the worker (finding
			// early-run). The poller still returns the worker.
			wt.Status = Killed
			return
		}
		sleep(s, w, SleepIdle, true)
		return
	}
	wt.Word = StateUnblocked
	g.Waiters[g.NWait] = w
	g.NWait++
	sleep(s, w, SleepIdle, true)
}

// onWake is v0.1's umcg_on_wake, run by a worker whose sleep ended (its
// blocking syscall completed, or a UMCG sleep was woken): it returns to
// user space only RUNNING and linked to a server; BLOCKED, RUNNING-unlinked
// and UNBLOCKED workers are (re)processed, anything else is killed.
//
// With run-needs-server a worker handed to a server returns to user space
// only once its server sleeps in run_worker, and sleeps on before that
// (finding early-run); with queued-keeps-place a queued worker sleeps on
// in its place (finding spurious-requeue).
func (m *Model) onWake(s *State, w int8) {
	wt := &s.T[w]
	needsServer := m.fix(FixRunNeedsServer)
	running := wt.Word == StateRunning
	if needsServer {
		running = wt.Word.Base() == StateRunning
	}
	switch {
	case running && wt.Peer >= 0:
		if needsServer && s.T[wt.Peer].Sleep != SleepRun {
			// The library marks the worker RUNNING before the server's
			// syscall; a spurious wakeup in between must not let the
			// worker run early.
			sleep(s, w, SleepIdle, true)
			return
		}
		wt.Sleep, wt.InWait, wt.Nap = Awake, false, NapNone
	case wt.Word == StateBlocked || running:
		m.unblocked(s, w)
	case wt.Word == StateUnblocked:
		if m.fix(FixQueuedKeepsPlace) {
			sleep(s, w, SleepIdle, true) // queued: keep the place
			return
		}
		m.unblocked(s, w)
	default: // handed to a server and not yet run
		if needsServer {
			sleep(s, w, SleepIdle, true)
			return
		}
		wt.Status = Killed // a RUNNABLE worker woken before it was run
	}
}

// unblocked makes a woken BLOCKED (or unlinked RUNNING) worker UNBLOCKED
// and processes it.
func (m *Model) unblocked(s *State, w int8) {
	wt := &s.T[w]
	if m.bug == bugUnblockToRunning && wt.Word == StateBlocked {
		wt.Word = StateRunning
		wt.Sleep, wt.InWait = Awake, false
		return
	}
	wt.Word = StateUnblocked
	m.processUnblocked(s, w)
}

// listed reports whether a syscall finds group g by its id: it exists and
// is on the process's list. v0.1's create_group leaves only the newest
// group on the list (finding create-group-swapped-list).
func listed(s *State, g int8) bool {
	return g >= 0 && int(g) < int(s.G) && s.Grp[g].Exists && !s.Grp[g].Unlisted
}

// SysRegister is sys_umcg_register_task. A worker sleeps until a server runs it.
// v0.1 says EINVAL while current->umcg_task_data is set, which after a
// core task's unregister it still is (finding core-unregister-dangling).
func (m *Model) SysRegister(s *State, t int8, kind Kind, group int8) Sys {
	th := &s.T[t]
	if th.Kind != KindNone || th.Dangling {
		return fail(EINVAL)
	}
	if kind == KindCore {
		if group != None {
			return fail(EINVAL)
		}
		th.Kind, th.Word = KindCore, StateRunning
		return ok()
	}
	if !listed(s, group) || (m.bug == bugRegisterOneTask && s.Grp[group].NrTasks > 0) {
		return fail(EINVAL)
	}
	th.Kind, th.Group = kind, group
	s.Grp[group].NrTasks++
	if kind == KindServer {
		th.Word = StateProcessing
		return ok()
	}
	s.T[t].Word = StateUnblocked
	if m.bug == bugRegisterNotQueued {
		sleep(s, t, SleepIdle, false)
		return slept()
	}
	m.processUnblocked(s, t)
	return slept()
}

// SysUnregister is sys_umcg_unregister_task. v0.1 never writes the state
// word (finding unregister-word-kept). A core task's record is freed but
// its pointer kept (finding core-unregister-dangling). A served worker
// whose server cannot be woken is killed with EINVAL, still registered
// (finding unregister-kills-worker).
func (m *Model) SysUnregister(s *State, t int8) Sys {
	th := &s.T[t]
	if th.Kind == KindCore && !m.fix(FixCoreUnregisterClears) {
		// `if (!utd->group) { ret = 0; goto out; }` skips the NULL
		// store, and `out:` frees utd.
		th.Kind, th.Dangling = KindNone, true
		return ok()
	}
	if p := th.Peer; p >= 0 && th.Kind == KindWorker && !m.fix(FixUnregisterNoKill) &&
		m.bug != bugUnregisterNoWake && !canWake(s, p) {
		// umcg_detach_peer(), then WARN_ON(!wake_up_process(server)):
		// umcg_segv(0) and `goto out` with ret = -EINVAL.
		unpair(s, t)
		th.Status = Killed
		return fail(EINVAL)
	}
	m.unregister(s, t)
	return ok()
}

// canWake reports whether wake would succeed on t: it sleeps and nothing
// woke it yet.
func canWake(s *State, t int8) bool {
	th := &s.T[t]
	return th.Sleep != Awake && th.Wake == WakeNone && th.Status == Alive
}

func (m *Model) unregister(s *State, t int8) {
	th := &s.T[t]
	if p := th.Peer; p >= 0 && m.bug != bugUnregisterKeepsLink {
		unpair(s, t)
		if m.bug == bugStalePeer {
			s.T[p].Peer = t
		}
		if th.Kind == KindWorker && m.bug != bugUnregisterNoWake && s.T[p].Sleep == SleepRun {
			s.T[p].Reason = ReasonUnregistered
			s.T[p].Out = None
			wake(s, p, WakeNormal)
		}
	}
	if g := th.Group; g >= 0 {
		gr := &s.Grp[g]
		removeFrom(&gr.Waiters, &gr.NWait, t)
		if m.bug != bugUnregisterKeepsCount {
			gr.NrTasks--
		}
	}
	th.Kind, th.Group = KindNone, None
	if m.fix(FixUnregisterWritesNone) {
		th.Word = StateNone
	}
}

// SysWait is sys_umcg_wait. A served worker context-switches to its server,
// whose run_worker then returns the worker.
func (m *Model) SysWait(s *State, t int8) Sys {
	th := &s.T[t]
	if th.Kind == KindNone || th.Kind == KindServer {
		return fail(EINVAL)
	}
	if m.fix(FixWakeupInWord) && th.Word != StateRunnable {
		// The fixed kernel sleeps only while the state word says RUNNABLE,
		// as a futex checks its value (finding wait-no-recheck).
		return fail(EAGAIN)
	}
	if p := th.Peer; th.Kind == KindWorker && p >= 0 {
		if !canWake(s, p) && !m.fix(FixRunSleepsOn) {
			// do_context_switch(server): the ttwu of a server that is
			// not asleep fails and the syscall returns EAGAIN without
			// sleeping; libumcg calls again while its word is RUNNABLE
			// (finding run-spurious-return: the fixed run_worker learns
			// the yield from its reason, not from the wakeup).
			return fail(EAGAIN)
		}
		s.T[p].Reason = ReasonYielded
		s.T[p].Out = t
		wake(s, p, WakeNormal)
	}
	sleep(s, t, SleepWait, true)
	return slept()
}

// SysWake is sys_umcg_wake. v0.1 checks, in order: the target exists
// (ESRCH), is a registered non-server (EINVAL), sleeps in a UMCG wait
// (EAGAIN), and is not attached to a server other than the caller (the
// caller is killed, finding wake-kills-waker); the caller's own worker is
// detached first.
func (m *Model) SysWake(s *State, t, target int8) Sys {
	if !alive(s, target) {
		return fail(ESRCH)
	}
	tt := &s.T[target]
	if tt.Kind == KindNone || tt.Kind == KindServer {
		return fail(EINVAL)
	}
	if !tt.InWait && !m.fix(FixWakeupInWord) {
		return fail(EAGAIN)
	}
	if p := tt.Peer; p >= 0 {
		if p != t {
			if m.fix(FixWakeEINVAL) {
				return fail(EINVAL)
			}
			s.T[t].Status = Killed
			return fail(0)
		}
		unpair(s, t)
	}
	if !wake(s, target, WakeNormal) && !m.fix(FixWakeupInWord) {
		return fail(EAGAIN) // wake_up_process failed
	}
	// The fixed kernel says 0 when the target is not asleep: the state
	// word already carries the wakeup (finding wake-eagain-spin).
	return ok()
}

// SysSwap is sys_umcg_swap: wake next and wait, as one context switch. A
// served worker hands its server to next (EAGAIN if next has a peer).
func (m *Model) SysSwap(s *State, t, next int8) Sys {
	th := &s.T[t]
	if th.Kind == KindNone || th.Kind == KindServer {
		return fail(EINVAL)
	}
	if !alive(s, next) {
		return fail(ESRCH)
	}
	nt := &s.T[next]
	if nt.Kind == KindNone || nt.Kind == KindServer || nt.Group != th.Group {
		return fail(EINVAL)
	}
	if !nt.InWait && !m.fix(FixWakeupInWord) {
		return fail(EAGAIN)
	}
	if th.Kind == KindWorker && th.Peer >= 0 {
		if nt.Peer >= 0 {
			return fail(EAGAIN)
		}
		srv := th.Peer
		unpair(s, t)
		pair(s, srv, next)
	}
	// do_context_switch: a failed ttwu returns EAGAIN after the server
	// has moved (research 5.3); the fixed kernel needs no ttwu, the
	// state word carries the wakeup.
	if !wake(s, next, WakeNormal) && !m.fix(FixWakeupInWord) {
		return fail(EAGAIN)
	}
	if m.fix(FixWakeupInWord) && th.Word != StateRunnable {
		return fail(EAGAIN)
	}
	sleep(s, t, SleepSwap, true)
	return slept()
}

// SysCreateGroup is sys_umcg_create_group: it returns the new group's index.
// v0.1 numbers the group one past the largest id on the process's list (0
// for an empty list) and then, with list_add_rcu's arguments swapped,
// leaves only the new group on the list (finding create-group-swapped-list).
// The model's id is the group's slot: when that slot is taken (an unlisted
// group with the same id, or a library handle still in use), the new group
// takes the first free slot instead, which v0.1 would not.
func (m *Model) SysCreateGroup(s *State) (int8, Sys) {
	if !m.fix(FixGroupList) {
		id := 0
		for g := 0; g < int(s.G); g++ {
			if listed(s, int8(g)) && g >= id {
				id = g + 1
			}
		}
		if id < MaxGroups && (id >= int(s.G) || (!s.Grp[id].Exists && s.Grp[id].Lib == 0)) {
			m.listOnly(s, id)
			return int8(id), ok()
		}
	}
	for g := 0; g < MaxGroups; g++ {
		gr := &s.Grp[g]
		if g >= int(s.G) || (!gr.Exists && gr.Lib == 0) {
			if g >= int(s.G) {
				s.G = uint8(g + 1)
				*gr = Group{} // a slot past G may hold anything (State)
			}
			gr.Exists = true
			if !m.fix(FixGroupList) {
				m.listOnly(s, g)
			}
			return int8(g), ok()
		}
	}
	return None, fail(ENOMEM)
}

// listOnly creates group id as v0.1 does: list_add_rcu(&mm->umcg_groups,
// &group->list) splices the list head into the new group's ring, so the
// list holds the new group alone and every older one is unlisted.
func (m *Model) listOnly(s *State, id int) {
	if id >= int(s.G) {
		s.G = uint8(id + 1)
		s.Grp[id] = Group{} // a slot past G may hold anything (State)
	}
	for g := 0; g < int(s.G); g++ {
		if s.Grp[g].Exists {
			s.Grp[g].Unlisted = true
		}
	}
	s.Grp[id] = Group{Lib: s.Grp[id].Lib, Exists: true}
}

// SysDestroyGroup is sys_umcg_destroy_group.
func (m *Model) SysDestroyGroup(s *State, g int8) Sys {
	if !listed(s, g) {
		return fail(ESRCH)
	}
	if s.Grp[g].NrTasks > 0 {
		return fail(EBUSY)
	}
	s.Grp[g].Exists = false
	return ok()
}

// SysPollWorker is sys_umcg_poll_worker: hand the caller the longest-waiting
// UNBLOCKED worker as RUNNABLE (Out), or sleep on the group's waiters list.
func (m *Model) SysPollWorker(s *State, t int8) Sys {
	th := &s.T[t]
	if th.Kind != KindServer {
		return fail(EINVAL)
	}
	unpair(s, t) // the peer kept since the last block
	g := &s.Grp[th.Group]
	if g.NWait > 0 && !g.waitersAreServers(s) && m.bug != bugPollIgnoresQueue {
		i := 0
		if m.bug == bugLIFOQueue {
			i = int(g.NWait) - 1
		}
		w := g.Waiters[i]
		removeFrom(&g.Waiters, &g.NWait, w)
		if s.T[w].Peer >= 0 {
			// WARN_ON(worker_utd->peer): the worker is still linked to
			// the server it blocked under, and the polling server is
			// killed (finding unblock-while-peer).
			th.Status = Killed
			return fail(EINVAL)
		}
		// (The library step labels the kill.)
		s.T[w].Word = StateRunnable
		pair(s, t, w)
		th.Out = w
		return ok()
	}
	th.Out = None
	g.Waiters[g.NWait] = t
	g.NWait++
	sleep(s, t, SleepPoll, false)
	return slept()
}

// SysRunWorker is sys_umcg_run_worker: run worker w and sleep until it
// blocks, yields or unregisters.
func (m *Model) SysRunWorker(s *State, t, w int8) Sys {
	th := &s.T[t]
	if th.Kind != KindServer {
		return fail(EINVAL)
	}
	if !alive(s, w) {
		return fail(ESRCH)
	}
	// v0.1's order: unregistered target (EINVAL), target not in_wait
	// (EAGAIN), other group (EINVAL); it never checks that the target
	// is a worker, which the fixed kernel does (finding
	// state-read-ambiguous).
	wt := &s.T[w]
	if wt.Kind == KindNone || (wt.Kind != KindWorker && m.fix(FixRunReason)) {
		return fail(EINVAL)
	}
	// 7/9 tests only in_wait here: a target asleep but already woken is
	// found out by the ttwu below, after the links changed. The bug
	// run-eagain-loop misreads in_wait, so it stays here and links nothing.
	if !wt.InWait || (m.bug == bugRunEAGAINLoop && wt.Sleep == SleepIdle) {
		return fail(EAGAIN)
	}
	if wt.Group != th.Group {
		return fail(EINVAL)
	}
	if m.fix(FixRunNeedsServer) && (wt.Word.Base() != StateRunning) != (m.bug == bugRunCheckInverted) {
		return fail(EINVAL) // the library's CAS RUNNABLE->RUNNING did not happen
	}
	if th.Peer != w {
		unpair(s, t)
		// v0.1 only warns (WARN_ON(worker_utd->peer)) when the worker is
		// still linked to another server, and links it anyway.
		// The fixed kernel refuses it (finding state-read-ambiguous).
		if p := wt.Peer; p >= 0 && m.fix(FixRunReason) {
			return fail(EINVAL)
		}
		pair(s, t, w)
	}
	// do_context_switch(worker): the ttwu of a target already woken
	// fails and 7/9 returns EAGAIN without sleeping, the new link left in
	// place (as in SysSwap). No fix moves it: the refusals of
	// run-needs-server and run-reason stay before it, as they were.
	if !wake(s, w, WakeNormal) {
		return fail(EAGAIN)
	}
	th.Out, th.Reason = None, ReasonNone
	sleep(s, t, SleepRun, true)
	return slept()
}

// Block is the kernel event of a worker entering a blocking syscall
// (sched_submit_work): a RUNNING served worker becomes BLOCKED and its
// server's run_worker returns it. The worker sleeps in the syscall.
func (m *Model) Block(s *State, w int8) {
	wt := &s.T[w]
	if wt.Kind == KindWorker && wt.Word == StateRunning {
		wt.Word = StateBlocked
		if srv := wt.Peer; srv >= 0 {
			s.T[srv].Reason = ReasonBlocked
			s.T[srv].Out = w
			if m.fix(FixBlockUnlinks) && m.bug != bugBlockKeepsPeer {
				// v0.1 keeps the link until the server's next poll or
				// run, and an early unblock then kills the worker or the
				// next polling server (finding unblock-while-peer).
				unpair(s, w)
			}
			wake(s, srv, WakeNormal)
		}
	}
	sleep(s, w, SleepIO, false)
}

// Unblock is the kernel event of a worker's blocking syscall, or its sleep
// outside UMCG, completing (sched_update_worker): the BLOCKED worker
// becomes UNBLOCKED and is queued or handed to a polling server; it then
// sleeps until a server runs it.
func (m *Model) Unblock(s *State, w int8) {
	wt := &s.T[w]
	if wt.Kind != KindWorker {
		wt.Sleep, wt.Nap = Awake, NapNone // not a UMCG task: the syscall just returns
		return
	}
	if wt.Nap == NapPlain && m.fix(FixHooksPaired) && m.bug != bugWakeHookUnpaired {
		// The block hook did nothing (the word was RUNNABLE, between
		// libumcg's CAS and its syscall, or carried WAKEUP_QUEUED), so
		// the wake hook does nothing either: v0.1's umcg_on_wake kills
		// the worker (finding sleep-while-runnable-kills).
		wt.Sleep, wt.Nap = Awake, NapNone
		return
	}
	m.onWake(s, w)
}

// Nap is the kernel event of a registered worker sleeping outside UMCG: a
// page fault, a kernel mutex, a futex inside libumcg. v0.1's
// sched_submit_work runs the block hook (umcg_on_block) on every voluntary
// sleep of a worker, which acts only on a word that says exactly RUNNING,
// as Block does; when the sleep ends, the wake hook runs (Unblock), and the
// worker goes on where it was once a server runs it again.
func (m *Model) Nap(s *State, w int8) {
	wt := &s.T[w]
	wt.Nap = NapPlain
	if wt.Word == StateRunning {
		wt.Nap = NapBlocked
	}
	m.Block(s, w)
}

// Preempt is the kernel event of preempting a running served worker
// (preempt_worker): it becomes RUNNABLE and its server's run_worker returns it.
func (m *Model) Preempt(s *State, w int8) {
	wt := &s.T[w]
	srv := wt.Peer
	s.T[srv].Reason = ReasonPreempted
	s.T[srv].Out = w
	wake(s, srv, WakeNormal)
	if m.bug == bugPreemptKeepsRunning {
		unpair(s, w)
		return
	}
	wt.Word = StateRunnable
	sleep(s, w, SleepIdle, true)
}

// Signal is a signal sent to a sleeping thread. One that was already woken
// (a poller handed a worker, a runner whose worker blocked, a core task
// whose partner woke it) still has it pending when it returns, and v0.1's
// poll_worker, run_worker, wait and swap then say EINTR, whatever woke them
// (do_wait and do_context_switch test signal_pending() after the sleep).
func (m *Model) Signal(s *State, t int8) {
	if !wake(s, t, WakeSignal) {
		s.T[t].Wake = WakeSignal
	}
}

// Die is a thread dying without unregistering. The v0.1 kernel forgets
// nothing about it; the fixed kernel unregisters it on exit.
func (m *Model) Die(s *State, t int8) {
	th := &s.T[t]
	if m.fix(FixExitUnregisters) && m.bug != bugDieKeepsRegistered {
		// v0.1 has no exit hook: a dead task stays queued or linked
		// (finding death-leak).
		m.unregister(s, t)
	}
	th.Status = Dead
	th.Sleep, th.Wake, th.InWait, th.Nap = Awake, WakeNone, false, NapNone
}

// Resume finishes the syscall of a woken thread. It returns the syscall's
// errno, or again=true when the thread does not return from the syscall:
// it went back to sleep, or was killed.
func (m *Model) Resume(s *State, t int8) (e Errno, again bool) {
	th := &s.T[t]
	why := th.Wake
	th.Wake = WakeNone
	switch th.Sleep {
	case SleepIdle, SleepWait, SleepSwap:
		if th.Kind == KindWorker {
			if !m.fix(FixQueuedKeepsPlace) && th.Sleep == SleepIdle {
				// After do_wait a queued worker takes itself off the
				// list, then goes round umcg_on_wake again: a spurious
				// wakeup sends it to the tail (finding spurious-requeue).
				g := &s.Grp[th.Group]
				removeFrom(&g.Waiters, &g.NWait, t)
			}
			m.onWake(s, t)
			if th.Sleep != Awake || th.Status != Alive {
				return 0, true
			}
			return 0, false
		}
		if why == WakeSignal {
			th.Sleep, th.InWait = Awake, false
			return EINTR, false
		}
	case SleepPoll:
		g := &s.Grp[th.Group]
		if m.fix(FixPollSleepsOn) {
			if th.Out >= 0 {
				break
			}
			if why == WakeSignal {
				removeFrom(&g.Waiters, &g.NWait, t)
				th.Sleep = Awake
				return EINTR, false
			}
			// Spurious: keep the place in the list and sleep on
			// (finding poll-spurious-none).
			return 0, true
		}
		// v0.1 sleeps once, takes itself off the list, and returns its
		// peer, which is NULL after a spurious wakeup.
		removeFrom(&g.Waiters, &g.NWait, t)
		th.Sleep = Awake
		if why == WakeSignal {
			return EINTR, false
		}
		th.Out = th.Peer
		return 0, false
	case SleepRun:
		if m.fix(FixRunSleepsOn) {
			// Only a block, yield, preemption or unregistration ends
			// the fixed run_worker; v0.1 returns on any wakeup, with
			// its worker still running (finding run-spurious-return).
			if th.Reason == ReasonNone {
				return 0, true
			}
			break
		}
		// v0.1 returns the current peer; once a block unlinks, the
		// worker a reason names is in Out (finding unblock-while-peer).
		if !m.fix(FixBlockUnlinks) || th.Reason == ReasonNone {
			th.Out = th.Peer
		}
		if why == WakeSignal {
			th.Sleep, th.InWait = Awake, false
			return EINTR, false
		}
	}
	th.Sleep, th.InWait = Awake, false
	return 0, false
}
