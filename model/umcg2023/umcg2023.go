// Package umcg2023 models UMCG as Google's 2023 LKML posting defines it
// (docs/umcg-2023.md, "[P]"): the kernel keeps a status word per task, the
// attached server of each worker, a one-event slot per server, and, per
// process, a LIFO idle-worker list and a LIFO idle-server list. Attached
// events (BLOCK, WAIT, PREEMPT, EXIT) go to the slot of the worker's
// server; pool events (WAKE, TIMEOUT) are the worker itself on the
// idle-worker list, derived from its status when a server collects it.
//
// Atomicity is the coarse model of docs/umcg-2023.md §6.3: each command and
// each kernel hook is one step up to the point where its thread sleeps, and
// the end of a server's sleep (collecting its events, and handling them in
// user space) is one more step. That is already fine enough for two of the
// doc's candidate races, since both happen between two steps of different
// calls: R1 (a server that waited for a blocked worker clears the worker's
// link after another server attached it: configuration wait-for) and R2 (a
// yielded worker's timeout fires after its server queued it, and the
// server's CTX_SWITCH finds it RUNNABLE|TIMEOUT and is killed:
// configuration timeout). Config.Fine splits the two functions race R3
// needs ([P:umcg_notify_resume] into push | wake, and
// [P:umcg_server_wait_for_worker] into link | re-check | sleep):
// configuration wait-for-fine.
//
// Where the posting and Nanos's implementation ([N]) disagree, the model
// has both readings, point by point (Points, readings.go): Config.Kernel
// selects one source's, Config.Readings overrides single points.
//
// Clients are the well-behaved programs of §6.4: servers loop (switch to
// the head of one shared run queue, else WAIT with a two-event buffer, and
// requeue the workers of WAKE, WAIT, PREEMPT and TIMEOUT events); workers
// register, run a script of b (block in a syscall, later unblock), y
// (yield: WAIT), t (yield with a timeout), c (compute: a preemption point)
// and end with u (UNREGISTER). The most general client (general.go) makes
// any command, misuse included, and its outcomes are checked against the
// documented errors (errors.go). Scripted servers, and workers with one
// script, are interchangeable (symmetry.go).
package umcg2023

import (
	"fmt"
	"strings"

	"github.com/umcgcheck/umcgcheck/sim"
)

// MaxThreads bounds servers plus workers.
const MaxThreads = 6

// Status values of the posting (the enum at the top of its umcg.c).
const (
	ServerAttached uint16 = 0x1
	ServerIdle     uint16 = 0x2
	ServerRunning  uint16 = 0x4
	ServerWait     uint16 = 0x8
	WorkerBlocked  uint16 = 0x10
	WorkerWaking   uint16 = 0x20
	WorkerSwapping uint16 = 0x40
	WorkerRunnable uint16 = 0x80
	WorkerRunning  uint16 = 0x100
	WorkerTimeout  uint16 = 0x200 // a flag, with RUNNABLE or SWAPPING
)

// Event kinds (UMCG_WE_*).
const (
	EvBlock   = 1
	EvWake    = 2
	EvWait    = 3
	EvExit    = 4
	EvTimeout = 5
	EvPreempt = 6
)

var evNames = [...]string{"none", "BLOCK", "WAKE", "WAIT", "EXIT", "TIMEOUT", "PREEMPT"}

// attached reports whether an event kind goes through the server's slot.
func attached(k uint8) bool {
	return k == EvBlock || k == EvWait || k == EvExit || k == EvPreempt
}

// Server program counters.
const (
	SReg        = iota // about to REGISTER_SERVER
	SLoop              // in user space: pick the next call
	SWaiting           // asleep in WAIT (next_tid 0)
	SSwitched          // asleep in CTX_SWITCH
	SWaitFor           // asleep in WAIT (next_tid = a worker)
	SDone              // unregistered
	SRecheck           // fine model: in WAIT(next), linked, about to re-check the worker
	gSwitch0           // a general server asleep in CTX_SWITCH with no slots (D8)
	SIntrWait          // [P], D13: back in user space from WAIT by EINTR, still IDLE and listed
	SIntrSwitch        // [P], D13: back in user space from CTX_SWITCH by EINTR, still ATTACHED
)

// deadSlot is a worker's Link under reading signals=restart ([N], D13):
// the server_event of a CTX_SWITCH call that a signal ended while the
// worker runs; an event written there is lost.
const deadSlot = -2

var sPCNames = [...]string{"register", "loop", "in WAIT", "in CTX_SWITCH", "in WAIT(next)", "done", "re-checking in WAIT(next)", "in CTX_SWITCH(no slots)",
	"interrupted in WAIT", "interrupted in CTX_SWITCH"}

// Action kinds.
const (
	AStep     = iota // the thread's next client step (a command)
	AResume          // a server's sleeping call ends: collect, then handle the events
	AUnblock         // a blocked worker's syscall completes (W3)
	ATimer           // a yielded worker's timeout fires (W5)
	APreempt         // the tick preempts a running worker (W8)
	AWakeStep        // fine model: the second half of W3, waking the waiting or an idle server
	ASignal          // a signal interrupts a sleeping server (D13; bounded by Config.Signals)
)

var actionNames = []string{"step", "resume", "unblock", "timer", "preempt", "wake-server", "signal"}

// Config is one closed instance.
type Config struct {
	Servers int      `json:"servers"`
	Workers []string `json:"workers"` // one script per worker, of b y t c, ending with u
	// WaitFor: on a BLOCK event a server calls WAIT(next_tid=worker)
	// before anything else ([T:umcg_test_basic]'s waiting server).
	WaitFor bool `json:"wait_for,omitempty"`
	// Preempts bounds the preempt events of a run.
	Preempts int `json:"preempts,omitempty"`
	// Signals bounds the signals to sleeping servers of a run (D13).
	Signals int `json:"signals,omitempty"`
	// Fine splits W3 ([P:umcg_notify_resume]: read the waiting server and
	// push | wake it or an idle server) and S9 ([P:umcg_server_wait_for_worker]:
	// set WAIT and link | re-check | sleep), the steps race R3 needs
	// (docs/umcg-2023.md §6.3).
	Fine bool `json:"fine,omitempty"`
	// Kernel selects every point of Points to one source's reading:
	// "posting" (the default) or "nanos".
	Kernel string `json:"kernel,omitempty"`
	// Readings overrides single points (Point.Name: its Posting or Nanos
	// value).
	Readings map[string]string `json:"readings,omitempty"`
	// Fix "cmpxchg-link" is docs/umcg-2023.md open question 1's repair of
	// R1, not the posting: a server back from WAIT(next_tid) clears the
	// worker's link only if it still names that server.
	Fix string `json:"fix,omitempty"`
	Bug string `json:"bug,omitempty"`
	// GeneralServers and GeneralWorkers are most general clients
	// (general.go), each making at most Calls commands; a configuration
	// with them has no scripted servers or workers.
	GeneralServers int `json:"general_servers,omitempty"`
	GeneralWorkers int `json:"general_workers,omitempty"`
	Calls          int `json:"calls,omitempty"`
}

func (c Config) String() string {
	s := fmt.Sprintf("servers=%d workers=%s", c.Servers, strings.Join(c.Workers, ","))
	if c.GeneralServers+c.GeneralWorkers > 0 {
		s = fmt.Sprintf("general servers=%d workers=%d calls=%d", c.GeneralServers, c.GeneralWorkers, c.Calls)
	}
	if c.WaitFor {
		s += " wait-for"
	}
	if c.Fine {
		s += " fine"
	}
	if c.Preempts > 0 {
		s += fmt.Sprintf(" preempts=%d", c.Preempts)
	}
	if c.Signals > 0 {
		s += fmt.Sprintf(" signals=%d", c.Signals)
	}
	if c.Kernel != "" && c.Kernel != "posting" {
		s += " kernel=" + c.Kernel
	}
	for _, o := range c.overrides() {
		s += " " + o
	}
	if c.Fix != "" {
		s += " fix=" + c.Fix
	}
	if c.Bug != "" {
		s += " bug=" + c.Bug
	}
	return s
}

// State is the kernel's state, the clients' and the ghost state of the
// properties. Threads 0..Servers-1 are servers, the rest workers.
type State struct {
	Status [MaxThreads]uint16 // the posting's status word (task->umcg_status)
	Link   [MaxThreads]int8   // task->umcg_server: attached (or waiting) server, -1 none
	Slot   [MaxThreads]uint8  // server's one-event slot: 0 or worker<<3|kind
	Timer  [MaxThreads]bool   // worker: a timeout is armed for its yield
	IdleW  [MaxThreads]int8   // idle-worker list, head first
	NIdleW uint8
	IdleS  [MaxThreads]int8 // idle-server list, head first
	NIdleS uint8
	Killed uint8 // mask of SIGKILLed threads; the run stops there
	// BQ, reading waitfor=bq only: per worker, the server whose queue its
	// next attached event or wake wakes ([N] worker->server_bq), -1 none.
	BQ [MaxThreads]int8
	// WakeFlag, reading wake=flag only: [N]'s wake_idle_server.
	WakeFlag bool
	// Calls: per general thread, the commands it has made.
	Calls [MaxThreads]uint8
	// Waiting, reading yield-state=waiting only: the workers that yielded
	// and have not run since ([N]'s WAITING), a mask.
	Waiting uint8

	PC       [MaxThreads]uint8 // server: S*; worker: 0 unregistered, i+1 at script op i
	Target   [MaxThreads]int8  // server: the worker to WAIT for next, -1 none
	Queue    [MaxThreads]int8  // the servers' shared user-space run queue
	NQueue   uint8
	Exited   uint8 // EXIT events the servers have seen
	Preempts uint8 // preempt events so far
	Signals  uint8 // signals so far
	// Waiter, fine model: per worker between the two halves of W3, 0x80
	// plus the waiting server it read plus 1 (0x80: none read); 0 when not
	// between them.
	Waiter [MaxThreads]uint8

	Pending [MaxThreads]uint16 // ghost, per worker: 2 bits per event kind, generated not delivered
	For     [MaxThreads]uint8  // ghost, per worker: the servers whose slot holds an attached event of it (a mask)
}

// Observation is what a step did.
type Observation struct {
	Thread    int8
	Kind      uint8
	Op        uint8    // the script op or server call (a letter)
	Result    int8     // 0, or a positive errno
	Killed    uint8    // threads SIGKILLed by this step
	Lost      uint8    // events generated but written nowhere
	NDeliv    uint8    // events delivered to the user buffer by a resume
	Delivered [2]uint8 // worker<<3|kind
	FromSlot  bool     // Delivered[0] came from the slot
	Call      uint8    // a general thread's choice plus 1, 0 for other steps
	Slept     bool     // a general thread's command left it asleep in the kernel
}

// Errnos used.
const (
	EPERM     = 1
	EINTR     = 4
	EAGAIN    = 11
	EINVAL    = 22
	ETIMEDOUT = 110
)

// Model is a configured instance.
type Model struct {
	cfg     Config
	threads int
	nsv     int // servers, scripted or general: threads 0..nsv-1
	// choices are the general threads' commands (action kind ACall+i)
	choices     []choice
	actionNames []string
	bug         string
	r           readings
}

// New checks c and builds its model.
func New(c Config) (*Model, error) {
	n := c.Servers + len(c.Workers)
	if g := c.GeneralServers + c.GeneralWorkers; g > 0 {
		switch {
		case n > 0:
			return nil, fmt.Errorf("general threads do not mix with scripted servers and workers")
		case c.GeneralServers < 0 || c.GeneralWorkers < 0 || g > MaxThreads:
			return nil, fmt.Errorf("general servers %d and workers %d: want 0..%d threads in all", c.GeneralServers, c.GeneralWorkers, MaxThreads)
		case c.Calls < 1 || c.Calls > 4:
			return nil, fmt.Errorf("calls: %d is out of range 1..4", c.Calls)
		case c.WaitFor || c.Fine || c.Preempts != 0 || c.Signals != 0:
			return nil, fmt.Errorf("wait-for, fine, preempts and signals apply to scripted clients only")
		}
		n = g
	} else if err := checkScripted(c); err != nil {
		return nil, err
	} else if c.Calls != 0 {
		return nil, fmt.Errorf("calls: %d, but there are no general clients", c.Calls)
	}
	r, _, err := resolve(c)
	if err != nil {
		return nil, err
	}
	if c.Fix != "" && c.Fix != "cmpxchg-link" {
		return nil, fmt.Errorf("fix: unknown fix %q (known: cmpxchg-link)", c.Fix)
	}
	if c.Bug != "" {
		ok := false
		for _, b := range Bugs {
			ok = ok || b == c.Bug
		}
		if !ok {
			return nil, fmt.Errorf("bug: unknown bug %q (known: %s)", c.Bug, strings.Join(Bugs, ", "))
		}
	}
	for i, w := range c.Workers {
		if w == "" || w[len(w)-1] != 'u' || strings.Count(w, "u") != 1 || strings.Trim(w, "bytcu") != "" || len(w) > 8 {
			return nil, fmt.Errorf("worker %d: script %q: want up to 8 of b y t c ending with one u", i, w)
		}
	}
	m := &Model{cfg: c, threads: n, nsv: c.Servers, bug: c.Bug, r: r}
	m.addGeneral()
	return m, nil
}

// fine reports whether W3 and S9 are split (Config.Fine): they are [P]'s
// functions; under reading waitfor=bq they are [N]'s, each one step under
// its locks (docs/umcg-2023.md §6.3).
func (m *Model) fine() bool { return m.cfg.Fine && !m.r.waitforBQ }

// checkScripted checks the scripted clients' part of c.
func checkScripted(c Config) error {
	n := c.Servers + len(c.Workers)
	switch {
	case c.Servers < 1:
		return fmt.Errorf("servers: %d, want at least 1", c.Servers)
	case len(c.Workers) < 1:
		return fmt.Errorf("workers: none")
	case n > MaxThreads:
		return fmt.Errorf("%d servers and %d workers: more than %d threads", c.Servers, len(c.Workers), MaxThreads)
	case c.Preempts < 0 || c.Preempts > 3:
		return fmt.Errorf("preempts: %d is out of range 0..3", c.Preempts)
	case c.Signals < 0 || c.Signals > 2:
		return fmt.Errorf("signals: %d is out of range 0..2", c.Signals)
	}
	return nil
}

func (m *Model) isServer(t int) bool { return t < m.nsv }

func (m *Model) script(w int) string { return m.cfg.Workers[w-m.nsv] }

// op is the script op worker w is at, or 0 before registering and after u.
func (m *Model) op(s *State, w int) byte {
	if m.general() {
		return 0
	}
	pc := int(s.PC[w])
	if pc == 0 || pc > len(m.script(w)) {
		return 0
	}
	return m.script(w)[pc-1]
}

func (m *Model) done(s *State, t int) bool {
	if s.Killed&(1<<t) != 0 {
		return true
	}
	if m.general() {
		return int(s.Calls[t]) >= m.cfg.Calls && m.inUser(s, t)
	}
	if m.isServer(t) {
		return s.PC[t] == SDone
	}
	return int(s.PC[t]) > len(m.script(t))
}

func (m *Model) name(t int) string {
	if m.isServer(t) {
		return fmt.Sprintf("s%d", t+1)
	}
	return fmt.Sprintf("w%d", t-m.nsv+1) // scripted or general
}

// Init is the state before any thread runs.
func (m *Model) Init() State {
	var s State
	for t := range s.Link {
		s.Link[t], s.Target[t], s.BQ[t] = -1, -1, -1
	}
	return s
}

func pendingCount(p uint16, k uint8) uint16 { return p >> (2 * (k - 1)) & 3 }

// enabled lists the moves of s: nothing once a thread was killed.
func (m *Model) enabled(s *State, buf []sim.Action) []sim.Action {
	if s.Killed != 0 {
		return buf
	}
	for t := 0; t < m.threads; t++ {
		if m.done(s, t) {
			continue
		}
		if m.general() {
			buf = m.generalMoves(s, t, buf)
			continue
		}
		if m.isServer(t) {
			switch s.PC[t] {
			case SReg, SLoop, SRecheck, SIntrWait, SIntrSwitch:
				buf = append(buf, sim.Action{Kind: AStep, Thread: int8(t)})
			default:
				if s.Status[t] == ServerRunning {
					buf = append(buf, sim.Action{Kind: AResume, Thread: int8(t)})
				}
			}
			if int(s.Signals) < m.cfg.Signals && m.interruptible(s, t) {
				buf = append(buf, sim.Action{Kind: ASignal, Thread: int8(t)})
			}
			continue
		}
		st := s.Status[t]
		switch {
		case s.Waiter[t] != 0:
			buf = append(buf, sim.Action{Kind: AWakeStep, Thread: int8(t)})
			continue
		case s.PC[t] == 0 || st == WorkerRunning:
			buf = append(buf, sim.Action{Kind: AStep, Thread: int8(t)})
		case st == WorkerBlocked:
			buf = append(buf, sim.Action{Kind: AUnblock, Thread: int8(t)})
		case st == WorkerRunnable && s.Timer[t]:
			buf = append(buf, sim.Action{Kind: ATimer, Thread: int8(t)})
		}
		if st == WorkerRunning && m.op(s, t) == 'c' && int(s.Preempts) < m.cfg.Preempts {
			buf = append(buf, sim.Action{Kind: APreempt, Thread: int8(t)})
		}
	}
	return buf
}

func (m *Model) kill(s *State, o *Observation, t int) {
	s.Killed |= 1 << t
	o.Killed |= 1 << t
}

// pushWorker puts w on the idle-worker list, whose head is collected
// first: at the head (LIFO, [P:umcg_enqueue_idle_worker]) or, reading
// order=fifo, at the tail ([N:umcg_worker_event_idle]).
func (m *Model) pushWorker(s *State, w int) { m.push(&s.IdleW, &s.NIdleW, w) }

// pushServer puts sv on the idle-server list, whose head is woken first:
// at the head (LIFO, [P:umcg_enqueue_idle_server]) or, reading order=fifo,
// at the tail (the waiters of [N]'s server_bq).
func (m *Model) pushServer(s *State, sv int) { m.push(&s.IdleS, &s.NIdleS, sv) }

// push puts t on the idle list l of n threads as reading order says.
func (m *Model) push(l *[MaxThreads]int8, n *uint8, t int) {
	if !m.r.fifo {
		copy(l[1:], l[:*n])
		*n++
		l[0] = int8(t)
		return
	}
	l[*n] = int8(t)
	*n++
}

// popHead removes and returns the head of list l of n threads (n > 0);
// the freed place is zeroed, so that equal lists encode alike.
func popHead(l *[MaxThreads]int8, n *uint8) int {
	h := l[0]
	copy(l[:], l[1:*n])
	*n--
	l[*n] = 0
	return int(h)
}

// nanosWake is blockq_wake_one on server sv's own queue ([N]): it ends
// sv's sleep if the sleep's condition now holds (in CTX_SWITCH: its slot
// is set; in WAIT(next_tid): the worker is no longer BLOCKED) and does
// nothing otherwise (a wakeup no one waits for is harmless in [N]). A
// server interrupted in CTX_SWITCH under reading interrupt=resume counts
// as in it (its status is still ATTACHED).
func (m *Model) nanosWake(s *State, sv int) {
	if sv < 0 {
		return
	}
	switch {
	case (s.PC[sv] == SSwitched || s.PC[sv] == gSwitch0 || s.PC[sv] == SIntrSwitch) && s.Status[sv] == ServerAttached && s.Slot[sv] != 0,
		s.PC[sv] == SWaitFor && s.Status[sv] == ServerWait && s.Status[s.Target[sv]] != WorkerBlocked:
		s.Status[sv] = ServerRunning
	}
}

// wakeIdle pops the head idle server, sets it RUNNING and wakes it
// ([P:umcg_wake_idle_server]); it reports whether there was one.
func (m *Model) wakeIdle(s *State) bool {
	if s.NIdleS == 0 {
		return false
	}
	s.Status[popHead(&s.IdleS, &s.NIdleS)] = ServerRunning
	return true
}

func (s *State) addPending(w int, k uint8) {
	if pendingCount(s.Pending[w], k) < 3 {
		s.Pending[w] += 1 << (2 * (k - 1))
	}
}

// wakeServer sends an attached event of w to its server's slot
// ([P:umcg_wake_server]): no server or a full slot kills the worker.
//
// Reading slot=overwrite: a full slot is overwritten and its event lost
// ([N]). Reading waitfor=bq: the server woken is w's BQ, which a
// WAIT(next_tid) may have redirected (D10); a BLOCK clears it
// ([N:umcg_syscall_pause]).
func (m *Model) wakeServer(s *State, o *Observation, w int, k uint8) {
	sv := int(s.Link[w])
	s.Link[w] = -1      // detach
	if sv == deadSlot { // [N]: written into a finished call's slot (D13): lost
		s.addPending(w, k)
		o.Lost++
		bq := int(s.BQ[w])
		if k == EvBlock {
			s.BQ[w] = -1
		}
		m.nanosWake(s, bq)
		return
	}
	if sv < 0 || s.Slot[sv] != 0 && !m.r.slotOverwrite {
		m.kill(s, o, w)
		o.Lost++
		return
	}
	if old := s.Slot[sv]; old != 0 { // overwritten: still pending, never delivered
		s.For[old>>3] &^= 1 << sv
		o.Lost++
	}
	s.addPending(w, k)
	if k == EvExit && m.bug == "drop-exit" {
		o.Lost++
	} else {
		s.Slot[sv] = uint8(w)<<3 | k
		s.For[w] |= 1 << sv
	}
	if m.r.waitforBQ {
		bq := int(s.BQ[w])
		if k == EvBlock {
			s.BQ[w] = -1
		}
		if m.bug != "no-wake-server" {
			m.nanosWake(s, bq)
		}
		return
	}
	switch s.Status[sv] {
	case ServerAttached:
		if m.bug != "no-wake-server" {
			s.Status[sv] = ServerRunning
		}
	case 0:
		// the server is exiting: the event is dropped
	default:
		m.kill(s, o, w)
	}
}

// pushAndWake is the pool side of W1 and W3: push w, then wake the server
// waiting for it if there is one, else an idle server
// ([P:umcg_notify_resume]).
func (m *Model) pushAndWake(s *State, w int, k uint8) {
	s.Status[w] = WorkerWaking
	if k == EvTimeout {
		s.Status[w] = WorkerRunnable | WorkerTimeout
	}
	m.pushWorker(s, w)
	s.addPending(w, k)
	if m.r.waitforBQ {
		if k == EvWake { // [N:umcg_worker_schedule_return]: wake server_bq, keep it
			m.nanosWake(s, int(s.BQ[w]))
		}
	} else if sv := s.Link[w]; k == EvWake && sv >= 0 && s.Status[sv] == ServerWait {
		s.Status[sv] = ServerRunning
		return
	}
	if m.bug != "no-wake-idle" {
		m.wakeIdle(s)
	}
}

func (m *Model) step(s *State, a sim.Action) Observation {
	t := int(a.Thread)
	o := Observation{Thread: a.Thread, Kind: a.Kind}
	switch a.Kind {
	case AStep:
		if m.isServer(t) {
			m.serverStep(s, &o, t)
		} else {
			m.workerStep(s, &o, t)
		}
	case AResume:
		if m.general() {
			m.generalResume(s, &o, t)
		} else {
			m.resume(s, &o, t)
		}
	case AUnblock: // W3
		if m.fine() {
			s.Waiter[t] = 0x80 | uint8(s.Link[t]+1)
			s.Status[t] = WorkerWaking
			m.pushWorker(s, t)
			s.addPending(t, EvWake)
			break
		}
		m.pushAndWake(s, t, EvWake)
	case AWakeStep: // W3, second half: compare-and-swap the waiting server WAIT -> RUNNING
		sv := int(s.Waiter[t]&0x7f) - 1
		s.Waiter[t] = 0
		if sv >= 0 {
			if s.Status[sv] == ServerWait {
				s.Status[sv] = ServerRunning
			}
			break // the CAS failed: no idle server is woken (R3)
		}
		if m.bug != "no-wake-idle" {
			m.wakeIdle(s)
		}
	case ATimer: // W5
		s.Timer[t] = false
		m.setWaiting(s, t, false) // [N:umcg_worker_timeout]: WAITING -> IDLE
		if m.bug == "timer-no-push" {
			s.Status[t] |= WorkerTimeout
			s.addPending(t, EvTimeout)
			break
		}
		m.pushAndWake(s, t, EvTimeout)
		o.Op = 't'
	case ASignal: // D13
		m.signal(s, &o, t)
	case APreempt: // W8
		s.Preempts++
		s.Status[t] = WorkerRunnable
		m.wakeServer(s, &o, t, EvPreempt)
	default: // a general thread's command
		if int(a.Kind) >= ACall {
			m.generalCall(s, &o, t, int(a.Kind)-ACall)
			break
		}
		panic(fmt.Sprintf("umcg2023: unknown action kind %d", a.Kind))
	}
	return o
}

func (m *Model) workerStep(s *State, o *Observation, w int) {
	op := m.op(s, w)
	o.Op = op
	s.PC[w]++
	switch op {
	case 0: // REGISTER_WORKER, W1: BLOCKED then, at return to user, WAKING and pushed
		s.Link[w] = -1
		o.Op = 'r'
		m.pushAndWake(s, w, EvWake)
	case 'b': // W2
		s.Status[w] = WorkerBlocked
		m.wakeServer(s, o, w, EvBlock)
	case 'y', 't': // W4
		s.Status[w] = WorkerRunnable
		s.Timer[w] = op == 't'
		m.setWaiting(s, w, true)
		m.wakeServer(s, o, w, EvWait)
	case 'c':
	case 'u': // W9
		s.Status[w] = 0
		m.wakeServer(s, o, w, EvExit)
	}
}

func (m *Model) serverStep(s *State, o *Observation, sv int) {
	switch {
	case s.PC[sv] == SReg: // S1
		o.Op = 'R'
		s.Status[sv], s.Slot[sv], s.PC[sv] = ServerRunning, 0, SLoop
	case s.PC[sv] == SIntrWait, s.PC[sv] == SIntrSwitch: // [P]: WAIT(flags=INTERRUPTED) resumes the sleep
		o.Op = 'I'
		if s.PC[sv] == SIntrSwitch {
			s.PC[sv] = SSwitched
		} else {
			s.PC[sv] = SWaiting
		}
	case s.PC[sv] == SRecheck: // the re-check: w no longer BLOCKED -> leave at once
		o.Op = 'C'
		w := s.Target[sv]
		if s.Status[w] == WorkerBlocked {
			s.PC[sv] = SWaitFor
			return
		}
		old := s.Link[w]
		s.Target[sv] = -1
		s.Status[sv], s.PC[sv] = ServerRunning, SLoop
		if m.cfg.Fix == "cmpxchg-link" {
			if int(old) == sv {
				s.Link[w] = -1
			}
			return
		}
		s.Link[w] = -1 // xchg(NULL)
		if old >= 0 && int(old) != sv {
			m.kill(s, o, sv)
		}
	case s.Target[sv] >= 0: // WAIT(next_tid=w): S9, S10
		o.Op = 'F'
		m.startWaitFor(s, o, sv)
	case int(s.Exited) == len(m.cfg.Workers): // wind down: WAKE until EAGAIN, then UNREGISTER
		if m.wake(s) {
			o.Op = 'K' // WAKE: 0
			return
		}
		o.Op, o.Result = 'U', EAGAIN // WAKE: EAGAIN, then UNREGISTER: 0
		s.Status[sv], s.PC[sv] = 0, SDone
	case s.NQueue > 0: // CTX_SWITCH to the head of the run queue: S7, S7x
		o.Op = 'S'
		m.serverSwitch(s, o, sv, popHead(&s.Queue, &s.NQueue), SSwitched)
	default: // WAIT(0, 2 slots): S2, S3
		o.Op = 'W'
		m.serverWait(s, o, sv)
	}
}

// startWaitFor is WAIT(next_tid=Target[sv]) by server sv (S9, S10): in
// the posting, link the worker if it is BLOCKED (a link already there
// kills the caller); in Nanos, overwrite its server_bq whatever its status
// (D10). The server sleeps if the worker is BLOCKED, else returns at once.
func (m *Model) startWaitFor(s *State, o *Observation, sv int) {
	w := s.Target[sv]
	if m.r.waitforBQ { // [N:umcg_wait]
		s.BQ[w] = int8(sv)
		if s.Status[w] != WorkerBlocked {
			s.Target[sv] = -1
			return
		}
		s.Status[sv], s.PC[sv] = ServerWait, SWaitFor
		return
	}
	if s.Status[w] != WorkerBlocked {
		s.Target[sv] = -1
		return
	}
	if s.Link[w] >= 0 {
		m.kill(s, o, sv)
		return
	}
	s.Link[w] = int8(sv)
	s.Status[sv], s.PC[sv] = ServerWait, SWaitFor
	if m.fine() {
		s.PC[sv] = SRecheck
	}
}

// wake is UMCG_WAKE; it reports false for EAGAIN. The posting pops an
// idle server ([P:umcg_wake]); Nanos sets its flag and applies the head
// idle server's action at once, which collects and consumes the flag only
// if it found nothing ([N:umcg_ctl], D7).
func (m *Model) wake(s *State) bool {
	if m.bug == "wake-no-eagain" {
		m.wakeIdle(s)
		return true
	}
	if !m.r.wakeFlag {
		return m.wakeIdle(s)
	}
	s.WakeFlag = true
	if m.wakeIdle(s) {
		if s.NIdleW == 0 {
			s.WakeFlag = false
		}
		return true
	}
	s.WakeFlag = false // no waiter: the flag is cleared again
	return false
}

// serverSwitch is server sv's CTX_SWITCH to w (S7, S7x), sleeping at pc:
// a w that is not RUNNABLE kills the caller after w's status is
// overwritten (the posting), or fails EINVAL with nothing changed (Nanos,
// D4).
func (m *Model) serverSwitch(s *State, o *Observation, sv, w int, pc uint8) {
	if m.r.badSwitchEINVAL && s.Status[w] != WorkerRunnable {
		// [N:umcg_ctx_switch]: EINVAL, nothing changed; the loop
		// drops the worker, whose pending event requeues it.
		o.Result = EINVAL
		if m.bug == "einval-runs" {
			s.Status[w] = WorkerRunning
		}
		return
	}
	s.Status[sv], s.PC[sv] = ServerAttached, pc
	if m.bug != "run-unattached" {
		s.Link[w] = int8(sv)
		if m.r.waitforBQ {
			s.BQ[w] = int8(sv)
		}
	}
	old := s.Status[w]
	s.Status[w] = WorkerRunning
	m.setWaiting(s, w, false)
	// The worker's wait is over, and its timeout with it: the posting's
	// umcg_idle_loop cancels its hrtimer when the wait ends, Nanos's
	// umcg_ctx_switch calls remove_timer on the worker it runs.
	s.Timer[w] = false
	if old != WorkerRunnable {
		m.kill(s, o, sv)
	}
}

// staleSlot is the posting's check at the start of a server's
// WAIT(next_tid 0): an event left in the slot SIGKILLs the caller
// ([P:umcg_wait], "bad event"). Only a CTX_SWITCH with event_sz 0 (D8)
// returns to user space without collecting the slot; reading
// slot=overwrite (D16) has no such check ([N]'s slot belongs to one
// CTX_SWITCH call). It reports whether sv was killed.
func (m *Model) staleSlot(s *State, o *Observation, sv int) bool {
	if m.r.slotOverwrite || s.Slot[sv] == 0 {
		return false
	}
	m.kill(s, o, sv)
	return true
}

// serverWait is server sv's WAIT with a two-event buffer and no timeout
// (S2, S3): a stale slot event kills sv (the posting); it collects at
// once if a worker is idle; in Nanos a left-over WAKE returns 0 at once
// with no events (D7); else sv sleeps idle.
func (m *Model) serverWait(s *State, o *Observation, sv int) {
	if m.staleSlot(s, o, sv) {
		return
	}
	s.PC[sv] = SWaiting
	if s.NIdleW > 0 {
		return // stays RUNNING: collects at once
	}
	if s.WakeFlag { // [N:umcg_server_wait_bh]
		s.WakeFlag = false
		s.PC[sv] = SLoop
		return
	}
	s.Status[sv] = ServerIdle
	m.pushServer(s, sv)
}

// resume ends a server's sleep: WAIT(next) clears the link; WAIT and
// CTX_SWITCH collect, then the server's user space handles the events.
func (m *Model) resume(s *State, o *Observation, sv int) {
	pc := s.PC[sv]
	s.PC[sv] = SLoop
	if pc == SWaitFor {
		o.Op = 'f'
		m.leaveWaitFor(s, sv)
		return
	}
	o.Op = 'c'
	if !m.collect(s, o, sv) {
		return
	}
	m.handle(s, o, sv)
}

// leaveWaitFor is the end of sv's WAIT(next_tid): the posting clears the
// worker's link unconditionally (xchg(NULL): R1); Nanos clears nothing.
func (m *Model) leaveWaitFor(s *State, sv int) {
	if w := s.Target[sv]; m.r.waitforBQ {
		// [N:umcg_server_wait_worker_bh] clears nothing
	} else if m.cfg.Fix != "cmpxchg-link" || int(s.Link[w]) == sv {
		s.Link[w] = -1 // xchg(NULL), unconditionally in the posting (R1)
	}
	s.Target[sv] = -1
}

// collect fills a two-entry buffer ([P:umcg_server_idle_loop]): the slot
// event, else one idle worker's one or two events. It reports false if the
// collector was killed (C3).
func (m *Model) collect(s *State, o *Observation, sv int) bool {
	if ev := s.Slot[sv]; ev != 0 {
		if m.bug != "keep-slot" {
			s.Slot[sv] = 0
		}
		o.Delivered[0], o.NDeliv, o.FromSlot = ev, 1, true
		s.For[ev>>3] &^= 1 << sv
	} else if s.NIdleW > 0 {
		w := popHead(&s.IdleW, &s.NIdleW)
		st := s.Status[w]
		s.Status[w] = WorkerRunnable
		switch st {
		case WorkerWaking: // C1
			o.Delivered[0], o.NDeliv = uint8(w)<<3|EvWake, 1
			if sw := s.Link[w]; !m.r.waitforBQ && sw >= 0 && s.Status[sw] == ServerWait {
				s.Status[sw] = ServerRunning
			}
		case WorkerRunnable | WorkerTimeout:
			o.Delivered[0], o.NDeliv = uint8(w)<<3|EvTimeout, 1
		case WorkerSwapping:
			o.Delivered[0], o.NDeliv = uint8(w)<<3|EvWait, 1
		case WorkerSwapping | WorkerTimeout:
			o.Delivered[0], o.Delivered[1], o.NDeliv = uint8(w)<<3|EvWait, uint8(w)<<3|EvTimeout, 2
		default: // C3
			s.Status[w] = st
			m.kill(s, o, sv)
			return false
		}
	}
	for i := 0; i < int(o.NDeliv); i++ {
		ev := o.Delivered[i]
		w, k := int(ev>>3), ev&7
		if pendingCount(s.Pending[w], k) > 0 {
			s.Pending[w] -= 1 << (2 * (k - 1))
		}
	}
	return true
}

// handle is the server loop's user space after a collect: requeue the
// workers of WAKE, WAIT, PREEMPT and TIMEOUT, count EXITs, and on a BLOCK
// (configuration WaitFor) wait for the worker next.
func (m *Model) handle(s *State, o *Observation, sv int) {
	for i := 0; i < int(o.NDeliv); i++ {
		ev := o.Delivered[i]
		w, k := int(ev>>3), ev&7
		switch k {
		case EvBlock:
			if m.cfg.WaitFor {
				s.Target[sv] = int8(w)
			}
		case EvExit:
			s.Exited++
		case EvPreempt:
			if m.bug == "no-requeue" {
				continue
			}
			fallthrough
		default:
			queued := false
			for _, q := range s.Queue[:s.NQueue] {
				queued = queued || int(q) == w
			}
			if !queued {
				s.Queue[s.NQueue] = int8(w)
				s.NQueue++
			}
		}
	}
}

// interruptible reports whether a signal may strike scripted server sv
// now: asleep in an idle WAIT ([P] only: in [N] the restarted WAIT is
// unseen) or in CTX_SWITCH while its worker runs.
func (m *Model) interruptible(s *State, sv int) bool {
	switch {
	case s.PC[sv] == SWaiting && s.Status[sv] == ServerIdle:
		return !m.r.signalsRestart
	case s.PC[sv] == SSwitched && s.Status[sv] == ServerAttached:
		return true
	}
	return false
}

// signal interrupts server sv's sleep (D13). [P]: EINTR to user space; the
// server stays IDLE on the list or ATTACHED, and its loop resumes the
// sleep with WAIT(flags=INTERRUPTED). [N]: the CTX_SWITCH ends
// (ERESTARTSYS; restarted, it finds its worker RUNNING and fails EINVAL)
// while the worker runs on, its server_event the finished call's slot.
func (m *Model) signal(s *State, o *Observation, sv int) {
	s.Signals++
	o.Result = EINTR
	if !m.r.signalsRestart {
		if s.PC[sv] == SSwitched {
			s.PC[sv] = SIntrSwitch
		} else {
			s.PC[sv] = SIntrWait
		}
		return
	}
	o.Result = EINVAL
	for w := m.nsv; w < m.threads; w++ {
		if int(s.Link[w]) == sv {
			s.Link[w] = deadSlot
		}
	}
	s.Status[sv], s.PC[sv] = ServerRunning, SLoop
}
