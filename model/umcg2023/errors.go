package umcg2023

import "fmt"

// outcome is what a command does at once: fail with an errno, SIGKILL its
// caller, or leave it asleep in the kernel (its result comes later); all
// false and 0 is "returns 0".
type outcome struct {
	errno int8
	kill  bool
	sleep bool
	any   bool // not a UMCG command: nothing is documented
}

func (o outcome) String() string {
	switch {
	case o.any:
		return "anything"
	case o.kill:
		return "SIGKILL"
	case o.errno != 0:
		return errnoName(o.errno)
	case o.sleep:
		return "sleeps"
	}
	return "0"
}

func errnoName(e int8) string {
	switch e {
	case EPERM:
		return "EPERM"
	case EINTR:
		return "EINTR"
	case EAGAIN:
		return "EAGAIN"
	case EINVAL:
		return "EINVAL"
	case ETIMEDOUT:
		return "ETIMEDOUT"
	}
	return fmt.Sprintf("errno %d", e)
}

// documented is what the sources document for caller t's command c in
// state s: the posting's table (docs/umcg-2023.md §2.2) or Nanos's (§2.3),
// point by point as the configuration reads them. It is written from the
// tables, in their order of checks, and on purpose not from the steps
// (general.go): the property errors-as-documented compares the two.
func (m *Model) documented(s *State, t int, c choice) outcome {
	st := s.Status[t]
	worker := isWorkerStatus(st)
	// [P]: a command that needs a registered server, by a thread that is
	// none, SIGKILLs it ("WAIT, other", "CTX_SWITCH, other"); [N]: every
	// non-worker is a server (D1, D2).
	unregistered := st == 0 && !m.r.implicitServers
	v := c.targetOf(t)
	// The target check of CTX_SWITCH and WAIT(next_tid), D3: [P] EPERM for
	// a thread that is no UMCG task, [N] EINVAL for one that is no worker.
	badTarget := func() int8 {
		if m.r.nanosArgs {
			if !isWorkerStatus(s.Status[v]) {
				return EINVAL
			}
		} else if s.Status[v] == 0 {
			return EPERM
		}
		return 0
	}
	// A CTX_SWITCH whose target is not RUNNABLE, D4: [P] SIGKILL (S7x,
	// W6x), [N] EINVAL with nothing changed. A yielded worker is not
	// RUNNABLE to a worker's switch in [N] (WAITING, D5).
	switchTo := func(byWorker bool) outcome {
		if s.Status[v] != WorkerRunnable || byWorker && m.r.yieldWaiting && s.Waiting&(1<<v) != 0 {
			if m.r.badSwitchEINVAL {
				return outcome{errno: EINVAL}
			}
			return outcome{kill: true}
		}
		return outcome{sleep: true}
	}
	switch c.cmd {
	case cmdRegServer: // [P] status must be 0; [N] records nothing, 0
		if !m.r.implicitServers && st != 0 {
			return outcome{errno: EINVAL}
		}
		return outcome{}
	case cmdRegServerBad, cmdRegWorkerBad: // an argument non-zero, or the id's low 5 bits
		return outcome{errno: EINVAL}
	case cmdRegWorker: // [P] status must be 0; [N] already a worker -> EINVAL
		if worker || !m.r.implicitServers && st != 0 {
			return outcome{errno: EINVAL}
		}
		return outcome{sleep: true}
	case cmdUnregister: // [P] status 0 -> EINVAL; [N] a non-worker: 0
		if unregistered {
			return outcome{errno: EINVAL}
		}
		return outcome{}
	case cmdWake: // none idle -> EAGAIN
		if s.NIdleS == 0 {
			return outcome{errno: EAGAIN}
		}
		return outcome{}
	case cmdWait1: // [P] "WAIT, other" first; event_sz < 2 -> EINVAL
		if unregistered {
			return outcome{kill: true}
		}
		return outcome{errno: EINVAL}
	case cmdWait2, cmdWaitPoll, cmdWaitFor:
		switch {
		case worker: // a worker's WAIT: events, event_sz, next_tid non-zero -> EINVAL
			return outcome{errno: EINVAL}
		case unregistered:
			return outcome{kill: true}
		}
		if c.cmd != cmdWaitFor && !m.r.slotOverwrite && s.Slot[t] != 0 {
			return outcome{kill: true} // [P] next_tid 0: slot non-empty -> SIGKILL
		}
		switch c.cmd {
		case cmdWaitPoll: // 0 if anything was collected, else ETIMEDOUT
			if s.Slot[t] == 0 && s.NIdleW == 0 {
				return outcome{errno: ETIMEDOUT}
			}
			return outcome{}
		case cmdWait2: // [N] a left-over WAKE returns 0 at once (D7)
			if m.r.wakeFlag && s.WakeFlag && s.NIdleW == 0 {
				return outcome{}
			}
			return outcome{sleep: true}
		}
		if e := badTarget(); e != 0 {
			return outcome{errno: e}
		}
		if s.Status[v] != WorkerBlocked { // 0 at once
			return outcome{}
		}
		if !m.r.waitforBQ && s.Link[v] >= 0 { // [P] already linked -> SIGKILL
			return outcome{kill: true}
		}
		return outcome{sleep: true}
	case cmdSwitch:
		// Both sources check CTX_SWITCH's target (ESRCH, EPERM or EINVAL)
		// before the caller's status ([P:umcg_ctx_switch]).
		if e := badTarget(); e != 0 {
			return outcome{errno: e}
		}
		switch {
		case worker && m.r.nanosArgs: // [N] a worker's events are ignored (D9)
			return switchTo(true)
		case worker: // [P] a worker's CTX_SWITCH: events non-zero -> EINVAL
			return outcome{errno: EINVAL}
		case unregistered:
			return outcome{kill: true}
		}
		return switchTo(false)
	case cmdYield:
		switch {
		case worker:
			return outcome{sleep: true}
		case unregistered:
			return outcome{kill: true}
		}
		return outcome{errno: EINVAL} // a server's WAIT with event_sz 0
	case cmdSwap:
		if e := badTarget(); e != 0 { // as CTX_SWITCH above
			return outcome{errno: e}
		}
		switch {
		case worker:
			return switchTo(true)
		case unregistered:
			return outcome{kill: true}
		case m.r.nanosArgs: // [N] a server's event_sz <= 0 -> EINVAL (D8)
			return outcome{errno: EINVAL}
		}
		return switchTo(false) // [P] event_sz is not checked (D8)
	}
	return outcome{any: true} // cmdBlock: not a UMCG command
}

// observed is what general command o did at once.
func observed(o *Observation) outcome {
	return outcome{errno: o.Result, kill: o.Killed&(1<<o.Thread) != 0, sleep: o.Slept}
}
