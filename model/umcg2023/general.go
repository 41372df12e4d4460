package umcg2023

import "github.com/umcgcheck/umcgcheck/sim"

// The most general client: each general thread is a server or a worker
// by intent, and at each of its client steps (in user space: unregistered,
// a server back from its call, or a worker a server runs) it chooses, as
// an action of its own, any command its kind may make, with any target
// among the workers and itself, misuse included: wait before registering,
// register twice or as the other kind, switch to a worker that is not
// RUNNABLE or to itself, unregister while unregistered, WAIT with one slot,
// switch with no slots. It makes at most Config.Calls commands. The
// command runs through the kernel's steps like a well-behaved client's;
// its immediate outcome (errno, SIGKILL of the caller, or sleeping) is
// checked against the posting's or Nanos's documented tables by the
// property errors-as-documented (errors.go).
//
// General threads do not mix with the scripted ones (a configuration has
// either), are in no symmetry class (their action kinds name the threads
// they target, and the engine renames only an action's thread), and are
// owed no progress: no-deadlock, delivered-by-end and
// worker-eventually-runs are asked only of scripted clients, since a
// general client may stop calling, or call in an order that never lets
// another thread run. no-kill is asked of every kill but the documented
// answer to the caller's own misuse.

// Commands a general thread can choose.
const (
	cmdRegServer    = iota // REGISTER_SERVER
	cmdRegServerBad        // REGISTER_SERVER with flags set
	cmdRegWorker           // REGISTER_WORKER with an aligned id
	cmdRegWorkerBad        // REGISTER_WORKER with an id whose low 5 bits are set
	cmdUnregister          // UNREGISTER
	cmdWake                // WAKE
	cmdWait2               // WAIT(next_tid 0), two slots, no timeout
	cmdWait1               // WAIT(next_tid 0), one slot
	cmdWaitPoll            // WAIT(next_tid 0), two slots, abs_timeout 1
	cmdWaitFor             // WAIT(next_tid=target), no events
	cmdSwitch              // CTX_SWITCH(target) with two slots (a server's)
	cmdYield               // WAIT with no events (a worker's)
	cmdSwap                // CTX_SWITCH(target) with no events (a worker's)
	cmdBlock               // a syscall that sleeps (not a UMCG command)
)

var cmdNames = [...]string{"REGISTER_SERVER", "REGISTER_SERVER(flags)", "REGISTER_WORKER", "REGISTER_WORKER(bad id)",
	"UNREGISTER", "WAKE", "WAIT(2 slots)", "WAIT(1 slot)", "WAIT(poll)", "WAIT(next_tid)", "CTX_SWITCH(2 slots)",
	"WAIT(no events)", "CTX_SWITCH(no events)", "a blocking syscall"}

// takesTarget reports whether a command names a thread.
func takesTarget(cmd uint8) bool { return cmd == cmdWaitFor || cmd == cmdSwitch || cmd == cmdSwap }

// choice is one command a general thread of a kind may choose.
type choice struct {
	server bool  // chosen by general servers, else by general workers
	cmd    uint8 // a cmd*
	target int8  // the thread it names, or -1
	self   bool  // the target is the caller itself
}

// ACall is the action kind of a general thread's first choice; choice i
// is action kind ACall+i.
const ACall = ASignal + 1

// A general thread's program counter is 0 (SReg) in user space, or where
// it sleeps as a server: the scripted servers' SWaiting, SSwitched and
// SWaitFor, or gSwitch0.

func (m *Model) general() bool { return m.cfg.GeneralServers+m.cfg.GeneralWorkers > 0 }

// addGeneral lays out the general threads (servers first, then workers)
// and the choices of each kind.
func (m *Model) addGeneral() {
	m.actionNames = actionNames
	if !m.general() {
		return
	}
	m.nsv = m.cfg.GeneralServers
	m.threads = m.cfg.GeneralServers + m.cfg.GeneralWorkers
	m.actionNames = append([]string(nil), actionNames...)
	add := func(server bool, cmd uint8, targets ...int8) {
		if !takesTarget(cmd) {
			m.choices = append(m.choices, choice{server: server, cmd: cmd, target: -1})
			return
		}
		for _, t := range targets {
			m.choices = append(m.choices, choice{server: server, cmd: cmd, target: t, self: t < 0})
		}
	}
	var workers []int8
	for w := m.nsv; w < m.threads; w++ {
		workers = append(workers, int8(w))
	}
	self := append(append([]int8(nil), workers...), -1) // -1: the caller itself
	for _, server := range []bool{true, false} {
		add(server, cmdRegServer)
		add(server, cmdRegWorker)
		add(server, cmdUnregister)
		add(server, cmdWake)
		add(server, cmdWait2)
	}
	add(true, cmdRegServerBad)
	add(true, cmdWait1)
	add(true, cmdWaitPoll)
	add(true, cmdWaitFor, workers...)
	add(true, cmdSwitch, self...)
	add(false, cmdRegWorkerBad)
	add(false, cmdYield)
	add(false, cmdSwap, self...)
	add(false, cmdBlock)
	for _, c := range m.choices {
		// Names are unique (a saved counterexample names its actions):
		// both kinds may choose some commands.
		role := "worker: "
		if c.server {
			role = "server: "
		}
		m.actionNames = append(m.actionNames, role+m.choiceName(c, -1))
	}
}

// choiceName names a choice; with caller t >= 0 a self target is named.
func (m *Model) choiceName(c choice, t int) string {
	n := cmdNames[c.cmd]
	switch {
	case !takesTarget(c.cmd):
	case c.self && t >= 0:
		n += " " + m.name(t)
	case c.self:
		n += " self"
	default:
		n += " " + m.name(int(c.target))
	}
	return n
}

// choicePlace names a choice without thread names, for Place: the target
// is a worker or the caller.
func choicePlace(c choice) string {
	switch {
	case !takesTarget(c.cmd):
		return cmdNames[c.cmd]
	case c.self:
		return cmdNames[c.cmd] + " to itself"
	}
	return cmdNames[c.cmd] + " to a worker"
}

// target is the thread choice c of caller t names.
func (c choice) targetOf(t int) int {
	if c.self {
		return t
	}
	return int(c.target)
}

func isWorkerStatus(st uint16) bool { return st >= WorkerBlocked }

// inUser reports whether general thread t is in user space: not asleep in
// a server call, and unregistered, a server, or a RUNNING worker.
func (m *Model) inUser(s *State, t int) bool {
	st := s.Status[t]
	return s.PC[t] == 0 && (st == 0 || st == ServerRunning || st == WorkerRunning)
}

// generalMoves appends the moves of general thread t.
func (m *Model) generalMoves(s *State, t int, buf []sim.Action) []sim.Action {
	switch {
	case s.PC[t] != 0:
		if s.Status[t] == ServerRunning {
			buf = append(buf, sim.Action{Kind: AResume, Thread: int8(t)})
		}
	case s.Status[t] == WorkerBlocked:
		buf = append(buf, sim.Action{Kind: AUnblock, Thread: int8(t)})
	case m.inUser(s, t) && int(s.Calls[t]) < m.cfg.Calls:
		server := m.isServer(t)
		for i, c := range m.choices {
			if c.server == server {
				buf = append(buf, sim.Action{Kind: uint8(ACall + i), Thread: int8(t)})
			}
		}
	}
	return buf
}

// generalCall runs general thread t's choice c up to its result or sleep.
func (m *Model) generalCall(s *State, o *Observation, t, i int) {
	c := m.choices[i]
	s.Calls[t]++
	o.Call = uint8(1 + i)
	st := s.Status[t]
	worker := isWorkerStatus(st)
	server := st == ServerRunning || m.r.implicitServers && !worker
	v := c.targetOf(t)
	switch c.cmd {
	case cmdRegServer: // S1
		switch {
		case m.r.implicitServers: // [N]: nothing recorded
		case st != 0:
			o.Result = EINVAL
		default:
			s.Status[t], s.Slot[t] = ServerRunning, 0
		}
	case cmdRegServerBad, cmdRegWorkerBad, cmdWait1:
		if c.cmd == cmdWait1 && !worker && !server {
			m.kill(s, o, t)
			return
		}
		o.Result = EINVAL
	case cmdRegWorker: // W1
		if worker || !m.r.implicitServers && st != 0 {
			o.Result = EINVAL
			return
		}
		s.Link[t], s.BQ[t] = -1, -1
		m.pushAndWake(s, t, EvWake)
		o.Slept = true
	case cmdUnregister:
		switch {
		case worker: // W9
			s.Status[t] = 0
			m.wakeServer(s, o, t, EvExit)
		case st == ServerRunning: // S11
			s.Status[t] = 0
		case !m.r.implicitServers && m.bug != "unregister-any":
			o.Result = EINVAL
		}
	case cmdWake: // S12
		if !m.wake(s) {
			o.Result = EAGAIN
		}
	case cmdWait2, cmdWaitPoll, cmdWaitFor, cmdSwitch:
		if c.cmd == cmdSwitch { // CTX_SWITCH checks its target before its caller
			if o.Result = m.badTarget(s, v); o.Result != 0 {
				return
			}
		}
		switch {
		case worker && c.cmd == cmdSwitch && m.r.nanosArgs: // D9: a worker's events ignored
			m.workerSwap(s, o, t, v)
			return
		case worker:
			o.Result = EINVAL
			return
		case !server:
			m.kill(s, o, t)
			return
		}
		if c.cmd == cmdWaitFor { // checked after the caller's status, before it acts
			if o.Result = m.badTarget(s, v); o.Result != 0 {
				return
			}
		}
		s.Status[t] = ServerRunning // an implicit server ([N]) from status 0
		switch c.cmd {
		case cmdWait2:
			m.serverWait(s, o, t)
			if s.PC[t] == SLoop { // [N]: a left-over WAKE returned at once (D7)
				s.PC[t] = 0
			}
			o.Slept = s.PC[t] != 0 // a stale slot's SIGKILL leaves PC 0
		case cmdWaitPoll: // collect now: 0 if anything, else ETIMEDOUT
			if !m.staleSlot(s, o, t) && m.collect(s, o, t) && o.NDeliv == 0 {
				o.Result = ETIMEDOUT
			}
		case cmdWaitFor:
			s.Target[t] = int8(v)
			m.startWaitFor(s, o, t)
			o.Slept = s.PC[t] != 0
		case cmdSwitch:
			m.serverSwitch(s, o, t, v, SSwitched)
			o.Slept = o.Result == 0 && o.Killed == 0
		}
	case cmdYield:
		switch {
		case worker: // W4
			s.Status[t] = WorkerRunnable
			m.setWaiting(s, t, true)
			m.wakeServer(s, o, t, EvWait)
			o.Slept = true
		case server:
			o.Result = EINVAL // event_sz < 2
		default:
			m.kill(s, o, t)
		}
	case cmdSwap:
		if o.Result = m.badTarget(s, v); o.Result != 0 { // before the caller
			return
		}
		switch {
		case worker:
			m.workerSwap(s, o, t, v)
		case server && m.r.nanosArgs:
			o.Result = EINVAL // event_sz <= 0
		case server: // D8: event_sz 0 is not checked
			m.serverSwitch(s, o, t, v, gSwitch0)
			o.Slept = o.Result == 0 && o.Killed == 0
		default:
			m.kill(s, o, t)
		}
	case cmdBlock:
		if worker { // W2
			s.Status[t] = WorkerBlocked
			m.wakeServer(s, o, t, EvBlock)
		}
	}
}

// badTarget is the target check of CTX_SWITCH and WAIT(next_tid): the
// posting refuses an unregistered thread (EPERM); Nanos anything that is
// not a worker (EINVAL, D3).
func (m *Model) badTarget(s *State, v int) int8 {
	if m.r.nanosArgs {
		if !isWorkerStatus(s.Status[v]) {
			return EINVAL
		}
	} else if s.Status[v] == 0 {
		return EPERM
	}
	return 0
}

// workerSwap is worker w's CTX_SWITCH to v (W6, W6x; [N] N8, N10): w
// becomes SWAPPING and is pushed (its WAIT event comes from the pool), v
// inherits w's server and runs, an idle server is woken. A v that is not
// RUNNABLE: the posting overwrites it to RUNNING and kills w; Nanos
// refuses with EINVAL (D4).
func (m *Model) workerSwap(s *State, o *Observation, w, v int) {
	ok := s.Status[v] == WorkerRunnable && !m.waiting(s, v) // D5
	if !ok && m.r.badSwitchEINVAL {
		o.Result = EINVAL
		return
	}
	sv := s.Link[w]
	s.Link[w] = -1
	s.Status[w] = WorkerSwapping
	m.pushWorker(s, w)
	s.addPending(w, EvWait)
	s.Link[v] = sv
	if m.r.waitforBQ {
		s.BQ[v] = s.BQ[w]
	}
	s.Status[v] = WorkerRunning
	m.setWaiting(s, v, false)
	// A worker's timeout ends with its wait, as in serverSwitch. No
	// general client arms a timer today (its yield has no timeout), so no
	// test reaches this line; it keeps the two switches alike.
	s.Timer[v] = false
	if !ok {
		m.kill(s, o, w)
		return
	}
	if m.bug != "no-wake-idle" {
		m.wakeIdle(s)
	}
	o.Slept = true
}

// generalResume ends general server t's sleep: its call collects (CTX_SWITCH
// with no slots collects nothing) and returns; nothing is handled.
func (m *Model) generalResume(s *State, o *Observation, t int) {
	pc := s.PC[t]
	s.PC[t] = 0
	switch pc {
	case SWaitFor:
		o.Op = 'f'
		m.leaveWaitFor(s, t)
	case gSwitch0:
		o.Op = 'c'
	default:
		o.Op = 'c'
		m.collect(s, o, t)
	}
}

// setWaiting marks worker w as yielded and not run since (on) or not,
// under reading yield-state=waiting only (D5).
func (m *Model) setWaiting(s *State, w int, on bool) {
	if !m.r.yieldWaiting {
		return
	}
	if on {
		s.Waiting |= 1 << w
	} else {
		s.Waiting &^= 1 << w
	}
}

// waiting reports whether worker w is [N]'s WAITING: yielded, not run since.
func (m *Model) waiting(s *State, w int) bool { return s.Waiting&(1<<w) != 0 }
