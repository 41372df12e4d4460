package umcg01

// Table tests of the kernel level (kernel.go) and of the state encoding
// (state.go). Each kernel row builds a state by hand from m.Init(), applies
// one syscall or kernel event, and compares the result and the whole state
// with the setup state plus the documented changes, so a row also catches
// effects that should not happen.
//
// Sources named in the rows:
//   - "research: ..." is a row or sentence of research/umcg-semantics.md;
//   - "SPEC: ..." is a sentence of SPEC.md;
//   - "seed: ..." is a line of the seed libumcg (RFC v0.1 8/9);
//   - "v0.1 umcg.c: ..." is the v0.1 kernel/sched/umcg.c (RFC 4/9 and 7/9);
//   - "model: ..." is a choice documented in the model's own comments.

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/umcgcheck/umcgcheck/sim"
)

// variantSet says which variants a row runs in.
type variantSet uint8

const (
	seedOnly variantSet = 1 << iota
	fixedOnly
	bothVariants = seedOnly | fixedOnly
)

func (vs variantSet) list() []Variant {
	var l []Variant
	if vs&seedOnly != 0 {
		l = append(l, Seed)
	}
	if vs&fixedOnly != 0 {
		l = append(l, Fixed)
	}
	return l
}

// diffStates lists every field in which got differs from want, by path.
func diffStates(want, got *State) []string {
	var out []string
	diffValues("s", reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem(), &out)
	return out
}

func diffValues(path string, w, g reflect.Value, out *[]string) {
	switch w.Kind() {
	case reflect.Struct:
		for i := 0; i < w.NumField(); i++ {
			diffValues(path+"."+w.Type().Field(i).Name, w.Field(i), g.Field(i), out)
		}
	case reflect.Array:
		for i := 0; i < w.Len(); i++ {
			diffValues(fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i), out)
		}
	default:
		if !w.Equal(g) {
			*out = append(*out, fmt.Sprintf("%s: want %v, got %v", path, w.Interface(), g.Interface()))
		}
	}
}

// The cast of the kernel tests: ten threads, two groups. Kernel rows give
// them their kinds and states by hand; the client programs the config
// attaches to them play no part.
const (
	srvA   int8 = 0 // a server of group 0
	srvB   int8 = 1 // a server of group 0
	wrkA   int8 = 2 // a worker of group 0
	wrkB   int8 = 3 // a worker of group 0
	wrkC   int8 = 4 // a worker of group 0
	srvX   int8 = 5 // a server of group 1
	wrkX   int8 = 6 // a worker of group 1
	coreA  int8 = 7 // a core task
	coreB  int8 = 8 // a core task
	nobody int8 = 9 // never registered
)

func kernelModel(t *testing.T, v Variant) *Model {
	t.Helper()
	m, err := New(Config{Variant: v, Groups: 2, Servers: 2, Workers: 3})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if m.Threads() != 10 {
		t.Fatalf("kernel cast needs 10 threads, the config gives %d", m.Threads())
	}
	return m
}

// Hand-built kernel state. Each helper does what the kernel itself would
// have recorded, so expected states can be built with the same helpers.

// fxServer registers t as a server of group g: PROCESSING, awake.
func fxServer(s *State, t, g int8) {
	th := &s.T[t]
	th.Kind, th.Group, th.Word = KindServer, g, StateProcessing
	s.Grp[g].NrTasks++
}

// fxWorker registers t as a worker of group g with state word w.
func fxWorker(s *State, t, g int8, w TaskState) {
	th := &s.T[t]
	th.Kind, th.Group, th.Word = KindWorker, g, w
	s.Grp[g].NrTasks++
}

// fxCore registers t as a core task with state word w.
func fxCore(s *State, t int8, w TaskState) {
	s.T[t].Kind, s.T[t].Word = KindCore, w
}

// fxAsleep puts t to sleep in the kernel at where.
func fxAsleep(s *State, t int8, where Sleep, inWait bool) {
	s.T[t].Sleep, s.T[t].InWait = where, inWait
}

// fxAwake makes t awake with no pending wakeup.
func fxAwake(s *State, t int8) {
	s.T[t].Sleep, s.T[t].InWait, s.T[t].Wake = Awake, false, WakeNone
}

// fxAddWaiter appends t to its group's waiters list.
func fxAddWaiter(s *State, t int8) {
	g := &s.Grp[s.T[t].Group]
	g.Waiters[g.NWait] = t
	g.NWait++
}

// fxSetWaiters sets group g's waiters list to ts.
func fxSetWaiters(s *State, g int8, ts ...int8) {
	gr := &s.Grp[g]
	gr.Waiters = [MaxThreads]int8{}
	gr.NWait = uint8(len(ts))
	copy(gr.Waiters[:], ts)
}

// fxQueued makes worker w UNBLOCKED, sleeping idle at the tail of its group's queue.
func fxQueued(s *State, w int8) {
	s.T[w].Word = StateUnblocked
	fxAsleep(s, w, SleepIdle, true)
	fxAddWaiter(s, w)
}

// fxPolling makes server srv sleep in poll_worker at the tail of the waiters.
func fxPolling(s *State, srv int8) {
	s.T[srv].Word = StatePolling
	s.T[srv].Out = None
	fxAsleep(s, srv, SleepPoll, false)
	fxAddWaiter(s, srv)
}

// fxServing makes srv run w: w RUNNING and awake, srv SERVING asleep in run_worker.
func fxServing(s *State, srv, w int8) {
	pair(s, srv, w)
	s.T[w].Word = StateRunning
	fxAwake(s, w)
	s.T[srv].Word = StateServing
	fxAsleep(s, srv, SleepRun, true)
}

// fxHanded is poll_worker's result: w RUNNABLE, paired with srv, asleep idle;
// srv PROCESSING and awake with Out = w.
func fxHanded(s *State, srv, w int8) {
	pair(s, srv, w)
	s.T[w].Word = StateRunnable
	fxAsleep(s, w, SleepIdle, true)
	s.T[srv].Out = w
}

// fxUnregistered is what the kernel leaves of an unregistered task.
func fxUnregistered(s *State, t int8) {
	s.T[t].Kind, s.T[t].Group = KindNone, None
	if rowVariant == Fixed {
		s.T[t].Word = StateNone // v0.1 never writes the word (unregister-word-kept)
	}
}

// rowVariant is the variant of the row runKernelCases is running, for the
// helpers whose documented effect differs between the variants.
var rowVariant Variant

// kres is a kernel function's result, in one comparable shape.
type kres struct {
	Errno Errno
	Slept bool
	Group int8 // SysCreateGroup only
	Again bool // Resume only
	Ran   bool // set for events, which return nothing
}

func (r kres) String() string {
	if r.Ran {
		return "(event)"
	}
	s := fmt.Sprintf("errno=%v slept=%v", r.Errno, r.Slept)
	if r.Group != 0 {
		s += fmt.Sprintf(" group=%d", r.Group)
	}
	if r.Again {
		s += " again"
	}
	return s
}

type kop func(m *Model, s *State) kres

func sysRes(r Sys) kres { return kres{Errno: r.Errno, Slept: r.Slept} }

var (
	eventRes = kres{Ran: true}
	okRes    = kres{}
	sleptRes = kres{Slept: true}
)

func failRes(e Errno) kres { return kres{Errno: e} }

func opRegister(t int8, k Kind, g int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysRegister(s, t, k, g)) }
}
func opUnregister(t int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysUnregister(s, t)) }
}
func opWait(t int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysWait(s, t)) }
}
func opWake(t, target int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysWake(s, t, target)) }
}
func opSwap(t, next int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysSwap(s, t, next)) }
}
func opCreate() kop {
	return func(m *Model, s *State) kres {
		g, r := m.SysCreateGroup(s)
		res := sysRes(r)
		res.Group = g
		return res
	}
}
func opDestroy(g int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysDestroyGroup(s, g)) }
}
func opPoll(t int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysPollWorker(s, t)) }
}
func opRun(t, w int8) kop {
	return func(m *Model, s *State) kres { return sysRes(m.SysRunWorker(s, t, w)) }
}
func opBlock(w int8) kop   { return func(m *Model, s *State) kres { m.Block(s, w); return eventRes } }
func opUnblock(w int8) kop { return func(m *Model, s *State) kres { m.Unblock(s, w); return eventRes } }
func opPreempt(w int8) kop { return func(m *Model, s *State) kres { m.Preempt(s, w); return eventRes } }
func opDie(t int8) kop     { return func(m *Model, s *State) kres { m.Die(s, t); return eventRes } }
func opResume(t int8) kop {
	return func(m *Model, s *State) kres {
		e, again := m.Resume(s, t)
		return kres{Errno: e, Again: again}
	}
}

// kcase is one documented case of a kernel function.
type kcase struct {
	name string
	src  string // where the expected behaviour is documented
	vs   variantSet
	// setup builds the state from m.Init().
	setup func(s *State)
	op    kop
	want  kres
	// edit applies the documented changes to a copy of the setup state;
	// nil means the state must not change.
	edit func(s *State)
	// skip marks a row that fails because of a suspected model bug. The row
	// still runs: it is skipped while it fails and reported when it passes.
	skip string
}

func runKernelCases(t *testing.T, cases []kcase) {
	t.Helper()
	for _, c := range cases {
		if c.vs == 0 {
			c.vs = bothVariants
		}
		for _, v := range c.vs.list() {
			t.Run(c.name+"/"+v.String(), func(t *testing.T) {
				m := kernelModel(t, v)
				rowVariant = v
				s := m.Init()
				// Hand-built states have every group on the process's
				// list, as if v0.1's create_group were right; the rows
				// of TestKernelGroupList start from Init's own.
				for g := range s.Grp {
					s.Grp[g].Unlisted = false
				}
				if c.setup != nil {
					c.setup(&s)
				}
				want := s
				if c.edit != nil {
					c.edit(&want)
				}
				got := c.op(m, &s)
				var errs []string
				if got != c.want {
					errs = append(errs, fmt.Sprintf("result: want %v, got %v", c.want, got))
				}
				if d := diffStates(&want, &s); len(d) > 0 {
					errs = append(errs, "state differs from setup + documented changes:\n\t"+strings.Join(d, "\n\t"))
				}
				reportRow(t, c.src, c.skip, errs)
			})
		}
	}
}

// reportRow fails t with errs, or skips it when the row is marked as a
// suspected model bug (and fails it when such a row unexpectedly passes).
func reportRow(t *testing.T, src, skip string, errs []string) {
	t.Helper()
	if skip != "" {
		if len(errs) == 0 {
			t.Errorf("row marked as a suspected model bug now passes; remove the mark (%s)", skip)
			return
		}
		t.Skipf("MODEL BUG?: %s\nsource: %s\n%s", skip, src, strings.Join(errs, "\n"))
	}
	for _, e := range errs {
		t.Errorf("%s\n(source: %s)", e, src)
	}
}

func TestKernelRegister(t *testing.T) {
	runKernelCases(t, []kcase{
		{
			name: "core task already registered is EINVAL",
			src:  "research table: register CORE ... EINVAL if ... already registered",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opRegister(coreA, KindCore, None),
			want: failRes(EINVAL),
		},
		{
			name: "server registering again as a worker is EINVAL",
			src:  "v0.1 umcg.c sys_umcg_register_task: current->umcg_task_data set -> EINVAL",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
			},
			op:   opRegister(srvA, KindWorker, 0),
			want: failRes(EINVAL),
		},
		{
			name: "core task with a group is EINVAL",
			src:  "v0.1 umcg.c sys_umcg_register_task: CORE_TASK with group_id != UMCG_NOID -> EINVAL",
			op:   opRegister(coreA, KindCore, 0),
			want: failRes(EINVAL),
		},
		{
			name: "worker on a group that was never created is EINVAL",
			src:  "research table: register WORKER(g) ... EINVAL bad group",
			op:   opRegister(wrkA, KindWorker, 2),
			want: failRes(EINVAL),
		},
		{
			name: "worker on no group (UMCG_NONE) is EINVAL",
			src:  "research table: register WORKER(g) ... EINVAL bad group",
			op:   opRegister(wrkA, KindWorker, None),
			want: failRes(EINVAL),
		},
		{
			name: "worker on a destroyed group is EINVAL",
			src:  "research table: register WORKER(g) ... EINVAL bad group / api / destroying",
			setup: func(s *State) {
				s.Grp[1].Exists = false
			},
			op:   opRegister(wrkX, KindWorker, 1),
			want: failRes(EINVAL),
		},
		{
			name: "server on a destroyed group is EINVAL",
			src:  "SPEC: register_server(group, tag): same checks",
			setup: func(s *State) {
				s.Grp[1].Exists = false
			},
			op:   opRegister(srvX, KindServer, 1),
			want: failRes(EINVAL),
		},
		{
			name: "server on a group that was never created is EINVAL",
			src:  "SPEC: register_server(group, tag): same checks",
			op:   opRegister(srvA, KindServer, 3),
			want: failRes(EINVAL),
		},
		{
			name: "core task becomes RUNNING",
			src:  "SPEC: register_core_task: NONE->RUNNING",
			op:   opRegister(coreA, KindCore, None),
			want: okRes,
			edit: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
		},
		{
			name: "server becomes PROCESSING and counts in its group",
			src:  "research table: register SERVER | NONE | PROCESSING | 0",
			op:   opRegister(srvA, KindServer, 0),
			want: okRes,
			edit: func(s *State) {
				fxServer(s, srvA, 0)
			},
		},
		{
			name: "worker with no poller becomes UNBLOCKED, queued, and sleeps",
			src:  "SPEC: the worker becomes UNBLOCKED and is queued on the group ... and sleeps",
			op:   opRegister(wrkA, KindWorker, 0),
			want: sleptRes,
			edit: func(s *State) {
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
			},
		},
		{
			name: "worker joins the queue at its tail",
			src:  "SPEC queue-fifo: the unblocked queue holds ... in unblock order",
			setup: func(s *State) {
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
				fxWorker(s, wrkB, 0, StateNone)
				fxQueued(s, wrkB)
			},
			op:   opRegister(wrkC, KindWorker, 0),
			want: sleptRes,
			edit: func(s *State) {
				fxWorker(s, wrkC, 0, StateNone)
				fxQueued(s, wrkC)
			},
		},
		{
			name: "worker is handed RUNNABLE to the longest-waiting poller, which wakes with Out",
			src:  "SPEC: (or handed to the longest-waiting polling server as RUNNABLE)",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxPolling(s, srvA)
				fxPolling(s, srvB)
			},
			op:   opRegister(wrkA, KindWorker, 0),
			want: sleptRes,
			edit: func(s *State) {
				fxWorker(s, wrkA, 0, StateRunnable)
				fxAsleep(s, wrkA, SleepIdle, true)
				pair(s, srvA, wrkA)
				s.T[srvA].Out = wrkA
				s.T[srvA].Wake = WakeNormal
				fxSetWaiters(s, 0, srvB)
			},
		},
		{
			name: "seed: worker handed to a poller that was already woken is killed",
			src:  "v0.1 7/9 process_unblocked_worker: do_context_switch(server) fails (ttwu of a woken task); umcg_on_wake then reads RUNNABLE -> umcg_segv",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxPolling(s, srvA)
				s.T[srvA].Wake = WakeSpurious
			},
			op:   opRegister(wrkA, KindWorker, 0),
			want: sleptRes,
			edit: func(s *State) {
				fxWorker(s, wrkA, 0, StateRunnable)
				pair(s, srvA, wrkA)
				s.T[srvA].Out = wrkA
				s.T[wrkA].Status = Killed
				fxSetWaiters(s, 0)
			},
		},
		{
			name: "fixed: worker handed to a poller that was already woken sleeps until run",
			src:  "fix run-needs-server: a RUNNABLE worker sleeps on until its server runs it; poll-sleeps-on: the poller returns Out",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxPolling(s, srvA)
				s.T[srvA].Wake = WakeSpurious
			},
			op:   opRegister(wrkA, KindWorker, 0),
			want: sleptRes,
			edit: func(s *State) {
				fxWorker(s, wrkA, 0, StateRunnable)
				fxAsleep(s, wrkA, SleepIdle, true)
				pair(s, srvA, wrkA)
				s.T[srvA].Out = wrkA
				fxSetWaiters(s, 0)
			},
		},
		{
			name: "worker of group 1 is not handed to a poller of group 0",
			src:  "research 1: a group keeps one waiters list",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxPolling(s, srvA)
			},
			op:   opRegister(wrkX, KindWorker, 1),
			want: sleptRes,
			edit: func(s *State) {
				fxWorker(s, wrkX, 1, StateNone)
				fxQueued(s, wrkX)
			},
		},
	})
}

func TestKernelUnregister(t *testing.T) {
	runKernelCases(t, []kcase{
		{
			name: "served worker wakes its server with ReasonUnregistered and no Out",
			src:  "research table: worker | unregister while served | peer cleared | server woken; run_worker -> ut=NULL",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxServing(s, srvA, wrkA)
				s.T[srvA].Out = wrkB // stale from an earlier call
			},
			op:   opUnregister(wrkA),
			want: okRes,
			edit: func(s *State) {
				unpair(s, wrkA)
				fxUnregistered(s, wrkA)
				s.Grp[0].NrTasks--
				s.T[srvA].Reason = ReasonUnregistered
				s.T[srvA].Out = None
				s.T[srvA].Wake = WakeNormal
			},
		},
		{
			name: "worker whose server is not asleep is killed with EINVAL, still registered",
			src:  "v0.1 7/9 sys_umcg_unregister_task: umcg_detach_peer, then WARN_ON(!wake_up_process(server)) -> umcg_segv(0), goto out with ret -EINVAL",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				pair(s, srvA, wrkA)
				s.T[srvA].Word = StateServing // between its CAS and sys_umcg_run_worker
			},
			op:   opUnregister(wrkA),
			want: failRes(EINVAL),
			edit: func(s *State) {
				unpair(s, wrkA)
				s.T[wrkA].Status = Killed
			},
		},
		{
			name: "worker whose server is not in run_worker unlinks without a wakeup",
			src:  "fix unregister-no-kill: only a server sleeping in run_worker is woken",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				pair(s, srvA, wrkA)
				s.T[srvA].Word = StateServing // between its CAS and sys_umcg_run_worker
			},
			op:   opUnregister(wrkA),
			want: okRes,
			edit: func(s *State) {
				unpair(s, wrkA)
				fxUnregistered(s, wrkA)
				s.Grp[0].NrTasks--
			},
		},
		{
			name: "server detaches its worker without waking it",
			src:  "SPEC: A server that unregisters detaches its worker without waking it",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateNone)
				fxHanded(s, srvA, wrkA)
			},
			op:   opUnregister(srvA),
			want: okRes,
			edit: func(s *State) {
				unpair(s, srvA)
				fxUnregistered(s, srvA)
				s.Grp[0].NrTasks--
			},
		},
		{
			name: "polling server leaves the waiters list",
			src:  "kernel.go unregister: removeFrom(waiters); research 1: waiters hold polling servers",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxPolling(s, srvA)
				fxPolling(s, srvB)
			},
			op:   opUnregister(srvA),
			want: okRes,
			edit: func(s *State) {
				fxUnregistered(s, srvA)
				s.Grp[0].NrTasks--
				fxSetWaiters(s, 0, srvB)
			},
		},
		{
			name: "queued worker leaves the queue, the others keep their order",
			src:  "SPEC queue-fifo: the unblocked queue holds exactly the UNBLOCKED workers",
			setup: func(s *State) {
				for _, w := range []int8{wrkA, wrkB, wrkC} {
					fxWorker(s, w, 0, StateNone)
					fxQueued(s, w)
				}
			},
			op:   opUnregister(wrkB),
			want: okRes,
			edit: func(s *State) {
				fxUnregistered(s, wrkB)
				s.Grp[0].NrTasks--
				fxSetWaiters(s, 0, wrkA, wrkC)
			},
		},
		{
			name: "core task goes back to NONE",
			src:  "fixes core-unregister-clears, unregister-writes-none",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opUnregister(coreA),
			want: okRes,
			edit: func(s *State) {
				fxUnregistered(s, coreA)
			},
		},
		{
			name: "core task's record is freed but its pointer kept",
			src:  "v0.1 7/9 sys_umcg_unregister_task: `if (!utd->group) { ret = 0; goto out; }` skips the NULL store; out: kfree(utd)",
			vs:   seedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opUnregister(coreA),
			want: okRes,
			edit: func(s *State) {
				s.T[coreA].Kind, s.T[coreA].Dangling = KindNone, true
			},
		},
		{
			name: "a core task whose pointer was kept cannot register again",
			src:  "v0.1 4/9 sys_umcg_register_task: rcu_access_pointer(current->umcg_task_data) -> EINVAL",
			vs:   seedOnly,
			setup: func(s *State) {
				s.T[coreA].Dangling = true
			},
			op:   opRegister(coreA, KindCore, None),
			want: failRes(EINVAL),
		},
	})
}

func TestKernelWait(t *testing.T) {
	runKernelCases(t, []kcase{
		{
			name: "unregistered caller is EINVAL",
			src:  "research: sys_umcg_wait ... caller not registered -> EINVAL",
			op:   opWait(nobody),
			want: failRes(EINVAL),
		},
		{
			name: "server caller is EINVAL",
			src:  "kernel.go SysWait: servers do not wait (they poll or run)",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
			},
			op:   opWait(srvA),
			want: failRes(EINVAL),
		},
		{
			name: "RUNNABLE core task sleeps in wait with in_wait set",
			src:  "research: do_wait: set in_wait=1, TASK_INTERRUPTIBLE, schedule() once",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunnable)
			},
			op:   opWait(coreA),
			want: sleptRes,
			edit: func(s *State) {
				fxAsleep(s, coreA, SleepWait, true)
			},
		},
		{
			name: "served worker yields: its server wakes with ReasonYielded and Out = worker",
			src:  "research table: worker (lib) | umcg_wait with server | RUNNABLE; ctx-switch to server | run_worker returns ut=W",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxServing(s, srvA, wrkA)
				s.T[wrkA].Word = StateRunnable // the library's CAS RUNNING->RUNNABLE
			},
			op:   opWait(wrkA),
			want: sleptRes,
			edit: func(s *State) {
				s.T[srvA].Reason = ReasonYielded
				s.T[srvA].Out = wrkA
				s.T[srvA].Wake = WakeNormal
				fxAsleep(s, wrkA, SleepWait, true)
			},
		},
		{
			name: "seed: served worker whose server is not asleep gets EAGAIN without sleeping",
			src:  "v0.1 7/9 sys_umcg_wait: a worker with a peer does do_context_switch(server), whose failed ttwu returns -EAGAIN",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunnable)
				pair(s, srvA, wrkA)
				s.T[srvA].Word = StateServing // awake: its run_worker returned on a spurious wakeup
			},
			op:   opWait(wrkA),
			want: failRes(EAGAIN),
		},
		{
			name: "fixed: served worker whose server is not asleep yields through the reason and sleeps",
			src:  "fix run-sleeps-on: run_worker ends on a reason, not on the wakeup",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunnable)
				pair(s, srvA, wrkA)
				s.T[srvA].Word = StateServing
			},
			op:   opWait(wrkA),
			want: sleptRes,
			edit: func(s *State) {
				s.T[srvA].Reason = ReasonYielded
				s.T[srvA].Out = wrkA
				fxAsleep(s, wrkA, SleepWait, true)
			},
		},
		{
			name: "seed: a core task woken before the syscall still sleeps (no recheck)",
			src:  "research: sys_umcg_wait ... There is no loop and no condition check",
			vs:   seedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opWait(coreA),
			want: sleptRes,
			edit: func(s *State) {
				fxAsleep(s, coreA, SleepWait, true)
			},
		},
		{
			name: "fixed: a core task whose word is not RUNNABLE gets EAGAIN",
			src:  "kernel.go SysWait: the fixed kernel sleeps only while the word says RUNNABLE (finding wait-no-recheck)",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opWait(coreA),
			want: failRes(EAGAIN),
		},
	})
}

func TestKernelWake(t *testing.T) {
	runKernelCases(t, []kcase{
		{
			name: "dead target is ESRCH",
			src:  "research: sys_umcg_wake ... no such task -> ESRCH",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxCore(s, coreB, StateRunning)
				s.T[coreB].Status = Dead
			},
			op:   opWake(coreA, coreB),
			want: failRes(ESRCH),
		},
		{
			name: "target beyond the threads is ESRCH",
			src:  "research: sys_umcg_wake ... no such task -> ESRCH",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opWake(coreA, 10),
			want: failRes(ESRCH),
		},
		{
			name: "server target is EINVAL",
			src:  "research: sys_umcg_wake ... target is a server (S4) -> EINVAL",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxServer(s, srvA, 0)
				fxPolling(s, srvA)
			},
			op:   opWake(coreA, srvA),
			want: failRes(EINVAL),
		},
		{
			name: "unregistered target is EINVAL",
			src:  "research: sys_umcg_wake ... target not UMCG -> EINVAL",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opWake(coreA, nobody),
			want: failRes(EINVAL),
		},
		{
			name: "seed: waking a worker attached to another server kills the waker",
			src:  "v0.1 umcg.c sys_umcg_wake: next_peer != current -> umcg_segv(0); research table: sys_umcg_wake(T) | T attached to another server | caller gets SIGSEGV",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxWorker(s, wrkA, 0, StateNone)
				fxHanded(s, srvA, wrkA)
			},
			op:   opWake(srvB, wrkA),
			want: okRes,
			edit: func(s *State) {
				s.T[srvB].Status = Killed
			},
		},
		{
			name: "fixed: waking a worker attached to another server is EINVAL",
			src:  "kernel.go SysWake (fixed): refuses instead of killing (finding wake-kills-waker)",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxWorker(s, wrkA, 0, StateNone)
				fxHanded(s, srvA, wrkA)
			},
			op:   opWake(srvB, wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "seed: a worker attached to another server but not in wait is EAGAIN: in_wait is checked before the peer",
			src:  "v0.1 umcg.c sys_umcg_wake: `if (!READ_ONCE(next_utd->in_wait)) { ret = -EAGAIN; goto out; }` precedes the next_peer check",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxServing(s, srvA, wrkA)
			},
			op:   opWake(srvB, wrkA),
			want: failRes(EAGAIN),
		},
		{
			name: "fixed: a worker attached to another server but not in wait is EINVAL",
			src:  "kernel.go SysWake (fixed): no in_wait check (finding wake-eagain-spin); another server's worker is refused",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxServing(s, srvA, wrkA)
			},
			op:   opWake(srvB, wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "seed: target not in wait is EAGAIN",
			src:  "research: sys_umcg_wake ... target !in_wait -> EAGAIN",
			vs:   seedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxCore(s, coreB, StateRunning)
			},
			op:   opWake(coreA, coreB),
			want: failRes(EAGAIN),
		},
		{
			name: "fixed: target not in wait is 0, the word carries the wakeup",
			src:  "kernel.go SysWake: finding wake-eagain-spin",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxCore(s, coreB, StateRunning)
			},
			op:   opWake(coreA, coreB),
			want: okRes,
		},
		{
			name: "seed: target already woken is EAGAIN (wake_up_process fails)",
			src:  "research: sys_umcg_wake ... If wake_up_process fails -> EAGAIN",
			vs:   seedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxCore(s, coreB, StateRunning)
				fxAsleep(s, coreB, SleepWait, true)
				s.T[coreB].Wake = WakeSpurious
			},
			op:   opWake(coreA, coreB),
			want: failRes(EAGAIN),
		},
		{
			name: "fixed: target already woken is 0",
			src:  "kernel.go SysWake: finding wake-eagain-spin",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxCore(s, coreB, StateRunning)
				fxAsleep(s, coreB, SleepWait, true)
				s.T[coreB].Wake = WakeSpurious
			},
			op:   opWake(coreA, coreB),
			want: okRes,
		},
		{
			name: "target sleeping in wait is woken",
			src:  "research table: umcg_wake(T) | T:RUNNABLE | T:RUNNING + sys_wake",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxCore(s, coreB, StateRunning) // the waker's CAS RUNNABLE->RUNNING
				fxAsleep(s, coreB, SleepWait, true)
			},
			op:   opWake(coreA, coreB),
			want: okRes,
			edit: func(s *State) {
				s.T[coreB].Wake = WakeNormal
			},
		},
		{
			name: "server waking its own worker detaches the pair and wakes it",
			src:  "research: S4 ... If the peer is the caller, the pair is detached",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateNone)
				fxHanded(s, srvA, wrkA)
			},
			op:   opWake(srvA, wrkA),
			want: okRes,
			edit: func(s *State) {
				unpair(s, srvA)
				s.T[wrkA].Wake = WakeNormal
			},
		},
		{
			name: "seed: server waking its own worker that is already woken detaches the pair, then says EAGAIN",
			src:  "v0.1 umcg.c sys_umcg_wake: umcg_detach_peer() comes before wake_up_process, whose failure is -EAGAIN",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateNone)
				fxHanded(s, srvA, wrkA)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opWake(srvA, wrkA),
			want: failRes(EAGAIN),
			edit: func(s *State) {
				unpair(s, srvA)
			},
		},
		{
			name: "fixed: server waking its own worker that is already woken detaches the pair and says 0",
			src:  "kernel.go SysWake (fixed): 0 when the target is not asleep (finding wake-eagain-spin)",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateNone)
				fxHanded(s, srvA, wrkA)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opWake(srvA, wrkA),
			want: okRes,
			edit: func(s *State) {
				unpair(s, srvA)
			},
		},
	})
}

func TestKernelSwap(t *testing.T) {
	// A served worker wrkA (RUNNABLE after its prepare_wait) swapping to
	// wrkB; wrkB was made RUNNING by the swapper's CAS and sleeps in wait
	// with no server (its server polled again after it yielded).
	servedSwap := func(s *State) {
		fxServer(s, srvA, 0)
		fxWorker(s, wrkA, 0, StateRunning)
		fxServing(s, srvA, wrkA)
		s.T[wrkA].Word = StateRunnable
		fxWorker(s, wrkB, 0, StateRunning)
		fxAsleep(s, wrkB, SleepWait, true)
	}
	runKernelCases(t, []kcase{
		{
			name: "unregistered caller is EINVAL",
			src:  "research: sys_umcg_swap ... EINVAL: ... the caller not registered",
			setup: func(s *State) {
				fxCore(s, coreB, StateRunning)
				fxAsleep(s, coreB, SleepWait, true)
			},
			op:   opSwap(nobody, coreB),
			want: failRes(EINVAL),
		},
		{
			name: "server caller is EINVAL",
			src:  "kernel.go SysSwap: servers do not swap",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxCore(s, coreB, StateRunning)
				fxAsleep(s, coreB, SleepWait, true)
			},
			op:   opSwap(srvA, coreB),
			want: failRes(EINVAL),
		},
		{
			name: "dead next is ESRCH",
			src:  "research: sys_umcg_swap ... ESRCH: no such task",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunnable)
				fxCore(s, coreB, StateRunning)
				s.T[coreB].Status = Dead
			},
			op:   opSwap(coreA, coreB),
			want: failRes(ESRCH),
		},
		{
			name: "server next is EINVAL",
			src:  "research: sys_umcg_swap = wake(tid) + wait; wake of a server is EINVAL; kernel.go SysSwap",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunnable)
				fxServer(s, srvA, 0)
				fxPolling(s, srvA)
			},
			op:   opSwap(coreA, srvA),
			want: failRes(EINVAL),
		},
		{
			name: "core task swapping to a worker is EINVAL: core tasks have no group",
			src:  "v0.1 umcg.c sys_umcg_swap: next_utd->group != curr_utd->group -> EINVAL (a core task's group is NULL)",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunnable)
				fxWorker(s, wrkA, 0, StateRunning)
				fxAsleep(s, wrkA, SleepWait, true)
			},
			op:   opSwap(coreA, wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "worker swapping to a worker of another group is EINVAL",
			src:  "research: sys_umcg_swap ... EINVAL ... also S4 targets in a different group",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxServing(s, srvA, wrkA)
				s.T[wrkA].Word = StateRunnable
				fxWorker(s, wrkX, 1, StateRunning)
				fxAsleep(s, wrkX, SleepWait, true)
			},
			op:   opSwap(wrkA, wrkX),
			want: failRes(EINVAL),
		},
		{
			name:  "served worker hands its server to next, wakes it and sleeps",
			src:   "SPEC: a served worker that swaps hands its server to next",
			setup: servedSwap,
			op:    opSwap(wrkA, wrkB),
			want:  sleptRes,
			edit: func(s *State) {
				unpair(s, wrkA)
				pair(s, srvA, wrkB)
				s.T[wrkB].Wake = WakeNormal
				fxAsleep(s, wrkA, SleepSwap, true)
			},
		},
		{
			name: "seed: served worker swapping to a worker attached to another server is EAGAIN",
			src:  "v0.1 umcg.c sys_umcg_swap: if (rcu_access_pointer(next_utd->peer)) { ret = -EAGAIN; goto out; } (no SIGSEGV path); SPEC: (EAGAIN if next already has a peer)",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxServing(s, srvA, wrkA)
				s.T[wrkA].Word = StateRunnable
				fxWorker(s, wrkB, 0, StateRunning)
				fxServing(s, srvB, wrkB)
				fxAsleep(s, wrkB, SleepWait, true) // wrkB yielded, srvB not yet back
			},
			op:   opSwap(wrkA, wrkB),
			want: failRes(EAGAIN),
		},
		{
			name: "fixed: served worker swapping to a worker attached to another server is EAGAIN",
			src:  "kernel.go SysSwap: EAGAIN if next has a peer, as v0.1; SPEC: (EAGAIN if next already has a peer)",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxServing(s, srvA, wrkA)
				s.T[wrkA].Word = StateRunnable
				fxWorker(s, wrkB, 0, StateRunning)
				fxServing(s, srvB, wrkB)
				fxAsleep(s, wrkB, SleepWait, true)
			},
			op:   opSwap(wrkA, wrkB),
			want: failRes(EAGAIN),
		},
		{
			name: "core task wakes next and sleeps in swap",
			src:  "research: sys_umcg_swap: wake(tid) followed by wait, done as a single context switch",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunnable)
				fxCore(s, coreB, StateRunning)
				fxAsleep(s, coreB, SleepWait, true)
			},
			op:   opSwap(coreA, coreB),
			want: sleptRes,
			edit: func(s *State) {
				s.T[coreB].Wake = WakeNormal
				fxAsleep(s, coreA, SleepSwap, true)
			},
		},
		{
			name: "seed: next not in wait is EAGAIN and the caller does not sleep",
			src:  "research: sys_umcg_swap ... EAGAIN: target !in_wait",
			vs:   seedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunnable)
				fxCore(s, coreB, StateRunning)
			},
			op:   opSwap(coreA, coreB),
			want: failRes(EAGAIN),
		},
		{
			name: "fixed: next not in wait: the caller sleeps, next will see its word",
			src:  "kernel.go SysSwap (fixed): the state word carries the wakeup (finding wake-eagain-spin)",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunnable)
				fxCore(s, coreB, StateRunning)
			},
			op:   opSwap(coreA, coreB),
			want: sleptRes,
			edit: func(s *State) {
				fxAsleep(s, coreA, SleepSwap, true)
			},
		},
		{
			name: "fixed: caller already woken wakes next and returns EAGAIN without sleeping",
			src:  "kernel.go SysSwap (fixed): sleeps only while the caller's word is RUNNABLE",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
				fxCore(s, coreB, StateRunning)
				fxAsleep(s, coreB, SleepWait, true)
			},
			op:   opSwap(coreA, coreB),
			want: failRes(EAGAIN),
			edit: func(s *State) {
				s.T[coreB].Wake = WakeNormal
			},
		},
		{
			name: "seed: served worker swapping to a worker not in wait is EAGAIN before the server moves",
			src:  "v0.1 umcg.c sys_umcg_swap: `if (!READ_ONCE(next_utd->in_wait)) return -EAGAIN` precedes moving the server",
			vs:   seedOnly,
			setup: func(s *State) {
				servedSwap(s)
				fxAwake(s, wrkB)
			},
			op:   opSwap(wrkA, wrkB),
			want: failRes(EAGAIN),
		},
		{
			name: "fixed: served worker swapping to a worker not in wait moves the server and sleeps",
			src:  "kernel.go SysSwap (fixed): no in_wait check, the state word carries the wakeup (finding wake-eagain-spin)",
			vs:   fixedOnly,
			setup: func(s *State) {
				servedSwap(s)
				fxAwake(s, wrkB)
			},
			op:   opSwap(wrkA, wrkB),
			want: sleptRes,
			edit: func(s *State) {
				unpair(s, wrkA)
				pair(s, srvA, wrkB)
				fxAsleep(s, wrkA, SleepSwap, true)
			},
		},
		{
			name: "seed: served worker swapping to a worker already woken: the server moves, then EAGAIN",
			src:  "v0.1 umcg.c do_context_switch: `if (!try_to_wake_up(next, ...)) return -EAGAIN;` runs after sys_umcg_swap moved the server (research 5.3)",
			vs:   seedOnly,
			setup: func(s *State) {
				servedSwap(s)
				s.T[wrkB].Wake = WakeSpurious
			},
			op:   opSwap(wrkA, wrkB),
			want: failRes(EAGAIN),
			edit: func(s *State) {
				unpair(s, wrkA)
				pair(s, srvA, wrkB)
			},
		},
		{
			name: "fixed: served worker swapping to a worker already woken moves the server and sleeps",
			src:  "kernel.go SysSwap (fixed): the fixed kernel needs no ttwu, the state word carries the wakeup",
			vs:   fixedOnly,
			setup: func(s *State) {
				servedSwap(s)
				s.T[wrkB].Wake = WakeSpurious
			},
			op:   opSwap(wrkA, wrkB),
			want: sleptRes,
			edit: func(s *State) {
				unpair(s, wrkA)
				pair(s, srvA, wrkB)
				fxAsleep(s, wrkA, SleepSwap, true)
			},
		},
	})
}

// fxListOnly is v0.1's create_group of group g (seed rows only): every
// other group drops off the process's list.
func fxListOnly(s *State, g int8) {
	if rowVariant != Seed {
		return
	}
	for i := range s.Grp[:s.G] {
		if int8(i) != g && s.Grp[i].Exists {
			s.Grp[i].Unlisted = true
		}
	}
}

// TestKernelGroupList: v0.1's create_group passes list_add_rcu its two
// arguments swapped, so only the newest group is on the process's list.
// Init creates the configuration's groups in order, so in the seed only
// the last is listed: registering into another is EINVAL, destroying it
// ESRCH; destroying the listed one empties the list and ids start at 0.
func TestKernelGroupList(t *testing.T) {
	src := "v0.1 7/9 sys_umcg_create_group: list_add_rcu(&mm->umcg_groups, &group->list)"
	for _, v := range []Variant{Seed, Fixed} {
		m := kernelModel(t, v)
		s := m.Init()
		seed := v == Seed
		if got := s.Grp[0].Unlisted; got != seed || s.Grp[1].Unlisted {
			t.Errorf("%s: Init lists group 0: %v, group 1: %v; want group 0 unlisted only in the seed (%s)", v, !got, !s.Grp[1].Unlisted, src)
		}
		want := Errno(0)
		if seed {
			want = EINVAL
		}
		if r := m.SysRegister(&s, srvA, KindServer, 0); r.Errno != want {
			t.Errorf("%s: register into group 0 = %v, want %v (%s)", v, r, want, src)
		}
		want = 0
		if seed {
			want = ESRCH
		}
		s = m.Init()
		if r := m.SysDestroyGroup(&s, 0); r.Errno != want {
			t.Errorf("%s: destroy of group 0 = %v, want %v (%s)", v, r, want, src)
		}
		s = m.Init()
		s.Grp[1].Lib = 0 // as if the library freed it
		if r := m.SysDestroyGroup(&s, 1); r.Errno != 0 {
			t.Fatalf("%s: destroy of group 1 = %v", v, r)
		}
		s.Grp[1].Lib = 0
		g, r := m.SysCreateGroup(&s)
		wantG := int8(1) // the first free slot
		if seed {
			// The list is empty: id 0, which an unlisted group still
			// holds, so the model takes the first free slot.
			wantG = 1
		}
		if r.Errno != 0 || g != wantG {
			t.Errorf("%s: create after destroying the listed group = %d, %v; want %d", v, g, r, wantG)
		}
		if seed && (!s.Grp[0].Unlisted || s.Grp[1].Unlisted) {
			t.Errorf("%s: after the create only group 1 should be listed: %+v %+v", v, s.Grp[0], s.Grp[1])
		}
	}
}

func TestKernelGroups(t *testing.T) {
	runKernelCases(t, []kcase{
		{
			name: "create returns the next free index",
			src:  "research: create_group id = max+1",
			op:   opCreate(),
			want: kres{Group: 2},
			edit: func(s *State) {
				s.G = 3
				s.Grp[2].Exists = true
				fxListOnly(s, 2)
			},
		},
		{
			name: "create reuses a slot the library never got",
			src:  "kernel.go SysCreateGroup: a slot with !Exists && Lib == 0 is free",
			setup: func(s *State) {
				s.Grp[1] = Group{}
			},
			op:   opCreate(),
			want: kres{Group: 1},
			edit: func(s *State) {
				s.Grp[1].Exists = true
				fxListOnly(s, 1)
			},
		},
		{
			name: "create does not reuse a destroyed group's handle",
			src:  "SPEC no-use-after-free: nor uses a group after destroy",
			setup: func(s *State) {
				s.Grp[1].Exists, s.Grp[1].Lib = false, 2
			},
			op:   opCreate(),
			want: kres{Group: 2},
			edit: func(s *State) {
				s.G = 3
				s.Grp[2].Exists = true
				fxListOnly(s, 2)
			},
		},
		{
			name: "create with every group in use is ENOMEM",
			src:  "model: MaxGroups bounds the groups; v0.1 umcg.c create_group: kzalloc failure -> ENOMEM",
			setup: func(s *State) {
				s.G = MaxGroups
				for g := range s.Grp {
					s.Grp[g].Exists, s.Grp[g].Lib = true, 1
				}
			},
			op:   opCreate(),
			want: kres{Group: None, Errno: ENOMEM},
		},
		{
			name: "destroy of a group beyond G is ESRCH",
			src:  "research table: destroy_group ... ESRCH",
			op:   opDestroy(2),
			want: failRes(ESRCH),
		},
		{
			name: "destroy of UMCG_NONE is ESRCH",
			src:  "research table: destroy_group ... ESRCH",
			op:   opDestroy(None),
			want: failRes(ESRCH),
		},
		{
			name: "destroy of a destroyed group is ESRCH",
			src:  "research table: destroy_group ... ESRCH",
			setup: func(s *State) {
				s.Grp[1].Exists = false
			},
			op:   opDestroy(1),
			want: failRes(ESRCH),
		},
		{
			name: "destroy of a group with tasks is EBUSY",
			src:  "SPEC: destroy_group(g): the kernel says EBUSY while tasks remain",
			setup: func(s *State) {
				fxServer(s, srvX, 1)
			},
			op:   opDestroy(1),
			want: failRes(EBUSY),
		},
		{
			name: "destroy of an empty group removes it from the kernel only",
			src:  "v0.1 umcg.c destroy_group frees the kernel group; seed umcg_destroy_group frees the library struct after",
			op:   opDestroy(1),
			want: okRes,
			edit: func(s *State) {
				s.Grp[1].Exists = false
			},
		},
	})
}

func TestKernelPollWorker(t *testing.T) {
	runKernelCases(t, []kcase{
		{
			name: "worker caller is EINVAL",
			src:  "research table / v0.1 umcg.c poll_worker: not a server -> EINVAL",
			setup: func(s *State) {
				fxWorker(s, wrkA, 0, StateRunning)
			},
			op:   opPoll(wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "core caller is EINVAL",
			src:  "v0.1 umcg.c poll_worker: task_type != UMCG_TT_SERVER -> EINVAL",
			setup: func(s *State) {
				fxCore(s, coreA, StateRunning)
			},
			op:   opPoll(coreA),
			want: failRes(EINVAL),
		},
		{
			name: "unregistered caller is EINVAL",
			src:  "v0.1 umcg.c poll_worker: !server_utd -> EINVAL",
			op:   opPoll(nobody),
			want: failRes(EINVAL),
		},
		{
			name: "takes the head of the queue: RUNNABLE, paired, Out set, no sleep",
			src:  "seed header umcg_poll_worker: picks the longest waiting one",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				s.T[srvA].Word = StatePolling
				for _, w := range []int8{wrkB, wrkA, wrkC} {
					fxWorker(s, w, 0, StateNone)
					fxQueued(s, w)
				}
			},
			op:   opPoll(srvA),
			want: okRes,
			edit: func(s *State) {
				s.T[wrkB].Word = StateRunnable
				pair(s, srvA, wrkB)
				s.T[srvA].Out = wrkB
				fxSetWaiters(s, 0, wrkA, wrkC)
			},
		},
		{
			name: "empty queue: sleeps on the waiters list with no Out",
			src:  "seed header umcg_poll_worker: if there are no UNBLOCKED workers, the current thread sleeps in the polling queue",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				s.T[srvA].Word = StatePolling
				s.T[srvA].Out = wrkA // stale from an earlier call
			},
			op:   opPoll(srvA),
			want: sleptRes,
			edit: func(s *State) {
				s.T[srvA].Out = None
				fxAsleep(s, srvA, SleepPoll, false)
				fxSetWaiters(s, 0, srvA)
			},
		},
		{
			name: "pollers queue behind each other",
			src:  "research 1: waiters hold ... polling servers; v0.1 umcg.c poll_worker: list_add_tail",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxPolling(s, srvB)
				s.T[srvA].Word = StatePolling
			},
			op:   opPoll(srvA),
			want: sleptRes,
			edit: func(s *State) {
				s.T[srvA].Out = None
				fxAsleep(s, srvA, SleepPoll, false)
				fxSetWaiters(s, 0, srvB, srvA)
			},
		},
		{
			name: "detaches the peer kept since the last block before taking a worker",
			src:  "SPEC: the peer link stays until the server's next poll or run",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				s.T[srvA].Word = StatePolling
				fxWorker(s, wrkA, 0, StateBlocked)
				fxAsleep(s, wrkA, SleepIO, false)
				pair(s, srvA, wrkA)
				fxWorker(s, wrkB, 0, StateNone)
				fxQueued(s, wrkB)
			},
			op:   opPoll(srvA),
			want: okRes,
			edit: func(s *State) {
				unpair(s, srvA)
				s.T[wrkB].Word = StateRunnable
				pair(s, srvA, wrkB)
				s.T[srvA].Out = wrkB
				fxSetWaiters(s, 0)
			},
		},
		{
			name: "seed: a worker queued with its stale link to the polling server is detached and taken back",
			src:  "v0.1 umcg.c poll_worker: umcg_detach_peer() before picking the first worker, so WARN_ON(worker_utd->peer) does not fire",
			vs:   seedOnly,
			setup: func(s *State) {
				// wrkA blocked under srvA (link kept) and unblocked before
				// srvA polled again: process_unblocked_worker queued it.
				fxServer(s, srvA, 0)
				s.T[srvA].Word = StatePolling
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
				pair(s, srvA, wrkA)
			},
			op:   opPoll(srvA),
			want: okRes,
			edit: func(s *State) {
				s.T[wrkA].Word = StateRunnable
				s.T[srvA].Out = wrkA
				fxSetWaiters(s, 0)
			},
		},
		{
			name: "seed: taking a queued worker still linked to another server kills the polling server",
			src:  "v0.1 umcg.c poll_worker: WARN_ON(server_utd->peer || worker_utd->peer) -> return umcg_segv(-EINVAL), after list_del_init of the worker",
			vs:   seedOnly,
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
				pair(s, srvA, wrkA) // kept since wrkA blocked under srvA
				fxServer(s, srvB, 0)
				s.T[srvB].Word = StatePolling
			},
			op:   opPoll(srvB),
			want: failRes(EINVAL),
			edit: func(s *State) {
				s.T[srvB].Status = Killed
				fxSetWaiters(s, 0)
			},
		},
	})
}

func TestKernelRunWorker(t *testing.T) {
	// srvA runs wrkA, handed to it by poll_worker; the library's two CASes
	// have made wrkA RUNNING and srvA SERVING.
	ready := func(s *State) {
		fxServer(s, srvA, 0)
		fxWorker(s, wrkA, 0, StateNone)
		fxHanded(s, srvA, wrkA)
		s.T[wrkA].Word = StateRunning
		s.T[srvA].Word = StateServing
	}
	running := func(s *State) {
		s.T[wrkA].Wake = WakeNormal
		s.T[srvA].Out = None
		s.T[srvA].Reason = ReasonNone
		fxAsleep(s, srvA, SleepRun, true)
	}
	runKernelCases(t, []kcase{
		{
			name: "worker caller is EINVAL",
			src:  "v0.1 umcg.c run_worker: task_type != UMCG_TT_SERVER -> EINVAL",
			setup: func(s *State) {
				ready(s)
				fxWorker(s, wrkB, 0, StateRunning)
			},
			op:   opRun(wrkB, wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "dead worker is ESRCH",
			src:  "v0.1 umcg.c run_worker: find_get_task_by_vpid fails -> ESRCH",
			setup: func(s *State) {
				ready(s)
				s.T[wrkA].Status = Dead
			},
			op:   opRun(srvA, wrkA),
			want: failRes(ESRCH),
		},
		{
			name: "worker beyond the threads is ESRCH",
			src:  "v0.1 umcg.c run_worker: find_get_task_by_vpid fails -> ESRCH",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
			},
			op:   opRun(srvA, 12),
			want: failRes(ESRCH),
		},
		{
			name: "core task is EINVAL",
			src:  "SPEC: run_worker(w) runs a worker; kernel.go SysRunWorker",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxCore(s, coreA, StateRunning)
				fxAsleep(s, coreA, SleepWait, true)
			},
			op:   opRun(srvA, coreA),
			want: failRes(EINVAL),
		},
		{
			name: "worker of another group not in wait is EAGAIN: in_wait is checked before the group",
			src:  "v0.1 7/9 sys_umcg_run_worker: `if (!READ_ONCE(worker_utd->in_wait))` -EAGAIN comes before `server_utd->group != worker_utd->group`",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkX, 1, StateRunning)
			},
			op:   opRun(srvA, wrkX),
			want: failRes(EAGAIN),
		},
		{
			name: "seed: a server of the same group sleeping in run_worker is run: the target's kind is never checked",
			src:  "v0.1 7/9 sys_umcg_run_worker checks only that the target is registered (worker_utd != NULL)",
			vs:   seedOnly,
			setup: func(s *State) {
				ready(s)
				running(s)
				s.T[wrkA].Wake = WakeNone
				fxServer(s, srvB, 0)
				s.T[srvB].Word = StateServing
			},
			op:   opRun(srvB, srvA),
			want: sleptRes,
			edit: func(s *State) {
				s.T[srvB].Peer, s.T[srvA].Peer = srvA, srvB
				s.T[srvA].Wake = WakeNormal
				s.T[srvB].Out, s.T[srvB].Reason = None, ReasonNone
				fxAsleep(s, srvB, SleepRun, true)
			},
		},
		{
			name: "fixed: a target that is not a worker is EINVAL",
			src:  "fix run-reason: the fixed kernel refuses a target it cannot run",
			vs:   fixedOnly,
			setup: func(s *State) {
				ready(s)
				running(s)
				s.T[wrkA].Wake = WakeNone
				fxServer(s, srvB, 0)
				s.T[srvB].Word = StateServing
			},
			op:   opRun(srvB, srvA),
			want: failRes(EINVAL),
		},
		{
			name: "worker of another group is EINVAL",
			src:  "v0.1 umcg.c run_worker: server_utd->group != worker_utd->group -> EINVAL",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkX, 1, StateRunning)
				fxAsleep(s, wrkX, SleepIdle, true)
			},
			op:   opRun(srvA, wrkX),
			want: failRes(EINVAL),
		},
		{
			name: "seed: worker attached to another server is run anyway, leaving the old server's link one-sided",
			src:  "v0.1 umcg.c run_worker: `WARN_ON(worker_utd->peer);` then links server and worker regardless",
			vs:   seedOnly,
			setup: func(s *State) {
				ready(s)
				fxServer(s, srvB, 0)
				s.T[srvB].Word = StateServing
			},
			op:   opRun(srvB, wrkA),
			want: sleptRes,
			edit: func(s *State) {
				// srvA.Peer still names wrkA, whose Peer is now srvB.
				s.T[srvB].Peer, s.T[wrkA].Peer = wrkA, srvB
				s.T[wrkA].Wake = WakeNormal
				s.T[srvB].Out, s.T[srvB].Reason = None, ReasonNone
				fxAsleep(s, srvB, SleepRun, true)
			},
		},
		{
			name: "fixed: worker attached to another server is EINVAL",
			src:  "kernel.go SysRunWorker (fixed); research 1: peer ... always symmetric; SPEC worker-has-server: no server serves two workers",
			vs:   fixedOnly,
			setup: func(s *State) {
				ready(s)
				fxServer(s, srvB, 0)
				s.T[srvB].Word = StateServing
			},
			op:   opRun(srvB, wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "worker not in wait is EAGAIN",
			src:  "research table: run_worker ... EAGAIN (W !in_wait) is retried",
			setup: func(s *State) {
				ready(s)
				fxAwake(s, wrkA)
			},
			op:   opRun(srvA, wrkA),
			want: failRes(EAGAIN),
		},
		{
			name: "worker already woken is EAGAIN",
			src:  "research: do_context_switch ... If ttwu fails it returns EAGAIN",
			setup: func(s *State) {
				ready(s)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opRun(srvA, wrkA),
			want: failRes(EAGAIN),
		},
		{
			name: "worker already woken, server linked to another: the stale peer is unlinked and the worker linked, then EAGAIN",
			src:  "v0.1 7/9 sys_umcg_run_worker: umcg_detach_peer() and the pairing precede do_context_switch(worker), whose failed try_to_wake_up returns -EAGAIN before freezable_schedule (research 2: the new pairing left in place)",
			setup: func(s *State) {
				ready(s)
				unpair(s, srvA)
				fxWorker(s, wrkB, 0, StateBlocked)
				fxAsleep(s, wrkB, SleepIO, false)
				pair(s, srvA, wrkB)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opRun(srvA, wrkA),
			want: failRes(EAGAIN),
			edit: func(s *State) {
				unpair(s, srvA)
				pair(s, srvA, wrkA)
			},
		},
		{
			name: "seed: worker already woken and attached to another server is linked anyway, then EAGAIN",
			src:  "v0.1 7/9 sys_umcg_run_worker: `WARN_ON(worker_utd->peer)` and the pairing precede do_context_switch(worker), whose failed try_to_wake_up returns -EAGAIN",
			vs:   seedOnly,
			setup: func(s *State) {
				ready(s)
				s.T[wrkA].Wake = WakeSpurious
				fxServer(s, srvB, 0)
				s.T[srvB].Word = StateServing
			},
			op:   opRun(srvB, wrkA),
			want: failRes(EAGAIN),
			edit: func(s *State) {
				// srvA.Peer still names wrkA, whose Peer is now srvB.
				s.T[srvB].Peer, s.T[wrkA].Peer = wrkA, srvB
			},
		},
		{
			name: "fixed: worker already woken and attached to another server is EINVAL: run-reason refuses before the ttwu",
			src:  "kernel.go SysRunWorker (fixed): the refusal of a worker linked to another server precedes do_context_switch",
			vs:   fixedOnly,
			setup: func(s *State) {
				ready(s)
				s.T[wrkA].Wake = WakeSpurious
				fxServer(s, srvB, 0)
				s.T[srvB].Word = StateServing
			},
			op:   opRun(srvB, wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "worker of another group already woken is EINVAL: the group check comes before the ttwu",
			src:  "v0.1 7/9 sys_umcg_run_worker: `server_utd->group != worker_utd->group` -EINVAL precedes do_context_switch(worker)",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkX, 1, StateRunning)
				fxAsleep(s, wrkX, SleepIdle, true)
				s.T[wrkX].Wake = WakeSpurious
			},
			op:   opRun(srvA, wrkX),
			want: failRes(EINVAL),
		},
		{
			name:  "runs the worker and sleeps in run_worker",
			src:   "SPEC: syscall runs w and sleeps until w blocks, yields or unregisters",
			setup: ready,
			op:    opRun(srvA, wrkA),
			want:  sleptRes,
			edit:  running,
		},
		{
			name: "seed: runs a worker whose word is still RUNNABLE",
			src:  "v0.1 umcg.c run_worker: no state check",
			vs:   seedOnly,
			setup: func(s *State) {
				ready(s)
				s.T[wrkA].Word = StateRunnable
			},
			op:   opRun(srvA, wrkA),
			want: sleptRes,
			edit: running,
		},
		{
			name: "fixed: a worker whose word is not RUNNING is EINVAL",
			src:  "kernel.go SysRunWorker (fixed): the library's CAS RUNNABLE->RUNNING did not happen",
			vs:   fixedOnly,
			setup: func(s *State) {
				ready(s)
				s.T[wrkA].Word = StateRunnable
			},
			op:   opRun(srvA, wrkA),
			want: failRes(EINVAL),
		},
		{
			name: "pairs with an unattached worker",
			src:  "v0.1 umcg.c run_worker: if (!server_utd->peer) pair",
			setup: func(s *State) {
				ready(s)
				unpair(s, srvA)
			},
			op:   opRun(srvA, wrkA),
			want: sleptRes,
			edit: func(s *State) {
				pair(s, srvA, wrkA)
				running(s)
			},
		},
		{
			name: "detaches a stale peer and pairs with the new worker",
			src:  "v0.1 umcg.c run_worker: if (server_utd->peer != worker) umcg_detach_peer()",
			setup: func(s *State) {
				ready(s)
				unpair(s, srvA)
				fxWorker(s, wrkB, 0, StateBlocked)
				fxAsleep(s, wrkB, SleepIO, false)
				pair(s, srvA, wrkB)
				s.T[srvA].Reason = ReasonBlocked
				s.T[srvA].Out = wrkB
			},
			op:   opRun(srvA, wrkA),
			want: sleptRes,
			edit: func(s *State) {
				unpair(s, srvA)
				pair(s, srvA, wrkA)
				running(s)
			},
		},
	})
}

func TestKernelEvents(t *testing.T) {
	servedA := func(s *State) {
		fxServer(s, srvA, 0)
		fxWorker(s, wrkA, 0, StateRunning)
		fxServing(s, srvA, wrkA)
	}
	blockedA := func(s *State) {
		fxServer(s, srvA, 0)
		fxWorker(s, wrkA, 0, StateBlocked)
		fxAsleep(s, wrkA, SleepIO, false)
	}
	runKernelCases(t, []kcase{
		{
			name:  "seed: block of a served RUNNING worker: BLOCKED, server woken with Out, peer kept",
			src:   "research table: W blocks | W:RUNNING | W:BLOCKED; server woken, peer kept | run_worker returns ut=W",
			vs:    seedOnly,
			setup: servedA,
			op:    opBlock(wrkA),
			want:  eventRes,
			edit: func(s *State) {
				s.T[wrkA].Word = StateBlocked
				fxAsleep(s, wrkA, SleepIO, false)
				s.T[srvA].Reason = ReasonBlocked
				s.T[srvA].Out = wrkA
				s.T[srvA].Wake = WakeNormal
			},
		},
		{
			name:  "fixed: block of a served RUNNING worker: BLOCKED, server woken with Out, unlinked",
			src:   "kernel.go Block (fixed): unlinks at block (finding unblock-while-peer)",
			vs:    fixedOnly,
			setup: servedA,
			op:    opBlock(wrkA),
			want:  eventRes,
			edit: func(s *State) {
				s.T[wrkA].Word = StateBlocked
				fxAsleep(s, wrkA, SleepIO, false)
				unpair(s, wrkA)
				s.T[srvA].Reason = ReasonBlocked
				s.T[srvA].Out = wrkA
				s.T[srvA].Wake = WakeNormal
			},
		},
		{
			name: "block of a worker whose word is RUNNING|WAKEUP_QUEUED only sleeps: the kernel compares the whole word",
			src:  "v0.1 umcg.c umcg_on_block: get_user(state); if (state != UMCG_TASK_RUNNING) return; (the u32 word, libumcg's flag included); kernel.go Block: Word == StateRunning",
			setup: func(s *State) {
				servedA(s)
				s.T[wrkA].Word = StateRunning | FlagWakeupQueued
			},
			op:   opBlock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				fxAsleep(s, wrkA, SleepIO, false)
			},
		},
		{
			name: "block of a worker that is not RUNNING only sleeps",
			src:  "research table: W blocks | W:not RUNNING | unchanged | no server wake",
			setup: func(s *State) {
				servedA(s)
				s.T[wrkA].Word = StateRunnable
			},
			op:   opBlock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				fxAsleep(s, wrkA, SleepIO, false)
			},
		},
		{
			name: "block of an unregistered thread only sleeps",
			src:  "kernel.go Block: not a UMCG worker",
			op:   opBlock(nobody),
			want: eventRes,
			edit: func(s *State) {
				fxAsleep(s, nobody, SleepIO, false)
			},
		},
		{
			name: "block of a RUNNING worker with no server still makes it BLOCKED",
			src:  "research table: W blocks | W:RUNNING | W:BLOCKED; v0.1 umcg.c umcg_on_block writes BLOCKED before looking at the peer; kernel.go Block",
			setup: func(s *State) {
				fxWorker(s, wrkA, 0, StateRunning) // e.g. its server unregistered while it ran
			},
			op:   opBlock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				s.T[wrkA].Word = StateBlocked
				fxAsleep(s, wrkA, SleepIO, false)
			},
		},
		{
			name: "unblock of a thread that is not a UMCG worker just returns",
			src:  "v0.1 umcg.c umcg_on_wake: returns at once unless task_type == UMCG_TT_WORKER; kernel.go Unblock",
			setup: func(s *State) {
				fxAsleep(s, nobody, SleepIO, false)
			},
			op:   opUnblock(nobody),
			want: eventRes,
			edit: func(s *State) {
				s.T[nobody].Sleep = Awake
			},
		},
		// The link outlives the block in v0.1; the fixed Block drops it, so
		// in the fixed variant the next two rows' state arises only with
		// bug block-keeps-peer (the no-kill mutation), and the fixed
		// wakeup path, which does not unlink on its own, then acts as v0.1.
		{
			name: "unblock with the stale peer link and no poller: UNBLOCKED, queued at the tail with the link kept",
			src:  "v0.1 umcg.c process_unblocked_worker: with no waiting poller the worker is list_add_tail'ed without looking at utd->peer; kernel.go onWakeFixed",
			setup: func(s *State) {
				blockedA(s)
				pair(s, srvA, wrkA)
			},
			op:   opUnblock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				fxQueued(s, wrkA)
			},
		},
		{
			name: "unblock with the stale peer link while another server polls kills the worker",
			src:  "v0.1 umcg.c process_unblocked_worker: takes the first poller off the list, then WARN_ON(server_utd->peer || utd->peer) -> umcg_segv(0); kernel.go onWakeFixed",
			setup: func(s *State) {
				blockedA(s)
				pair(s, srvA, wrkA)
				fxServer(s, srvB, 0)
				fxPolling(s, srvB)
			},
			op:   opUnblock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				s.T[wrkA].Word = StateUnblocked
				s.T[wrkA].Status = Killed
				fxSetWaiters(s, 0) // the poller was taken off the list, not woken
			},
		},
		{
			name: "seed: unblock of a worker whose word is RUNNING|WAKEUP_QUEUED kills it",
			src:  "v0.1 umcg.c umcg_on_wake: a state that is not RUNNING, BLOCKED or UNBLOCKED -> goto segv",
			vs:   seedOnly,
			setup: func(s *State) {
				servedA(s)
				s.T[wrkA].Word = StateRunning | FlagWakeupQueued
				fxAsleep(s, wrkA, SleepIO, false) // its block left the word alone
			},
			op:   opUnblock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				s.T[wrkA].Status = Killed
			},
		},
		{
			name: "fixed: unblock of a served worker whose word is RUNNING|WAKEUP_QUEUED returns to user space",
			src:  "kernel.go onWakeFixed: RUNNING (base state) and linked to a server asleep in run_worker",
			vs:   fixedOnly,
			setup: func(s *State) {
				servedA(s)
				s.T[wrkA].Word = StateRunning | FlagWakeupQueued
				fxAsleep(s, wrkA, SleepIO, false)
			},
			op:   opUnblock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				fxAwake(s, wrkA)
			},
		},
		{
			name: "unblock with no poller: UNBLOCKED, queued at the tail, sleeps idle",
			src:  "SPEC: Kernel event unblock: BLOCKED->UNBLOCKED, queued or handed to a polling server",
			setup: func(s *State) {
				blockedA(s)
				fxWorker(s, wrkB, 0, StateNone)
				fxQueued(s, wrkB)
			},
			op:   opUnblock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				fxQueued(s, wrkA)
			},
		},
		{
			name: "unblock with pollers: handed RUNNABLE to the longest-waiting one",
			src:  "SPEC: Kernel event unblock: BLOCKED->UNBLOCKED, queued or handed to a polling server",
			setup: func(s *State) {
				blockedA(s)
				fxServer(s, srvB, 0)
				fxPolling(s, srvB)
				fxPolling(s, srvA)
			},
			op:   opUnblock(wrkA),
			want: eventRes,
			edit: func(s *State) {
				s.T[wrkA].Word = StateRunnable
				fxAsleep(s, wrkA, SleepIdle, true)
				pair(s, srvB, wrkA)
				s.T[srvB].Out = wrkA
				s.T[srvB].Wake = WakeNormal
				fxSetWaiters(s, 0, srvA)
			},
		},
		{
			name:  "preempt: RUNNABLE, sleeps idle, server woken with ReasonPreempted, peer kept",
			src:   "kernel.go Preempt: it becomes RUNNABLE and its server's run_worker returns it",
			setup: servedA,
			op:    opPreempt(wrkA),
			want:  eventRes,
			edit: func(s *State) {
				s.T[wrkA].Word = StateRunnable
				fxAsleep(s, wrkA, SleepIdle, true)
				s.T[srvA].Reason = ReasonPreempted
				s.T[srvA].Out = wrkA
				s.T[srvA].Wake = WakeNormal
			},
		},
		{
			name: "seed: death leaves the kernel's view of a queued worker",
			src:  "kernel.go Die: the v0.1 kernel forgets nothing about it; research 4: utd is not freed on exit",
			vs:   seedOnly,
			setup: func(s *State) {
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
			},
			op:   opDie(wrkA),
			want: eventRes,
			edit: func(s *State) {
				s.T[wrkA].Status = Dead
				fxAwake(s, wrkA)
			},
		},
		{
			name: "fixed: death unregisters a queued worker",
			src:  "kernel.go Die: the fixed kernel unregisters it on exit",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
				fxWorker(s, wrkB, 0, StateNone)
				fxQueued(s, wrkB)
			},
			op:   opDie(wrkA),
			want: eventRes,
			edit: func(s *State) {
				fxUnregistered(s, wrkA)
				s.Grp[0].NrTasks--
				fxSetWaiters(s, 0, wrkB)
				s.T[wrkA].Status = Dead
				fxAwake(s, wrkA)
			},
		},
		{
			name:  "seed: death of a served worker leaves its server asleep",
			src:   "kernel.go Die (seed): no unregister, so nothing wakes the server",
			vs:    seedOnly,
			setup: servedA,
			op:    opDie(wrkA),
			want:  eventRes,
			edit: func(s *State) {
				s.T[wrkA].Status = Dead
			},
		},
		{
			name:  "fixed: death of a served worker wakes its server as an unregister does",
			src:   "kernel.go Die (fixed) + SPEC: run_worker returns UMCG_NONE when the worker unregisters",
			vs:    fixedOnly,
			setup: servedA,
			op:    opDie(wrkA),
			want:  eventRes,
			edit: func(s *State) {
				unpair(s, wrkA)
				fxUnregistered(s, wrkA)
				s.Grp[0].NrTasks--
				s.T[wrkA].Status = Dead
				s.T[srvA].Reason = ReasonUnregistered
				s.T[srvA].Out = None
				s.T[srvA].Wake = WakeNormal
			},
		},
	})
}

func TestKernelResume(t *testing.T) {
	// wrkA woken in its idle sleep; srvA has run it.
	runWoken := func(s *State) {
		fxServer(s, srvA, 0)
		fxWorker(s, wrkA, 0, StateNone)
		fxHanded(s, srvA, wrkA)
		s.T[wrkA].Word = StateRunning
		s.T[wrkA].Wake = WakeNormal
		s.T[srvA].Word = StateServing
		fxAsleep(s, srvA, SleepRun, true)
	}
	// wrkA handed to srvA by poll_worker (RUNNABLE), then woken for no reason.
	runnableSpurious := func(s *State) {
		fxServer(s, srvA, 0)
		fxWorker(s, wrkA, 0, StateNone)
		fxHanded(s, srvA, wrkA)
		s.T[wrkA].Wake = WakeSpurious
	}
	// srvA in run_worker, woken by why; its peer is wrkB after wrkA swapped to it.
	runAfterSwap := func(why Wake) func(s *State) {
		return func(s *State) {
			fxServer(s, srvA, 0)
			fxWorker(s, wrkA, 0, StateRunnable)
			fxAsleep(s, wrkA, SleepSwap, true)
			fxWorker(s, wrkB, 0, StateRunning)
			fxServing(s, srvA, wrkB)
			s.T[srvA].Out = None // as run_worker left it
			s.T[srvA].Wake = why
		}
	}
	coreWoken := func(where Sleep, why Wake) func(s *State) {
		return func(s *State) {
			fxCore(s, coreA, StateRunnable)
			fxAsleep(s, coreA, where, true)
			s.T[coreA].Wake = why
		}
	}
	// srvA polls ahead of srvB, and is woken by why.
	pollWoken := func(why Wake, out int8) func(s *State) {
		return func(s *State) {
			fxServer(s, srvA, 0)
			fxServer(s, srvB, 0)
			fxPolling(s, srvA)
			fxPolling(s, srvB)
			s.T[srvA].Wake = why
			s.T[srvA].Out = out
		}
	}
	runKernelCases(t, []kcase{
		{
			name:  "worker woken RUNNING with its server in run_worker returns to user space",
			src:   "research table: W wakes | W:RUNNING with peer | unchanged | returns to user; v0.1 umcg.c umcg_on_wake",
			setup: runWoken,
			op:    opResume(wrkA),
			want:  okRes,
			edit: func(s *State) {
				fxAwake(s, wrkA)
			},
		},
		{
			// The killed worker never returns to user space: Resume says
			// again, and Step labels the step SIGSEGV.
			name:  "seed: spurious wakeup of a RUNNABLE worker kills it",
			src:   "v0.1 umcg.c umcg_on_wake: a state that is not RUNNING, BLOCKED or UNBLOCKED -> goto segv; SPEC: ... a spurious wakeup of a RUNNABLE worker ... get the worker killed",
			vs:    seedOnly,
			setup: runnableSpurious,
			op:    opResume(wrkA),
			want:  kres{Again: true},
			edit: func(s *State) {
				s.T[wrkA].Wake = WakeNone
				s.T[wrkA].Status = Killed
			},
		},
		{
			name:  "fixed: spurious wakeup of a RUNNABLE worker sleeps again",
			src:   "kernel.go onWakeFixed: a worker handed to a server and not yet run (RUNNABLE) sleeps again",
			vs:    fixedOnly,
			setup: runnableSpurious,
			op:    opResume(wrkA),
			want:  kres{Again: true},
			edit: func(s *State) {
				s.T[wrkA].Wake = WakeNone
			},
		},
		{
			name: "seed: worker made RUNNING before its server's run syscall runs early",
			src:  "v0.1 umcg.c umcg_on_wake: `if (state == UMCG_TASK_RUNNING && rcu_access_pointer(utd->peer)) return;` (finding early-run)",
			vs:   seedOnly,
			setup: func(s *State) {
				runWoken(s)
				fxAwake(s, srvA)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opResume(wrkA),
			want: okRes,
			edit: func(s *State) {
				fxAwake(s, wrkA)
			},
		},
		{
			name: "fixed: worker made RUNNING before its server's run syscall sleeps again",
			src:  "kernel.go onWakeFixed: RUNNING and linked returns only while the server sleeps in run_worker (finding early-run)",
			vs:   fixedOnly,
			setup: func(s *State) {
				runWoken(s)
				fxAwake(s, srvA)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opResume(wrkA),
			want: kres{Again: true},
			edit: func(s *State) {
				s.T[wrkA].Wake = WakeNone
			},
		},
		{
			name: "seed: a queued worker woken spuriously is queued again at the tail, losing its place",
			src:  "v0.1 umcg.c process_unblocked_worker: after do_wait() the worker list_del_init's itself; umcg_on_wake's loop then finds it UNBLOCKED and list_add_tail's it (finding spurious-requeue)",
			vs:   seedOnly,
			setup: func(s *State) {
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
				fxWorker(s, wrkB, 0, StateNone)
				fxQueued(s, wrkB)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opResume(wrkA),
			want: kres{Again: true},
			edit: func(s *State) {
				s.T[wrkA].Wake = WakeNone
				fxSetWaiters(s, 0, wrkB, wrkA)
			},
		},
		{
			name: "fixed: a queued worker woken spuriously sleeps again in its place",
			src:  "kernel.go onWakeFixed: a queued worker keeps its place in the queue (finding spurious-requeue)",
			vs:   fixedOnly,
			setup: func(s *State) {
				fxWorker(s, wrkA, 0, StateNone)
				fxQueued(s, wrkA)
				fxWorker(s, wrkB, 0, StateNone)
				fxQueued(s, wrkB)
				s.T[wrkA].Wake = WakeSpurious
			},
			op:   opResume(wrkA),
			want: kres{Again: true},
			edit: func(s *State) {
				s.T[wrkA].Wake = WakeNone
			},
		},
		{
			name: "worker woken RUNNING without a server is queued UNBLOCKED",
			src:  "research table: W wakes (sched_update_worker) | W:BLOCKED or RUNNING-without-peer | UNBLOCKED -> queued or handed off; v0.1 umcg.c umcg_on_wake; kernel.go onWakeFixed",
			setup: func(s *State) {
				// srvA woke its own worker with umcg_wake, which detached the pair.
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunning)
				fxAsleep(s, wrkA, SleepIdle, true)
				s.T[wrkA].Wake = WakeNormal
			},
			op:   opResume(wrkA),
			want: kres{Again: true},
			edit: func(s *State) {
				s.T[wrkA].Wake = WakeNone
				fxQueued(s, wrkA)
			},
		},
		{
			name: "worker woken RUNNING without a server while a server polls is handed to it RUNNABLE",
			src:  "v0.1 umcg.c umcg_on_wake: RUNNING without a peer -> UNBLOCKED -> process_unblocked_worker hands it to the first poller",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxServer(s, srvB, 0)
				fxPolling(s, srvB)
				fxWorker(s, wrkA, 0, StateRunning)
				fxAsleep(s, wrkA, SleepIdle, true)
				s.T[wrkA].Wake = WakeNormal
			},
			op:   opResume(wrkA),
			want: kres{Again: true},
			edit: func(s *State) {
				s.T[wrkA].Wake = WakeNone
				s.T[wrkA].Word = StateRunnable
				pair(s, srvB, wrkA)
				s.T[srvB].Out = wrkA
				s.T[srvB].Wake = WakeNormal
				fxSetWaiters(s, 0)
			},
		},
		{
			name:  "core task woken in wait returns 0",
			src:   "research: sys_umcg_wait returns 0 on any wakeup",
			setup: coreWoken(SleepWait, WakeNormal),
			op:    opResume(coreA),
			want:  okRes,
			edit: func(s *State) {
				fxAwake(s, coreA)
			},
		},
		{
			name:  "core task woken spuriously in wait returns 0 too",
			src:   "research: Any wakeup, including a spurious one, returns 0",
			setup: coreWoken(SleepWait, WakeSpurious),
			op:    opResume(coreA),
			want:  okRes,
			edit: func(s *State) {
				fxAwake(s, coreA)
			},
		},
		{
			name:  "core task signalled in wait is EINTR",
			src:   "research: sys_umcg_wait ... Returns -EINTR if a signal is pending",
			setup: coreWoken(SleepWait, WakeSignal),
			op:    opResume(coreA),
			want:  failRes(EINTR),
			edit: func(s *State) {
				fxAwake(s, coreA)
			},
		},
		{
			name:  "core task signalled in swap is EINTR",
			src:   "v0.1 umcg.c do_context_switch: signal_pending -> EINTR",
			setup: coreWoken(SleepSwap, WakeSignal),
			op:    opResume(coreA),
			want:  failRes(EINTR),
			edit: func(s *State) {
				fxAwake(s, coreA)
			},
		},
		{
			name: "poller handed a worker returns 0 and keeps Out",
			src:  "research table: poll_worker ... returns W; v0.1 umcg.c poll_worker: result = the peer's umcg_task",
			setup: func(s *State) {
				fxServer(s, srvA, 0)
				fxWorker(s, wrkA, 0, StateRunnable)
				fxAsleep(s, wrkA, SleepIdle, true)
				s.T[srvA].Word = StatePolling
				fxAsleep(s, srvA, SleepPoll, false)
				pair(s, srvA, wrkA)
				s.T[srvA].Out = wrkA
				s.T[srvA].Wake = WakeNormal
			},
			op:   opResume(srvA),
			want: okRes,
			edit: func(s *State) {
				fxAwake(s, srvA)
			},
		},
		{
			name:  "poller signalled is EINTR and leaves the waiters list",
			src:   "research table: poll_worker ... EINTR; v0.1 umcg.c poll_worker: list_del_init after the sleep",
			setup: pollWoken(WakeSignal, None),
			op:    opResume(srvA),
			want:  failRes(EINTR),
			edit: func(s *State) {
				fxAwake(s, srvA)
				fxSetWaiters(s, 0, srvB)
			},
		},
		{
			name:  "seed: poller woken spuriously leaves the waiters list and returns 0 with its peer, none",
			src:   "v0.1 umcg.c poll_worker: one freezable_schedule(), list_del_init, then result = its peer's umcg_task or NULL (finding poll-spurious-none)",
			vs:    seedOnly,
			setup: pollWoken(WakeSpurious, None),
			op:    opResume(srvA),
			want:  okRes,
			edit: func(s *State) {
				fxAwake(s, srvA)
				fxSetWaiters(s, 0, srvB)
			},
		},
		{
			name:  "fixed: poller woken spuriously sleeps again, keeping its place on the waiters list",
			src:   "kernel.go Resume (fixed): spurious: keep the place in the list and sleep on (finding poll-spurious-none)",
			vs:    fixedOnly,
			setup: pollWoken(WakeSpurious, None),
			op:    opResume(srvA),
			want:  kres{Again: true},
			edit: func(s *State) {
				s.T[srvA].Wake = WakeNone
			},
		},
		{
			name: "seed: run_worker returns the current peer, which after a swap is not the worker it ran",
			src:  "research: run_worker ut = *current* peer after a swap chain",
			vs:   seedOnly,
			setup: func(s *State) {
				runAfterSwap(WakeNormal)(s)
				s.T[wrkB].Word = StateBlocked
				fxAsleep(s, wrkB, SleepIO, false)
			},
			op:   opResume(srvA),
			want: okRes,
			edit: func(s *State) {
				fxAwake(s, srvA)
				s.T[srvA].Out = wrkB
			},
		},
		{
			name:  "seed: run_worker interrupted by a signal is EINTR with Out = the running peer",
			src:   "v0.1 umcg.c do_context_switch: signal_pending -> EINTR; research: run_worker returns the current peer",
			vs:    seedOnly,
			setup: runAfterSwap(WakeSignal),
			op:    opResume(srvA),
			want:  failRes(EINTR),
			edit: func(s *State) {
				fxAwake(s, srvA)
				s.T[srvA].Out = wrkB
			},
		},
		{
			name:  "seed: run_worker woken spuriously returns 0 with the still-running peer",
			src:   "research 1 (PZ): v0.1 wait has no loop, so spurious wakeups return 0",
			vs:    seedOnly,
			setup: runAfterSwap(WakeSpurious),
			op:    opResume(srvA),
			want:  okRes,
			edit: func(s *State) {
				fxAwake(s, srvA)
				s.T[srvA].Out = wrkB
			},
		},
		{
			name:  "fixed: run_worker ignores a signal",
			src:   "kernel.go Resume (fixed): run_worker sleeps until its worker blocks, yields or unregisters",
			vs:    fixedOnly,
			setup: runAfterSwap(WakeSignal),
			op:    opResume(srvA),
			want:  kres{Again: true},
			edit: func(s *State) {
				s.T[srvA].Wake = WakeNone
			},
		},
		{
			name:  "fixed: run_worker ignores a spurious wakeup",
			src:   "kernel.go Resume (fixed): run_worker sleeps until its worker blocks, yields or unregisters",
			vs:    fixedOnly,
			setup: runAfterSwap(WakeSpurious),
			op:    opResume(srvA),
			want:  kres{Again: true},
			edit: func(s *State) {
				s.T[srvA].Wake = WakeNone
			},
		},
		{
			name: "fixed: run_worker already woken by a signal still returns once its worker blocked",
			src:  "kernel.go Resume (fixed): only a block, yield, preemption or unregistration (Reason) ends run_worker, however it was woken",
			vs:   fixedOnly,
			setup: func(s *State) {
				runAfterSwap(WakeSignal)(s)
				// wrkB blocked after the signal: Block set Reason and Out,
				// and its wake() was a no-op.
				unpair(s, srvA)
				s.T[wrkB].Word = StateBlocked
				fxAsleep(s, wrkB, SleepIO, false)
				s.T[srvA].Reason = ReasonBlocked
				s.T[srvA].Out = wrkB
			},
			op:   opResume(srvA),
			want: okRes,
			edit: func(s *State) {
				fxAwake(s, srvA)
			},
		},
		{
			name: "fixed: run_worker already woken spuriously still returns once its worker blocked",
			src:  "kernel.go Resume (fixed): only a block, yield, preemption or unregistration (Reason) ends run_worker, however it was woken",
			vs:   fixedOnly,
			setup: func(s *State) {
				runAfterSwap(WakeSpurious)(s)
				unpair(s, srvA)
				s.T[wrkB].Word = StateBlocked
				fxAsleep(s, wrkB, SleepIO, false)
				s.T[srvA].Reason = ReasonBlocked
				s.T[srvA].Out = wrkB
			},
			op:   opResume(srvA),
			want: okRes,
			edit: func(s *State) {
				fxAwake(s, srvA)
			},
		},
		{
			name: "fixed: run_worker woken by its worker returns 0 with the Out the waker set",
			src:  "kernel.go Resume (fixed) + SysWait: Out = the worker that yielded",
			vs:   fixedOnly,
			setup: func(s *State) {
				runAfterSwap(WakeNormal)(s)
				s.T[srvA].Out = wrkB
				s.T[srvA].Reason = ReasonYielded
				s.T[wrkB].Word = StateRunnable
				fxAsleep(s, wrkB, SleepWait, true)
			},
			op:   opResume(srvA),
			want: okRes,
			edit: func(s *State) {
				fxAwake(s, srvA)
			},
		},
	})
}

// ---- State encoding ----

// encodingOf returns s's canonical encoding.
func encodingOf(s *State) []byte { return s.AppendEncoding(nil) }

// midState is a state with most fields in use: one server and two workers
// (fixed variant) after the server polled one worker and ran it.
func midState(t *testing.T) State {
	t.Helper()
	d := newDriver(t, Config{Variant: Fixed, Groups: 1, Servers: 1, Workers: 2, Blocks: 1, MaxFaults: 1})
	d.step(0, 0, 0, 1, 1, 1, 2, 2, 2) // s0 registers; w1 and w2 register and queue
	d.step(0, 0, 0)                   // s0 polls w1
	d.step(0, 0, 0, 0)                // s0 runs w1
	return d.s
}

func TestEncodingEqualStatesEncodeEqual(t *testing.T) {
	for _, c := range []Config{DefaultConfig(), {Variant: Fixed, CorePairs: 2, Swaps: 2, Probes: []string{"wake-twice"}}} {
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		a, b := m.Init(), m.Init()
		for i := 0; i < 40; i++ {
			if ea, eb := encodingOf(&a), encodingOf(&b); string(ea) != string(eb) {
				t.Fatalf("%v: equal states after %d steps encode differently:\n%x\n%x", c, i, ea, eb)
			}
			if a.Fingerprint() != b.Fingerprint() {
				t.Fatalf("%v: equal states after %d steps have different fingerprints", c, i)
			}
			en := m.Enabled(&a, nil)
			if len(en) == 0 {
				break
			}
			act := en[i%len(en)]
			m.Step(&a, act)
			m.Step(&b, act)
		}
	}
}

func TestEncodingEveryFieldInRangeCounts(t *testing.T) {
	base := midState(t)
	baseEnc := encodingOf(&base)
	// mutations returns changed copies of a scalar field value.
	mutations := func(v reflect.Value) []func() {
		switch v.Kind() {
		case reflect.Bool:
			return []func(){func() { v.SetBool(!v.Bool()) }}
		case reflect.Int8, reflect.Int16:
			fs := []func(){func() { v.SetInt(v.Int() + 1) }}
			if v.Kind() == reflect.Int16 {
				fs = append(fs, func() { v.SetInt(v.Int() ^ 0x100) })
			}
			return fs
		case reflect.Uint8, reflect.Uint16:
			fs := []func(){func() { v.SetUint(v.Uint() + 1) }}
			if v.Kind() == reflect.Uint16 {
				fs = append(fs, func() { v.SetUint(v.Uint() ^ 0x100) })
			}
			return fs
		}
		t.Fatalf("no mutation for kind %v", v.Kind())
		return nil
	}
	check := func(name string, mutate func(s *State) reflect.Value) {
		t.Helper()
		probe := base
		for k := range mutations(mutate(&probe)) {
			s := base
			mutations(mutate(&s))[k]()
			if string(encodingOf(&s)) == string(baseEnc) {
				t.Errorf("changing %s (mutation %d) does not change the encoding", name, k)
			}
		}
	}
	for i := 0; i < int(base.N); i++ {
		typ := reflect.TypeOf(Thread{})
		for f := 0; f < typ.NumField(); f++ {
			check(fmt.Sprintf("T[%d].%s", i, typ.Field(f).Name), func(s *State) reflect.Value {
				return reflect.ValueOf(&s.T[i]).Elem().Field(f)
			})
		}
	}
	for _, f := range []string{"N", "G", "FaultsUsed"} {
		check(f, func(s *State) reflect.Value { return reflect.ValueOf(s).Elem().FieldByName(f) })
	}
	for _, f := range []string{"Lib", "Exists", "NrTasks", "NGhost"} {
		check("Grp[0]."+f, func(s *State) reflect.Value { return reflect.ValueOf(&s.Grp[0]).Elem().FieldByName(f) })
	}
	if base.Grp[0].NWait == 0 || base.Grp[0].NGhost == 0 {
		t.Fatalf("midState should have a queued worker: NWait=%d NGhost=%d", base.Grp[0].NWait, base.Grp[0].NGhost)
	}
	check("Grp[0].NWait", func(s *State) reflect.Value { return reflect.ValueOf(&s.Grp[0].NWait).Elem() })
	check("Grp[0].Waiters[0]", func(s *State) reflect.Value { return reflect.ValueOf(&s.Grp[0].Waiters[0]).Elem() })
	check("Grp[0].Ghost[0]", func(s *State) reflect.Value { return reflect.ValueOf(&s.Grp[0].Ghost[0]).Elem() })
}

func TestEncodingIgnoresOutOfRangeFields(t *testing.T) {
	base := midState(t)
	baseEnc := encodingOf(&base)
	s := base
	for i := int(s.N); i < MaxThreads; i++ {
		s.T[i] = Thread{PC: 7, Status: Killed, Word: StateRunning, Kind: KindWorker, Peer: 3, InWait: true, Ret: 300}
	}
	for g := int(s.G); g < MaxGroups; g++ {
		s.Grp[g] = Group{Lib: 1, Exists: true, NrTasks: 3, NWait: 1, NGhost: 1}
	}
	gr := &s.Grp[0]
	for i := int(gr.NWait); i < MaxThreads; i++ {
		gr.Waiters[i] = 5
	}
	for i := int(gr.NGhost); i < MaxThreads; i++ {
		gr.Ghost[i] = 5
	}
	if got := encodingOf(&s); string(got) != string(baseEnc) {
		t.Errorf("fields of threads >= N, groups >= G or list slots beyond the counts changed the encoding:\nbase %x\ngot  %x", baseEnc, got)
	}
	if s.Fingerprint() != base.Fingerprint() {
		t.Errorf("out-of-range fields changed the fingerprint")
	}
}

func TestEncodingAppends(t *testing.T) {
	s := midState(t)
	prefix := []byte("prefix")
	got := s.AppendEncoding(append([]byte(nil), prefix...))
	if string(got[:len(prefix)]) != string(prefix) || string(got[len(prefix):]) != string(encodingOf(&s)) {
		t.Errorf("AppendEncoding must keep the prefix and append the encoding")
	}
}

// goldenConfig is the configuration of the golden initial state: one group
// with one server and two workers (DefaultConfig until it got a second
// server). It is spelled out so that a change of DefaultConfig does not
// look like a change of the encoding.
var goldenConfig = Config{Variant: Seed, Groups: 1, Servers: 1, Workers: 2, Blocks: 1, MaxFaults: 1}

func TestFingerprintGolden(t *testing.T) {
	m, err := New(goldenConfig)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init()
	enc := encodingOf(&s)
	const wantEnc = goldenInitEncoding
	if got := hex.EncodeToString(enc); got != wantEnc {
		t.Errorf("encoding of %v's initial state changed:\nwant %s\ngot  %s", goldenConfig, wantEnc, got)
	}
	if got := s.Fingerprint(); got != goldenInitFingerprint {
		t.Errorf("Fingerprint of %v's initial state: want %#x, got %#x", goldenConfig, uint64(goldenInitFingerprint), got)
	}
	if s.Fingerprint() != sim.Hash(enc) {
		t.Errorf("Fingerprint must be Hash of the encoding")
	}
	for _, c := range []struct {
		in   string
		want uint64
	}{{"", goldenHashEmpty}, {"umcg", goldenHashUMCG}, {"0123456789abcdef!", goldenHash17}} {
		if got := sim.Hash([]byte(c.in)); got != c.want {
			t.Errorf("sim.Hash(%q): want %#x, got %#x", c.in, c.want, got)
		}
	}
}

func TestEncodingLongestStateWithinEncodedSize(t *testing.T) {
	var s State
	s.N, s.G, s.SleepsUsed = MaxThreads, MaxGroups, 1 // a count of sleeps adds a byte
	for g := range s.Grp {
		s.Grp[g].NWait, s.Grp[g].NGhost = MaxThreads, MaxThreads
	}
	got := len(encodingOf(&s))
	// Every encoding has this state's length or less: thread records have a
	// fixed size and the lists are at most MaxThreads long. EncodedSize is
	// exactly that length (5+2*MaxThreads bytes per group), not a loose
	// bound.
	if got != EncodedSize {
		t.Errorf("a state with every thread, group and list slot in use encodes to %d bytes; EncodedSize = %d should be exactly that", got, EncodedSize)
	}
}

// Golden values: the encoding and fingerprint of goldenConfig's initial
// state, and Hash of fixed inputs. They change only when the encoding or
// the hash changes, which invalidates stored fingerprints and shard results.
const (
	goldenInitEncoding           = "030100000000000000ffff000000000000000000000000ffff0000ff000000ff000000000000ffff000000000000000000000000ffff0000ff000000ff000000000000ffff000000000000000000000000ffff0000ff000000ff0101000000"
	goldenInitFingerprint uint64 = 0x6dbad7053ed0ea1d
	goldenHashEmpty       uint64 = 0x0
	goldenHashUMCG        uint64 = 0x362060db530a9d88
	goldenHash17          uint64 = 0xcffb97348011c7b4
)

// TestNapHooks: a worker's sleep outside UMCG runs the block hook only on a
// word that says exactly RUNNING; when the sleep ends, a BLOCKED worker is
// processed as after a blocking syscall, and one whose block hook did
// nothing (RUNNABLE, between wait's CAS and its syscall) is killed by v0.1
// and returned to user space untouched by the fixed kernel (hooks-paired).
func TestNapHooks(t *testing.T) {
	const srv, w, g = int8(0), int8(2), int8(0)
	for _, v := range []Variant{Seed, Fixed} {
		m := kernelModel(t, v)
		// Running: the block hook acts, the server's run_worker returns.
		s := m.Init()
		fxServer(&s, srv, g)
		fxWorker(&s, w, g, StateRunning)
		fxServing(&s, srv, w)
		m.Nap(&s, w)
		if th := &s.T[w]; th.Word != StateBlocked || th.Nap != NapBlocked || th.Sleep != SleepIO ||
			s.T[srv].Wake != WakeNormal || s.T[srv].Reason != ReasonBlocked {
			t.Errorf("%s: a RUNNING worker's nap: word %s nap %d sleep %s; server wake %d reason %s",
				v, th.Word, th.Nap, th.Sleep, s.T[srv].Wake, s.T[srv].Reason)
		}
		// RUNNABLE inside wait: the block hook does nothing.
		s = m.Init()
		fxServer(&s, srv, g)
		fxWorker(&s, w, g, StateRunning)
		fxServing(&s, srv, w)
		s.T[w].Word = StateRunnable
		m.Nap(&s, w)
		if th := &s.T[w]; th.Word != StateRunnable || th.Nap != NapPlain || s.T[srv].Wake != WakeNone {
			t.Errorf("%s: a RUNNABLE worker's nap: word %s nap %d; server wake %d", v, th.Word, th.Nap, s.T[srv].Wake)
		}
		m.Unblock(&s, w)
		th := &s.T[w]
		switch v {
		case Seed:
			if th.Status != Killed {
				t.Errorf("seed: the wake hook after a nap in RUNNABLE leaves %s, want killed", th.Status)
			}
		case Fixed:
			if th.Status != Alive || th.Sleep != Awake || th.Nap != NapNone || th.Word != StateRunnable || th.Peer != srv {
				t.Errorf("fixed: after a nap in RUNNABLE: %s, sleep %s, nap %d, word %s, peer %d; want back in user space as it was",
					th.Status, th.Sleep, th.Nap, th.Word, th.Peer)
			}
		}
	}
}
