package umcg01

// Table tests of the library level (library.go) through the model's public
// stepping API, of Config validation, and a rapid property over random
// walks. Each library row drives a model with an explicit schedule of
// actions (model.Action{Kind, Thread} via Step) and checks the
// Observations and the resulting state.
//
// Drivers: the client programs of singleConfig (s0 = thread 0, workers w1,
// w2) and of twoServers (servers s0, s1, workers w2, w3), the probe
// programs of config.go, and, for calls no client makes (a served worker's
// umcg_wait, calls with UMCG_NONE), small scripts in the probes' own
// instruction format. A utid is thread+1, a group handle is
// group+1 (Observation.Ret).

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/umcgcheck/umcgcheck/sim"
)

// ---- Driver ----

// driverAbort ends a row after a fatal driver error (recovered by runLibCases).
type driverAbort struct{}

// driver runs explicit schedules on one model and records what it saw.
type driver struct {
	t       *testing.T
	m       *Model
	s       State
	log     []string
	errs    []string
	collect bool // record errors in errs (rows) instead of failing t
}

func newDriver(t *testing.T, c Config) *driver {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatalf("New(%v): %v", c, err)
	}
	return &driver{t: t, m: m, s: m.Init()}
}

// scriptDriver builds a model whose threads run the given scripts, with
// groups groups created before they start. It replaces the programs of a
// valid model, so it depends on config.go's unexported program and instr
// types: keep it in step with them.
func scriptDriver(t *testing.T, v Variant, faults Fault, groups int, scripts ...[]instr) *driver {
	t.Helper()
	d := newDriver(t, Config{Variant: v, Faults: faults, MaxFaults: 1, Probes: []string{"register"}})
	d.m.progs = nil
	for i, sc := range scripts {
		d.m.progs = append(d.m.progs, program{kind: progScript, name: fmt.Sprintf("p%d", i), script: sc})
	}
	d.m.nGroups = uint8(groups)
	d.s = d.m.Init()
	return d
}

// Script instructions.
func callNoArg(c Call) instr            { return instr{op: opCall, call: c} }
func callGroup(c Call, g int8) instr    { return instr{op: opCall, call: c, arg: argGroup, idx: g} }
func callThread(c Call, t int8) instr   { return instr{op: opCall, call: c, arg: argThread, idx: t} }
func callLast(c Call) instr             { return instr{op: opCall, call: c, arg: argLast} }
func callRetry0(c Call) instr           { return instr{op: opCall, call: c, retry0: true} }
func utidOf(t int8) int16               { return int16(t) + 1 }
func (d *driver) th(t int8) *Thread     { return &d.s.T[t] }
func (d *driver) name(t int8) string    { return d.m.ThreadName(int(t)) }
func (d *driver) history() string       { return "\t" + strings.Join(d.log, "\n\t") }
func (d *driver) enabled() []Action     { return d.m.Enabled(&d.s, nil) }
func (d *driver) canDo(a Action) bool   { return slices.Contains(d.enabled(), a) }
func (d *driver) waiters(g int8) []int8 { return slices.Clone(d.s.Grp[g].Waiters[:d.s.Grp[g].NWait]) }

func (d *driver) errorf(format string, args ...any) {
	d.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if d.collect {
		d.errs = append(d.errs, msg)
		return
	}
	d.t.Errorf("%s\nschedule so far:\n%s", msg, d.history())
}

func (d *driver) fatalf(format string, args ...any) {
	d.t.Helper()
	msg := fmt.Sprintf(format, args...) + "\nschedule so far:\n" + d.history()
	if d.collect {
		d.errs = append(d.errs, msg)
		panic(driverAbort{})
	}
	d.t.Fatal(msg)
}

// do applies one action, which must be enabled.
func (d *driver) do(k uint8, t int8) Observation {
	d.t.Helper()
	a := Action{Kind: k, Thread: t}
	if !d.canDo(a) {
		d.fatalf("%s of %s is not enabled (status %v, sleep %v, wake %d); enabled: %v",
			ActionNames[k], d.name(t), d.th(t).Status, d.th(t).Sleep, d.th(t).Wake, d.enabled())
	}
	o := d.m.Step(&d.s, a)
	line := fmt.Sprintf("%s %s: %s", ActionNames[k], d.name(t), o.Label)
	if o.Returned {
		line += fmt.Sprintf(" -> ret %d errno %v", o.Ret, o.Errno)
	}
	d.log = append(d.log, line)
	return o
}

// step steps the given threads in order and returns the last observation.
func (d *driver) step(ts ...int8) Observation {
	d.t.Helper()
	var o Observation
	for _, t := range ts {
		o = d.do(ActStep, t)
	}
	return o
}

// until steps t until its library call returns, and returns that step.
func (d *driver) until(t int8) Observation {
	d.t.Helper()
	for i := 0; i < 40; i++ {
		if o := d.do(ActStep, t); o.Returned {
			return o
		}
	}
	d.fatalf("%s: no return within 40 steps", d.name(t))
	return Observation{}
}

// stepUntil steps t until cond holds.
func (d *driver) stepUntil(t int8, what string, cond func(s *State) bool) {
	d.t.Helper()
	for i := 0; i < 60; i++ {
		if cond(&d.s) {
			return
		}
		d.do(ActStep, t)
	}
	d.fatalf("%s: %s not reached within 60 steps", d.name(t), what)
}

// runFirst repeatedly takes the first enabled step or unblock (the
// lowest-numbered thread that can move) until none is left.
func (d *driver) runFirst(max int) {
	d.t.Helper()
	for i := 0; i < max; i++ {
		var next *Action
		for _, a := range d.enabled() {
			if a.Kind == ActStep || a.Kind == ActUnblock {
				next = &a
				break
			}
		}
		if next == nil {
			return
		}
		if o := d.do(next.Kind, next.Thread); o.UAF || d.th(next.Thread).Status == Exited || d.th(next.Thread).Status == Killed {
			d.errorf("%s: %s (UAF %v, status %v)", d.name(next.Thread), o.Label, o.UAF, d.th(next.Thread).Status)
		}
	}
	d.fatalf("still running after %d actions", max)
}

// Expectations.

func (d *driver) returns(o Observation, what string, ret int16, e Errno) {
	d.t.Helper()
	if !o.Returned || o.Ret != ret || o.Errno != e {
		d.errorf("%s: want return %d errno %v, got returned=%v ret=%d errno=%v (step %q)",
			what, ret, e, o.Returned, o.Ret, o.Errno, o.Label)
	}
}

func (d *driver) notReturned(o Observation, what string) {
	d.t.Helper()
	if o.Returned {
		d.errorf("%s: want no return yet, got ret=%d errno=%v (step %q)", what, o.Ret, o.Errno, o.Label)
	}
}

func (d *driver) expect(ok bool, format string, args ...any) {
	d.t.Helper()
	if !ok {
		d.errorf(format, args...)
	}
}

func (d *driver) word(t int8, want TaskState) {
	d.t.Helper()
	d.expect(d.th(t).Word == want, "%s's state word: want %v, got %v", d.name(t), want, d.th(t).Word)
}

func (d *driver) status(t int8, want Status) {
	d.t.Helper()
	d.expect(d.th(t).Status == want, "%s's status: want %v, got %v", d.name(t), want, d.th(t).Status)
}

func (d *driver) exited(o Observation, t int8, what string) {
	d.t.Helper()
	d.status(t, Exited)
	d.expect(strings.Contains(o.Label.String(), "exit(1)"), "%s: want an exit(1) step, got %q", what, o.Label)
	d.expect(!d.s.Live(), "%s: the process must be over after exit(1)", what)
	d.expect(len(d.enabled()) == 0, "%s: nothing may move after exit(1), enabled: %v", what, d.enabled())
}

// lcase is one documented library-level case: a model and a schedule.
type lcase struct {
	name string
	src  string
	vs   variantSet
	mk   func(t *testing.T, v Variant) *driver
	run  func(d *driver, v Variant)
	skip string
}

func runLibCases(t *testing.T, cases []lcase) {
	t.Helper()
	for _, c := range cases {
		if c.vs == 0 {
			c.vs = bothVariants
		}
		for _, v := range c.vs.list() {
			t.Run(c.name+"/"+v.String(), func(t *testing.T) {
				d := c.mk(t, v)
				d.collect = true
				func() {
					defer func() {
						if r := recover(); r != nil {
							if _, ok := r.(driverAbort); !ok {
								d.errs = append(d.errs, fmt.Sprintf("the model panicked: %v", r))
							}
						}
					}()
					c.run(d, v)
				}()
				if len(d.errs) > 0 && c.skip == "" {
					d.errs[len(d.errs)-1] += "\nschedule:\n" + d.history()
				}
				reportRow(t, c.src, c.skip, d.errs)
			})
		}
	}
}

// Model makers for lcase.mk.

// withConfig makes a driver for c in the row's variant.
func withConfig(c Config) func(t *testing.T, v Variant) *driver {
	return func(t *testing.T, v Variant) *driver {
		c := c
		c.Variant = v
		if c.MaxFaults == 0 {
			c.MaxFaults = 1
		}
		return newDriver(t, c)
	}
}

// probeDriver runs one probe program of config.go.
func probeDriver(name string, faults Fault) func(t *testing.T, v Variant) *driver {
	return withConfig(Config{Probes: []string{name}, Faults: faults})
}

// singleConfig is one group with one server (s0) and two workers (w1, w2)
// that block once each. (DefaultConfig was this until it got a second
// server; the rows spell it out so that their thread numbers hold.)
func singleConfig() Config {
	return Config{Variant: Seed, Groups: 1, Servers: 1, Workers: 2, Blocks: 1, MaxFaults: 1}
}

// singleWith runs singleConfig's clients with the given faults.
func singleWith(faults Fault) func(t *testing.T, v Variant) *driver {
	c := singleConfig()
	c.Faults = faults
	return withConfig(c)
}

// twoServers runs one group with two servers (s0, s1) sharing two workers
// (w2, w3) that block once each, with no faults.
func twoServers() func(t *testing.T, v Variant) *driver {
	c := singleConfig()
	c.Servers = 2
	return withConfig(c)
}

// scriptModel runs the given scripts (see scriptDriver).
func scriptModel(groups int, faults Fault, sc ...[]instr) func(t *testing.T, v Variant) *driver {
	return func(t *testing.T, v Variant) *driver { return scriptDriver(t, v, faults, groups, sc...) }
}

// perVariant picks the seed's or the fixed variant's expectation.
func perVariant[T any](v Variant, seed, fixed T) T {
	if v == Fixed {
		return fixed
	}
	return seed
}

// ---- The register probe: every call's result in order ----

func TestLibraryRegisterProbe(t *testing.T) {
	type ret struct {
		Ret   int16
		Errno Errno
	}
	rows := []struct {
		name, src   string
		seed, fixed ret
	}{
		{"register_worker(UMCG_NONE) is UMCG_NONE/EINVAL",
			"seed umcg_register_worker: if (group_id == UMCG_NONE) { errno = EINVAL; return UMCG_NONE; }",
			ret{0, EINVAL}, ret{0, EINVAL}},
		{"register_server returns its utid, errno untouched",
			"seed umcg_register_server: return umcg_task_tls->self",
			ret{1, EINVAL}, ret{1, EINVAL}},
		{"register_server again is UMCG_NONE/EINVAL",
			"seed umcg_register_server: if (umcg_task_tls != NULL) { errno = EINVAL; return UMCG_NONE; }",
			ret{0, EINVAL}, ret{0, EINVAL}},
		{"register_worker by a server is UMCG_NONE/EINVAL",
			"seed umcg_register_worker: if (umcg_task_tls != NULL) { errno = EINVAL; ... }",
			ret{0, EINVAL}, ret{0, EINVAL}},
		{"register_core_task by a server is UMCG_NONE/EINVAL",
			"research table: register CORE ... EINVAL if ... already registered",
			ret{0, EINVAL}, ret{0, EINVAL}},
		{"destroy_group of a non-empty group: seed -1/EPERM, fixed -1/EAGAIN",
			"seed umcg_destroy_group: errno = -res (res = -1 from syscall()); header: errno == EAGAIN: the group has server or worker threads",
			ret{-1, EPERM}, ret{-1, EAGAIN}},
		{"unregister_task returns 0, errno untouched",
			"SPEC: unregister_task: -> NONE, frees the task's TLS",
			ret{0, EPERM}, ret{0, EAGAIN}},
		{"unregister_task again is -1/EINVAL",
			"model: umcg_unregister_task with no task_tls is EINVAL (v0.1 umcg.c: not a UMCG task -> EINVAL)",
			ret{-1, EINVAL}, ret{-1, EINVAL}},
		{"destroy_group of the empty group returns 0",
			"seed header umcg_destroy_group: 0 - Ok",
			ret{0, EINVAL}, ret{0, EINVAL}},
		{"create_group returns a new handle (group 1)",
			"seed header umcg_create_group: != UMCG_NONE - the ID of the group",
			ret{2, EINVAL}, ret{2, EINVAL}},
		{"destroy_group of the new group returns 0",
			"seed header umcg_destroy_group: 0 - Ok",
			ret{0, EINVAL}, ret{0, EINVAL}},
	}
	for _, v := range []Variant{Seed, Fixed} {
		t.Run(v.String(), func(t *testing.T) {
			d := newDriver(t, Config{Variant: v, Probes: []string{"register"}})
			var got []Observation
			for i := 0; i < 60 && d.th(0).Status == Alive; i++ {
				o := d.do(ActStep, 0)
				if o.UAF {
					t.Errorf("%s: unexpected use after free", o.Label)
				}
				if o.Returned {
					got = append(got, o)
				}
			}
			if len(got) != len(rows) {
				t.Fatalf("want %d returns, got %d:\n%s", len(rows), len(got), d.history())
			}
			for i, r := range rows {
				t.Run(r.name, func(t *testing.T) {
					want := perVariant(v, r.seed, r.fixed)
					if o := got[i]; o.Ret != want.Ret || o.Errno != want.Errno {
						t.Errorf("call %d (%v): want ret %d errno %v, got ret %d errno %v\n(source: %s)",
							i, o.Call, want.Ret, want.Errno, o.Ret, o.Errno, r.src)
					}
				})
			}
			t.Run("final state", func(t *testing.T) {
				th := d.th(0)
				if th.Status != Finished || th.Kind != KindNone || th.TLS != 0 {
					t.Errorf("probe thread: want finished, unregistered, no task_tls; got %v, %v, TLS %d", th.Status, th.Kind, th.TLS)
				}
				if g := d.s.Grp[0]; g.Exists || g.Lib != 2 || g.NrTasks != 0 {
					t.Errorf("group 0: want destroyed in kernel and library, got %+v", g)
				}
				if g := d.s.Grp[1]; d.s.G != 2 || g.Exists || g.Lib != 2 {
					t.Errorf("group 1: want created then destroyed (G=2), got G=%d %+v", d.s.G, g)
				}
			})
		})
	}
}

// ---- Error paths: allocation failures and kernel errors ----

func TestLibraryErrorPaths(t *testing.T) {
	atCreate := func(d *driver) {
		d.stepUntil(0, "create_group next", func(s *State) bool { return s.T[0].Fn == CallNone && s.T[0].PC == 9 })
	}
	runLibCases(t, []lcase{
		{
			name: "register_server: malloc fails: UMCG_NONE/ENOMEM, then a retry succeeds",
			src:  "seed umcg_register_server: umcg_task_tls = malloc(...); if (!umcg_task_tls) { errno = ENOMEM; return UMCG_NONE; }",
			mk:   probeDriver("register", FaultENOMEM),
			run: func(d *driver, v Variant) {
				d.step(0) // register_worker(UMCG_NONE)
				o := d.do(ActFail, 0)
				d.returns(o, "register_server", 0, ENOMEM)
				d.expect(o.GEntry == ENOMEM, "GEntry: want ENOMEM, got %v", o.GEntry)
				d.expect(d.th(0).TLS == 0 && d.th(0).Gen == 0, "no task_tls may be allocated, got TLS %d gen %d", d.th(0).TLS, d.th(0).Gen)
				d.returns(d.until(0), "register_server retried", utidOf(0), ENOMEM)
			},
		},
		{
			name: "register_server: the syscall fails: seed errno -1, fixed the kernel's errno; task_tls freed (fixed: kept and taken back by the next register)",
			src:  "seed umcg_register_server: if (ret) { free(umcg_task_tls); umcg_task_tls = NULL; errno = ret; return UMCG_NONE; } with syscall() returning -1 (SPEC: libc's syscall() convention); fixed: tls-reused",
			mk:   probeDriver("register", FaultENOMEM),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0) // register_worker(UMCG_NONE); malloc; load group_id
				o := d.do(ActFail, 0)
				d.returns(o, "register_server", 0, perVariant[Errno](v, -1, ENOMEM))
				d.expect(o.Syscall && o.SysErrno == ENOMEM && o.GKern == ENOMEM,
					"want the syscall's ENOMEM in SysErrno and GKern, got syscall=%v %v %v", o.Syscall, o.SysErrno, o.GKern)
				th := d.th(0)
				d.expect(th.TLS == 0 && th.Freed == (v == Seed) && th.Kind == KindNone && d.s.Grp[0].NrTasks == 0,
					"want task_tls NULL (freed in the seed, kept in the fixed library), unregistered; got TLS %d freed %v kind %v nr_tasks %d",
					th.TLS, th.Freed, th.Kind, d.s.Grp[0].NrTasks)
				o = d.step(0) // register_server again
				want := perVariant[uint8](v, 2, 1)
				d.expect(th.TLS == want && th.Gen == want && !th.Freed,
					"the next register: want task_tls generation %d (the seed allocates, the fixed library takes the kept one), got TLS %d gen %d freed %v (%s)",
					want, th.TLS, th.Gen, th.Freed, o.Label)
			},
		},
		{
			name: "register_worker: the syscall fails: seed errno -1, fixed the kernel's errno",
			src:  "seed umcg_register_worker: errno = ret after syscall() returned -1",
			mk:   probeDriver("run-gone", FaultENOMEM),
			run: func(d *driver, v Variant) {
				d.step(1, 1) // malloc; load group_id
				o := d.do(ActFail, 1)
				d.returns(o, "register_worker", 0, perVariant[Errno](v, -1, ENOMEM))
				d.expect(d.s.Grp[0].NWait == 0, "a failed registration must not queue the worker")
			},
		},
		{
			name: "register_core_task: malloc fails: UMCG_NONE/ENOMEM",
			src:  "SPEC: register ... malloc failure -> ENOMEM",
			mk:   probeDriver("wake-twice", FaultENOMEM),
			run: func(d *driver, v Variant) {
				d.returns(d.do(ActFail, 0), "register_core_task", 0, ENOMEM)
			},
		},
		{
			name: "register_core_task: the syscall fails: seed errno -1, fixed the kernel's errno",
			src:  "SPEC: libc's syscall() convention (returns -1 and sets errno) followed by the seed's own errno = ret",
			mk:   probeDriver("wake-twice", FaultENOMEM),
			run: func(d *driver, v Variant) {
				d.step(0)
				d.returns(d.do(ActFail, 0), "register_core_task", 0, perVariant[Errno](v, -1, ENOMEM))
				d.expect(d.th(0).Kind == KindNone && d.th(0).Word == StateNone, "the task must stay unregistered")
			},
		},
		{
			name: "create_group: the syscall fails: seed -1/EPERM, fixed UMCG_NONE with the kernel's errno",
			src:  "seed umcg_create_group: if (res < 0) { errno = -res; return -1; } (res = -1); header: UMCG_NONE - an error occurred",
			mk:   probeDriver("register", FaultENOMEM),
			run: func(d *driver, v Variant) {
				atCreate(d)
				o := d.do(ActFail, 0)
				d.returns(o, "create_group", perVariant[int16](v, -1, 0), perVariant(v, EPERM, ENOMEM))
				d.expect(d.s.G == 1 && !d.s.Grp[1].Exists, "no kernel group may be created, got G=%d", d.s.G)
			},
		},
		{
			name: "create_group: malloc fails: UMCG_NONE/ENOMEM, the kernel group stays",
			src:  "seed umcg_create_group: group = malloc(...); if (!group) { errno = ENOMEM; return UMCG_NONE; }",
			mk:   probeDriver("register", FaultENOMEM),
			run: func(d *driver, v Variant) {
				atCreate(d)
				d.step(0) // sys_umcg_create_group
				o := d.do(ActFail, 0)
				d.returns(o, "create_group", 0, ENOMEM)
				g := d.s.Grp[1]
				d.expect(g.Exists && g.Lib == 0, "want the kernel group 1 without a library struct, got %+v", g)
			},
		},
		{
			name: "destroy_group: the kernel says ESRCH: seed -1/EPERM, fixed -1/ESRCH",
			src:  "seed umcg_destroy_group: if (res) { errno = -res; return -1; } (res = -1)",
			mk:   probeDriver("register", 0),
			run: func(d *driver, v Variant) {
				d.stepUntil(0, "the second destroy_group next", func(s *State) bool { return s.T[0].Fn == CallNone && s.T[0].PC == 8 })
				d.s.Grp[0].Exists = false // the kernel group is gone; the library's struct is not
				d.returns(d.until(0), "destroy_group", -1, perVariant(v, EPERM, ESRCH))
				d.expect(d.s.Grp[0].Lib == 1, "the library must not free its struct after a failure")
			},
		},
	})
}

// ---- Servers and workers ----

// blockedOnce runs singleConfig until w1 registered, was polled and run
// by s0, blocked, and s0's run_worker returned it.
func blockedOnce(d *driver) {
	d.step(0, 0, 0)    // s0: register_server
	d.step(0, 0)       // s0: poll_worker: CAS, syscall sleeps
	d.step(1, 1, 1)    // w1: register_worker: handed to s0
	d.until(0)         // s0: poll_worker returns w1
	d.step(0, 0, 0, 0) // s0: run_worker: load, CAS worker, CAS self, syscall sleeps
	d.until(1)         // w1: register_worker returns
	d.step(1)          // w1: blocking syscall
	d.until(0)         // s0: run_worker returns w1
}

// twoServersBlocked runs twoServers until w2 registered, was polled and run
// by s0, blocked, and s0's run_worker returned it; s1 has not started.
func twoServersBlocked(d *driver) {
	d.step(0, 0, 0)    // s0: register_server
	d.step(0, 0)       // s0: poll_worker: CAS, syscall sleeps
	d.step(2, 2, 2)    // w2: register_worker: handed to s0
	d.until(0)         // s0: poll_worker returns w2
	d.step(0, 0, 0, 0) // s0: run_worker sleeps
	d.until(2)         // w2: register_worker returns
	d.step(2)          // w2: blocking syscall
	d.returns(d.until(0), "run_worker", utidOf(2), 0)
	d.word(2, StateBlocked)
}

// runGoneServed runs the run-gone probe until p1, served by p0, has done
// the syscall of its unregister.
func runGoneServed(d *driver) {
	d.step(0, 0, 0)    // p0: register_server
	d.step(0, 0)       // p0: poll_worker sleeps
	d.step(1, 1, 1)    // p1: register_worker, handed to p0
	d.until(0)         // p0: poll_worker returns p1
	d.step(0, 0, 0, 0) // p0: run_worker sleeps
	d.until(1)         // p1: register_worker returns
}

func TestLibraryServerWorker(t *testing.T) {
	runLibCases(t, []lcase{
		{
			name: "poll_worker returns the longest-waiting worker",
			src:  "seed header umcg_poll_worker: picks the longest waiting one; SPEC queue-fifo",
			mk:   singleWith(0),
			run: func(d *driver, v Variant) {
				d.returns(d.until(0), "register_server", utidOf(0), 0)
				d.notReturned(d.step(2, 2, 2), "register_worker of w2 (queued)")
				d.notReturned(d.step(1, 1, 1), "register_worker of w1 (queued)")
				d.word(2, StateUnblocked)
				d.expect(slices.Equal(d.waiters(0), []int8{2, 1}), "queue: want [w2 w1], got %v", d.waiters(0))
				d.returns(d.until(0), "poll_worker", utidOf(2), 0)
				d.word(0, StateProcessing)
				d.word(2, StateRunnable)
				d.expect(d.th(2).Peer == 0, "w2 must be paired with s0")
				d.expect(slices.Equal(d.waiters(0), []int8{1}), "queue: want [w1], got %v", d.waiters(0))
			},
		},
		{
			name: "poll_worker sleeps until a worker registers, which is handed over RUNNABLE",
			src:  "seed header umcg_poll_worker: if there are no UNBLOCKED workers, the current thread sleeps",
			mk:   singleWith(0),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.notReturned(d.step(0, 0), "poll_worker")
				d.expect(d.th(0).Sleep == SleepPoll && !d.canDo(Action{Kind: ActStep, Thread: 0}), "s0 must sleep in poll")
				d.word(0, StatePolling)
				d.step(1, 1, 1)
				d.word(1, StateRunnable)
				d.expect(d.th(1).Sleep == SleepIdle && !d.canDo(Action{Kind: ActStep, Thread: 1}),
					"register_worker must not return before a server runs the worker")
				d.returns(d.until(0), "poll_worker", utidOf(1), 0)
				d.word(0, StateProcessing)
			},
		},
		{
			name: "register_worker returns once run; run_worker returns the worker that blocked",
			src:  "SPEC: the call returns only once a server runs it; research table: W blocks ... run_worker returns ut=W",
			mk:   singleWith(0),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(0, 0)
				d.step(1, 1, 1)
				d.until(0)
				d.notReturned(d.step(0, 0, 0, 0), "run_worker")
				d.word(0, StateServing)
				d.word(1, StateRunning)
				d.returns(d.until(1), "register_worker", utidOf(1), 0)
				o := d.step(1)
				d.expect(strings.Contains(o.Label.String(), "blocking syscall"), "w1's next step should block, got %q", o.Label)
				d.word(1, StateBlocked)
				d.returns(d.until(0), "run_worker", utidOf(1), 0)
				d.word(0, StateProcessing)
				if v == Seed {
					d.expect(d.th(0).Peer == 1 && d.th(1).Peer == 0, "seed: the peer link stays after block")
				} else {
					d.expect(d.th(0).Peer == None && d.th(1).Peer == None, "fixed: block unlinks the pair")
				}
			},
		},
		{
			name: "one server: unblock before its next poll queues the worker (seed: still linked), and the poll takes it back",
			src:  "v0.1 umcg.c process_unblocked_worker: no poller -> list_add_tail, utd->peer unchecked; poll_worker: umcg_detach_peer() before taking the first worker; SPEC: Kernel event unblock: BLOCKED->UNBLOCKED, queued",
			mk:   singleWith(0),
			run: func(d *driver, v Variant) {
				blockedOnce(d)
				o := d.do(ActUnblock, 1)
				d.status(1, Alive)
				d.expect(!strings.Contains(o.Label.String(), "SIGSEGV"), "the unblock must not kill, got %q", o.Label)
				d.word(1, StateUnblocked)
				d.expect(slices.Equal(d.waiters(0), []int8{1}), "queue: want [w1], got %v", d.waiters(0))
				if v == Seed {
					d.expect(d.th(0).Peer == 1 && d.th(1).Peer == 0, "seed: w1 is queued still linked to s0")
					// v0.1's server reads the worker's state to learn why run_worker returned.
					d.returns(d.until(0), "get_task_state", int16(StateUnblocked), 0)
				} else {
					d.expect(d.th(0).Peer == None && d.th(1).Peer == None, "fixed: block unlinked the pair")
				}
				d.returns(d.until(0), "poll_worker", utidOf(1), 0)
				d.status(0, Alive)
				d.word(1, StateRunnable)
				d.expect(d.th(0).Peer == 1 && d.th(1).Peer == 0, "the poll must pair s0 with w1")
			},
		},
		{
			name: "two servers: unblock while the other server polls: seed kills the worker (stale link), fixed hands it over",
			src:  "v0.1 umcg.c process_unblocked_worker: WARN_ON(server_utd->peer || utd->peer) -> umcg_segv(0) (finding unblock-while-peer); kernel.go Block (fixed) unlinks at block",
			mk:   twoServers(),
			run: func(d *driver, v Variant) {
				twoServersBlocked(d)
				d.step(1, 1, 1) // s1: register_server
				d.step(1, 1)    // s1: poll_worker sleeps (w3 has not registered)
				d.expect(slices.Equal(d.waiters(0), []int8{1}), "waiters: want [s1], got %v", d.waiters(0))
				o := d.do(ActUnblock, 2)
				if v == Seed {
					d.status(2, Killed)
					d.expect(strings.Contains(o.Label.String(), "SIGSEGV"), "want a SIGSEGV step, got %q", o.Label)
					d.expect(!d.s.Live() && len(d.enabled()) == 0, "the process must be over")
					return
				}
				d.word(2, StateRunnable)
				d.expect(d.th(1).Peer == 2 && d.th(2).Peer == 1, "fixed: w2 must be handed to s1")
				d.returns(d.until(1), "poll_worker", utidOf(2), 0)
			},
		},
		{
			name: "two servers: a poll takes a worker queued still linked to the other server: seed kills the poller, fixed takes it",
			src:  "v0.1 umcg.c poll_worker: umcg_detach_peer() drops only the poller's own link; WARN_ON(worker_utd->peer) -> umcg_segv(-EINVAL) (finding unblock-while-peer)",
			mk:   twoServers(),
			run: func(d *driver, v Variant) {
				twoServersBlocked(d)
				d.do(ActUnblock, 2) // no poller: w2 is queued
				d.word(2, StateUnblocked)
				d.expect(slices.Equal(d.waiters(0), []int8{2}), "queue: want [w2], got %v", d.waiters(0))
				d.step(1, 1, 1) // s1: register_server
				d.step(1)       // s1: poll_worker: CAS PROCESSING->POLLING
				o := d.step(1)  // s1: sys_umcg_poll_worker
				if v == Seed {
					d.status(1, Killed)
					d.expect(o.Syscall && o.SysErrno == EINVAL, "seed: the syscall fails with EINVAL, got %v %v", o.Syscall, o.SysErrno)
					d.expect(len(d.waiters(0)) == 0, "seed: w2 was taken off the queue, got %v", d.waiters(0))
					d.expect(!d.s.Live() && len(d.enabled()) == 0, "the process must be over")
					return
				}
				d.returns(d.step(1), "poll_worker", utidOf(2), 0)
				d.word(2, StateRunnable)
				d.expect(d.th(1).Peer == 2 && d.th(2).Peer == 1, "fixed: s1 must be paired with w2")
			},
		},
		{
			name: "a server polling before the unblock gets the worker handed over",
			src:  "SPEC: the peer link stays until the server's next poll or run; unblock ... handed to a polling server",
			mk:   singleWith(0),
			run: func(d *driver, v Variant) {
				blockedOnce(d)
				if v == Seed {
					// v0.1's server reads the worker's state to learn why run_worker returned.
					d.returns(d.until(0), "get_task_state", int16(StateBlocked), 0)
				}
				d.step(0, 0) // poll_worker sleeps
				d.expect(d.th(0).Peer == None && d.th(1).Peer == None, "poll must drop the stale link")
				d.do(ActUnblock, 1)
				d.word(1, StateRunnable)
				d.returns(d.until(0), "poll_worker", utidOf(1), 0)
			},
		},
		{
			name: "served worker unregisters: run_worker returns UMCG_NONE (fixed errno 0, seed errno untouched)",
			src:  "seed header umcg_run_worker: UMCG_NONE - if errno == 0, the last worker the server was running unregistered itself",
			mk:   probeDriver("run-gone", 0),
			run: func(d *driver, v Variant) {
				runGoneServed(d)
				d.th(0).Errno = EINTR // left by an earlier failed call
				d.step(1)             // p1: sys_umcg_unregister_task
				d.expect(d.th(0).Reason == ReasonUnregistered, "s0's run_worker must end with reason unregistered, got %v", d.th(0).Reason)
				o := d.until(0)
				d.returns(o, "run_worker", 0, perVariant(v, EINTR, OK))
				d.word(0, StateProcessing)
			},
		},
		{
			name: "run_worker of a worker that unregistered: UMCG_NONE (fixed errno 0; seed errno untouched, reads the exited thread's TLS)",
			src:  "SPEC errno-contract: run_worker's UMCG_NONE has errno 0 exactly when the worker unregistered; seed: worker_utls = atomic_load(*worker); if (!worker_utls) return UMCG_NONE",
			mk:   probeDriver("run-gone", 0),
			run: func(d *driver, v Variant) {
				runGoneServed(d)
				d.th(0).Errno = EINTR
				d.step(1)
				d.until(0)
				d.returns(d.until(1), "unregister_task", 0, 0)
				d.step(1) // p1 finishes
				d.status(1, Finished)
				o := d.until(0)
				d.returns(o, "run_worker", 0, perVariant(v, EINTR, OK))
				d.expect(o.UAF == (v == Seed), "UAF: want %v (the seed loads the TLS variable of an exited thread), got %v", v == Seed, o.UAF)
				if v == Fixed {
					d.expect(o.GEntry == EntryUnregistered, "GEntry: want EntryUnregistered, got %v", o.GEntry)
				}
			},
		},
		{
			name: "run_worker loads the task_tls just before the worker frees it",
			src:  "seed umcg_run_worker: CAS worker RUNNABLE->RUNNING fails -> exit(1); SPEC no-use-after-free",
			mk:   probeDriver("run-gone", 0),
			run: func(d *driver, v Variant) {
				runGoneServed(d)
				d.step(1)  // p1: sys_umcg_unregister_task
				d.until(0) // p0: run_worker returns UMCG_NONE
				d.step(0)  // p0: run_worker(p1): load *worker (still set)
				d.expect(d.th(0).Ptr == 1, "run_worker should have loaded p1's task_tls")
				if v == Seed {
					d.step(1) // p1: free task_tls
					o := d.step(0)
					d.expect(o.UAF, "seed: the CAS on the freed task_tls is a use after free")
					d.exited(o, 0, "run_worker on a worker that unregistered")
					return
				}
				d.returns(d.step(1), "unregister_task", 0, 0) // fixed: store NULL, never free
				o := d.step(0)
				d.returns(o, "run_worker", 0, 0)
				d.expect(!o.UAF, "fixed: no use after free")
			},
		},
		{
			name: "seed: run_worker interrupted returns UMCG_NONE/EINTR leaving the server SERVING, and running the worker again exits",
			src:  "seed umcg_run_worker: if (ret) { fprintf(...); return UMCG_NONE; } skips the CAS SERVING->PROCESSING and leaves the worker RUNNING; client.go: a run that failed with errno != 0 is run again; seed umcg_run_worker: CAS worker RUNNABLE->RUNNING fails -> exit(1)",
			vs:   seedOnly,
			mk:   singleWith(FaultEINTR),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(1, 1, 1)
				d.returns(d.until(0), "poll_worker", utidOf(1), 0)
				d.step(0, 0, 0, 0)
				d.do(ActSignal, 0)
				d.returns(d.until(0), "run_worker", 0, EINTR)
				d.word(0, StateServing)
				d.word(1, StateRunning)
				o := d.step(0)
				d.expect(o.Call == CallRunWorker && d.th(0).Arg == 1, "the server must run w1 again, got %q (%v of %d)", o.Label, o.Call, d.th(0).Arg)
				d.exited(d.step(0), 0, "run_worker again after a failed run_worker")
			},
		},
		{
			name: "fixed: run_worker sleeps on through a signal",
			src:  "kernel.go Resume (fixed): run_worker sleeps until its worker blocks, yields or unregisters; SPEC run-returns",
			vs:   fixedOnly,
			mk:   singleWith(FaultEINTR),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(1, 1, 1)
				d.until(0)
				d.step(0, 0, 0, 0)
				d.do(ActSignal, 0)
				o := d.step(0)
				d.notReturned(o, "run_worker")
				d.expect(d.th(0).Sleep == SleepRun && d.th(0).Wake == WakeNone, "s0 must sleep in run_worker again")
				d.until(1)
				d.step(1) // w1 blocks
				d.returns(d.until(0), "run_worker", utidOf(1), 0)
			},
		},
		{
			name: "poll_worker interrupted: seed exits, fixed returns UMCG_NONE/EINTR PROCESSING",
			src:  "seed umcg_poll_worker: if (ret) { fprintf(...unexpected result...); exit(1); }; header: UMCG_NONE - an error occurred; check errno",
			mk:   singleWith(FaultEINTR),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(0, 0)
				d.do(ActSignal, 0)
				d.step(0) // the syscall returns EINTR
				d.expect(d.s.Grp[0].NWait == 0, "the interrupted poller must leave the waiters list")
				o := d.step(0)
				if v == Seed {
					d.exited(o, 0, "poll_worker after EINTR")
					return
				}
				d.returns(o, "poll_worker", 0, EINTR)
				d.word(0, StateProcessing)
			},
		},
		{
			name: "poll_worker woken spuriously: seed returns UMCG_NONE with errno untouched, fixed sleeps on in its place",
			src:  "v0.1 umcg.c poll_worker: one freezable_schedule(), then put_user(result = NULL) and return 0 (finding poll-spurious-none); seed umcg_poll_worker returns umcg_task_to_utid(NULL); kernel.go Resume (fixed)",
			mk:   singleWith(FaultSpurious),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(0, 0) // poll_worker sleeps
				d.do(ActSpurious, 0)
				d.step(0) // the kernel finishes (seed) or resumes the sleep (fixed)
				if v == Seed {
					d.expect(d.th(0).Sleep == Awake && len(d.waiters(0)) == 0, "seed: the poller must be awake and off the waiters list")
					d.returns(d.step(0), "poll_worker", 0, 0)
					d.word(0, StateProcessing)
					return
				}
				d.expect(d.th(0).Sleep == SleepPoll && slices.Equal(d.waiters(0), []int8{0}),
					"fixed: s0 must sleep in poll again, still on the waiters list, got sleep %v waiters %v", d.th(0).Sleep, d.waiters(0))
				d.step(1, 1, 1) // w1 registers: handed to s0
				d.returns(d.until(0), "poll_worker", utidOf(1), 0)
			},
		},
		{
			name: "signals interrupt a server's poll but not a worker's idle sleep",
			src:  "step.go interruptible: poll_worker, run_worker and a core task's wait and swap; workers' sleeps are not interrupted",
			mk:   singleWith(FaultEINTR),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(0, 0) // s0 sleeps in poll_worker
				d.expect(d.canDo(Action{Kind: ActSignal, Thread: 0}), "a signal must be able to interrupt poll_worker")
				d.step(1, 1, 1) // w1 handed to s0, sleeps idle
				d.expect(!d.canDo(Action{Kind: ActSignal, Thread: 1}), "a worker's idle sleep must not be interruptible")
				d.expect(d.canDo(Action{Kind: ActSignal, Thread: 0}), "a signal can still be pending when a woken poller returns")
			},
		},
		{
			name: "a signal pending when a poller handed a worker returns: seed EINTR (exit), fixed returns the worker",
			src:  "v0.1 7/9 sys_umcg_poll_worker: `if (signal_pending(current)) return -EINTR;` after the sleep, whatever woke it; kernel.go Resume (fixed: poll-sleeps-on returns Out first)",
			mk:   singleWith(FaultEINTR),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(0, 0)    // s0 sleeps in poll_worker
				d.step(1, 1, 1) // w1 handed to s0: s0 woken
				d.do(ActSignal, 0)
				d.step(0) // the kernel finishes poll_worker
				if v == Seed {
					d.expect(d.th(0).SysRet == EINTR, "seed: poll_worker must say EINTR, got %v", d.th(0).SysRet)
					d.exited(d.step(0), 0, "poll_worker after EINTR")
					return
				}
				d.returns(d.until(0), "poll_worker", utidOf(1), 0)
			},
		},
		{
			name: "fixed: a preempted worker is run again by its server",
			src:  "SPEC: Preemption (preempt_worker, reserved in v0.1) is an optional event; client.go: the fixed run_worker says why it returned",
			vs:   fixedOnly,
			mk:   singleWith(FaultPreempt),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(1, 1, 1)
				d.until(0)
				d.step(0, 0, 0, 0)
				d.returns(d.until(1), "register_worker", utidOf(1), 0)
				d.do(ActPreempt, 1)
				d.word(1, StateRunnable)
				d.returns(d.until(0), "run_worker", utidOf(1), 0)
				d.expect(d.th(0).Reason == ReasonPreempted, "reason: want preempted, got %v", d.th(0).Reason)
				d.notReturned(d.step(0, 0, 0, 0), "run_worker of the preempted worker")
				d.word(1, StateRunning)
				d.expect(d.th(0).Sleep == SleepRun && d.th(1).Wake == WakeNormal, "s0 must run w1 again")
			},
		},
		{
			name: "run_worker syscall fails with ESRCH: seed leaves SERVING/RUNNING and its re-run exits, fixed undoes both CASes and runs the worker again",
			src:  "seed umcg_run_worker: if (ret) return UMCG_NONE (finding run-error-leaves-serving); SPEC server-processing; client.go: a run that failed with errno != 0 is run again (the worker is still the server's)",
			mk:   singleWith(FaultESRCH),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(1, 1, 1)
				d.until(0)
				d.step(0, 0, 0) // load, CAS worker, CAS self
				o := d.do(ActFail, 0)
				if v == Seed {
					d.returns(o, "run_worker", 0, ESRCH)
					d.word(0, StateServing)
					d.word(1, StateRunning)
					d.step(0) // run_worker(w1) again: load *worker
					d.exited(d.step(0), 0, "run_worker again: CAS worker RUNNABLE->RUNNING on a RUNNING worker")
					return
				}
				d.notReturned(o, "run_worker")
				d.returns(d.step(0), "run_worker", 0, ESRCH)
				d.word(0, StateProcessing)
				d.word(1, StateRunnable)
				// Not back to poll_worker, which would leave the RUNNABLE
				// w1 on no queue and with no server for ever.
				d.notReturned(d.step(0, 0, 0, 0), "run_worker of the same worker")
				d.word(1, StateRunning)
				d.expect(d.th(0).Sleep == SleepRun && d.th(1).Wake == WakeNormal, "s0 must run w1 again")
				d.returns(d.until(1), "register_worker", utidOf(1), 0)
			},
		},
		{
			name: "fixed: a worker that blocks after a signal already woke run_worker still ends it",
			src:  "kernel.go Resume (fixed): only a block, yield, preemption or unregistration ends run_worker, however it was woken; SPEC run-returns",
			vs:   fixedOnly,
			mk:   singleWith(FaultEINTR),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(1, 1, 1)
				d.until(0)
				d.step(0, 0, 0, 0) // s0: run_worker sleeps
				d.do(ActSignal, 0) // s0 woken, not yet resumed
				d.returns(d.until(1), "register_worker", utidOf(1), 0)
				d.step(1) // w1 blocks: the server's wakeup is already pending
				d.expect(d.th(0).Reason == ReasonBlocked, "reason: want blocked, got %v", d.th(0).Reason)
				d.returns(d.until(0), "run_worker", utidOf(1), 0)
				d.word(0, StateProcessing)
			},
		},
		{
			name: "fixed: a worker that blocks after a spurious wakeup of run_worker still ends it",
			src:  "kernel.go Resume (fixed): only a block, yield, preemption or unregistration ends run_worker, however it was woken; SPEC run-returns",
			vs:   fixedOnly,
			mk:   singleWith(FaultSpurious),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(1, 1, 1)
				d.until(0)
				d.step(0, 0, 0, 0)
				d.do(ActSpurious, 0)
				d.returns(d.until(1), "register_worker", utidOf(1), 0)
				d.step(1)
				d.expect(d.th(0).Reason == ReasonBlocked, "reason: want blocked, got %v", d.th(0).Reason)
				d.returns(d.until(0), "run_worker", utidOf(1), 0)
				d.word(0, StateProcessing)
			},
		},
		{
			name: "served worker calling umcg_wait yields: run_worker returns it and can run it again",
			src:  "SPEC: A served worker calling umcg_wait yields: RUNNING->RUNNABLE and its server's run_worker returns it",
			mk: scriptModel(1, 0,
				[]instr{callGroup(CallRegisterServer, 0), callRetry0(CallPollWorker), callLast(CallRunWorker), callLast(CallRunWorker), callNoArg(CallUnregister)},
				[]instr{callGroup(CallRegisterWorker, 0), callNoArg(CallWait), callNoArg(CallUnregister)}),
			run: func(d *driver, v Variant) {
				d.step(0, 0, 0)
				d.step(0, 0)
				d.step(1, 1, 1)
				d.returns(d.until(0), "poll_worker", utidOf(1), 0)
				d.step(0, 0, 0, 0)
				d.returns(d.until(1), "register_worker", utidOf(1), 0)
				d.step(1) // wait: CAS RUNNING->RUNNABLE
				d.word(1, StateRunnable)
				d.notReturned(d.step(1), "wait") // sys_umcg_wait: context switch to s0
				d.expect(d.th(0).Reason == ReasonYielded, "reason: want yielded, got %v", d.th(0).Reason)
				d.returns(d.until(0), "run_worker", utidOf(1), 0)
				d.word(0, StateProcessing)
				d.notReturned(d.step(0, 0, 0, 0), "second run_worker")
				d.word(1, StateRunning)
				d.returns(d.until(1), "wait", 0, 0)
				d.returns(d.until(1), "unregister_task", 0, 0)
				d.returns(d.until(0), "second run_worker", 0, 0)
			},
		},
		{
			name: "a full run taking the first enabled step ends properly",
			src:  "SPEC no-deadlock / ValidEnd: every thread finished, or a server polls for work that will not come",
			mk:   singleWith(0),
			run: func(d *driver, v Variant) {
				d.runFirst(400)
				d.expect(d.m.ValidEnd(&d.s), "the run must end in a valid end state")
				for i := int8(1); i <= 2; i++ {
					d.status(i, Finished)
				}
			},
		},
	})
}

// ---- Core tasks: wait, wake, swap ----

func TestLibraryWaitWakeSwap(t *testing.T) {
	// wake-twice: p0 (A) wakes p1 (B) twice; B waits once.
	registered := func(d *driver) {
		d.step(0, 0) // A: register_core_task
		d.step(1, 1) // B: register_core_task
		d.step(1)    // B: set ready
	}
	runLibCases(t, []lcase{
		{
			name: "wake of a RUNNING task queues the wakeup without a syscall; wait consumes it without a syscall",
			src:  "research table: umcg_wake(T) | T:RUNNING | T:RUNNING|WQ | 0 (queued); umcg_wait | RUNNING|WQ | RUNNING | 0, no syscall",
			mk:   probeDriver("wake-twice", 0),
			run: func(d *driver, v Variant) {
				registered(d)
				d.step(0) // A sees B ready
				for i := 0; i < 3; i++ {
					o := d.step(0)
					d.expect(!o.Syscall, "wake step %q must not make a syscall", o.Label)
					if i == 2 {
						d.returns(o, "wake", 0, 0)
					}
				}
				d.word(1, StateRunning|FlagWakeupQueued)
				for i := 0; i < 2; i++ {
					o := d.step(1)
					d.expect(!o.Syscall && d.th(1).Sleep == Awake, "wait step %q must neither make a syscall nor sleep", o.Label)
					if i == 1 {
						d.returns(o, "wait", 0, 0)
					}
				}
				d.word(1, StateRunning)
			},
		},
		{
			name: "wake of a task with a wakeup already queued: seed spins, fixed -1/EAGAIN",
			src:  "research table: umcg_wake(T) | T:RUNNING|WQ | (spins) | header says error",
			mk:   probeDriver("wake-twice", 0),
			run: func(d *driver, v Variant) {
				registered(d)
				d.step(0)
				d.returns(d.until(0), "first wake", 0, 0)
				d.step(0) // second wake: load *next
				o := d.step(0)
				if v == Fixed {
					d.returns(o, "second wake", -1, EAGAIN)
					d.expect(o.GEntry == EAGAIN, "GEntry: want EAGAIN, got %v", o.GEntry)
					return
				}
				d.notReturned(o, "second wake")
				d.expect(o.Retry, "seed: the CAS on a queued wakeup is a retry turn")
				o = d.step(0)
				d.expect(o.Retry && !o.Returned, "seed: the wake keeps spinning")
				d.returns(d.until(1), "wait", 0, 0) // B consumes the first wakeup
				d.returns(d.until(0), "second wake", 0, 0)
				d.word(1, StateRunning|FlagWakeupQueued)
			},
		},
		{
			name: "wake of a task sleeping in wait: CAS RUNNABLE->RUNNING and sys_umcg_wake",
			src:  "research table: umcg_wake(T) | T:RUNNABLE | T:RUNNING + sys_wake | 0",
			mk:   probeDriver("wake-twice", 0),
			run: func(d *driver, v Variant) {
				registered(d)
				d.step(1, 1) // B: wait: CAS, syscall sleeps
				d.word(1, StateRunnable)
				d.expect(d.th(1).Sleep == SleepWait, "B must sleep in wait")
				d.step(0, 0, 0) // A: sees ready; wake: load, CAS
				d.word(1, StateRunning)
				o := d.step(0)
				d.returns(o, "wake", 0, 0)
				d.expect(o.Syscall && o.SysErrno == 0, "wake must end with a successful syscall, got %v/%v", o.Syscall, o.SysErrno)
				d.returns(d.until(1), "wait", 0, 0)
				d.word(1, StateRunning)
			},
		},
		{
			name: "wake before the target sleeps: seed busy-retries and the target sleeps anyway; fixed returns at once",
			src:  "SPEC: sys_umcg_wake retried while it says EAGAIN (t not yet sleeping); research: sys_umcg_wait has no condition check",
			mk:   probeDriver("wake-twice", 0),
			run: func(d *driver, v Variant) {
				registered(d)
				d.step(1)       // B: wait: CAS RUNNING->RUNNABLE, no syscall yet
				d.step(0, 0, 0) // A: sees ready; wake: load, CAS RUNNABLE->RUNNING
				o := d.step(0)  // A: sys_umcg_wake
				if v == Fixed {
					d.returns(o, "wake", 0, 0)
					o = d.step(1) // B: sys_umcg_wait sees RUNNING
					d.expect(d.th(1).Sleep == Awake && o.Syscall && o.SysErrno == EAGAIN,
						"fixed: wait must not sleep on a RUNNING word, got sleep %v syscall %v %v", d.th(1).Sleep, o.Syscall, o.SysErrno)
					d.returns(d.step(1), "wait", 0, 0)
					return
				}
				d.expect(o.Retry && !o.Returned && o.SysErrno == EAGAIN, "seed: wake gets EAGAIN and retries")
				d.expect(d.step(0).Retry, "seed: wake keeps retrying")
				d.step(1) // B: sys_umcg_wait sleeps although its word is RUNNING
				d.expect(d.th(1).Sleep == SleepWait, "seed: wait sleeps without checking the word")
				d.returns(d.step(0), "wake", 0, 0)
				d.returns(d.until(1), "wait", 0, 0)
			},
		},
		{
			name: "wait interrupted by a signal: seed -1/EINTR leaving RUNNABLE, fixed -1/EINTR back to RUNNING",
			src:  "SPEC: EINTR on a signal (the library then returns the error with the state still RUNNABLE); library.go lpWaitCancel (fixed)",
			mk:   probeDriver("wake-twice", FaultEINTR),
			run: func(d *driver, v Variant) {
				registered(d)
				d.step(1, 1)
				d.do(ActSignal, 1)
				o := d.until(1)
				d.returns(o, "wait", -1, EINTR)
				d.expect(o.GKern == EINTR, "GKern: want EINTR, got %v", o.GKern)
				d.word(1, perVariant(v, StateRunnable, StateRunning))
			},
		},
		{
			name: "a signal pending when a woken wait returns: seed -1/EINTR with the wakeup lost, fixed 0",
			src:  "v0.1 umcg.c do_wait: signal_pending() is tested after the sleep, whatever woke it; research §5: a wake followed by a signal is lost (Jann Horn); library.go lpWaitCancel (fixed)",
			mk:   probeDriver("wake-twice", FaultEINTR),
			run: func(d *driver, v Variant) {
				registered(d)
				d.step(1, 1)    // B: wait: CAS, syscall sleeps
				d.step(0, 0, 0) // A: sees ready; wake: load, CAS RUNNABLE->RUNNING
				d.returns(d.step(0), "wake", 0, 0)
				d.expect(d.th(1).Wake == WakeNormal, "B must be woken and not yet returned")
				d.expect(d.canDo(Action{Kind: ActSignal, Thread: 1}), "a signal can still be pending when a woken core task returns")
				d.do(ActSignal, 1)
				o := d.until(1)
				if v == Seed {
					d.returns(o, "wait", -1, EINTR) // the wakeup is lost
				} else {
					d.returns(o, "wait", 0, 0) // the wakeup wins
				}
				d.word(1, StateRunning)
			},
		},
		{
			name: "umcg_wait by a thread that is not registered is -1/EINVAL",
			src:  "research table: umcg_wait ... EINVAL other state",
			mk:   scriptModel(0, 0, []instr{callNoArg(CallWait)}),
			run: func(d *driver, v Variant) {
				d.returns(d.until(0), "wait", -1, EINVAL)
			},
		},
		{
			name: "umcg_wait by a server (PROCESSING) is -1/EINVAL",
			src:  "research: umcg_wait ... Any other state -> EINVAL",
			mk:   scriptModel(1, 0, []instr{callGroup(CallRegisterServer, 0), callNoArg(CallWait)}),
			run: func(d *driver, v Variant) {
				d.until(0)
				d.returns(d.until(0), "wait", -1, EINVAL)
				d.word(0, StateProcessing)
			},
		},
		{
			name: "core swap wakes the partner and sleeps until woken back",
			src:  "SPEC: umcg_swap(next): wake(next) and wait as one context switch",
			mk:   withConfig(Config{CorePairs: 1, Swaps: 1}),
			run: func(d *driver, v Variant) {
				d.step(1, 1, 1) // c1: register, set ready
				d.step(1, 1)    // c1: wait sleeps
				d.step(0, 0, 0) // c0: register, sees ready
				d.step(0, 0, 0) // c0: swap: load, CAS next RUNNABLE->RUNNING, CAS self RUNNING->RUNNABLE
				d.word(0, StateRunnable)
				d.word(1, StateRunning)
				o := d.step(0) // sys_umcg_swap
				d.notReturned(o, "swap")
				d.expect(d.th(0).Sleep == SleepSwap && d.th(1).Wake == WakeNormal, "c0 must sleep in swap with c1 woken")
				d.returns(d.until(1), "c1's wait", 0, 0)
				d.returns(d.until(1), "c1's wake of c0", 0, 0)
				d.returns(d.until(0), "swap", 0, 0)
				d.word(0, StateRunning)
				d.runFirst(100)
				d.expect(d.m.ValidEnd(&d.s), "the pair must finish")
			},
		},
	})
}

// ---- Calls on UMCG_NONE and unregistered threads ----

// nullDeref checks o, thread t's step of a call on UMCG_NONE: the load of
// *utid faults, SIGSEGV kills the thread and the call does not return.
func (d *driver) nullDeref(o Observation, t int8, what string) {
	d.t.Helper()
	d.status(t, Killed)
	d.expect(strings.Contains(o.Label.String(), "NULL"), "%s: want a NULL dereference step, got %q", what, o.Label)
	d.notReturned(o, what)
	d.expect(!d.s.Live() && len(d.enabled()) == 0, "%s: the process must be over, enabled: %v", what, d.enabled())
}

func TestLibraryUnusualArguments(t *testing.T) {
	runLibCases(t, []lcase{
		{
			name: "run_worker(UMCG_NONE): seed dereferences NULL (SIGSEGV, no return), fixed UMCG_NONE/EINVAL",
			src:  "seed umcg_run_worker: worker_utls = atomic_load_explicit((struct umcg_task_tls **)worker, ...) with no check of worker; fixes.go none-arg-einval",
			mk:   scriptModel(1, 0, []instr{callGroup(CallRegisterServer, 0), callNoArg(CallRunWorker)}),
			run: func(d *driver, v Variant) {
				d.until(0)
				if v == Seed {
					d.nullDeref(d.step(0), 0, "run_worker(UMCG_NONE)")
					return
				}
				d.returns(d.step(0), "run_worker(UMCG_NONE)", 0, EINVAL)
			},
		},
		{
			name: "wake(UMCG_NONE): seed dereferences NULL (SIGSEGV, no return), fixed -1/EINVAL",
			src:  "seed libumcg umcg_wake loads *(struct umcg_task_tls **)next unchecked, as run_worker does; fixes.go none-arg-einval",
			mk:   scriptModel(0, 0, []instr{callNoArg(CallRegisterCore), callNoArg(CallWake)}),
			run: func(d *driver, v Variant) {
				d.until(0)
				if v == Seed {
					d.nullDeref(d.step(0), 0, "wake(UMCG_NONE)")
					return
				}
				d.returns(d.step(0), "wake(UMCG_NONE)", -1, EINVAL)
			},
		},
		{
			name: "get_task_state(UMCG_NONE) dereferences NULL: SIGSEGV, no return",
			src:  "seed umcg_get_task_state: utls = atomic_load_explicit((struct umcg_task_tls **)task, ...) with no check of task",
			mk:   scriptModel(0, 0, []instr{callNoArg(CallRegisterCore), callNoArg(CallGetTaskState)}),
			run: func(d *driver, v Variant) {
				d.until(0)
				d.nullDeref(d.step(0), 0, "get_task_state(UMCG_NONE)")
			},
		},
		{
			name: "a probe skips a call whose argument the previous call failed to produce: no destroy_group(UMCG_NONE)",
			src:  "client.go clientStep: an argLast call after a failed call is skipped (a probe does not call destroy_group(UMCG_NONE))",
			mk:   probeDriver("register", FaultENOMEM),
			run: func(d *driver, v Variant) {
				d.stepUntil(0, "create_group next", func(s *State) bool { return s.T[0].Fn == CallNone && s.T[0].PC == 9 })
				d.returns(d.do(ActFail, 0), "create_group", perVariant[int16](v, -1, 0), perVariant(v, EPERM, ENOMEM))
				o := d.step(0)
				d.expect(o.Call == CallNone && !o.UAF && strings.Contains(o.Label.String(), "skip destroy_group"),
					"want the client to skip destroy_group, got %q (call %v, UAF %v)", o.Label, o.Call, o.UAF)
				d.expect(d.th(0).Fn == CallNone, "no destroy_group may be in progress, got %v", d.th(0).Fn)
				d.step(0) // the program is done
				d.status(0, Finished)
			},
		},
		{
			name: "run_worker of a thread that never registered: fixed UMCG_NONE/ESRCH, seed UMCG_NONE errno untouched",
			src:  "seed umcg_run_worker: if (!worker_utls) return UMCG_NONE; library.go: fixed says ESRCH for one that never registered",
			mk: scriptModel(1, 0,
				[]instr{callGroup(CallRegisterServer, 0), callThread(CallRunWorker, 1)},
				[]instr{}),
			run: func(d *driver, v Variant) {
				d.until(0)
				o := d.until(0)
				d.returns(o, "run_worker", 0, perVariant(v, OK, ESRCH))
				d.expect(o.GEntry == ESRCH, "GEntry: want ESRCH, got %v", o.GEntry)
			},
		},
		{
			name: "get_task_state of a registered core task is RUNNING",
			src:  "seed umcg_get_task_state: return atomic_load(&utls->umcg_task.state)",
			mk:   scriptModel(0, 0, []instr{callNoArg(CallRegisterCore), callThread(CallGetTaskState, 0)}),
			run: func(d *driver, v Variant) {
				d.until(0)
				d.returns(d.until(0), "get_task_state", int16(StateRunning), 0)
			},
		},
		{
			name: "get_task_state of an unregistered task is NONE",
			src:  "seed umcg_get_task_state: if (!utls) return UMCG_TASK_NONE",
			mk:   scriptModel(0, 0, []instr{callNoArg(CallRegisterCore), callNoArg(CallUnregister), callThread(CallGetTaskState, 0)}),
			run: func(d *driver, v Variant) {
				d.until(0)
				d.until(0)
				d.returns(d.until(0), "get_task_state", int16(StateNone), 0)
			},
		},
	})
}

// ---- Config validation ----

func TestNewRejectsBadConfigs(t *testing.T) {
	with := func(f func(c *Config)) Config {
		c := DefaultConfig()
		f(&c)
		return c
	}
	cases := []struct {
		name string
		cfg  Config
		want string // the field the error must name
		msg  string // if set, the whole error text
	}{
		{"unknown variant", with(func(c *Config) { c.Variant = 2 }), "variant", ""},
		{"negative groups", with(func(c *Config) { c.Groups = -1 }), "groups", ""},
		{"too many groups", with(func(c *Config) { c.Groups = MaxGroups + 1 }), "groups", ""},
		{"unknown fault bits", with(func(c *Config) { c.Faults = AllFaults + 1 }), "faults", ""},
		{"negative servers", with(func(c *Config) { c.Servers = -1 }), "servers", "servers: -1 is out of range 0..100"},
		{"negative workers", with(func(c *Config) { c.Workers = -1 }), "workers", "workers: -1 is out of range 0..100"},
		{"negative blocks", with(func(c *Config) { c.Blocks = -1 }), "blocks", "blocks: -1 is out of range 0..100"},
		{"negative core pairs", with(func(c *Config) { c.CorePairs = -1 }), "core-pairs", "core-pairs: -1 is out of range 0..100"},
		{"negative swaps", with(func(c *Config) { c.Swaps = -1 }), "swaps", "swaps: -1 is out of range 0..100"},
		{"negative max faults", with(func(c *Config) { c.MaxFaults = -1 }), "max-faults", "max-faults: -1 is out of range 0..100"},
		{"too many servers", with(func(c *Config) { c.Servers = 101 }), "servers", "servers: 101 is out of range 0..100"},
		{"too many workers", with(func(c *Config) { c.Workers = 101 }), "workers", "workers: 101 is out of range 0..100"},
		{"too many blocks", with(func(c *Config) { c.Blocks = 101 }), "blocks", "blocks: 101 is out of range 0..100"},
		{"too many core pairs", with(func(c *Config) { c.CorePairs = 101 }), "core-pairs", "core-pairs: 101 is out of range 0..100"},
		{"too many swaps", with(func(c *Config) { c.Swaps = 101 }), "swaps", "swaps: 101 is out of range 0..100"},
		{"too many max faults", with(func(c *Config) { c.MaxFaults = 101 }), "max-faults", "max-faults: 101 is out of range 0..100"},
		{"core pairs without swaps", with(func(c *Config) { c.CorePairs, c.Swaps = 1, 0 }), "swaps", ""},
		{"unknown bug", with(func(c *Config) { c.Bug = "no-such-bug" }), "bug", ""},
		{"unknown probe", with(func(c *Config) { c.Probes = []string{"no-such-probe"} }), "probes", ""},
		{"probe without a free group", with(func(c *Config) { c.Groups = MaxGroups; c.Probes = []string{"register"} }), "probes", ""},
		{"too many threads", with(func(c *Config) { c.Servers, c.Workers = 8, 9 }), "threads", ""},
		{"no threads", Config{Variant: Seed}, "threads", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(c.cfg)
			switch {
			case err == nil:
				t.Errorf("New(%v): want an error naming %q, got a model with %d threads", c.cfg, c.want, m.Threads())
			case !strings.Contains(strings.ToLower(err.Error()), c.want):
				t.Errorf("New(%v): want an error naming %q, got %q", c.cfg, c.want, err)
			case c.msg != "" && err.Error() != c.msg:
				t.Errorf("New(%v): want the error %q, got %q", c.cfg, c.msg, err)
			}
		})
	}
}

func TestNewAcceptsGoodConfigs(t *testing.T) {
	good := []Config{
		DefaultConfig(),
		{Variant: Fixed, Groups: MaxGroups, Servers: 1, Workers: 3, Blocks: 100, MaxFaults: 100, Faults: AllFaults},
		{Variant: Seed, CorePairs: 1, Swaps: 100},
		{Variant: Fixed, Probes: ProbeNames()},
	}
	for _, b := range BugNames() {
		c := DefaultConfig()
		c.Bug = b
		good = append(good, c)
	}
	for _, c := range good {
		m, err := New(c)
		if err != nil {
			t.Errorf("New(%v): unexpected error %v", c, err)
			continue
		}
		if got := m.Config().String(); got != c.String() {
			t.Errorf("Config() round trip: want %q, got %q", c.String(), got)
		}
	}
}

// ---- Encoding bound over random walks (rapid) ----

func TestEncodingWithinEncodedSizeOnRandomWalks(t *testing.T) {
	configs := []Config{
		DefaultConfig(),
		{Groups: MaxGroups, Servers: 1, Workers: 3, Blocks: 2}, // 16 threads, 4 groups
		{Groups: 1, Servers: 1, Workers: 2, Blocks: 1, CorePairs: 1, Swaps: 2, Probes: ProbeNames()},
		{Groups: 2, Servers: 2, Workers: 2, Blocks: 1},
	}
	bugs := append([]string{""}, BugNames()...)
	rapid.Check(t, func(rt *rapid.T) {
		c := configs[rapid.IntRange(0, len(configs)-1).Draw(rt, "config")]
		c.Variant = Variant(rapid.IntRange(0, 1).Draw(rt, "variant"))
		c.Faults = Fault(rapid.IntRange(0, int(AllFaults)).Draw(rt, "faults"))
		c.MaxFaults = rapid.IntRange(0, 3).Draw(rt, "maxFaults")
		c.Bug = bugs[rapid.IntRange(0, len(bugs)-1).Draw(rt, "bug")]
		m, err := New(c)
		if err != nil {
			rt.Fatalf("New(%v): %v", c, err)
		}
		s := m.Init()
		var buf [4 * MaxThreads]Action
		var enc [EncodedSize + 64]byte
		for i := 0; i < 80; i++ {
			e := s.AppendEncoding(enc[:0])
			if len(e) > EncodedSize {
				rt.Fatalf("step %d: encoding is %d bytes, more than EncodedSize = %d", i, len(e), EncodedSize)
			}
			if s.Fingerprint() != sim.Hash(e) {
				rt.Fatalf("step %d: Fingerprint is not sim.Hash(encoding)", i)
			}
			en := m.Enabled(&s, buf[:0])
			if len(en) == 0 {
				break
			}
			a := en[rapid.IntRange(0, len(en)-1).Draw(rt, "action")]
			m.Step(&s, a)
		}
	})
}
