package umcg01

import "strings"

// The words below are how docs/semantics.md and docs/trace-format.md name
// what the model tracks; every report for people (explore's states and
// steps, check --html's states) says them, never the model's field names.

// KindWords names a task's kind: "unregistered", "core task", "worker" or
// "server".
func KindWords(k Kind) string {
	return [...]string{KindNone: "unregistered", KindCore: "core task", KindWorker: "worker", KindServer: "server"}[k]
}

// SleepWords says where th sleeps ("asleep in poll_worker", "blocked in a
// system call", ...), and "" when it is awake. A worker sleeping until a
// server runs it is asleep until "its server" once it has one.
func SleepWords(th *Thread) string {
	if th.Sleep == SleepIdle && th.Peer >= 0 {
		return "asleep until its server runs it"
	}
	return [...]string{
		Awake:     "",
		SleepWait: "asleep in wait",
		SleepSwap: "asleep in swap",
		SleepIdle: "asleep until a server runs it",
		SleepPoll: "asleep in poll_worker",
		SleepRun:  "asleep in run_worker",
		SleepIO:   "blocked in a system call",
	}[th.Sleep]
}

// PeerWords says whom th is linked to ("its worker w1", "its server s1"),
// and "" when it is linked to nobody; name names a thread.
func PeerWords(th *Thread, name func(int8) string) string {
	if th.Peer < 0 {
		return ""
	}
	switch th.Kind {
	case KindServer:
		return "its worker " + name(th.Peer)
	case KindWorker:
		return "its server " + name(th.Peer)
	}
	return "linked to " + name(th.Peer)
}

// QueueWords says what group g's queue holds: "empty", "workers w1, w2"
// (unblocked workers waiting for a server) or "polling servers s1" (it
// never holds both); name names a thread.
func QueueWords(s *State, g int, name func(int8) string) string {
	gr := &s.Grp[g]
	if gr.NWait == 0 {
		return "empty"
	}
	q := make([]string, 0, gr.NWait)
	for _, t := range gr.Waiters[:gr.NWait] {
		q = append(q, name(t))
	}
	if s.T[gr.Waiters[0]].Kind == KindServer {
		return "polling servers " + strings.Join(q, ", ")
	}
	return "workers " + strings.Join(q, ", ")
}
