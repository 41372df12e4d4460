package props

import (
	"fmt"

	m "github.com/umcgcheck/umcgcheck/model"
)

// domain is the set of base states each kind may hold (v0.1 uapi).
func inDomain(k m.Kind, st m.TaskState) bool {
	b := st.Base()
	if st&^(0xff|m.FlagWakeupQueued) != 0 {
		return false
	}
	if st&m.FlagWakeupQueued != 0 && (k == m.KindServer || b != m.StateRunning) {
		return false
	}
	switch k {
	case m.KindServer:
		return b == m.StatePolling || b == m.StateServing || b == m.StateProcessing
	case m.KindWorker:
		return b >= m.StateRunnable && b <= m.StateUnblocked
	case m.KindCore:
		return b == m.StateRunnable || b == m.StateRunning
	}
	return true
}

func stateDomain(mo *m.Model, s *m.State) string {
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if th.Kind != m.KindNone && !th.Freed && th.Status == m.Alive && !inDomain(th.Kind, th.Word) {
			return fmt.Sprintf("%s (%s) is %s", mo.ThreadName(i), th.Kind, th.Word)
		}
	}
	return ""
}

type edge struct{ from, to m.TaskState }

const wq = m.FlagWakeupQueued

var legal = map[m.Kind]map[edge]bool{
	m.KindCore: set(
		edge{m.StateNone, m.StateRunning}, edge{m.StateRunning, m.StateRunnable},
		edge{m.StateRunnable, m.StateRunning}, edge{m.StateRunning, m.StateRunning | wq},
		edge{m.StateRunning | wq, m.StateRunning}, edge{m.StateRunning, m.StateNone},
		edge{m.StateRunning | wq, m.StateNone}),
	m.KindWorker: set(
		edge{m.StateNone, m.StateUnblocked}, edge{m.StateNone, m.StateRunnable},
		edge{m.StateUnblocked, m.StateRunnable}, edge{m.StateRunnable, m.StateRunning},
		edge{m.StateRunning, m.StateBlocked}, edge{m.StateBlocked, m.StateUnblocked},
		edge{m.StateBlocked, m.StateRunnable}, edge{m.StateRunning, m.StateRunnable},
		edge{m.StateRunning, m.StateNone}, edge{m.StateRunning, m.StateRunning | wq},
		edge{m.StateRunning, m.StateUnblocked}, // woken RUNNING but unlinked (research table)
		edge{m.StateRunning | wq, m.StateRunning}, edge{m.StateRunning | wq, m.StateNone}),
	m.KindServer: set(
		edge{m.StateNone, m.StateProcessing}, edge{m.StateProcessing, m.StatePolling},
		edge{m.StatePolling, m.StateProcessing}, edge{m.StateProcessing, m.StateServing},
		edge{m.StateServing, m.StateProcessing}, edge{m.StateProcessing, m.StateNone}),
}

func set(es ...edge) map[edge]bool {
	r := make(map[edge]bool, len(es))
	for _, e := range es {
		r[e] = true
	}
	return r
}

// LegalEdges lists the documented edges of kind k, for documentation and
// coverage.
func LegalEdges(k m.Kind) [][2]m.TaskState {
	var r [][2]m.TaskState
	for e := range legal[k] {
		r = append(r, [2]m.TaskState{e.from, e.to})
	}
	return r
}

func legalEdge(mo *m.Model, b, a *m.State, o *m.Observation) string {
	for i := 0; i < int(a.N); i++ {
		tb, ta := &b.T[i], &a.T[i]
		if tb.Word == ta.Word || tb.Gen != ta.Gen {
			continue // unchanged, or a fresh allocation
		}
		k := ta.Kind
		if k == m.KindNone {
			k = tb.Kind
		}
		if k == m.KindNone {
			continue // the library initialising its own task_tls
		}
		if o.Action.Kind == m.ActDie && int(o.Action.Thread) == i && ta.Word == m.StateNone {
			continue // the fixed kernel unregisters a dying task
		}
		if !legal[k][edge{tb.Word, ta.Word}] {
			return fmt.Sprintf("%s (%s) moved %s -> %s in %q", mo.ThreadName(i), k, tb.Word, ta.Word, o.Label)
		}
	}
	return ""
}

func workerHasServer(mo *m.Model, s *m.State) string {
	for i := 0; i < int(s.N); i++ {
		th := &s.T[i]
		if p := th.Peer; p >= 0 && s.T[p].Peer != int8(i) {
			return fmt.Sprintf("%s's peer is %s, whose peer is not %s", mo.ThreadName(i), mo.ThreadName(int(p)), mo.ThreadName(i))
		}
		if th.Kind != m.KindWorker || th.Status != m.Alive || th.Sleep != m.Awake || th.Word.Base() != m.StateRunning {
			continue
		}
		p := th.Peer
		if p < 0 {
			return fmt.Sprintf("%s runs with no server", mo.ThreadName(i))
		}
		sv := &s.T[p]
		if sv.Kind != m.KindServer || sv.Group != th.Group || sv.Word != m.StateServing {
			return fmt.Sprintf("%s runs, served by %s (%s, %s)", mo.ThreadName(i), mo.ThreadName(int(p)), sv.Kind, sv.Word)
		}
	}
	return ""
}

func queueFIFO(mo *m.Model, s *m.State) string {
	for g := 0; g < int(s.G); g++ {
		gr := &s.Grp[g]
		var workers []int8
		for _, w := range gr.Waiters[:gr.NWait] {
			if s.T[w].Kind == m.KindWorker {
				workers = append(workers, w)
			}
		}
		ghost := gr.Ghost[:gr.NGhost]
		same := len(workers) == len(ghost)
		for i := 0; same && i < len(ghost); i++ {
			same = workers[i] == ghost[i]
		}
		if !same {
			return fmt.Sprintf("group %d queues %s but its UNBLOCKED workers in unblock order are %s",
				g, names(mo, workers), names(mo, ghost))
		}
	}
	return ""
}

// pollTakesOldest: a worker leaving UNBLOCKED must be the longest waiting.
func pollTakesOldest(mo *m.Model, b, a *m.State, o *m.Observation) string {
	for i := 0; i < int(a.N); i++ {
		tb, ta := &b.T[i], &a.T[i]
		if tb.Word != m.StateUnblocked || ta.Word == m.StateUnblocked || tb.Group < 0 || ta.Status != m.Alive {
			continue
		}
		gr := &b.Grp[tb.Group]
		if gr.NGhost > 0 && gr.Ghost[0] != int8(i) {
			return fmt.Sprintf("%s left the queue before %s, which waited longer", mo.ThreadName(i), mo.ThreadName(int(gr.Ghost[0])))
		}
	}
	return ""
}

func names(mo *m.Model, ts []int8) string {
	r := "["
	for i, t := range ts {
		if i > 0 {
			r += " "
		}
		r += mo.ThreadName(int(t))
	}
	return r + "]"
}

func noLostWakeup(mo *m.Model, s *m.State) string {
	for i := 0; i < int(s.N); i++ {
		sv := &s.T[i]
		if sv.Kind != m.KindServer || sv.Status != m.Alive || sv.Sleep != m.SleepPoll || sv.Wake != m.WakeNone {
			continue
		}
		for j := 0; j < int(s.N); j++ {
			w := &s.T[j]
			if w.Kind == m.KindWorker && w.Status == m.Alive && w.Group == sv.Group && w.Word == m.StateUnblocked {
				return fmt.Sprintf("%s sleeps polling while %s is UNBLOCKED", mo.ThreadName(i), mo.ThreadName(j))
			}
		}
	}
	return ""
}

func serverProcessing(mo *m.Model, b, a *m.State, o *m.Observation) string {
	if !o.Returned || (o.Call != m.CallPollWorker && o.Call != m.CallRunWorker) {
		return ""
	}
	th := &a.T[o.Action.Thread]
	if th.Kind == m.KindServer && th.Word != m.StateProcessing {
		return fmt.Sprintf("%s returned from %s %s", mo.ThreadName(int(o.Action.Thread)), o.Call, th.Word)
	}
	return ""
}

// errnoContract checks a returning call against the header's doc comments.
func errnoContract(mo *m.Model, b, a *m.State, o *m.Observation) string {
	if !o.Returned {
		return ""
	}
	t := o.Action.Thread
	// got is formatted only when something is wrong: this runs on every
	// returning step of every search.
	got := func() string {
		return fmt.Sprintf("%s: %s returned %d errno %s", mo.ThreadName(int(t)), o.Call, o.Ret, o.Errno)
	}
	want := func(ret int16, e m.Errno) string {
		if o.Ret == ret && o.Errno == e {
			return ""
		}
		return fmt.Sprintf("%s; the header says %d errno %s", got(), ret, e)
	}
	fail := o.GEntry
	if fail == 0 {
		fail = o.GKern
	}
	switch o.Call {
	case m.CallRegisterCore, m.CallRegisterWorker, m.CallRegisterServer:
		if fail != 0 {
			return want(0, fail)
		}
		if o.Ret != int16(t)+1 {
			return got() + "; the header says the caller's utid"
		}
	case m.CallUnregister:
		if fail != 0 {
			return want(-1, fail)
		}
		return want(0, o.Errno)
	case m.CallCreateGroup:
		if fail != 0 {
			return want(0, fail)
		}
		if o.Ret <= 0 {
			return got() + "; the header says a group id"
		}
	case m.CallDestroyGroup:
		if fail == m.EBUSY {
			return want(-1, m.EAGAIN)
		}
		if fail != 0 {
			return want(-1, fail)
		}
		return want(0, o.Errno)
	case m.CallPollWorker:
		if fail != 0 {
			return want(0, fail)
		}
		w := int(o.Ret) - 1
		if w < 0 || (a.T[w].Word != m.StateRunnable && a.T[w].Status != m.Dead) {
			return got() + "; the header says a RUNNABLE worker"
		}
	case m.CallRunWorker:
		unreg := o.GEntry == m.EntryUnregistered ||
			(o.GEntry == 0 && o.GKern == 0 && a.T[t].Reason == m.ReasonUnregistered)
		switch {
		case unreg:
			if o.Ret != 0 || o.Errno != 0 {
				return got() + "; the worker unregistered, so the header says UMCG_NONE errno 0"
			}
		case o.GEntry != 0 || o.GKern != 0:
			if o.Ret != 0 || o.Errno == 0 {
				return got() + "; the call failed, so the header says UMCG_NONE with errno != 0"
			}
			if o.GEntry == 0 && o.Errno != o.GKern {
				return fmt.Sprintf("%s; the kernel said %s", got(), o.GKern)
			}
		case o.Ret == 0:
			return got() + "; the worker did not unregister and nothing failed, so the header says a worker"
		}
	case m.CallWait, m.CallSwap:
		if o.GEntry == m.EAGAIN && o.Ret != -1 {
			return got() + "; a wakeup was already queued, so the header says -1"
		}
		if o.GEntry != 0 && o.GEntry != m.EAGAIN {
			return want(-1, o.GEntry)
		}
		if o.Ret == 0 && a.T[t].Word.Base() == m.StateRunnable {
			return got() + " while still RUNNABLE; the header says 0 only once woken"
		}
		if o.Ret == -1 && o.Errno == m.EINTR && b.T[t].Word.Base() != m.StateRunnable {
			return got() + " after a wakeup had arrived: the wakeup is lost"
		}
		if o.GKern != 0 && o.GKern != m.EINTR && o.Ret == 0 {
			return fmt.Sprintf("%s; the kernel said %s", got(), o.GKern)
		}
	case m.CallWake:
		if o.GEntry == m.EAGAIN {
			if o.Ret != -1 {
				return got() + "; a wakeup was already queued, so the header says -1"
			}
			return ""
		}
		if fail != 0 {
			return want(-1, fail)
		}
		return want(0, o.Errno)
	}
	return ""
}
