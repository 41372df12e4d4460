package umcg01

// This file is the clients that close the model: the programs of servers,
// workers, core tasks and probes. A client step is local except where it
// starts a library call (whose first step it executes), does a blocking
// syscall, or touches a client flag other threads await.

// Server program counters.
const (
	srvRegister = iota
	srvPoll
	srvRun
	srvState
)

// Worker program counters.
const (
	wrkRegister   = iota
	wrkNext       // block again, yield, or unregister
	wrkAfterIO    // the blocking syscall returned
	wrkUnregister // unregister returned
)

// nextCall is the library call thread t starts at its next client step, if any.
func (m *Model) nextCall(s *State, t int8) (c Call, arg int8, ok bool) {
	th := &s.T[t]
	p := &m.progs[t]
	switch p.kind {
	case progServer:
		switch th.PC {
		case srvRegister:
			return CallRegisterServer, p.group, true
		case srvPoll:
			return CallPollWorker, None, true
		case srvRun:
			return CallRunWorker, int8(th.Iter) - 1, true
		case srvState:
			return CallGetTaskState, int8(th.Iter) - 1, true
		}
	case progWorker:
		switch th.PC {
		case wrkRegister:
			return CallRegisterWorker, p.group, true
		case wrkNext:
			if th.Iter >= p.blocks+p.yields {
				return CallUnregister, None, true
			}
			if th.Iter >= p.blocks {
				return CallWait, None, true
			}
		}
	case progScript:
		if int(th.PC) >= len(p.script) {
			return CallNone, None, false
		}
		in := &p.script[th.PC]
		if in.op != opCall {
			return CallNone, None, false
		}
		c = in.call
		if th.Iter == 1 && in.eintrAs != CallNone {
			c = in.eintrAs // retrying after EINTR
		}
		switch in.arg {
		case argGroup, argThread:
			arg = in.idx
		case argLast:
			arg = int8(th.Ret) - 1
			if th.Ret <= 0 {
				arg = None
			}
		default:
			arg = None
		}
		if c == CallWait {
			arg = None
		}
		return c, arg, true
	}
	return CallNone, None, false
}

// canStep reports whether an awake, alive thread can take a step: it is
// inside a call, or its program has a next step that is not an await on a
// flag still clear.
func (m *Model) canStep(s *State, t int8) bool {
	th := &s.T[t]
	if th.Fn != CallNone {
		return true
	}
	p := &m.progs[t]
	if p.kind == progScript {
		if int(th.PC) >= len(p.script) {
			return true // finishing
		}
		in := &p.script[th.PC]
		if in.op == opAwait {
			return s.T[in.idx].Sig&(1<<in.bit) != 0
		}
	}
	return true
}

// failErrno is the errno thread t's next step fails with under a fault, or
// 0 when the step cannot fail or the fault is off.
func (m *Model) failErrno(s *State, t int8) Errno {
	f := m.cfg.Faults
	if f&(FaultENOMEM|FaultESRCH) == 0 {
		return 0 // the only faults a step can fail with (below); Enabled asks for every step
	}
	th := &s.T[t]
	c, lpc, arg := th.Fn, th.LPC, th.Arg
	if c == CallNone {
		var ok bool
		if c, arg, ok = m.nextCall(s, t); !ok {
			return 0
		}
		lpc = lpEntry
	}
	switch c {
	case CallRegisterCore, CallRegisterWorker, CallRegisterServer:
		if f&FaultENOMEM == 0 {
			return 0
		}
		if lpc == lpEntry && th.TLS == 0 && (c == CallRegisterCore || arg != None) && !m.keptTLS(th) {
			return ENOMEM // malloc (none when the kept task_tls is taken)
		}
		if lpc == lpRegSys {
			return ENOMEM
		}
	case CallCreateGroup:
		if f&FaultENOMEM != 0 && (lpc == lpEntry || lpc == lpCreateMalloc) {
			return ENOMEM
		}
	case CallRunWorker:
		if f&FaultESRCH != 0 && lpc == lpRunSys {
			return ESRCH
		}
	}
	return 0
}

// The labels of the steps in this file (see Label).
var (
	lblWorkerBlocks   = newLabel("worker: blocking syscall (kernel: block)")
	lblClientExits    = newLabel("client: program done (thread exits)")
	lblClientDone     = newLabel("client: program done")
	lblClientSetFlag  = newLabel("client: set flag")
	lblClientFlagSeen = newLabel("client: flag seen")
)

// lblClientSkip is, by call, the label of a script skipping that call
// because the call before it failed.
var lblClientSkip = func() (ls [numCalls]Label) {
	for c := range ls {
		ls[c] = newLabel("client: skip " + Call(c).String() + ", the previous call failed")
	}
	return ls
}()

// clientStep executes thread t's next client step.
func (m *Model) clientStep(s *State, t int8, fault bool, o *Observation) {
	th := &s.T[t]
	p := &m.progs[t]
	if p.kind == progWorker {
		switch th.PC {
		case wrkAfterIO:
			th.Iter++
			th.PC = wrkNext
			fallthrough
		case wrkNext:
			if th.Iter < p.blocks {
				o.Label = lblWorkerBlocks
				m.Block(s, t)
				th.PC = wrkAfterIO
				return
			}
		}
	}
	if p.kind == progGeneral {
		// The thread ends, registered or not: the fixed kernel
		// unregisters it on exit, as it does a thread that dies; v0.1
		// has no exit hook (finding death-leak).
		o.Label = lblClientExits
		if th.Kind != KindNone && m.fix(FixExitUnregisters) {
			m.unregister(s, t)
		}
		th.Status = Finished
		return
	}
	if p.kind == progScript {
		if int(th.PC) >= len(p.script) {
			o.Label = lblClientDone
			th.Status = Finished
			return
		}
		switch in := &p.script[th.PC]; in.op {
		case opSet:
			o.Label = lblClientSetFlag
			th.Sig |= 1 << in.bit
			th.PC++
			return
		case opAwait:
			o.Label = lblClientFlagSeen
			th.PC++
			return
		case opCall:
			if in.arg == argLast && th.Ret <= 0 {
				// The previous call failed: there is nothing to pass on
				// (a probe does not call destroy_group(UMCG_NONE)).
				o.Label = lblClientSkip[in.call]
				th.PC++
				return
			}
		}
	}
	c, arg, ok := m.nextCall(s, t)
	if !ok {
		o.Label = lblClientDone
		th.Status = Finished
		return
	}
	th.Fn, th.LPC, th.Arg, th.Local = c, lpEntry, arg, 0
	th.GEntry, th.GKern = 0, 0
	m.libStep(s, t, fault, o)
}

// clientReturned runs the client's local logic after a library call returned.
func (m *Model) clientReturned(s *State, t int8) {
	th := &s.T[t]
	p := &m.progs[t]
	r := th.Ret
	switch p.kind {
	case progServer:
		switch th.PC {
		case srvRegister:
			if r == 0 {
				if th.Errno != ENOMEM { // ENOMEM is worth a retry
					th.Status = Aborted
				}
				return
			}
			th.PC = srvPoll
		case srvPoll:
			if r > 0 {
				th.Iter = uint8(r)
				th.PC = srvRun
			}
		case srvRun:
			switch {
			case r <= 0 && th.Errno != 0:
				// The run failed: the header's "an error occurred". The
				// worker was handed to this server, so it tries again
				// (the fixed library undid its CASes and a worker gone
				// for good comes back as UMCG_NONE, errno 0; the seed
				// left the worker RUNNING, so its retry exits).
				th.PC = srvRun
			case r <= 0:
				th.PC = srvPoll
			case m.fix(FixRunReason):
				// The fixed run_worker says why it returned; v0.1
				// leaves the server to read the worker's state, which
				// cannot tell a yield from a handoff to another server
				// (finding state-read-ambiguous).
				th.Iter = uint8(r)
				th.PC = srvPoll
				if th.Reason == ReasonYielded || th.Reason == ReasonPreempted {
					th.PC = srvRun
				}
			default:
				th.Iter = uint8(r)
				th.PC = srvState
			}
		case srvState:
			if TaskState(r).Base() == StateRunnable {
				th.PC = srvRun // it yielded or was preempted: run it again
			} else {
				th.PC = srvPoll
			}
		}
	case progWorker:
		switch th.PC {
		case wrkRegister:
			if r == 0 {
				th.Status = Aborted
				return
			}
			th.PC = wrkNext
		case wrkNext:
			if th.Iter < p.blocks+p.yields { // a yield returned
				if r != 0 {
					th.Status = Aborted
					return
				}
				th.Iter++
				return
			}
			th.PC = wrkUnregister
			th.Status = Finished
		}
	case progScript:
		in := &p.script[th.PC]
		if in.eintrAs != CallNone && r == -1 && th.Errno == EINTR {
			th.Iter = 1
			return
		}
		if r == 0 && in.retry0 {
			return
		}
		if r == 0 && in.retryErr && th.Errno != 0 {
			return
		}
		if r == 0 && th.Errno == ENOMEM && isRegister(in.call) {
			return // retry a registration that ran out of memory
		}
		if p.strict && (r == -1 || (r == 0 && isRegister(in.call))) {
			th.Status = Aborted // an unexpected failure: give up
			return
		}
		th.Iter = 0
		th.PC++
	}
}

func isRegister(c Call) bool {
	return c == CallRegisterCore || c == CallRegisterWorker || c == CallRegisterServer
}
