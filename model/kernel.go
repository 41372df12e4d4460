package model

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

func ok() Sys                { return Sys{} }
func fail(e Errno) Sys       { return Sys{Errno: e} }
func slept() Sys             { return Sys{Slept: true} }
func (m *Model) fixed() bool { return m.cfg.Variant == Fixed }

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

// enqueueWorker queues an UNBLOCKED worker on its group, or hands it to the
// longest-waiting polling server as RUNNABLE.
func (m *Model) enqueueWorker(s *State, w int8) {
	g := &s.Grp[s.T[w].Group]
	if g.waitersAreServers(s) && m.bug != bugUnblockNoWake {
		srv := g.Waiters[0]
		removeFrom(&g.Waiters, &g.NWait, srv)
		s.T[w].Word = StateRunnable
		pair(s, srv, w)
		s.T[srv].Out = w
		wake(s, srv, WakeNormal)
		return
	}
	s.T[w].Word = StateUnblocked
	g.Waiters[g.NWait] = w
	g.NWait++
}

// SysRegister is sys_umcg_register_task. A worker sleeps until a server runs it.
func (m *Model) SysRegister(s *State, t int8, kind Kind, group int8) Sys {
	th := &s.T[t]
	if th.Kind != KindNone {
		return fail(EINVAL)
	}
	if kind == KindCore {
		if group != None {
			return fail(EINVAL)
		}
		th.Kind, th.Word = KindCore, StateRunning
		return ok()
	}
	if group < 0 || int(group) >= int(s.G) || !s.Grp[group].Exists {
		return fail(EINVAL)
	}
	th.Kind, th.Group = kind, group
	s.Grp[group].NrTasks++
	if kind == KindServer {
		th.Word = StateProcessing
		return ok()
	}
	m.enqueueWorker(s, t)
	sleep(s, t, SleepIdle, true)
	return slept()
}

// SysUnregister is sys_umcg_unregister_task.
func (m *Model) SysUnregister(s *State, t int8) Sys {
	m.unregister(s, t)
	return ok()
}

func (m *Model) unregister(s *State, t int8) {
	th := &s.T[t]
	if p := th.Peer; p >= 0 {
		unpair(s, t)
		if th.Kind == KindWorker && m.bug != bugUnregisterNoWake && s.T[p].Sleep == SleepRun {
			s.T[p].Reason = ReasonUnregistered
			s.T[p].Out = None
			wake(s, p, WakeNormal)
		}
	}
	if g := th.Group; g >= 0 {
		gr := &s.Grp[g]
		removeFrom(&gr.Waiters, &gr.NWait, t)
		gr.NrTasks--
	}
	th.Kind, th.Group, th.Word = KindNone, None, StateNone
}

// SysWait is sys_umcg_wait. A served worker context-switches to its server,
// whose run_worker then returns the worker.
func (m *Model) SysWait(s *State, t int8) Sys {
	th := &s.T[t]
	if th.Kind == KindNone || th.Kind == KindServer {
		return fail(EINVAL)
	}
	if m.fixed() && th.Word != StateRunnable {
		// The fixed kernel sleeps only while the state word says RUNNABLE,
		// as a futex checks its value (finding wait-no-recheck).
		return fail(EAGAIN)
	}
	if p := th.Peer; th.Kind == KindWorker && p >= 0 {
		s.T[p].Reason = ReasonYielded
		s.T[p].Out = t
		wake(s, p, WakeNormal)
	}
	sleep(s, t, SleepWait, true)
	return slept()
}

// wakeTarget holds the checks sys_umcg_wake and sys_umcg_swap share.
func (m *Model) wakeTarget(s *State, t, target int8) (Errno, bool) {
	if !alive(s, target) {
		return ESRCH, false
	}
	tt := &s.T[target]
	if tt.Kind == KindNone || tt.Kind == KindServer {
		return EINVAL, false
	}
	if p := tt.Peer; p >= 0 && p != t {
		if !m.fixed() {
			// v0.1: only an attached worker's own server may wake it.
			s.T[t].Status = Killed
			return 0, false
		}
		return EINVAL, false
	}
	return 0, true
}

// SysWake is sys_umcg_wake.
func (m *Model) SysWake(s *State, t, target int8) Sys {
	e, okk := m.wakeTarget(s, t, target)
	if !okk {
		return fail(e)
	}
	tt := &s.T[target]
	if tt.Peer == t {
		unpair(s, t)
	}
	if !tt.InWait || tt.Sleep == Awake || tt.Wake != WakeNone {
		if m.fixed() {
			// The state word already carries the wakeup; the target
			// will see it before it sleeps (finding wake-eagain-spin).
			return ok()
		}
		return fail(EAGAIN)
	}
	wake(s, target, WakeNormal)
	return ok()
}

// SysSwap is sys_umcg_swap: wake next and wait, as one context switch. A
// served worker hands its server to next.
func (m *Model) SysSwap(s *State, t, next int8) Sys {
	th := &s.T[t]
	if th.Kind == KindNone || th.Kind == KindServer {
		return fail(EINVAL)
	}
	e, okk := m.wakeTarget(s, t, next)
	if !okk {
		return fail(e)
	}
	nt := &s.T[next]
	if th.Kind == KindWorker && nt.Group != th.Group {
		return fail(EINVAL)
	}
	if th.Kind == KindWorker && th.Peer >= 0 {
		if nt.Peer >= 0 {
			return fail(EAGAIN)
		}
		srv := th.Peer
		unpair(s, t)
		pair(s, srv, next)
	}
	if !nt.InWait || nt.Sleep == Awake || nt.Wake != WakeNone {
		if !m.fixed() {
			return fail(EAGAIN)
		}
	} else {
		wake(s, next, WakeNormal)
	}
	if m.fixed() && th.Word != StateRunnable {
		return fail(EAGAIN)
	}
	sleep(s, t, SleepSwap, true)
	return slept()
}

// SysCreateGroup is sys_umcg_create_group: it returns the new group's index.
func (m *Model) SysCreateGroup(s *State) (int8, Sys) {
	for g := 0; g < MaxGroups; g++ {
		gr := &s.Grp[g]
		if g >= int(s.G) || (!gr.Exists && gr.Lib == 0) {
			if g >= int(s.G) {
				s.G = uint8(g + 1)
			}
			gr.Exists = true
			return int8(g), ok()
		}
	}
	return None, fail(ENOMEM)
}

// SysDestroyGroup is sys_umcg_destroy_group.
func (m *Model) SysDestroyGroup(s *State, g int8) Sys {
	if g < 0 || int(g) >= int(s.G) || !s.Grp[g].Exists {
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
	if g.NWait > 0 && !g.waitersAreServers(s) {
		i := 0
		if m.bug == bugLIFOQueue {
			i = int(g.NWait) - 1
		}
		w := g.Waiters[i]
		removeFrom(&g.Waiters, &g.NWait, w)
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
	wt := &s.T[w]
	if wt.Kind != KindWorker || wt.Group != th.Group || (wt.Peer >= 0 && wt.Peer != t) {
		return fail(EINVAL)
	}
	if !wt.InWait || wt.Sleep == Awake || wt.Wake != WakeNone ||
		(m.bug == bugRunEAGAINLoop && wt.Sleep == SleepIdle) {
		return fail(EAGAIN)
	}
	if m.fixed() && wt.Word.Base() != StateRunning {
		return fail(EINVAL) // the library's CAS RUNNABLE->RUNNING did not happen
	}
	if th.Peer != w {
		unpair(s, t)
		pair(s, t, w)
	}
	wake(s, w, WakeNormal)
	th.Out, th.Reason = None, ReasonNone
	sleep(s, t, SleepRun, true)
	return slept()
}

// Block is the kernel event of a worker entering a blocking syscall
// (sched_submit_work): a RUNNING served worker becomes BLOCKED and its
// server's run_worker returns it. The worker sleeps in the syscall.
func (m *Model) Block(s *State, w int8) {
	wt := &s.T[w]
	if wt.Kind == KindWorker && wt.Word.Base() == StateRunning && wt.Peer >= 0 {
		srv := wt.Peer
		wt.Word = StateBlocked
		s.T[srv].Reason = ReasonBlocked
		s.T[srv].Out = w
		if m.fixed() && m.bug != bugBlockKeepsPeer {
			// v0.1 keeps the link until the server's next poll or run,
			// and a quick unblock then kills the worker
			// (finding unblock-while-peer).
			unpair(s, w)
		}
		wake(s, srv, WakeNormal)
	}
	sleep(s, w, SleepIO, false)
}

// Unblock is the kernel event of a worker's blocking syscall completing
// (sched_update_worker): the BLOCKED worker becomes UNBLOCKED and is queued
// or handed to a polling server; it then sleeps until a server runs it.
func (m *Model) Unblock(s *State, w int8) {
	wt := &s.T[w]
	if wt.Kind != KindWorker || wt.Word.Base() != StateBlocked {
		wt.Sleep = Awake // not a UMCG block: the syscall just returns
		return
	}
	if wt.Peer >= 0 {
		// v0.1: WARN_ON(peer) and the worker is killed.
		wt.Status = Killed
		return
	}
	if m.bug == bugUnblockToRunning {
		wt.Word = StateRunning
		wt.Sleep = Awake
		return
	}
	m.enqueueWorker(s, w)
	sleep(s, w, SleepIdle, true)
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

// Die is a thread dying without unregistering. The v0.1 kernel forgets
// nothing about it; the fixed kernel unregisters it on exit.
func (m *Model) Die(s *State, t int8) {
	th := &s.T[t]
	if m.fixed() {
		m.unregister(s, t)
	}
	th.Status = Dead
	th.Sleep, th.Wake, th.InWait = Awake, WakeNone, false
}

// Resume finishes the syscall of a woken thread. It returns the syscall's
// errno, or again=true when the thread goes back to sleep.
func (m *Model) Resume(s *State, t int8) (e Errno, again bool) {
	th := &s.T[t]
	why := th.Wake
	th.Wake = WakeNone
	switch th.Sleep {
	case SleepIdle, SleepWait, SleepSwap:
		if th.Kind == KindWorker {
			// sched_update_worker: a worker returns to user space only
			// RUNNING and attached to a server.
			if th.Word.Base() == StateRunning && th.Peer >= 0 &&
				(!m.fixed() || s.T[th.Peer].Sleep == SleepRun) {
				break
			}
			// The fixed kernel also wants the server to be in
			// run_worker: the library marks the worker RUNNING before
			// the syscall, and a spurious wakeup in between would let
			// the worker run early (finding early-run).

			if m.fixed() {
				return 0, true
			}
			th.Status = Killed
			return 0, false
		}
		if why == WakeSignal {
			th.Sleep, th.InWait = Awake, false
			return EINTR, false
		}
	case SleepPoll:
		if th.Out >= 0 {
			break
		}
		if why == WakeSignal {
			g := &s.Grp[th.Group]
			removeFrom(&g.Waiters, &g.NWait, t)
			th.Sleep = Awake
			return EINTR, false
		}
		return 0, true // spurious: still on the waiters list
	case SleepRun:
		if m.fixed() {
			if why != WakeNormal {
				return 0, true
			}
			break
		}
		th.Out = th.Peer // v0.1 returns the current peer
		if why == WakeSignal {
			th.Sleep, th.InWait = Awake, false
			return EINTR, false
		}
	}
	th.Sleep, th.InWait = Awake, false
	return 0, false
}
