package umcg01

// This file is the library level: libumcg's user-space steps. Each step is
// at most one access to memory another thread may touch (a load, a CAS, a
// store, a free) or one syscall; thread-local computation is folded into the
// step before it. Step numbers (Thread.LPC) are the lp* constants below.
// Where Fixed differs from Seed, the code tests the correction (a Fix, see
// fixes.go) and the comment names the finding (see docs/findings.md and
// docs/semantics.md).

// Library step numbers, per call.
const (
	lpEntry = 0

	// register_*
	lpRegGroup   = 1 // load group->group_id
	lpRegSys     = 2 // sys_umcg_register_task
	lpRegResumed = 3 // the worker was run: return

	// unregister_task
	lpUnregFree  = 1
	lpUnregClear = 2

	// wait (and the wait half of swap)
	// (numbered apart from wake's, because swap goes on with them)
	lpWaitSys    = 10 // sys_umcg_wait
	lpWaitCheck  = 11 // after the syscall: load own state, loop while RUNNABLE
	lpWaitCancel = 12 // fixed: CAS RUNNABLE->RUNNING after an error
	lpWaitDeq    = 13 // CAS RUNNING|WAKEUP_QUEUED->RUNNING

	// wake and swap
	lpWakeCAS     = 1 // CAS next RUNNABLE->RUNNING
	lpWakeQueue   = 2 // CAS next RUNNING->RUNNING|WAKEUP_QUEUED
	lpWakeSys     = 3 // sys_umcg_wake, retried on EAGAIN
	lpSwapPrepare = 4 // prepare_wait: CAS self RUNNING->RUNNABLE
	lpSwapDeq     = 5 // prepare_wait: CAS self RUNNING|WAKEUP_QUEUED->RUNNING
	lpSwapSys     = 6 // sys_umcg_swap, retried on EAGAIN
	lpSwapDone    = 7 // after sys_umcg_swap

	// create_group
	lpCreateMalloc = 1
	// destroy_group
	lpDestroySys  = 1
	lpDestroyFree = 2

	// poll_worker
	lpPollSys  = 1
	lpPollDone = 2 // CAS self POLLING->PROCESSING, return the worker

	// run_worker
	lpRunCASWorker = 1 // CAS worker RUNNABLE->RUNNING
	lpRunCASSelf   = 2 // CAS self PROCESSING->SERVING
	lpRunSys       = 3 // sys_umcg_run_worker, retried on EAGAIN
	lpRunDone      = 4 // CAS self SERVING->PROCESSING, return the peer
	lpRunUndo      = 5 // fixed: undo both CASes after a failed syscall

	// get_task_state
	lpStateLoad = 1
)

// Labels shared by several calls (see label).
const (
	lblRegEntry = iota
	lblRegReuse
	lblRegMallocFails
	lblRegGroup
	lblRegSys
	lblRegReturn
	lblWaitSys
	lblWaitCancel
	lblWaitCheck
	lblWaitEINTR
	lblLoadNext
	lblCASNext
	lblQueueNext
	lblWakeSys
	lblWakeKilled
	numLabels
)

// labelSuffix lists the step labels shared by several calls; label joins
// them to a call's name once, at init, so that a step only picks a code.
var labelSuffix = [numLabels]string{
	lblRegEntry:       ": check arguments, malloc task_tls",
	lblRegReuse:       ": check arguments, take the kept task_tls",
	lblRegMallocFails: ": malloc task_tls fails",
	lblRegGroup:       ": load group->group_id",
	lblRegSys:         ": sys_umcg_register_task",
	lblRegReturn:      ": return self",
	lblWaitSys:        ": sys_umcg_wait",
	lblWaitCancel:     ": CAS self RUNNABLE->RUNNING to cancel the wait",
	lblWaitCheck:      ": load own state after the syscall",
	lblWaitEINTR:      ": the syscall returned EINTR",
	lblLoadNext:       ": load *next",
	lblCASNext:        ": CAS next RUNNABLE->RUNNING",
	lblQueueNext:      ": CAS next RUNNING->RUNNING|WAKEUP_QUEUED",
	lblWakeSys:        ": sys_umcg_wake",
	lblWakeKilled:     ": sys_umcg_wake: SIGSEGV",
}

var labels [numCalls][numLabels]Label

// nullDeref is, for the label of each step that loads a task_tls pointer
// through a utid (loadTLSVar), the label of that step dereferencing
// UMCG_NONE.
var nullDeref = map[Label]Label{}

func init() {
	for c := range labels {
		for i, suf := range labelSuffix {
			labels[c][i] = newLabel(Call(c).String() + suf)
		}
	}
	for _, l := range []Label{labels[CallWake][lblLoadNext], labels[CallSwap][lblLoadNext], lblRunLoad, lblGetStateLoadTLS} {
		nullDeref[l] = newLabel(l.String() + ": NULL dereference, SIGSEGV")
	}
}

func label(c Call, i int) Label { return labels[c][i] }

// The labels of the steps in this file (see Label).
var (
	lblGetStateLoadTLS   = newLabel("get_task_state: load *utid")
	lblGetStateLoad      = newLabel("get_task_state: load state")
	lblUnregSys          = newLabel("unregister_task: sys_umcg_unregister_task")
	lblUnregSysKilled    = newLabel("unregister_task: sys_umcg_unregister_task: WARN_ON(server not woken): SIGSEGV")
	lblUnregFree         = newLabel("unregister_task: free task_tls")
	lblUnregClear        = newLabel("unregister_task: store task_tls = NULL")
	lblWaitPrepare       = newLabel("wait: CAS self RUNNING->RUNNABLE")
	lblWaitDequeue       = newLabel("wait: CAS self RUNNING|WAKEUP_QUEUED->RUNNING")
	lblSwapPrepare       = newLabel("swap: CAS self RUNNING->RUNNABLE")
	lblSwapDequeue       = newLabel("swap: CAS self RUNNING|WAKEUP_QUEUED->RUNNING")
	lblSwapSys           = newLabel("swap: sys_umcg_swap")
	lblSwapSysKilled     = newLabel("swap: sys_umcg_swap: SIGSEGV")
	lblSwapDone          = newLabel("swap: return after sys_umcg_swap")
	lblCreateSys         = newLabel("create_group: sys_umcg_create_group")
	lblCreateMalloc      = newLabel("create_group: malloc umcg_group")
	lblCreateMallocFails = newLabel("create_group: malloc umcg_group fails")
	lblDestroyLoad       = newLabel("destroy_group: load group->group_id")
	lblDestroySys        = newLabel("destroy_group: sys_umcg_destroy_group")
	lblDestroyFree       = newLabel("destroy_group: free umcg_group")
	lblPollPrepare       = newLabel("poll_worker: CAS self PROCESSING->POLLING")
	lblPollSys           = newLabel("poll_worker: sys_umcg_poll_worker")
	lblPollSysKilled     = newLabel("poll_worker: sys_umcg_poll_worker: WARN_ON(worker still linked): SIGSEGV")
	lblPollDone          = newLabel("poll_worker: CAS self POLLING->PROCESSING")
	lblRunLoad           = newLabel("run_worker: load *worker")
	lblRunNotWorker      = newLabel("run_worker: load *worker: not a worker")
	lblRunCASWorker      = newLabel("run_worker: CAS worker RUNNABLE->RUNNING")
	lblRunCASSelf        = newLabel("run_worker: CAS self PROCESSING->SERVING")
	lblRunSys            = newLabel("run_worker: sys_umcg_run_worker")
	lblRunUndo           = newLabel("run_worker: undo: CAS worker RUNNING->RUNNABLE, self SERVING->PROCESSING")
	lblRunDone           = newLabel("run_worker: CAS self SERVING->PROCESSING")
	lblPollExitBefore    = newLabel("poll_worker: wrong server state before: exit(1)")
	lblPollExitAfter     = newLabel("poll_worker: wrong server state after: exit(1)")
	lblPollExitResult    = newLabel("poll_worker: unexpected result: exit(1)")
	lblRunExitWorker     = newLabel("run_worker: wrong worker state: exit(1)")
	lblRunExitServer     = newLabel("run_worker: wrong server state: exit(1)")
)

// Local bits.
const (
	localShouldWake = 1 << 0
	localShouldWait = 1 << 1
)

// utid encodes thread t as the library's umcg_tid: 0 is UMCG_NONE.
func utid(t int8) int16 {
	if t < 0 {
		return 0
	}
	return int16(t) + 1
}

// loadTLSVar loads *utid, the thread-local umcg_task_tls of thread owner,
// into th.Ptr. In the seed the variable is thread-local storage, which is
// gone once its thread has ended; the fixed library keeps it in a
// process-wide table (finding tls-after-exit).
func (m *Model) loadTLSVar(s *State, th *Thread, owner int8, o *Observation) bool {
	if owner < 0 && m.fix(FixNoneArgEINVAL) && th.Fn != CallGetTaskState {
		// The fixed library checks for UMCG_NONE first: its caller
		// fails with EINVAL (finding none-arg-segv).
		th.Ptr = None
		return false
	}
	if owner < 0 {
		// *(UMCG_NONE): the load faults and SIGSEGV ends the process.
		l, ok := nullDeref[o.Label]
		if !ok {
			panic("loadTLSVar: no NULL dereference label for step " + o.Label.String())
		}
		o.Label = l
		th.Status = Killed
		th.Ptr = None
		return false
	}
	ot := &s.T[owner]
	if !m.fix(FixUtidTable) && ot.Status != Alive {
		o.UAF = true
	}
	if ot.TLS == 0 {
		th.Ptr = None
		return false
	}
	th.Ptr, th.PtrGen = owner, ot.TLS
	return true
}

// touchTLS records an access through th.Ptr; it is a use after free when
// the allocation it points to was freed.
func touchTLS(s *State, th *Thread, o *Observation) *Thread {
	ot := &s.T[th.Ptr]
	if ot.Gen != th.PtrGen || ot.Freed {
		o.UAF = true
	}
	return ot
}

// touchOwnTLS records an access to the thread's own task_tls.
func touchOwnTLS(th *Thread, o *Observation) {
	if th.TLS == 0 || th.TLS != th.Gen || th.Freed {
		o.UAF = true
	}
}

func touchGroup(s *State, g int8, o *Observation) {
	if g < 0 || int(g) >= int(s.G) || s.Grp[g].Lib != 1 {
		o.UAF = true
	}
}

// ret returns from the library call in progress.
func (m *Model) ret(s *State, t int8, o *Observation, v int16, e Errno, setErrno bool) {
	th := &s.T[t]
	if setErrno {
		th.Errno = e
		if m.bug == bugErrnoLost {
			th.Errno = 0
		}
	}
	o.Returned, o.Ret, o.Errno = true, v, th.Errno
	o.GEntry, o.GKern = th.GEntry, th.GKern
	th.Ret = v
	c := th.Fn
	th.Fn, th.LPC, th.Local, th.Ptr, th.PtrGen = CallNone, 0, 0, None, 0
	th.GEntry, th.GKern = 0, 0
	pc := th.PC
	m.clientReturned(s, t)
	// A client retries a call that failed when its program counter stays
	// on it (a poll that returned no worker counts as failed).
	failed := o.GEntry != 0 || o.GKern != 0 || (c == CallPollWorker && v == 0)
	if k := m.progs[t].kind; failed && th.Status == Alive && th.PC == pc && k != progGeneral && k != progPuppet {
		o.Retried = true
	}
	// What the call left behind is dead now; clearing it keeps equal
	// situations equal states (and threads symmetric): the syscall's
	// result and out-parameter, and, for clients that do not pass a
	// result on (only scripts do), the return value.
	th.SysRet, th.Out = 0, None
	if k := m.progs[t].kind; k == progServer || k == progWorker || k == progGeneral {
		th.Ret = 0
	}
}

// exit is the library's exit(1), which ends the process, in the step
// label names (its words end in ": exit(1)").
func (m *Model) exit(s *State, t int8, o *Observation, label Label) {
	o.Label = label
	s.T[t].Status = Exited
}

// sysFailed records a syscall that returned error e at once.
func sysFailed(th *Thread, o *Observation, e Errno) {
	o.Syscall, o.SysErrno = true, e
	if e != 0 && e != EAGAIN { // every caller retries or absorbs EAGAIN
		th.GKern = e
	}
}

// libErrno is the errno a failed syscall leaves for the caller of register
// or unregister. The seed overwrites libc's errno with syscall()'s return
// value: `errno = ret` stores -1 (finding errno-overwrite).
func (m *Model) libErrno(e Errno) Errno {
	if m.fix(FixErrnoFromKernel) {
		return e
	}
	return -1
}

// groupErrno is the errno a failed group syscall leaves: the seed's
// `errno = -res` with res == -1 stores 1, EPERM (finding errno-overwrite).
func (m *Model) groupErrno(e Errno) Errno {
	if m.fix(FixErrnoFromKernel) {
		return e
	}
	return EPERM
}

// libStep executes the next step of the library call in progress.
func (m *Model) libStep(s *State, t int8, fault bool, o *Observation) {
	th := &s.T[t]
	o.Call = th.Fn
	switch th.Fn {
	case CallRegisterCore, CallRegisterWorker, CallRegisterServer:
		m.stepRegister(s, t, fault, o)
	case CallUnregister:
		m.stepUnregister(s, t, o)
	case CallWait:
		m.stepWait(s, t, o)
	case CallWake, CallSwap:
		m.stepWakeSwap(s, t, o)
	case CallCreateGroup:
		m.stepCreate(s, t, fault, o)
	case CallDestroyGroup:
		m.stepDestroy(s, t, o)
	case CallPollWorker:
		m.stepPoll(s, t, o)
	case CallRunWorker:
		m.stepRun(s, t, fault, o)
	case CallGetTaskState:
		th := &s.T[t]
		if th.LPC == lpEntry {
			o.Label = lblGetStateLoadTLS
			if !m.loadTLSVar(s, th, th.Arg, o) {
				if th.Status != Killed {
					m.ret(s, t, o, int16(StateNone), 0, false)
				}
				return
			}
			th.LPC = lpStateLoad
			return
		}
		o.Label = lblGetStateLoad
		ot := touchTLS(s, th, o)
		m.ret(s, t, o, int16(ot.Word), 0, false)
	}
}

func kindOf(c Call) Kind {
	switch c {
	case CallRegisterCore:
		return KindCore
	case CallRegisterWorker:
		return KindWorker
	}
	return KindServer
}

func (m *Model) stepRegister(s *State, t int8, fault bool, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = label(th.Fn, lblRegEntry)
		if (th.Fn != CallRegisterCore && th.Arg == None) || th.TLS != 0 {
			th.GEntry = EINVAL
			m.ret(s, t, o, 0, EINVAL, true)
			return
		}
		switch {
		case m.keptTLS(th):
			// The thread's task_tls from an earlier registration
			// (finding reregister-new-tls): a pointer to it that
			// another thread loaded stays a pointer to this thread's.
			o.Label = label(th.Fn, lblRegReuse)
			th.TLS, th.Word = th.Gen, StateNone
		case fault:
			o.Label = label(th.Fn, lblRegMallocFails)
			th.GEntry = ENOMEM
			m.ret(s, t, o, 0, ENOMEM, true)
			return
		default:
			th.Gen++
			th.TLS, th.Freed, th.Word = th.Gen, false, StateNone
		}
		if m.fix(FixRunChecksKind) {
			// In the step that publishes the task_tls through *utid:
			// run_worker reads it to refuse a target that is no
			// worker (finding run-core-task). It stays after
			// unregister, with the kept task_tls, until the thread
			// registers again.
			th.TLSKind = kindOf(th.Fn)
		}
		if th.Fn == CallRegisterCore {
			th.LPC = lpRegSys
		} else {
			th.LPC = lpRegGroup
		}
	case lpRegGroup:
		o.Label = label(th.Fn, lblRegGroup)
		touchGroup(s, th.Arg, o)
		th.LPC = lpRegSys
	case lpRegSys:
		o.Label = label(th.Fn, lblRegSys)
		var r Sys
		if fault {
			// The kernel's kzalloc fails. The header documents ENOMEM;
			// v0.1's register_core_task returns EINVAL (finding
			// core-register-einval), add_task_to_group ENOMEM.
			th.GEntry = ENOMEM
			r = fail(ENOMEM)
			if th.Fn == CallRegisterCore && !m.fix(FixCoreENOMEM) {
				r = fail(EINVAL)
			}
		} else {
			g := th.Arg
			if th.Fn == CallRegisterCore {
				g = None
			}
			r = m.SysRegister(s, t, kindOf(th.Fn), g)
		}
		if r.Slept {
			th.LPC = lpRegResumed
			return
		}
		sysFailed(th, o, r.Errno)
		if r.Errno != 0 {
			// free(umcg_task_tls); umcg_task_tls = NULL. The fixed
			// library keeps it for the next registration instead.
			th.TLS = 0
			if !m.fix(FixTLSReused) {
				th.Freed = true
			}
			m.ret(s, t, o, 0, m.libErrno(r.Errno), true)
			return
		}
		touchOwnTLS(th, o)
		m.ret(s, t, o, utid(t), 0, false)
	case lpRegResumed:
		o.Label = label(th.Fn, lblRegReturn)
		touchOwnTLS(th, o)
		m.ret(s, t, o, utid(t), 0, false)
	}
}

// keptTLS reports whether the fixed library's next registration of th
// takes the task_tls it kept from an earlier one (tls-kept keeps it after
// unregister, tls-reused after a failed registration) instead of
// allocating another (finding reregister-new-tls).
func (m *Model) keptTLS(th *Thread) bool {
	return m.fix(FixTLSReused) && th.TLS == 0 && th.Gen > 0 && !th.Freed
}

func (m *Model) stepUnregister(s *State, t int8, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = lblUnregSys
		if th.TLS == 0 {
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
			return
		}
		r := fail(EINVAL)
		if th.Kind != KindNone {
			r = m.SysUnregister(s, t)
		}
		sysFailed(th, o, r.Errno)
		if th.Status == Killed {
			// (finding unregister-kills-worker)
			o.Label = lblUnregSysKilled
			return
		}
		if r.Errno != 0 {
			m.ret(s, t, o, -1, m.libErrno(r.Errno), true)
			return
		}
		th.LPC = lpUnregFree
		if m.fix(FixTLSKept) && m.bug != bugUnregisterDangling {
			// The fixed library never frees a task_tls: it stays in a
			// per-thread cache for the life of the process, so a
			// pointer loaded before the NULL store still reads a state
			// word, NONE (finding unregister-free-race).
			th.LPC = lpUnregClear
		}
	case lpUnregFree:
		o.Label = lblUnregFree
		touchOwnTLS(th, o)
		th.Freed = true
		if m.bug == bugUnregisterDangling {
			m.ret(s, t, o, 0, 0, false)
			return
		}
		th.LPC = lpUnregClear
	case lpUnregClear:
		o.Label = lblUnregClear
		th.TLS = 0
		m.ret(s, t, o, 0, 0, false)
	}
}

// stepWait is umcg_wait, and the do_wait loop that swap shares.
func (m *Model) stepWait(s *State, t int8, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = lblWaitPrepare
		if th.TLS == 0 {
			th.GEntry = EINVAL
			if m.bug == bugWaitUnregisteredOK {
				m.ret(s, t, o, 0, 0, false)
				return
			}
			m.ret(s, t, o, -1, EINVAL, true)
			return
		}
		touchOwnTLS(th, o)
		switch {
		case th.Word == StateRunning, th.Word == StateRunning|FlagWakeupQueued && m.bug == bugWaitForgetsQueued:
			th.Word = StateRunnable
			th.LPC = lpWaitSys
		case th.Word == StateRunning|FlagWakeupQueued:
			th.LPC = lpWaitDeq
		default:
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
		}
	case lpWaitDeq:
		o.Label = lblWaitDequeue
		touchOwnTLS(th, o)
		if th.Word != StateRunning|FlagWakeupQueued {
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
			return
		}
		th.Word = StateRunning
		m.ret(s, t, o, 0, 0, false)
	case lpWaitSys:
		o.Label = label(th.Fn, lblWaitSys)
		r := m.SysWait(s, t)
		th.LPC = lpWaitCheck
		if !r.Slept {
			sysFailed(th, o, r.Errno)
			th.SysRet = r.Errno
		}
	case lpWaitCheck:
		m.waitCheck(s, t, o)
	case lpWaitCancel:
		o.Label = label(th.Fn, lblWaitCancel)
		touchOwnTLS(th, o)
		if th.Word == StateRunnable {
			th.Word = StateRunning
			m.ret(s, t, o, -1, th.GKern, true)
			return
		}
		m.ret(s, t, o, 0, 0, false) // woken meanwhile: the wakeup wins
	}
}

// waitCheck is the loop of umcg_do_wait after sys_umcg_wait returned.
func (m *Model) waitCheck(s *State, t int8, o *Observation) {
	th := &s.T[t]
	e := th.SysRet
	o.Label = label(th.Fn, lblWaitCheck)
	if e != 0 && e != EAGAIN {
		th.GKern = e
		if m.fix(FixWaitEINTRCancels) && e == EINTR {
			// Take the wait back, or learn that a wakeup won the race:
			// the seed returns EINTR even after a wakeup arrived, and
			// the wakeup is lost (finding wait-eintr-lost).
			th.LPC = lpWaitCancel
			o.Label = label(th.Fn, lblWaitEINTR)
			return
		}
		m.ret(s, t, o, -1, e, true)
		return
	}
	touchOwnTLS(th, o)
	if th.Word == StateRunnable {
		th.LPC = lpWaitSys
		return
	}
	m.ret(s, t, o, 0, 0, false)
}

func (m *Model) stepWakeSwap(s *State, t int8, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = label(th.Fn, lblLoadNext)
		if !m.loadTLSVar(s, th, th.Arg, o) {
			if th.Status != Killed {
				th.GEntry = EINVAL
				m.ret(s, t, o, -1, EINVAL, true)
			}
			return
		}
		th.LPC = lpWakeCAS
	case lpWakeCAS:
		o.Label = label(th.Fn, lblCASNext)
		nt := touchTLS(s, th, o)
		switch nt.Word {
		case StateRunnable:
			nt.Word = StateRunning
			th.Local |= localShouldWake
			m.afterPrepareWake(s, t, o)
		case StateRunning:
			th.LPC = lpWakeQueue
		case StateRunning | FlagWakeupQueued:
			// The header promises an error; the seed spins (OP_AGAIN)
			// until the wakeup is consumed (finding wake-queued-spin).
			th.GEntry = EAGAIN
			if m.fix(FixWakeQueuedEAGAIN) && m.bug != bugWakeSpin {
				m.ret(s, t, o, -1, EAGAIN, true)
				return
			}
			o.Retry = true
		default:
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
		}
	case lpWakeQueue:
		o.Label = label(th.Fn, lblQueueNext)
		nt := touchTLS(s, th, o)
		switch nt.Word {
		case StateRunning:
			if m.bug == bugWakeDropped && th.Fn == CallWake {
				m.ret(s, t, o, 0, 0, false)
				return
			}
			nt.Word = StateRunning | FlagWakeupQueued
			m.afterPrepareWake(s, t, o)
		case StateRunnable:
			th.LPC = lpWakeCAS
			o.Retry = true
		default:
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
		}
	case lpWakeSys:
		o.Label = label(th.Fn, lblWakeSys)
		if !m.fix(FixTLSKept) {
			touchTLS(s, th, o) // reads next_utls->tid on every retry
		}
		r := m.SysWake(s, t, th.Ptr)
		sysFailed(th, o, r.Errno)
		if s.T[t].Status == Killed {
			o.Label = label(th.Fn, lblWakeKilled)
			return
		}
		switch r.Errno {
		case 0:
			m.ret(s, t, o, 0, 0, false)
		case EAGAIN:
			o.Retry = true
		default:
			m.ret(s, t, o, -1, r.Errno, true)
		}
	case lpSwapPrepare:
		o.Label = lblSwapPrepare
		if th.TLS == 0 {
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
			return
		}
		touchOwnTLS(th, o)
		switch th.Word {
		case StateRunning:
			th.Word = StateRunnable
			th.Local |= localShouldWait
			m.afterPrepareWait(s, t, o)
		case StateRunning | FlagWakeupQueued:
			th.LPC = lpSwapDeq
		default:
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
		}
	case lpSwapDeq:
		o.Label = lblSwapDequeue
		touchOwnTLS(th, o)
		if th.Word != StateRunning|FlagWakeupQueued {
			th.GEntry = EINVAL
			m.ret(s, t, o, -1, EINVAL, true)
			return
		}
		th.Word = StateRunning
		m.afterPrepareWait(s, t, o)
	case lpSwapSys:
		o.Label = lblSwapSys
		if !m.fix(FixTLSKept) {
			touchTLS(s, th, o) // reads next_utls->tid on every retry
		}
		r := m.SysSwap(s, t, th.Ptr)
		if s.T[t].Status == Killed {
			o.Label = lblSwapSysKilled
			return
		}
		if r.Slept {
			th.LPC = lpSwapDone
			return
		}
		sysFailed(th, o, r.Errno)
		if r.Errno == EAGAIN {
			if m.fix(FixWakeupInWord) {
				// The kernel would not sleep: our own wakeup came
				// first, or next's wakeup is in its state word. The wait
				// loop looks at our word.
				th.SysRet = 0
				th.LPC = lpWaitCheck
				return
			}
			o.Retry = true
			return
		}
		if m.fix(FixSwapLoops) {
			// Next is gone: take back our own wait and report it.
			th.GKern = r.Errno
			th.LPC = lpWaitCancel
			return
		}
		m.ret(s, t, o, -1, r.Errno, true)
	case lpSwapDone:
		if m.fix(FixSwapLoops) {
			// The fixed library loops on its state word as umcg_wait
			// does (finding swap-spurious).
			m.waitCheck(s, t, o)
			return
		}
		o.Label = lblSwapDone
		if e := th.SysRet; e != 0 {
			th.GKern = e
			m.ret(s, t, o, -1, e, true)
			return
		}
		m.ret(s, t, o, 0, 0, false)
	default:
		m.stepWait(s, t, o) // swap's wait half
	}
}

// afterPrepareWake continues wake or swap once the wakeup of next was
// prepared (should_wake says whether a syscall must deliver it).
func (m *Model) afterPrepareWake(s *State, t int8, o *Observation) {
	th := &s.T[t]
	if th.Fn == CallSwap {
		th.LPC = lpSwapPrepare
		return
	}
	if th.Local&localShouldWake != 0 {
		th.LPC = lpWakeSys
		return
	}
	m.ret(s, t, o, 0, 0, false)
}

// afterPrepareWait picks swap's syscall from should_wake and should_wait.
func (m *Model) afterPrepareWait(s *State, t int8, o *Observation) {
	th := &s.T[t]
	wakeNext, waitSelf := th.Local&localShouldWake != 0, th.Local&localShouldWait != 0
	switch {
	case wakeNext && waitSelf:
		th.LPC = lpSwapSys
	case wakeNext:
		th.LPC = lpWakeSys
	case waitSelf:
		th.LPC = lpWaitSys
	default:
		m.ret(s, t, o, 0, 0, false)
	}
}

func (m *Model) stepCreate(s *State, t int8, fault bool, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = lblCreateSys
		g, r := None, fail(ENOMEM)
		if !fault {
			g, r = m.SysCreateGroup(s)
		}
		sysFailed(th, o, r.Errno)
		if r.Errno != 0 {
			// `errno = -res; return -1;` (findings errno-overwrite and
			// create-returns-minus-one)
			v := int16(-1)
			if m.fix(FixCreateReturnsNone) {
				v = 0
			}
			m.ret(s, t, o, v, m.groupErrno(r.Errno), true)
			return
		}
		th.Ptr = g
		th.LPC = lpCreateMalloc
	case lpCreateMalloc:
		o.Label = lblCreateMalloc
		if fault {
			o.Label = lblCreateMallocFails
			th.GEntry = ENOMEM
			m.ret(s, t, o, 0, ENOMEM, true)
			return
		}
		s.Grp[th.Ptr].Lib = 1
		m.ret(s, t, o, int16(th.Ptr)+1, 0, false)
	}
}

func (m *Model) stepDestroy(s *State, t int8, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = lblDestroyLoad
		touchGroup(s, th.Arg, o)
		th.LPC = lpDestroySys
	case lpDestroySys:
		o.Label = lblDestroySys
		r := m.SysDestroyGroup(s, th.Arg)
		sysFailed(th, o, r.Errno)
		if r.Errno != 0 {
			e := m.groupErrno(r.Errno)
			// The header promises EAGAIN for a non-empty group; the
			// kernel says EBUSY (finding destroy-errno).
			if r.Errno == EBUSY && m.fix(FixDestroyEAGAIN) && m.bug != bugDestroyEBUSY {
				e = EAGAIN // as the header documents
			}
			m.ret(s, t, o, -1, e, true)
			return
		}
		th.LPC = lpDestroyFree
	case lpDestroyFree:
		o.Label = lblDestroyFree
		touchGroup(s, th.Arg, o)
		s.Grp[th.Arg].Lib = 2
		m.ret(s, t, o, 0, 0, false)
	}
}

func (m *Model) stepPoll(s *State, t int8, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = lblPollPrepare
		if th.TLS == 0 && m.fix(FixOwnTLSEINVAL) {
			// The seed's CAS is on &umcg_task_tls->umcg_task with a
			// NULL umcg_task_tls (finding own-tls-unchecked).
			th.GEntry = EINVAL
			m.ret(s, t, o, 0, EINVAL, true)
			return
		}
		touchOwnTLS(th, o)
		want, to := StateProcessing, StatePolling
		if m.bug == bugPollBadCAS {
			want = StateServing
		}
		if m.bug == bugPollSetsRunnable {
			to = StateRunnable
		}
		if th.Word != want {
			if m.fix(FixPollNoExit) && m.bug != bugPollBadCAS {
				th.GEntry = EINVAL
				m.ret(s, t, o, 0, EINVAL, true)
				return
			}
			m.exit(s, t, o, lblPollExitBefore)
			return
		}
		th.Word = to
		th.LPC = lpPollSys
	case lpPollSys:
		o.Label = lblPollSys
		r := m.SysPollWorker(s, t)
		if th.Status == Killed {
			o.Label = lblPollSysKilled
			sysFailed(th, o, r.Errno)
			return
		}
		th.LPC = lpPollDone
		if !r.Slept {
			sysFailed(th, o, r.Errno)
			th.SysRet = r.Errno
		}
	case lpPollDone:
		o.Label = lblPollDone
		touchOwnTLS(th, o)
		want := StatePolling
		if m.bug == bugPollSetsRunnable {
			want = StateRunnable
		}
		e := th.SysRet
		if e != 0 {
			th.GKern = e
		}
		if th.Word != want {
			if m.fix(FixPollNoExit) {
				m.ret(s, t, o, 0, EINVAL, true)
				return
			}
			m.exit(s, t, o, lblPollExitAfter)
			return
		}
		th.Word = StateProcessing
		if e != 0 {
			if m.fix(FixPollNoExit) {
				// The seed exits on any error, EINTR included
				// (finding poll-exit-on-error).
				m.ret(s, t, o, 0, e, true)
				return
			}
			m.exit(s, t, o, lblPollExitResult)
			return
		}
		w := th.Out
		if w >= 0 && (s.T[w].Freed || s.T[w].Gen == 0) {
			o.UAF = true // umcg_task_to_utid reads the worker's task_tls
		}
		m.ret(s, t, o, utid(w), 0, false)
	}
}

func (m *Model) stepRun(s *State, t int8, fault bool, o *Observation) {
	th := &s.T[t]
	switch th.LPC {
	case lpEntry:
		o.Label = lblRunLoad
		if th.TLS == 0 && m.fix(FixOwnTLSEINVAL) {
			// The seed goes on to a CAS on its own NULL task_tls
			// (finding own-tls-unchecked).
			th.GEntry = EINVAL
			m.ret(s, t, o, 0, EINVAL, true)
			return
		}
		if !m.loadTLSVar(s, th, th.Arg, o) {
			if th.Status == Killed {
				return
			}
			if th.Arg < 0 {
				th.GEntry = EINVAL // run_worker(UMCG_NONE), fixed
				m.ret(s, t, o, 0, EINVAL, true)
				return
			}
			// The seed returns UMCG_NONE with errno untouched, so what
			// the caller reads depends on an older call (finding
			// run-none-errno). The fixed library says errno 0 for a
			// worker that unregistered, ESRCH for one that never
			// registered.
			e := ESRCH
			if s.T[th.Arg].Gen > 0 {
				e = 0
			}
			th.GEntry = e
			if e == 0 {
				th.GEntry = EntryUnregistered
			}
			m.ret(s, t, o, 0, e, m.fix(FixRunNoneErrno))
			return
		}
		if m.fix(FixRunChecksKind) && s.T[th.Ptr].TLSKind != KindWorker {
			// The kind registration wrote into the task_tls, read in
			// the step that loads the pointer (docs/semantics.md,
			// Atomicity, says why that loses no interleaving): a core
			// task or a server is refused before its state word is
			// touched. The seed's CAS below moves a waiting core
			// task's word RUNNABLE->RUNNING, which the core task takes
			// for a wakeup, before the kernel refuses the target
			// (finding run-core-task).
			o.Label = lblRunNotWorker
			th.GEntry = EINVAL
			m.ret(s, t, o, 0, EINVAL, true)
			return
		}
		th.LPC = lpRunCASWorker
	case lpRunCASWorker:
		o.Label = lblRunCASWorker
		wt := touchTLS(s, th, o)
		if wt.Word != StateRunnable {
			if m.fix(FixRunNoExit) {
				e := EINVAL
				th.GEntry = EINVAL
				if wt.Word == StateNone {
					e, th.GEntry = 0, EntryUnregistered
				}
				m.ret(s, t, o, 0, e, true)
				return
			}
			// (finding run-exit-on-state)
			m.exit(s, t, o, lblRunExitWorker)
			return
		}
		wt.Word = StateRunning
		th.LPC = lpRunCASSelf
	case lpRunCASSelf:
		o.Label = lblRunCASSelf
		touchOwnTLS(th, o)
		if th.Word != StateProcessing {
			if m.fix(FixRunNoExit) {
				th.GEntry = EINVAL
				th.LPC = lpRunUndo // undo the CAS of the worker
				return
			}
			m.exit(s, t, o, lblRunExitServer)
			return
		}
		th.Word = StateServing
		th.LPC = lpRunSys
	case lpRunSys:
		o.Label = lblRunSys
		if !m.fix(FixTLSKept) {
			touchTLS(s, th, o) // reads worker_utls->tid on every retry
		}
		r := fail(ESRCH)
		if !fault {
			r = m.SysRunWorker(s, t, th.Ptr)
		}
		if r.Slept {
			th.LPC = lpRunDone
			return
		}
		sysFailed(th, o, r.Errno)
		if r.Errno == EAGAIN {
			o.Retry = true
			return
		}
		if m.fix(FixRunUndo) {
			th.SysRet = r.Errno
			th.LPC = lpRunUndo
			return
		}
		// The seed prints and returns, leaving itself SERVING and the
		// worker RUNNING (finding run-error-leaves-serving).
		m.ret(s, t, o, 0, r.Errno, true)
	case lpRunUndo:
		o.Label = lblRunUndo
		wt := touchTLS(s, th, o)
		if wt.Word == StateRunning && m.bug != bugRunNoUndo {
			wt.Word = StateRunnable
		}
		if th.Word == StateServing {
			th.Word = StateProcessing
		}
		e := th.SysRet
		if th.GEntry != 0 {
			e = th.GEntry
		}
		m.ret(s, t, o, 0, e, true)
	case lpRunDone:
		o.Label = lblRunDone
		touchOwnTLS(th, o)
		e := th.SysRet
		if e != 0 {
			// A signal ended the sleep (never with run-sleeps-on). The
			// seed returns the error still SERVING (finding
			// run-error-leaves-serving).
			th.GKern = e
			if !m.fix(FixRunUndo) {
				m.ret(s, t, o, 0, e, true)
				return
			}
		}
		if m.bug != bugRunLeavesServing {
			if th.Word != StateServing {
				if m.fix(FixRunNoExit) {
					m.ret(s, t, o, 0, EINVAL, true)
					return
				}
				m.exit(s, t, o, lblRunExitServer)
				return
			}
			th.Word = StateProcessing
		}
		if e != 0 {
			m.ret(s, t, o, 0, e, true) // PROCESSING again, UMCG_NONE with the error
			return
		}
		w := th.Out
		if m.bug == bugRunReturnsSelf && w >= 0 {
			w = t // umcg_task_to_utid(server_ut)
		}
		if w < 0 {
			// UMCG_NONE: the worker unregistered. The seed leaves errno
			// as it was (finding run-none-errno).
			m.ret(s, t, o, 0, 0, m.fix(FixRunNoneErrno))
			return
		}
		if !m.fix(FixUtidTable) && (s.T[w].Freed || s.T[w].Gen == 0) {
			o.UAF = true // umcg_task_to_utid reads the worker's task_tls
		}
		m.ret(s, t, o, utid(w), 0, false)
	}
}
