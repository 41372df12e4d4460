package umcg01

import (
	"sort"

	"github.com/umcgcheck/umcgcheck/sim"
)

// The coverage table (explore --coverage): every kind of step the model
// can take, by its label (library steps, client steps, kernel events and
// faults), every syscall outcome (a syscall's label with the error it
// returned at once), and every documented edge of the task state diagram
// (the legal-edge table in checks.go, named here, not copied).
//
// The labels themselves are made next to the steps that take them (the
// lbl* variables of library.go, step.go and client.go, and library.go's
// labels shared by several calls); this table lists them once more so
// that a step that never fires can be named. TestLabelsTable keeps it complete:
// every label a search of a shipped configuration meets must be here.

// Label names a step, in the words of Observation.Label's documentation:
// "poll_worker: CAS self PROCESSING->POLLING", "kernel: unblock", ... It
// is a small code, not the words, so that a step (every transition of a
// search) builds and carries no string: String gives the words.
type Label uint16

// String is the label's words ("" for the zero Label, which no step
// reports).
func (l Label) String() string { return labelWords[l] }

// labelWords holds each Label's words, by code, and labelCodes each
// words' code. Both are written only while the package initialises (by
// newLabel) and read-only afterwards.
var (
	labelWords = []string{""}
	labelCodes = map[string]Label{"": 0}
)

// newLabel is the code of the label with these words, a new one if no
// label has them yet. Only the package's initialisation calls it: the
// steps pick codes made beforehand.
func newLabel(words string) Label {
	if l, ok := labelCodes[words]; ok {
		return l
	}
	l := Label(len(labelWords))
	if int(l) != len(labelWords) {
		panic("umcg01: more step labels than a Label holds")
	}
	labelWords = append(labelWords, words)
	labelCodes[words] = l
	return l
}

// stepEntry is a step label of the table. A syscall step that returns at
// once is counted per result (Results, OK for success), and by its plain
// label only when the syscall can also sleep (Sleeps: its result then
// comes with a later step).
type stepEntry struct {
	label   string
	sleeps  bool
	results []Errno
}

// stepTable lists the step labels, grouped as the code is: library calls
// in calls-table order (their syscalls with the results kernel.go can
// return), then the client, the kernel and the faults.
var stepTable = []stepEntry{
	{label: "register_core_task: check arguments, malloc task_tls"},
	{label: "register_core_task: malloc task_tls fails"},
	{label: "register_core_task: check arguments, take the kept task_tls"},
	{label: "register_core_task: sys_umcg_register_task", results: []Errno{OK, EINVAL, ENOMEM}},
	{label: "register_worker: check arguments, malloc task_tls"},
	{label: "register_worker: malloc task_tls fails"},
	{label: "register_worker: check arguments, take the kept task_tls"},
	{label: "register_worker: load group->group_id"},
	{label: "register_worker: sys_umcg_register_task", sleeps: true, results: []Errno{EINVAL, ENOMEM}},
	{label: "register_worker: return self"},
	{label: "register_server: check arguments, malloc task_tls"},
	{label: "register_server: malloc task_tls fails"},
	{label: "register_server: check arguments, take the kept task_tls"},
	{label: "register_server: load group->group_id"},
	{label: "register_server: sys_umcg_register_task", results: []Errno{OK, EINVAL, ENOMEM}},
	// v0.1's unregister returns EINVAL only with the kill below.
	{label: "unregister_task: sys_umcg_unregister_task", sleeps: true, results: []Errno{OK}},
	{label: "unregister_task: sys_umcg_unregister_task: WARN_ON(server not woken): SIGSEGV", results: []Errno{EINVAL}},
	{label: "unregister_task: free task_tls"},
	{label: "unregister_task: store task_tls = NULL"},
	{label: "wait: CAS self RUNNING->RUNNABLE"},
	{label: "wait: CAS self RUNNING|WAKEUP_QUEUED->RUNNING"},
	{label: "wait: sys_umcg_wait", sleeps: true, results: []Errno{EAGAIN, EINVAL}},
	{label: "wait: CAS self RUNNABLE->RUNNING to cancel the wait"},
	{label: "wait: load own state after the syscall"},
	{label: "wait: the syscall returned EINTR"},
	{label: "wake: load *next"},
	{label: "wake: load *next: NULL dereference, SIGSEGV"},
	{label: "wake: CAS next RUNNABLE->RUNNING"},
	{label: "wake: CAS next RUNNING->RUNNING|WAKEUP_QUEUED"},
	{label: "wake: sys_umcg_wake", results: []Errno{OK, EAGAIN, EINVAL, ESRCH}},
	{label: "wake: sys_umcg_wake: SIGSEGV", results: []Errno{OK}},
	{label: "swap: load *next"},
	{label: "swap: load *next: NULL dereference, SIGSEGV"},
	{label: "swap: CAS next RUNNABLE->RUNNING"},
	{label: "swap: CAS next RUNNING->RUNNING|WAKEUP_QUEUED"},
	{label: "swap: sys_umcg_wake", results: []Errno{OK, EAGAIN, EINVAL, ESRCH}},
	{label: "swap: sys_umcg_wake: SIGSEGV", results: []Errno{OK}},
	{label: "swap: CAS self RUNNING->RUNNABLE"},
	{label: "swap: CAS self RUNNING|WAKEUP_QUEUED->RUNNING"},
	{label: "swap: sys_umcg_swap", sleeps: true, results: []Errno{EAGAIN, EINVAL, ESRCH}},
	{label: "swap: sys_umcg_swap: SIGSEGV"},
	{label: "swap: sys_umcg_wait", sleeps: true, results: []Errno{EAGAIN, EINVAL}},
	{label: "swap: CAS self RUNNABLE->RUNNING to cancel the wait"},
	{label: "swap: load own state after the syscall"},
	{label: "swap: the syscall returned EINTR"},
	{label: "swap: return after sys_umcg_swap"},
	{label: "create_group: sys_umcg_create_group", results: []Errno{OK, ENOMEM}},
	{label: "create_group: malloc umcg_group"},
	{label: "create_group: malloc umcg_group fails"},
	{label: "destroy_group: load group->group_id"},
	{label: "destroy_group: sys_umcg_destroy_group", results: []Errno{OK, EBUSY, ESRCH}},
	{label: "destroy_group: free umcg_group"},
	{label: "poll_worker: CAS self PROCESSING->POLLING"},
	{label: "poll_worker: wrong server state before: exit(1)"},
	{label: "poll_worker: sys_umcg_poll_worker", sleeps: true, results: []Errno{OK, EINVAL}},
	{label: "poll_worker: sys_umcg_poll_worker: WARN_ON(worker still linked): SIGSEGV", results: []Errno{EINVAL}},
	{label: "poll_worker: CAS self POLLING->PROCESSING"},
	{label: "poll_worker: wrong server state after: exit(1)"},
	{label: "poll_worker: unexpected result: exit(1)"},
	{label: "run_worker: load *worker"},
	{label: "run_worker: load *worker: NULL dereference, SIGSEGV"},
	{label: "run_worker: load *worker: not a worker"},
	{label: "run_worker: CAS worker RUNNABLE->RUNNING"},
	{label: "run_worker: wrong worker state: exit(1)"},
	{label: "run_worker: CAS self PROCESSING->SERVING"},
	{label: "run_worker: wrong server state: exit(1)"},
	{label: "run_worker: sys_umcg_run_worker", sleeps: true, results: []Errno{EAGAIN, EINVAL, ESRCH}},
	{label: "run_worker: undo: CAS worker RUNNING->RUNNABLE, self SERVING->PROCESSING"},
	{label: "run_worker: CAS self SERVING->PROCESSING"},
	{label: "get_task_state: load *utid"},
	{label: "get_task_state: load *utid: NULL dereference, SIGSEGV"},
	{label: "get_task_state: load state"},

	{label: "client: set flag"},
	{label: "client: flag seen"},
	{label: "client: skip destroy_group, the previous call failed"},
	{label: "client: program done"},
	{label: "client: program done (thread exits)"},
	{label: "worker: blocking syscall (kernel: block)"},

	{label: "kernel: resume after wakeup"},
	{label: "kernel: woken, sleeps again"},
	{label: "kernel: worker woken while not RUNNING with a server: SIGSEGV"},
	{label: "kernel: unblock (blocking syscall completes)"},
	{label: "kernel: unblock while still linked to a server: SIGSEGV"},
	{label: "kernel: worker sleeps outside UMCG (page fault): block hook"},
	{label: "kernel: unblock (the sleep outside UMCG ends)"},
	{label: "kernel: unblock: wake hook finds the word not RUNNING: SIGSEGV"},
	{label: "kernel: preempt worker"},

	{label: "fault: signal interrupts the sleep"},
	{label: "fault: signal pending when the woken thread returns"},
	{label: "fault: spurious wakeup"},
	{label: "fault: thread dies without unregistering"},
}

// syscallOutcome names a syscall step with what it returned at once.
func syscallOutcome(label string, e Errno) string { return label + " => " + e.String() }

// stepName is a step's entry in the coverage table.
func stepName(o *Observation) string {
	if o.Syscall {
		return syscallOutcome(o.Label.String(), o.SysErrno)
	}
	return o.Label.String()
}

// documentedEdge is an edge of a kind's state diagram.
type documentedEdge struct {
	kind     Kind
	from, to TaskState
}

func (e documentedEdge) String() string {
	return e.kind.String() + " " + e.from.String() + " -> " + e.to.String()
}

// documentedEdges lists the legal-edge table by kind (server, worker,
// core), each kind's edges sorted by (from, to), and their names.
var documentedEdges, edgeNames = func() ([]documentedEdge, map[documentedEdge]string) {
	var es []documentedEdge
	names := map[documentedEdge]string{}
	for _, k := range []Kind{KindServer, KindWorker, KindCore} {
		var ks []documentedEdge
		for _, e := range LegalEdges(k) {
			ks = append(ks, documentedEdge{k, e[0], e[1]})
		}
		sort.Slice(ks, func(a, b int) bool {
			if ks[a].from != ks[b].from {
				return ks[a].from < ks[b].from
			}
			return ks[a].to < ks[b].to
		})
		for _, e := range ks {
			names[e] = e.String()
		}
		es = append(es, ks...)
	}
	return es, names
}()

// stepEdges appends the state edges the step from b to a took, as
// legalEdge sees them.
func stepEdges(b, a *State, o *Observation, buf []string) []string {
	for i := 0; i < int(a.N); i++ {
		e, ok := edgeOf(b, a, o, i)
		if !ok {
			continue
		}
		n, ok := edgeNames[e]
		if !ok {
			n = e.String()
		}
		buf = append(buf, n)
	}
	return buf
}

// coverage is the model's coverage table, built once.
var coverage = func() *sim.Coverage[State, Observation] {
	c := &sim.Coverage[State, Observation]{Step: stepName, StepEdges: stepEdges}
	for _, x := range stepTable {
		if x.sleeps || len(x.results) == 0 {
			c.Steps = append(c.Steps, x.label)
		}
		for _, e := range x.results {
			c.Steps = append(c.Steps, syscallOutcome(x.label, e))
		}
	}
	for _, e := range documentedEdges {
		c.Edges = append(c.Edges, edgeNames[e])
	}
	return c
}()
