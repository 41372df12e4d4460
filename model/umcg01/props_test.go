// Tests of the properties: that the fixed variant keeps them all over random
// sequences, that each one is broken by a deliberate bug and found by a
// search that looks for it, that the seed variant shows findings, and table
// tests of the check functions on hand-built states.
package umcg01_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// depth bounds every sequence the tests run.
const depth = 300

// run is the outcome of one sequence of actions from the initial state.
type run struct {
	path     []model.Action
	terminal bool                // the sequence ended in a terminal state (not at the depth bound)
	hit      *sim.Counterexample // the first violation of a wanted property, if any
	others   map[string]bool     // every property violated on the way that was not wanted
}

// explore runs one sequence of m from its initial state; pick chooses one
// of the n > 0 enabled actions. At every step it collects every violation
// (props.CheckStep and props.CheckState, all of them, not only the first)
// and stops at the first one of a property want accepts. Liveness
// properties want accepts are checked with sim.Confirm on the terminal
// path and on every lasso the sequence closes (the current state's
// fingerprint was seen earlier in the sequence, tried as Loop = the index
// of its latest visit). Violations of properties want rejects are recorded
// in others and the sequence goes on.
func explore(m *model.Model, pick func(n int) int, depth int, want func(*model.Property) bool) run {
	var r run
	r.others = map[string]bool{}
	e := m.Engine()
	ps := e.Properties
	var live []*model.Property
	for _, p := range ps {
		if p.Live != nil && want(p) {
			live = append(live, p)
		}
	}
	s := m.Init()
	seen := map[uint64]int{s.Fingerprint(): 0}
	var buf []model.Action
	var vs []model.Violation
	buf = m.Enabled(&s, buf[:0])
	vs = props.CheckState(ps, &s, len(buf) == 0, vs[:0])
	if c := pickViolation(m, vs, nil, want, r.others); c != nil {
		r.hit = c
		return r
	}
	for d := 0; ; d++ {
		if len(buf) == 0 {
			r.terminal = true
			for _, p := range live {
				c := sim.Counterexample{Property: p.ID, Actions: r.path, Loop: -1}
				if msg, err := e.Confirm(c); err == nil {
					c.Message = msg
					r.hit = &c
					return r
				}
			}
			return r
		}
		if d >= depth {
			return r
		}
		a := buf[pick(len(buf))]
		before := s
		o := m.Step(&s, a)
		r.path = append(r.path, a)
		buf = m.Enabled(&s, buf[:0])
		vs = props.CheckStep(ps, &before, &s, &o, vs[:0])
		vs = props.CheckState(ps, &s, len(buf) == 0, vs)
		if c := pickViolation(m, vs, r.path, want, r.others); c != nil {
			r.hit = c
			return r
		}
		fp := s.Fingerprint()
		if at, ok := seen[fp]; ok {
			for _, p := range live {
				c := sim.Counterexample{Property: p.ID, Actions: slices.Clone(r.path), Loop: at}
				if msg, err := e.Confirm(c); err == nil {
					c.Message = msg
					r.hit = &c
					return r
				}
			}
		}
		seen[fp] = len(r.path)
	}
}

// pickViolation returns, as a counterexample ending with path, the first
// violation in vs of a wanted property, and records the ids of the
// unwanted ones.
func pickViolation(m *model.Model, vs []model.Violation, path []model.Action, want func(*model.Property) bool,
	others map[string]bool) *sim.Counterexample {
	var hit *sim.Counterexample
	for _, v := range vs {
		if !want(v.Property) {
			others[v.Property.ID] = true
			continue
		}
		if hit == nil {
			hit = &sim.Counterexample{Property: v.Property.ID, Message: v.Message,
				Actions: slices.Clone(path), Loop: -1}
		}
	}
	return hit
}

func only(id string) func(*model.Property) bool {
	return func(p *model.Property) bool { return p.ID == id }
}

func newModel(t testing.TB, c model.Config) *model.Model {
	t.Helper()
	m, err := model.New(c)
	if err != nil {
		t.Fatalf("model.New(%s): %v", c, err)
	}
	return m
}

// pcgPick picks uniformly with a seeded PCG stream.
func pcgPick(seed, stream uint64) func(int) int {
	rng := rand.New(rand.NewPCG(seed, stream))
	return func(n int) int { return rng.IntN(n) }
}

// replay returns the states of a path (the initial one and one after each
// step) and each step's observation.
func replay(m *model.Model, path []model.Action) ([]model.State, []model.Observation) {
	ss := []model.State{m.Init()}
	var os []model.Observation
	for _, a := range path {
		s := ss[len(ss)-1]
		os = append(os, m.Step(&s, a))
		ss = append(ss, s)
	}
	return ss, os
}

// Regressions: defects of the fixed variant that these tests once found
// and tolerated as known model bugs, since fixed in the model. Each one has
// a configuration whose seeded walks go through the defect's scenario; the
// walks must keep every property (as TestFixedKeepsEveryProperty checks
// them), and at least one walk must go through the scenario, so that the
// test cannot pass by missing it.
type regression struct {
	name  string
	fixed string // what went wrong, and what the model does now
	cfg   model.Config
	walks int
	// scenario reports whether a walk (its states and observations) went
	// through the defect's scenario.
	scenario func(ss []model.State, os []model.Observation) bool
}

// skippedDestroy: the register probe skipped its destroy_group(argLast)
// because create_group failed.
func skippedDestroy(_ []model.State, os []model.Observation) bool {
	return slices.ContainsFunc(os, func(o model.Observation) bool {
		return strings.Contains(o.Label.String(), "skip destroy_group")
	})
}

// lateWakeup: a server asleep in run_worker, already woken by why, was
// then given the reason its worker stopped (whose own wakeup was a no-op).
func lateWakeup(why model.Wake) func([]model.State, []model.Observation) bool {
	return func(ss []model.State, _ []model.Observation) bool {
		for i := range ss {
			s := &ss[i]
			for j := 0; j < int(s.N); j++ {
				th := &s.T[j]
				if th.Kind == model.KindServer && th.Status == model.Alive && th.Sleep == model.SleepRun &&
					th.Wake == why && th.Reason != model.ReasonNone {
					return true
				}
			}
		}
		return false
	}
}

// runESRCH: an injected ESRCH failed a sys_umcg_run_worker.
func runESRCH(_ []model.State, os []model.Observation) bool {
	return slices.ContainsFunc(os, func(o model.Observation) bool {
		return o.Action.Kind == model.ActFail && o.Call == model.CallRunWorker && o.SysErrno == model.ESRCH
	})
}

var regressions = []regression{
	{
		name: "destroy-none",
		fixed: "probe \"register\" called destroy_group(UMCG_NONE) when its create_group failed (every group in use), and " +
			"the library's load of group->group_id broke no-use-after-free; the client now skips a call whose argument the failed call should have produced",
		cfg:      withProbes(fixedCfg(3, 0, 0, 0), "register"),
		walks:    10,
		scenario: skippedDestroy,
	},
	{
		name:     "destroy-none-enomem",
		fixed:    "as destroy-none, with create_group failing on an injected ENOMEM",
		cfg:      withFaults(withProbes(fixedCfg(0, 0, 0, 0), "register"), model.FaultENOMEM, 1),
		walks:    200,
		scenario: skippedDestroy,
	},
	{
		name: "run-lost-wakeup-eintr",
		fixed: "a signal that had already woken the fixed run_worker swallowed the wakeup of a block, yield or unregister " +
			"(wake() is a no-op then), and the server slept for ever with Reason set (no-deadlock, run-returns); " +
			"run_worker now ends on Reason, however it was woken",
		cfg:      withFaults(fixedCfg(1, 1, 1, 0), model.FaultEINTR, 1),
		walks:    500,
		scenario: lateWakeup(model.WakeSignal),
	},
	{
		name:  "run-lost-wakeup-spurious",
		fixed: "as run-lost-wakeup-eintr, with a spurious wakeup instead of a signal",
		// spurious wakeups hit any sleeper: three of them, and two blocks,
		// make the scenario common enough
		cfg:      withFaults(fixedCfg(1, 1, 1, 2), model.FaultSpurious, 3),
		walks:    1000,
		scenario: lateWakeup(model.WakeSpurious),
	},
	{
		name: "esrch-orphan",
		fixed: "an injected ESRCH on sys_umcg_run_worker made the fixed run_worker undo the worker to RUNNABLE and return " +
			"UMCG_NONE/ESRCH; the server went back to poll_worker and the worker, on no queue and with no server, slept " +
			"for ever (no-deadlock); the server now runs the same worker again",
		cfg:      withFaults(fixedCfg(1, 1, 1, 0), model.FaultESRCH, 1),
		walks:    500,
		scenario: runESRCH,
	},
}

// TestFixedModelRegressions: seeded walks of each regression's
// configuration keep every property and go through its scenario.
func TestFixedModelRegressions(t *testing.T) {
	for _, rg := range regressions {
		t.Run(rg.name, func(t *testing.T) {
			m := newModel(t, rg.cfg)
			through := 0
			for w := 0; w < rg.walks; w++ {
				r := explore(m, pcgPick(pcgSeed, uint64(w)), depth, func(*model.Property) bool { return true })
				if r.hit != nil {
					sh := m.Engine().Shrink(*r.hit)
					t.Fatalf("walk %d of %s: %s violated: %s (loop %d); once fixed: %s; shrunk:\n%s",
						w, rg.cfg, sh.Property, sh.Message, sh.Loop, rg.fixed, explain(m, sh.Actions))
				}
				if ss, os := replay(m, r.path); rg.scenario(ss, os) {
					through++
				}
			}
			if through == 0 {
				t.Fatalf("none of %d walks of %s went through the scenario of the defect: %s", rg.walks, rg.cfg, rg.fixed)
			}
			t.Logf("%d of %d walks went through the scenario, none violates a property", through, rg.walks)
		})
	}
}

// drawConfig draws a configuration of the fixed variant within the bounds
// the tests promise: 1..2 groups, 1..2 servers and 1..3 workers per group,
// 0..2 blocks, 0..1 core pairs with 1..3 swaps, any probes (each needs a
// group of its own, so at most model.MaxGroups-groups of them), any subset
// of the faults and 0..2 of them per run, at most model.MaxThreads threads.
// intn draws an int in lo..hi; probes draws at most n distinct probe names.
func drawConfig(t interface{ Fatalf(string, ...any) }, intn func(name string, lo, hi int) int, probes func(n int) []string) (model.Config, *model.Model) {
	c := model.Config{
		Variant:   model.Fixed,
		Groups:    intn("groups", 1, 2),
		Servers:   intn("servers", 1, 2),
		Workers:   intn("workers", 1, 3),
		Blocks:    intn("blocks", 0, 2),
		CorePairs: intn("corePairs", 0, 1),
		Swaps:     intn("swaps", 1, 3),
		Faults:    model.Fault(intn("faults", 0, int(model.AllFaults))) & model.AllFaults,
		MaxFaults: intn("maxFaults", 0, 2),
	}
	c.Probes = probes(model.MaxGroups - c.Groups)
	for {
		m, err := model.New(c)
		if err == nil {
			if m.Threads() > model.MaxThreads {
				t.Fatalf("model.New accepted %d threads (at most %d)", m.Threads(), model.MaxThreads)
			}
			return c, m
		}
		if len(c.Probes) == 0 || !strings.Contains(err.Error(), "too many threads") {
			t.Fatalf("model.New(%s): %v", c, err)
		}
		c.Probes = c.Probes[:len(c.Probes)-1] // keep the threads within model.MaxThreads
	}
}

func drawConfigRapid(t *rapid.T) (model.Config, *model.Model) {
	return drawConfig(t,
		func(name string, lo, hi int) int { return rapid.IntRange(lo, hi).Draw(t, name) },
		func(n int) []string {
			return rapid.SliceOfNDistinct(rapid.SampledFrom(model.ProbeNames()), 0, n,
				func(s string) string { return s }).Draw(t, "probes")
		})
}

func drawConfigPCG(t testing.TB, rng *rand.Rand) (model.Config, *model.Model) {
	return drawConfig(t,
		func(_ string, lo, hi int) int { return lo + rng.IntN(hi-lo+1) },
		func(n int) []string {
			ps := model.ProbeNames()
			rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
			return ps[:rng.IntN(min(n, len(ps))+1)]
		})
}

func rapidPick(t *rapid.T) func(int) int {
	return func(n int) int { return rapid.IntRange(0, n-1).Draw(t, "action") }
}

func explain(m *model.Model, path []model.Action) string {
	var b strings.Builder
	sim.WriteText(&b, m.Engine().Explain(path))
	return b.String()
}

// TestFixedKeepsEveryProperty: random action sequences of the fixed variant,
// over rapid-drawn configurations (see drawConfig), with actions drawn by
// rapid.IntRange over m.Enabled, violate no property. Every safety property
// (Invariant, StepProperty, Deadlock) is checked after every step with
// props.CheckStep and props.CheckState; every lasso the sequence closes is
// given to sim.Confirm for every liveness property and must be rejected;
// when the sequence ends in a terminal state, sim.Confirm must reject the
// whole path for every liveness property.
func TestFixedKeepsEveryProperty(t *testing.T) {
	sequences, terminal, steps := 0, 0, 0
	rapid.Check(t, func(t *rapid.T) {
		c, m := drawConfigRapid(t)
		r := explore(m, rapidPick(t), depth, func(*model.Property) bool { return true })
		if r.hit != nil {
			t.Fatalf("%s: %s violated: %s (loop %d)\n%s", c, r.hit.Property, r.hit.Message, r.hit.Loop, explain(m, r.hit.Actions))
		}
		sequences++
		steps += len(r.path)
		if !r.terminal {
			return
		}
		terminal++
		for _, p := range m.Properties() {
			if p.Class != props.Liveness {
				continue
			}
			cx := sim.Counterexample{Property: p.ID, Actions: r.path, Loop: -1}
			if msg, err := m.Engine().Confirm(cx); err == nil {
				t.Fatalf("%s: the terminal path violates %s: %s\n%s", c, p.ID, msg, explain(m, r.path))
			}
		}
	})
	t.Logf("%d sequences, %d ended in a terminal state, %d steps", sequences, terminal, steps)
}

// TestFixedKeepsEveryPropertyWalks is TestFixedKeepsEveryProperty with
// seeded draws instead of rapid's: a fixed, broader sweep (fixedSweep
// configurations, one walk each) that does not change from run to run.
func TestFixedKeepsEveryPropertyWalks(t *testing.T) {
	fixedSweep := 800
	if testing.Short() {
		fixedSweep /= 5
	}
	terminal := 0
	for i := 0; i < fixedSweep; i++ {
		c, m := drawConfigPCG(t, rand.New(rand.NewPCG(pcgSeed, uint64(i))))
		r := explore(m, pcgPick(pcgSeed+1, uint64(i)), depth, func(*model.Property) bool { return true })
		if r.hit != nil {
			sh := m.Engine().Shrink(*r.hit)
			t.Fatalf("walk %d of %s: %s violated: %s (loop %d); shrunk:\n%s", i, c, sh.Property, sh.Message, sh.Loop, explain(m, sh.Actions))
		}
		if r.terminal {
			terminal++
		}
	}
	t.Logf("%d walks, %d ended in a terminal state", fixedSweep, terminal)
}

// mutation is one row of the table of deliberate bugs: with Bug on, a
// search of cfg must find a violation of prop; without it, the same search
// must not.
type mutation struct {
	prop string
	bug  string
	cfg  model.Config
	// also lists properties the same step must violate too (safety only):
	// the search must not stop at the first violation of a step.
	also []string
	// rapid: the row is also searched with rapid. Rows whose sequences
	// hit too rarely for rapid's budget (-rapid.checks, a fifth of it
	// with -short) are searched with seeded walks only.
	rapid bool
}

func fixedCfg(groups, servers, workers, blocks int) model.Config {
	return model.Config{Variant: model.Fixed, Groups: groups, Servers: servers, Workers: workers, Blocks: blocks}
}

func withFaults(c model.Config, f model.Fault, max int) model.Config {
	c.Faults, c.MaxFaults = f, max
	return c
}

func withProbes(c model.Config, ps ...string) model.Config {
	c.Probes = ps
	return c
}

// mutations breaks every property at least once (TestMutationTable checks).
var mutations = []mutation{
	{prop: "queue-fifo", bug: "lifo-queue", cfg: fixedCfg(1, 2, 3, 1), rapid: true},
	{prop: "no-lost-wakeup", bug: "unblock-no-wake", cfg: fixedCfg(1, 2, 2, 1), rapid: true},
	{prop: "worker-eventually-runs", bug: "unblock-no-wake", cfg: fixedCfg(1, 1, 1, 1), rapid: true},
	{prop: "server-processing", bug: "run-leaves-serving", cfg: fixedCfg(1, 1, 2, 1), rapid: true},
	{prop: "worker-has-server", bug: "preempt-keeps-running", cfg: withFaults(fixedCfg(1, 1, 2, 1), model.FaultPreempt, 1), rapid: true},
	// v0.1 taken literally: with one server the stale link is harmless (the
	// server's own poll drops it); a second server's poll or handoff trips
	// the WARN_ON.
	{prop: "no-kill", bug: "block-keeps-peer", cfg: fixedCfg(1, 2, 2, 1), rapid: true},
	{prop: "no-exit", bug: "poll-bad-cas", cfg: fixedCfg(1, 1, 1, 0), rapid: true},
	{prop: "legal-edge", bug: "unblock-to-running", cfg: fixedCfg(1, 1, 1, 1), rapid: true},
	{prop: "state-domain", bug: "poll-sets-runnable", cfg: fixedCfg(1, 1, 1, 0), also: []string{"legal-edge"}, rapid: true},
	{prop: "errno-contract", bug: "destroy-ebusy", cfg: withProbes(fixedCfg(0, 0, 0, 0), "register"), rapid: true},
	{prop: "no-use-after-free", bug: "unregister-dangling", cfg: withProbes(fixedCfg(0, 0, 0, 0), "run-gone"), rapid: true},
	{prop: "no-deadlock", bug: "unregister-no-wake", cfg: fixedCfg(1, 1, 2, 0), rapid: true},
	{prop: "run-returns", bug: "unregister-no-wake", cfg: fixedCfg(1, 1, 1, 1), rapid: true},
	{prop: "no-busy-wait", bug: "run-eagain-loop", cfg: fixedCfg(1, 1, 1, 0), rapid: true},
	{prop: "errno-contract", bug: "wake-spin", cfg: withProbes(fixedCfg(0, 0, 0, 0), "wake-twice")},
	{prop: "no-lost-wakeup", bug: "poll-ignores-queue", cfg: fixedCfg(1, 1, 1, 0)},
	{prop: "worker-has-server", bug: "stale-peer", cfg: fixedCfg(1, 1, 1, 0)},
	{prop: "queue-fifo", bug: "register-not-queued", cfg: fixedCfg(1, 1, 1, 0)},
	{prop: "run-returns", bug: "die-keeps-registered", cfg: withFaults(fixedCfg(1, 1, 1, 1), model.FaultDeath, 1)},
	{prop: "errno-contract", bug: "errno-lost", cfg: withProbes(fixedCfg(0, 0, 0, 0), "register")},
	{prop: "no-deadlock", bug: "wake-dropped", cfg: corePair(1)},
	{prop: "legal-edge", bug: "wait-forgets-queued", cfg: corePair(1)},
	{prop: "peer-registered", bug: "unregister-keeps-link", cfg: fixedCfg(1, 1, 1, 0)},
	{prop: "worker-eventually-runs", bug: "run-no-undo", cfg: withFaults(fixedCfg(1, 1, 2, 1), model.FaultESRCH, 1)},
	// Only the most general client waits before it registers.
	{prop: "errno-contract", bug: "wait-unregistered-ok", cfg: model.Config{Variant: model.Fixed, General: 1, Calls: 3}},
	// A sleep outside UMCG between wait's CAS and its syscall: the worker
	// sleeps for good, and its server in run_worker too.
	{prop: "no-deadlock", bug: "wake-hook-unpaired", cfg: withSleeps(fixedCfg(1, 1, 1, 0), 1, 1)},
	{prop: "register-succeeds", bug: "register-one-task", cfg: fixedCfg(1, 1, 1, 0)},
	{prop: "run-returns-worker", bug: "run-returns-self", cfg: fixedCfg(1, 1, 1, 1)},
	{prop: "no-leak", bug: "unregister-keeps-count", cfg: fixedCfg(1, 1, 1, 0)},
	{prop: "retry-progress", bug: "run-check-inverted", cfg: fixedCfg(1, 1, 1, 0)},
}

// withSleeps gives c's workers yields (umcg_wait calls) and allows sleeps
// outside UMCG per run.
func withSleeps(c model.Config, yields, sleeps int) model.Config {
	c.Yields, c.Sleeps = yields, sleeps
	return c
}

// corePair is a pair of core tasks of the fixed variant that swap.
func corePair(swaps int) model.Config {
	return model.Config{Variant: model.Fixed, CorePairs: 1, Swaps: swaps}
}

func (mu mutation) name() string { return mu.prop + "_by_" + mu.bug }

func (mu mutation) models(t testing.TB) (buggy, clean *model.Model) {
	c := mu.cfg
	c.Bug = mu.bug
	return newModel(t, c), newModel(t, mu.cfg)
}

// Search budgets of the mutation tests.
const (
	pcgSeed   = 1   // seed of the seeded walks
	pcgWalks  = 300 // seeded walks per search
	rapidSeqs = 4   // sequences per rapid test case
)

// huntPCG runs up to walks seeded walks of m, each by explore, and returns
// the first that violates property id with the number of walks it took
// (0: none did).
func huntPCG(m *model.Model, id string, walks int) (run, int) {
	for w := 0; w < walks; w++ {
		r := explore(m, pcgPick(pcgSeed, uint64(w)), depth, only(id))
		if r.hit != nil {
			return r, w + 1
		}
	}
	return run{}, 0
}

// violatedAtLastStep lists every property the last step of path violates.
func violatedAtLastStep(m *model.Model, path []model.Action) []string {
	ss, os := replay(m, path)
	n := len(path)
	last := &ss[n]
	var vs []model.Violation
	if n > 0 {
		vs = props.CheckStep(m.Properties(), &ss[n-1], last, &os[n-1], vs)
	}
	vs = props.CheckState(m.Properties(), last, m.Terminal(last), vs)
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.Property.ID)
	}
	return ids
}

// checkHit checks a counterexample a mutation search found: sim.Confirm
// accepts it for the row's property; a safety violation is at its last
// step, together with the row's also; a no-busy-wait violation is a fair
// lasso; sim.Shrink makes it no longer and still confirmed.
func checkHit(t *testing.T, m *model.Model, mu mutation, c *sim.Counterexample) {
	t.Helper()
	p, _ := byID(mu.prop)
	if c.Property != mu.prop {
		t.Fatalf("the search returned a violation of %s, not %s", c.Property, mu.prop)
	}
	msg, err := m.Engine().Confirm(*c)
	if err != nil {
		t.Fatalf("sim.Confirm rejects the counterexample: %v\n%s", err, explain(m, c.Actions))
	}
	switch {
	case p.Live == nil:
		if c.Loop != -1 {
			t.Errorf("a safety counterexample has loop %d", c.Loop)
		}
		at := violatedAtLastStep(m, c.Actions)
		for _, id := range append([]string{mu.prop}, mu.also...) {
			if !slices.Contains(at, id) {
				t.Errorf("the last step violates %v, not %s", at, id)
			}
		}
	case p.Live.Cycle != nil:
		if c.Loop < 0 {
			t.Errorf("%s needs a lasso, got a finite path", mu.prop)
		}
	}
	sh := m.Engine().Shrink(*c)
	if _, err := m.Engine().Confirm(sh); err != nil {
		t.Errorf("sim.Confirm rejects the shrunk counterexample: %v", err)
	}
	if len(sh.Actions) > len(c.Actions) {
		t.Errorf("sim.Shrink made the counterexample longer: %d > %d steps", len(sh.Actions), len(c.Actions))
	}
	t.Logf("%s: %s (%d steps, loop %d; shrunk to %d steps, loop %d)", mu.prop, msg, len(c.Actions), c.Loop, len(sh.Actions), sh.Loop)
}

// TestMutations: for every row of the table, seeded walks of the buggy
// configuration find a violation of the row's property, and the same
// walks of the configuration without the bug do not. Rows marked rapid are
// searched with rapid too, with the same check the other way round.
func TestMutations(t *testing.T) {
	for _, mu := range mutations {
		t.Run(mu.name(), func(t *testing.T) {
			buggy, clean := mu.models(t)
			t.Run("walks", func(t *testing.T) {
				r, walks := huntPCG(buggy, mu.prop, pcgWalks)
				if r.hit == nil {
					t.Fatalf("%d seeded walks of %s found no violation of %s", pcgWalks, buggy.Config(), mu.prop)
				}
				t.Logf("caught at walk %d of %d", walks, pcgWalks)
				checkHit(t, buggy, mu, r.hit)
				if r, w := huntPCG(clean, mu.prop, pcgWalks); r.hit != nil {
					t.Errorf("without the bug, walk %d violates %s: %s\n%s", w, mu.prop, r.hit.Message, explain(clean, r.hit.Actions))
				}
			})
			if !mu.rapid {
				return
			}
			t.Run("rapid", func(t *testing.T) {
				cases, seqs, hits := 0, 0, 0
				rapid.Check(t, func(rt *rapid.T) {
					cases++
					for i := 0; i < rapidSeqs; i++ {
						seqs++
						r := explore(buggy, rapidPick(rt), depth, only(mu.prop))
						if r.hit == nil {
							continue
						}
						if _, err := buggy.Engine().Confirm(*r.hit); err != nil {
							rt.Fatalf("sim.Confirm rejects what the search found: %v", err)
						}
						hits++
						return
					}
				})
				if hits == 0 {
					t.Fatalf("rapid: %d cases (%d sequences) of %s found no violation of %s", cases, seqs, buggy.Config(), mu.prop)
				}
				t.Logf("rapid: %d of %d cases (%d sequences) found a violation of %s", hits, cases, seqs, mu.prop)
				// Without the bug: rapidSeqs sequences in every case, at
				// least the budget the search above used.
				rapid.Check(t, func(rt *rapid.T) {
					for i := 0; i < rapidSeqs; i++ {
						if r := explore(clean, rapidPick(rt), depth, only(mu.prop)); r.hit != nil {
							rt.Fatalf("without the bug, %s is violated: %s\n%s", mu.prop, r.hit.Message, explain(clean, r.hit.Actions))
						}
					}
				})
			})
		})
	}
}

// TestMutationTable: every property of props.All() is in the table of
// mutations, and is actually broken by one of its rows (a row that no
// search can make fail does not count); every row names a known property
// and bug, and every bug of model.BugNames is used.
func TestMutationTable(t *testing.T) {
	bugs := map[string]bool{}
	for _, mu := range mutations {
		if _, ok := byID(mu.prop); !ok {
			t.Errorf("row %s: unknown property %q", mu.name(), mu.prop)
		}
		if !slices.Contains(model.BugNames(), mu.bug) {
			t.Errorf("row %s: unknown bug %q", mu.name(), mu.bug)
		}
		if mu.cfg.Variant != model.Fixed {
			t.Errorf("row %s: base variant %s, want fixed (the bug must be the only defect)", mu.name(), mu.cfg.Variant)
		}
		bugs[mu.bug] = true
	}
	for _, b := range model.BugNames() {
		if !bugs[b] {
			t.Errorf("bug %s is in no row", b)
		}
	}
	all, _ := model.New(model.DefaultConfig())
	for _, p := range all.Properties() {
		broken := false
		for _, mu := range mutations {
			if mu.prop != p.ID {
				continue
			}
			buggy, _ := mu.models(t)
			if r, _ := huntPCG(buggy, p.ID, pcgWalks); r.hit != nil {
				if _, err := buggy.Engine().Confirm(*r.hit); err == nil {
					broken = true
					break
				}
			}
		}
		if !broken {
			t.Errorf("no row of the mutation table breaks %s", p.ID)
		}
	}
}

// seedSingle is the seed variant on one group with one server and two
// workers that block once each (DefaultConfig before it got a second
// server); the rows below spell their configurations out from it.
func seedSingle(mod func(*model.Config)) model.Config {
	c := model.Config{Variant: model.Seed, Groups: 1, Servers: 1, Workers: 2, Blocks: 1, MaxFaults: 1}
	if mod != nil {
		mod(&c)
	}
	return c
}

// TestSeedFindings: the seed variant (libumcg v0.1 as posted) violates
// properties, which are the product's findings about the RFC. For each
// expected property, seeded sim.Walk runs that look for it alone must find
// it; the finding is confirmed, shrunk, and the shrunk counterexample must
// be confirmed and no longer.
func TestSeedFindings(t *testing.T) {
	probe := func(name string) model.Config {
		return seedSingle(func(c *model.Config) { c.Groups, c.Servers, c.Workers, c.Probes = 0, 0, 0, []string{name} })
	}
	for _, tc := range []struct {
		name string
		cfg  model.Config
		want []string
	}{
		// v0.1 keeps the peer link after block: an unblock while another
		// server polls kills the worker (the handoff's WARN_ON), and a poll
		// by the other server of the still-linked queued worker kills that
		// server (poll_worker's WARN_ON).
		{"servers2", seedSingle(func(c *model.Config) { c.Servers = 2 }), []string{"no-kill"}},
		// a spurious wakeup of a queued worker takes it off the queue and
		// queues it again at the tail.
		{"spurious-requeue", seedSingle(func(c *model.Config) { c.Faults = model.FaultSpurious }), []string{"queue-fifo"}},
		// destroy_group of a busy group: errno EPERM (`errno = -res`), not EAGAIN.
		{"probe-register", probe("register"), []string{"errno-contract"}},
		// run_worker of a worker that unregistered reads its freed task_tls.
		{"probe-run-gone", probe("run-gone"), []string{"no-use-after-free"}},
		// a second wake of a task with a wakeup queued spins, then says 0.
		{"probe-wake-twice", probe("wake-twice"), []string{"errno-contract"}},
		// a core task's wait interrupted by a signal loses the partner's wake.
		{"eintr-core", model.Config{Variant: model.Seed, CorePairs: 1, Swaps: 2, Faults: model.FaultEINTR, MaxFaults: 1},
			[]string{"no-deadlock"}},
		// a signal in run_worker's sleep returns with the server still SERVING.
		{"eintr-run", seedSingle(func(c *model.Config) { c.Workers, c.Blocks, c.Faults = 1, 0, model.FaultEINTR }), []string{"server-processing"}},
		// core tasks ping-ponging with swap, with signals and spurious
		// wakeups: a wait interrupted by a signal returns EINTR after the
		// partner's wakeup arrived, and loses it (errno-contract,
		// no-deadlock); the partner's wake then spins on EAGAIN
		// (no-busy-wait); the swap loads the TLS of a partner that exited
		// (no-use-after-free).
		{"core", model.Config{Variant: model.Seed, CorePairs: 1, Swaps: 2, Faults: model.FaultEINTR | model.FaultSpurious, MaxFaults: 1},
			[]string{"errno-contract", "no-deadlock", "no-busy-wait", "no-use-after-free"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newModel(t, tc.cfg)
			const budget = 2000
			for _, id := range tc.want {
				res := m.Engine().Walk(sim.Walks{Runs: budget, Depth: depth, Seed: pcgSeed, Only: id})
				c := res.Violation
				if c == nil {
					t.Errorf("%d walks of %s found no violation of %s", budget, tc.cfg, id)
					continue
				}
				t.Logf("walk %d: %s: %s (%d steps)", res.Run, c.Property, c.Message, len(c.Actions))
				if c.Property != id {
					t.Errorf("sim.Walk looking only for %s found %s", id, c.Property)
					continue
				}
				if _, err := m.Engine().Confirm(*c); err != nil {
					t.Errorf("%s: sim.Confirm rejects what sim.Walk found: %v", id, err)
					continue
				}
				sh := m.Engine().Shrink(*c)
				_, err := m.Engine().Confirm(sh)
				switch {
				case err != nil:
					t.Errorf("%s: sim.Confirm rejects the shrunk counterexample: %v", id, err)
				case sh.Property != id:
					t.Errorf("%s: the shrunk counterexample is about %s", id, sh.Property)
				case len(sh.Actions) > len(c.Actions):
					t.Errorf("%s: sim.Shrink made it longer: %d > %d", id, len(sh.Actions), len(c.Actions))
				}
				t.Logf("%s: shrunk from %d to %d steps", id, len(c.Actions), len(sh.Actions))
			}
		})
	}
}

// TestSeedOneServerNoKill: with v0.1's kernel taken literally, one server
// cannot trip the stale peer link's WARN_ONs: the worker that unblocks
// before the server's next poll is queued still linked, and that poll
// drops the link before it takes the worker. (Two servers can:
// TestSeedFindings/servers2.)
func TestSeedOneServerNoKill(t *testing.T) {
	m := newModel(t, seedSingle(nil))
	const runs = 2000
	res := m.Engine().Walk(sim.Walks{Runs: runs, Depth: depth, Seed: pcgSeed, Only: "no-kill"})
	if c := res.Violation; c != nil {
		sh := m.Engine().Shrink(*c)
		t.Fatalf("walk %d of %s: %s: %s\n%s", res.Run, m.Config(), sh.Property, sh.Message, explain(m, sh.Actions))
	}
	if res.Runs != runs {
		t.Fatalf("sim.Walk ran %d walks, want %d", res.Runs, runs)
	}
}

// Hand-built states. The model hb has two groups, each with one server and
// two workers: s0 w1 w2 in group 0, s3 w4 w5 in group 1.

func handModel(t *testing.T) *model.Model {
	return newModel(t, model.Config{Variant: model.Fixed, Groups: 2, Servers: 1, Workers: 2})
}

func prop(t *testing.T, id string) *model.Property {
	t.Helper()
	p, ok := byID(id)
	if !ok {
		t.Fatalf("no property %q", id)
	}
	return p
}

// reg registers thread i in the hand-built state: kind k, group g, state w,
// awake, with a live task_tls.
func reg(s *model.State, i int, k model.Kind, g int8, w model.TaskState) *model.Thread {
	th := &s.T[i]
	th.Kind, th.Group, th.Word = k, g, w
	th.TLS, th.Gen = 1, 1
	return th
}

// queue puts workers, as UNBLOCKED, on group g's waiters list and its
// ghost queue (the unblock order); the two orders may differ.
func queue(s *model.State, g int, waiters, ghost []int8) {
	gr := &s.Grp[g]
	gr.NWait, gr.NGhost = 0, 0
	for _, w := range waiters {
		if s.T[w].Kind == model.KindNone {
			reg(s, int(w), model.KindWorker, int8(g), model.StateUnblocked)
		}
		gr.Waiters[gr.NWait] = w
		gr.NWait++
	}
	for _, w := range ghost {
		if s.T[w].Kind == model.KindNone {
			reg(s, int(w), model.KindWorker, int8(g), model.StateUnblocked)
		}
		gr.Ghost[gr.NGhost] = w
		gr.NGhost++
	}
}

// checkTable runs the State check of property id over hand-built states.
func checkStateTable(t *testing.T, id string, cases []stateCase) {
	t.Helper()
	m := handModel(t)
	p := prop(t, id)
	if p.State == nil {
		t.Fatalf("%s has no state check", id)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := m.Init()
			tc.build(&s)
			msg := bind(m, p).State(&s)
			if (msg != "") != tc.bad {
				t.Errorf("%s says %q, want violated=%v", id, msg, tc.bad)
			}
			if tc.bad && tc.mention != "" && !strings.Contains(msg, tc.mention) {
				t.Errorf("%s says %q, which does not mention %q", id, msg, tc.mention)
			}
		})
	}
}

type stateCase struct {
	name    string
	build   func(s *model.State)
	bad     bool
	mention string // the message must name this
}

func TestQueueFIFOState(t *testing.T) {
	checkStateTable(t, "queue-fifo", []stateCase{
		{name: "empty", build: func(s *model.State) {}},
		{name: "in unblock order", build: func(s *model.State) { queue(s, 0, []int8{1, 2}, []int8{1, 2}) }},
		{name: "out of order", bad: true, mention: "group 0",
			build: func(s *model.State) { queue(s, 0, []int8{2, 1}, []int8{1, 2}) }},
		{name: "duplicate", bad: true,
			build: func(s *model.State) { queue(s, 0, []int8{1, 1}, []int8{1}) }},
		{name: "UNBLOCKED worker missing from the queue", bad: true, mention: "w2",
			build: func(s *model.State) { queue(s, 0, []int8{1}, []int8{1, 2}) }},
		{name: "queued but not in the unblock order", bad: true,
			build: func(s *model.State) { queue(s, 0, []int8{1}, nil) }},
		{name: "polling servers are not workers", build: func(s *model.State) {
			reg(s, 0, model.KindServer, 0, model.StatePolling)
			queue(s, 0, []int8{0}, nil)
		}},
		{name: "second group out of order", bad: true, mention: "group 1",
			build: func(s *model.State) {
				queue(s, 0, []int8{1, 2}, []int8{1, 2})
				queue(s, 1, []int8{5, 4}, []int8{4, 5})
			}},
	})
}

func TestQueueFIFOPoll(t *testing.T) {
	m := handModel(t)
	p := prop(t, "queue-fifo")
	for _, tc := range []struct {
		name  string
		taken int // the worker that leaves UNBLOCKED
		bad   bool
	}{
		{"takes the longest waiting", 1, false},
		{"takes a newer one", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := m.Init()
			queue(&b, 0, []int8{1, 2}, []int8{1, 2})
			a := b
			a.T[tc.taken].Word = model.StateRunnable
			o := model.Observation{Action: model.Action{Kind: model.ActStep, Thread: 0}, Call: model.CallPollWorker}
			if msg := bind(m, p).Step(&b, &a, &o); (msg != "") != tc.bad {
				t.Errorf("queue-fifo step check says %q, want violated=%v", msg, tc.bad)
			}
		})
	}
}

func TestLegalEdge(t *testing.T) {
	m := handModel(t)
	p := prop(t, "legal-edge")
	const (
		none, polling, serving, processing    = model.StateNone, model.StatePolling, model.StateServing, model.StateProcessing
		runnable, running, blocked, unblocked = model.StateRunnable, model.StateRunning, model.StateBlocked, model.StateUnblocked
		wq                                    = model.FlagWakeupQueued
	)
	for _, tc := range []struct {
		name     string
		thread   int
		kind     model.Kind // the kind before the step
		kindTo   model.Kind // the kind after it (KindNone: unregistered)
		from, to model.TaskState
		act      uint8
		newAlloc bool // the step allocated a new task_tls
		bad      bool
	}{
		{name: "worker unblocked->runnable (poll)", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: unblocked, to: runnable},
		{name: "worker runnable->running (run)", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: runnable, to: running},
		{name: "worker running->blocked", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: running, to: blocked},
		{name: "worker blocked->unblocked", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: blocked, to: unblocked},
		{name: "worker running->unblocked (woken with no server)", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: running, to: unblocked},
		{name: "worker running->none (unregister)", thread: 1, kind: model.KindWorker, from: running, to: none},
		{name: "worker blocked->running", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: blocked, to: running, bad: true},
		{name: "worker unblocked->running", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: unblocked, to: running, bad: true},
		{name: "worker blocked->none", thread: 1, kind: model.KindWorker, from: blocked, to: none, bad: true},
		{name: "worker blocked->none when it dies", thread: 1, kind: model.KindWorker, from: blocked, to: none, act: model.ActDie},
		{name: "worker running->polling", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: running, to: polling, bad: true},
		{name: "server processing->polling", thread: 0, kind: model.KindServer, kindTo: model.KindServer, from: processing, to: polling},
		{name: "server serving->processing", thread: 0, kind: model.KindServer, kindTo: model.KindServer, from: serving, to: processing},
		{name: "server polling->serving", thread: 0, kind: model.KindServer, kindTo: model.KindServer, from: polling, to: serving, bad: true},
		{name: "server processing->runnable", thread: 0, kind: model.KindServer, kindTo: model.KindServer, from: processing, to: runnable, bad: true},
		{name: "server none->processing (register)", thread: 0, kindTo: model.KindServer, from: none, to: processing},
		{name: "core running->running|queued", thread: 2, kind: model.KindCore, kindTo: model.KindCore, from: running, to: running | wq},
		{name: "core running|queued->running", thread: 2, kind: model.KindCore, kindTo: model.KindCore, from: running | wq, to: running},
		{name: "core runnable->running|queued", thread: 2, kind: model.KindCore, kindTo: model.KindCore, from: runnable, to: running | wq, bad: true},
		{name: "a fresh task_tls may start anywhere", thread: 1, kind: model.KindWorker, kindTo: model.KindWorker, from: blocked, to: running, newAlloc: true},
		{name: "unregistered before and after", thread: 1, from: running, to: blocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := m.Init()
			th := &b.T[tc.thread]
			th.Kind, th.Word, th.TLS, th.Gen = tc.kind, tc.from, 1, 1
			a := b
			ta := &a.T[tc.thread]
			ta.Kind, ta.Word = tc.kindTo, tc.to
			if tc.newAlloc {
				ta.Gen++
			}
			if tc.act == model.ActDie {
				ta.Status = model.Dead
			}
			o := model.Observation{Action: model.Action{Kind: tc.act, Thread: int8(tc.thread)}, Label: model.HandLabel}
			msg := bind(m, p).Step(&b, &a, &o)
			if (msg != "") != tc.bad {
				t.Errorf("legal-edge says %q, want violated=%v", msg, tc.bad)
			}
		})
	}
}

func TestStateDomain(t *testing.T) {
	one := func(i int, k model.Kind, w model.TaskState) func(s *model.State) {
		return func(s *model.State) { reg(s, i, k, 0, w) }
	}
	checkStateTable(t, "state-domain", []stateCase{
		{name: "nothing registered", build: func(s *model.State) {}},
		{name: "server processing", build: one(0, model.KindServer, model.StateProcessing)},
		{name: "server runnable", build: one(0, model.KindServer, model.StateRunnable), bad: true, mention: "s0"},
		{name: "server none", build: one(0, model.KindServer, model.StateNone), bad: true},
		{name: "server processing|queued", build: one(0, model.KindServer, model.StateProcessing|model.FlagWakeupQueued), bad: true},
		{name: "worker unblocked", build: one(1, model.KindWorker, model.StateUnblocked)},
		{name: "worker running|queued", build: one(1, model.KindWorker, model.StateRunning|model.FlagWakeupQueued)},
		{name: "worker runnable|queued", build: one(1, model.KindWorker, model.StateRunnable|model.FlagWakeupQueued), bad: true},
		{name: "worker polling", build: one(1, model.KindWorker, model.StatePolling), bad: true, mention: "w1"},
		{name: "worker state 8", build: one(1, model.KindWorker, model.TaskState(8)), bad: true},
		{name: "worker with an unknown flag", build: one(1, model.KindWorker, model.StateRunning|0x400), bad: true},
		{name: "core runnable", build: one(2, model.KindCore, model.StateRunnable)},
		{name: "core blocked", build: one(2, model.KindCore, model.StateBlocked), bad: true},
		{name: "freed task_tls is not looked at", build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StatePolling).Freed = true
		}},
		{name: "dead thread is not looked at", build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StatePolling).Status = model.Dead
		}},
	})
}

func TestWorkerHasServer(t *testing.T) {
	serve := func(s *model.State, srv, w int, sw model.TaskState) {
		reg(s, srv, model.KindServer, s.T[w].Group, sw)
		s.T[srv].Peer, s.T[w].Peer = int8(w), int8(srv)
	}
	checkStateTable(t, "worker-has-server", []stateCase{
		{name: "served by a SERVING server", build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunning)
			serve(s, 0, 1, model.StateServing)
		}},
		{name: "running with no server", bad: true, mention: "w1", build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunning)
		}},
		{name: "server not SERVING", bad: true, build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunning)
			serve(s, 0, 1, model.StateProcessing)
		}},
		{name: "server of another group", bad: true, build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunning)
			serve(s, 3, 1, model.StateServing)
			s.T[3].Group = 1
		}},
		{name: "one server, two running workers", bad: true, build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunning)
			reg(s, 2, model.KindWorker, 0, model.StateRunning)
			serve(s, 0, 1, model.StateServing)
			s.T[2].Peer = 0
		}},
		{name: "asymmetric link", bad: true, build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunnable)
			reg(s, 0, model.KindServer, 0, model.StateProcessing)
			s.T[1].Peer = 0
		}},
		{name: "RUNNING but still asleep (about to be switched to)", build: func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunning).Sleep = model.SleepIdle
		}},
		{name: "core tasks run without servers", build: func(s *model.State) {
			reg(s, 1, model.KindCore, model.None, model.StateRunning)
		}},
	})
}

func TestNoLostWakeup(t *testing.T) {
	polling := func(s *model.State) *model.Thread {
		th := reg(s, 0, model.KindServer, 0, model.StatePolling)
		th.Sleep = model.SleepPoll
		return th
	}
	checkStateTable(t, "no-lost-wakeup", []stateCase{
		{name: "polls an empty group", build: func(s *model.State) { polling(s) }},
		{name: "polls while a worker is UNBLOCKED", bad: true, mention: "w2", build: func(s *model.State) {
			polling(s)
			reg(s, 2, model.KindWorker, 0, model.StateUnblocked)
		}},
		{name: "already woken", build: func(s *model.State) {
			polling(s).Wake = model.WakeNormal
			reg(s, 2, model.KindWorker, 0, model.StateUnblocked)
		}},
		{name: "the UNBLOCKED worker is in another group", build: func(s *model.State) {
			polling(s)
			reg(s, 4, model.KindWorker, 1, model.StateUnblocked)
		}},
		{name: "the worker is RUNNABLE", build: func(s *model.State) {
			polling(s)
			reg(s, 2, model.KindWorker, 0, model.StateRunnable)
		}},
	})
}

func TestStatusProperties(t *testing.T) {
	for _, tc := range []struct {
		id     string
		status model.Status
	}{{"no-exit", model.Exited}, {"no-kill", model.Killed}} {
		for _, st := range []model.Status{model.Alive, model.Finished, model.Exited, model.Killed, model.Dead, model.Aborted} {
			checkStateTable(t, tc.id, []stateCase{{
				name:  tc.id + "/" + st.String(),
				build: func(s *model.State) { s.T[2].Status = st },
				bad:   st == tc.status, mention: "w2",
			}})
		}
	}
}

// TestCheckStateOnceGone: once the process is gone (a thread exited or was
// killed) CheckState evaluates only no-exit and no-kill, the rest of the
// state being debris; while it lives, the other invariants and (in a
// terminal state) the deadlock property are evaluated too.
func TestCheckStateOnceGone(t *testing.T) {
	m := handModel(t)
	for _, tc := range []struct {
		status model.Status
		want   []string // exactly these, in the order of Model.Properties; nil: see below
	}{
		{model.Alive, nil},
		{model.Exited, []string{"no-exit"}},
		{model.Killed, []string{"no-kill"}},
	} {
		t.Run(tc.status.String(), func(t *testing.T) {
			s := m.Init()
			reg(&s, 1, model.KindWorker, 0, model.StateRunning)  // RUNNING with no server
			reg(&s, 0, model.KindServer, 0, model.StateRunnable) // not a server state
			s.T[4].Status = tc.status
			var ids []string
			for _, v := range props.CheckState(m.Properties(), &s, true, nil) {
				ids = append(ids, v.Property.ID)
			}
			if tc.want != nil {
				if !slices.Equal(ids, tc.want) {
					t.Errorf("CheckState: want %v, got %v", tc.want, ids)
				}
				return
			}
			for _, id := range []string{"worker-has-server", "state-domain", "no-deadlock"} {
				if !slices.Contains(ids, id) {
					t.Errorf("CheckState of a live process: want %s among %v", id, ids)
				}
			}
			if slices.Contains(ids, "no-exit") || slices.Contains(ids, "no-kill") {
				t.Errorf("CheckState of a live process: %v names no-exit or no-kill", ids)
			}
		})
	}
}

func TestNoDeadlock(t *testing.T) {
	finishAll := func(s *model.State) {
		for i := 0; i < int(s.N); i++ {
			s.T[i].Status = model.Finished
		}
	}
	checkStateTable(t, "no-deadlock", []stateCase{
		{name: "every program finished", build: finishAll},
		{name: "a server polls for work that will not come", build: func(s *model.State) {
			finishAll(s)
			s.T[0].Status = model.Alive
			reg(s, 0, model.KindServer, 0, model.StatePolling).Sleep = model.SleepPoll
		}},
		{name: "a worker sleeps for ever", bad: true, mention: "w1", build: func(s *model.State) {
			finishAll(s)
			s.T[1].Status = model.Alive
			reg(s, 1, model.KindWorker, 0, model.StateUnblocked).Sleep = model.SleepIdle
		}},
		{name: "a server sleeps in run_worker", bad: true, build: func(s *model.State) {
			finishAll(s)
			s.T[0].Status = model.Alive
			th := reg(s, 0, model.KindServer, 0, model.StateServing)
			th.Sleep, th.Fn = model.SleepRun, model.CallRunWorker
		}},
		{name: "a killed process is no-kill's business", build: func(s *model.State) {
			s.T[1].Status = model.Killed
		}},
	})
}

func TestStepProperties(t *testing.T) {
	m := handModel(t)
	ret := func(call model.Call, ret int16, e model.Errno) model.Observation {
		return model.Observation{Action: model.Action{Kind: model.ActStep, Thread: 0}, Call: call,
			Returned: true, Ret: ret, Errno: e, Label: model.HandLabel}
	}
	with := func(o model.Observation, f func(*model.Observation)) model.Observation { f(&o); return o }
	gEntry := func(e model.Errno) func(*model.Observation) { return func(o *model.Observation) { o.GEntry = e } }
	gKern := func(e model.Errno) func(*model.Observation) { return func(o *model.Observation) { o.GKern = e } }
	for _, tc := range []struct {
		id     string
		name   string
		o      model.Observation
		before func(s *model.State) // builds the state before the step
		after  func(s *model.State) // builds the state after the step
		bad    bool
	}{
		// errno-contract
		{id: "errno-contract", name: "no return, nothing to check", o: model.Observation{Call: model.CallDestroyGroup}},
		{id: "errno-contract", name: "destroy busy: -1 EAGAIN", o: with(ret(model.CallDestroyGroup, -1, model.EAGAIN), gKern(model.EBUSY))},
		{id: "errno-contract", name: "destroy busy: -1 EBUSY", o: with(ret(model.CallDestroyGroup, -1, model.EBUSY), gKern(model.EBUSY)), bad: true},
		{id: "errno-contract", name: "destroy busy: -1 EPERM (seed)", o: with(ret(model.CallDestroyGroup, -1, model.EPERM), gKern(model.EBUSY)), bad: true},
		{id: "errno-contract", name: "destroy ok", o: ret(model.CallDestroyGroup, 0, 0)},
		{id: "errno-contract", name: "register EINVAL", o: with(ret(model.CallRegisterWorker, 0, model.EINVAL), gEntry(model.EINVAL))},
		{id: "errno-contract", name: "register ENOMEM reported as -1 (seed)", o: with(ret(model.CallRegisterWorker, 0, -1), gKern(model.ENOMEM)), bad: true},
		{id: "errno-contract", name: "register returns own utid", o: ret(model.CallRegisterServer, 1, 0)},
		{id: "errno-contract", name: "register returns another utid", o: ret(model.CallRegisterServer, 2, 0), bad: true},
		{id: "errno-contract", name: "create fails: UMCG_NONE", o: with(ret(model.CallCreateGroup, 0, model.ENOMEM), gKern(model.ENOMEM))},
		{id: "errno-contract", name: "create fails: -1 EPERM (seed)", o: with(ret(model.CallCreateGroup, -1, model.EPERM), gKern(model.ENOMEM)), bad: true},
		{id: "errno-contract", name: "create returns a group", o: ret(model.CallCreateGroup, 1, 0)},
		{id: "errno-contract", name: "run: worker unregistered, UMCG_NONE errno 0", o: with(ret(model.CallRunWorker, 0, 0), gEntry(model.EntryUnregistered))},
		{id: "errno-contract", name: "run: worker unregistered, stale errno (seed)", o: with(ret(model.CallRunWorker, 0, model.EINTR), gEntry(model.EntryUnregistered)), bad: true},
		{id: "errno-contract", name: "run: UMCG_NONE with nothing wrong", o: ret(model.CallRunWorker, 0, 0), bad: true},
		{id: "errno-contract", name: "run: kernel error passed on", o: with(ret(model.CallRunWorker, 0, model.ESRCH), gKern(model.ESRCH))},
		{id: "errno-contract", name: "run: kernel error replaced", o: with(ret(model.CallRunWorker, 0, model.EPERM), gKern(model.ESRCH)), bad: true},
		{id: "errno-contract", name: "run: a worker", o: ret(model.CallRunWorker, 2, 0)},
		{id: "errno-contract", name: "poll: a RUNNABLE worker", o: ret(model.CallPollWorker, 2, 0),
			after: func(s *model.State) { reg(s, 1, model.KindWorker, 0, model.StateRunnable) }},
		{id: "errno-contract", name: "poll: a RUNNING worker", o: ret(model.CallPollWorker, 2, 0), bad: true,
			after: func(s *model.State) { reg(s, 1, model.KindWorker, 0, model.StateRunning) }},
		{id: "errno-contract", name: "poll: UMCG_NONE with nothing wrong", o: ret(model.CallPollWorker, 0, 0), bad: true},
		{id: "errno-contract", name: "wake: queued wakeup, -1", o: with(ret(model.CallWake, -1, model.EAGAIN), gEntry(model.EAGAIN))},
		{id: "errno-contract", name: "wake: queued wakeup, 0 (seed spins)", o: with(ret(model.CallWake, 0, 0), gEntry(model.EAGAIN)), bad: true},
		{id: "errno-contract", name: "wait: 0 while RUNNABLE", o: ret(model.CallWait, 0, 0), bad: true,
			after: func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunnable) }},
		{id: "errno-contract", name: "wait: 0 once woken", o: ret(model.CallWait, 0, 0),
			after: func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunning) }},
		{id: "errno-contract", name: "swap: next gone, then woken: 0", o: with(ret(model.CallSwap, 0, 0), gKern(model.ESRCH)),
			before: func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunning) },
			after:  func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunning) }},
		{id: "errno-contract", name: "swap: next gone, wait taken back, 0", o: with(ret(model.CallSwap, 0, 0), gKern(model.ESRCH)), bad: true,
			before: func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunnable) },
			after:  func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunning) }},
		{id: "errno-contract", name: "wait: EINTR, wait taken back, 0", o: with(ret(model.CallWait, 0, 0), gKern(model.EINTR)), bad: true,
			before: func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunnable) },
			after:  func(s *model.State) { reg(s, 0, model.KindCore, model.None, model.StateRunning) }},
		// server-processing
		{id: "server-processing", name: "run returns PROCESSING", o: ret(model.CallRunWorker, 2, 0),
			after: func(s *model.State) { reg(s, 0, model.KindServer, 0, model.StateProcessing) }},
		{id: "server-processing", name: "run returns SERVING", o: ret(model.CallRunWorker, 2, 0), bad: true,
			after: func(s *model.State) { reg(s, 0, model.KindServer, 0, model.StateServing) }},
		{id: "server-processing", name: "poll returns POLLING", o: ret(model.CallPollWorker, 2, 0), bad: true,
			after: func(s *model.State) { reg(s, 0, model.KindServer, 0, model.StatePolling) }},
		{id: "server-processing", name: "a step inside run", o: model.Observation{Call: model.CallRunWorker},
			after: func(s *model.State) { reg(s, 0, model.KindServer, 0, model.StateServing) }},
		{id: "server-processing", name: "other calls are not server-side", o: ret(model.CallGetTaskState, 5, 0),
			after: func(s *model.State) { reg(s, 0, model.KindServer, 0, model.StateServing) }},
		// no-use-after-free
		{id: "no-use-after-free", name: "clean step", o: ret(model.CallRunWorker, 2, 0)},
		{id: "no-use-after-free", name: "touches freed memory", o: with(ret(model.CallRunWorker, 2, 0), func(o *model.Observation) { o.UAF = true }), bad: true},
	} {
		t.Run(tc.id+"/"+tc.name, func(t *testing.T) {
			p := prop(t, tc.id)
			if p.Step == nil {
				t.Fatalf("%s has no step check", tc.id)
			}
			b := m.Init()
			if tc.before != nil {
				tc.before(&b)
			}
			a := b
			if tc.after != nil {
				tc.after(&a)
			}
			if msg := bind(m, p).Step(&b, &a, &tc.o); (msg != "") != tc.bad {
				t.Errorf("%s says %q, want violated=%v", tc.id, msg, tc.bad)
			}
		})
	}
}

func TestLivenessDefinitions(t *testing.T) {
	m := handModel(t)
	ev := prop(t, "worker-eventually-runs").Live
	rr := prop(t, "run-returns").Live
	bw := prop(t, "no-busy-wait").Live
	for _, tc := range []struct {
		name       string
		l          *props.LeadsTo[model.State, model.Observation]
		thread     int
		build      func(s *model.State)
		trig, goal bool
	}{
		{"UNBLOCKED worker triggers", ev, 1, func(s *model.State) { reg(s, 1, model.KindWorker, 0, model.StateUnblocked) }, true, false},
		{"RUNNING worker is the goal", ev, 1, func(s *model.State) { reg(s, 1, model.KindWorker, 0, model.StateRunning) }, false, true},
		{"RUNNING|queued worker is the goal", ev, 1, func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateRunning|model.FlagWakeupQueued)
		}, false, true},
		{"dead worker is the goal", ev, 1, func(s *model.State) {
			reg(s, 1, model.KindWorker, 0, model.StateUnblocked).Status = model.Dead
		}, false, true},
		{"UNBLOCKED core task does not trigger", ev, 1, func(s *model.State) { reg(s, 1, model.KindCore, model.None, model.StateUnblocked) }, false, false},
		{"server in run_worker triggers", rr, 0, func(s *model.State) { s.T[0].Fn = model.CallRunWorker }, true, false},
		{"server out of run_worker is the goal", rr, 0, func(s *model.State) { s.T[0].Fn = model.CallPollWorker }, false, true},
		{"killed server in run_worker is the goal", rr, 0, func(s *model.State) {
			s.T[0].Fn, s.T[0].Status = model.CallRunWorker, model.Killed
		}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := m.Init()
			tc.build(&s)
			if got := tc.l.Trigger(&s, tc.thread); got != tc.trig {
				t.Errorf("trigger = %v, want %v", got, tc.trig)
			}
			if got := tc.l.Goal(&s, tc.thread); got != tc.goal {
				t.Errorf("goal = %v, want %v", got, tc.goal)
			}
		})
	}
	if bw.Cycle == nil || bw.Trigger != nil {
		t.Fatalf("no-busy-wait must be a cycle property")
	}
	if bw.Cycle(&model.Observation{Retry: true, Label: model.HandLabel}) == "" || bw.Cycle(&model.Observation{}) != "" {
		t.Errorf("no-busy-wait's cycle check must be exactly Observation.Retry")
	}
	rp := prop(t, "retry-progress").Live
	if rp.Cycle == nil || rp.Trigger != nil {
		t.Fatalf("retry-progress must be a cycle property")
	}
	if rp.Cycle(&model.Observation{Retried: true, Label: model.HandLabel}) == "" || rp.Cycle(&model.Observation{Retry: true}) != "" {
		t.Errorf("retry-progress's cycle check must be exactly Observation.Retried")
	}
}

// TestCatalogue: props.All() is the SPEC's list of properties, each with a
// doc and exactly the checks its class needs, found by its id.
func TestCatalogue(t *testing.T) {
	spec := map[string]props.Class{
		"state-domain": props.Invariant, "legal-edge": props.StepProperty, "worker-has-server": props.Invariant,
		"queue-fifo": props.Invariant, "no-lost-wakeup": props.Invariant, "errno-contract": props.StepProperty,
		"no-exit": props.Invariant, "no-kill": props.Invariant, "no-use-after-free": props.StepProperty,
		"server-processing": props.StepProperty, "no-deadlock": props.Deadlock, "peer-registered": props.Invariant,
		"worker-eventually-runs": props.Liveness, "run-returns": props.Liveness, "no-busy-wait": props.Liveness,
		// issue 10's missing properties (session 3)
		"register-succeeds": props.StepProperty, "run-returns-worker": props.StepProperty,
		"no-leak": props.Deadlock, "retry-progress": props.Liveness,
	}
	seen := map[string]bool{}
	m, _ := model.New(model.DefaultConfig())
	for _, p := range m.Properties() {
		if seen[p.ID] {
			t.Errorf("%s is listed twice", p.ID)
		}
		seen[p.ID] = true
		if c, ok := spec[p.ID]; !ok {
			t.Errorf("%s is not a property of the SPEC", p.ID)
		} else if c != p.Class {
			t.Errorf("%s: class %s, want %s", p.ID, p.Class, c)
		}
		if strings.TrimSpace(p.Doc) == "" || strings.Contains(p.Doc, "\n") {
			t.Errorf("%s: doc %q is not one line", p.ID, p.Doc)
		}
		if q, ok := byID(p.ID); !ok || q.ID != p.ID {
			t.Errorf("ByID(%q) does not return it", p.ID)
		}
		switch p.Class {
		case props.Invariant, props.Deadlock:
			if p.State == nil || p.Live != nil {
				t.Errorf("%s (%s) needs a State check and no Live", p.ID, p.Class)
			}
		case props.StepProperty:
			if p.Step == nil || p.State != nil || p.Live != nil {
				t.Errorf("%s (step) needs exactly a Step check", p.ID)
			}
		case props.Liveness:
			if p.Live == nil || p.State != nil || p.Step != nil {
				t.Errorf("%s (liveness) needs exactly Live", p.ID)
			} else if (p.Live.Trigger == nil) != (p.Live.Goal == nil) || (p.Live.Trigger == nil) == (p.Live.Cycle == nil) {
				t.Errorf("%s: Live needs Trigger and Goal, or Cycle alone", p.ID)
			}
		}
	}
	for id := range spec {
		if !seen[id] {
			t.Errorf("the SPEC's property %s is missing", id)
		}
	}
	if _, ok := byID("no-such-property"); ok {
		t.Errorf("ByID accepts an unknown id")
	}
	for _, k := range []model.Kind{model.KindCore, model.KindWorker, model.KindServer} {
		if len(model.LegalEdges(k)) == 0 {
			t.Errorf("no legal edges for %s", k)
		}
	}
}

// byID finds a property of UMCG v0.1 by id (on the default configuration).
func byID(id string) (*model.Property, bool) {
	m, _ := model.New(model.DefaultConfig())
	for _, p := range m.Properties() {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// bind is p as m's properties have it (checks are bound to their model).
func bind(m *model.Model, p *model.Property) *model.Property {
	for _, q := range m.Properties() {
		if q.ID == p.ID {
			return q
		}
	}
	panic("no property " + p.ID)
}

// TestNoLeak: each clause of no-leak on hand-built terminal states of the
// default configuration (servers s0, s1; workers w2, w3; group 0).
func TestNoLeak(t *testing.T) {
	p := prop(t, "no-leak")
	m, _ := model.New(model.DefaultConfig())
	done := func(s *model.State) {
		for i := 0; i < int(s.N); i++ {
			s.T[i].Status = model.Finished
		}
	}
	for _, tc := range []struct {
		name  string
		build func(*model.State)
		leak  bool
	}{
		{"every thread finished, unregistered", done, false},
		{"a finished worker still registered", func(s *model.State) {
			done(s)
			reg(s, 2, model.KindWorker, 0, model.StateRunning).TLS = 0
			s.Grp[0].NrTasks = 1
		}, true},
		{"a dead worker still registered", func(s *model.State) {
			done(s)
			reg(s, 2, model.KindWorker, 0, model.StateRunning).Status = model.Dead
			s.Grp[0].NrTasks = 1
		}, true},
		{"a finished worker holding its task_tls", func(s *model.State) {
			done(s)
			s.T[2].TLS, s.T[2].Gen = 1, 1
		}, true},
		{"a server polling at the end keeps its group", func(s *model.State) {
			done(s)
			th := reg(s, 0, model.KindServer, 0, model.StatePolling)
			th.Status, th.Sleep = model.Alive, model.SleepPoll
			s.Grp[0].NrTasks = 1
			s.Grp[0].Waiters[0], s.Grp[0].NWait = 0, 1
		}, false},
		{"a client that gave up is not asked to clean up", func(s *model.State) {
			done(s)
			reg(s, 2, model.KindWorker, 0, model.StateRunning).Status = model.Aborted
			s.Grp[0].NrTasks = 1
		}, false},
		{"nr_tasks counts a task that is gone", func(s *model.State) {
			done(s)
			s.Grp[0].NrTasks = 1
		}, true},
		{"the waiters list holds a finished thread", func(s *model.State) {
			done(s)
			s.Grp[0].Waiters[0], s.Grp[0].NWait = 2, 1
		}, true},
		{"an empty group off the list", func(s *model.State) {
			done(s)
			s.Grp[0].Unlisted = true
		}, true},
		{"a destroyed group off the list", func(s *model.State) {
			done(s)
			s.Grp[0].Unlisted, s.Grp[0].Exists = true, false
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := m.Init()
			tc.build(&s)
			if got := p.State(&s); (got != "") != tc.leak {
				t.Errorf("no-leak says %q, want a leak: %v", got, tc.leak)
			}
		})
	}
}

// TestRegisterSucceedsAndRunReturnsWorker: the two step properties on
// hand-built steps of the default configuration (s0, s1, w2, w3; group 0).
func TestRegisterSucceedsAndRunReturnsWorker(t *testing.T) {
	rs, rw := prop(t, "register-succeeds"), prop(t, "run-returns-worker")
	m, _ := model.New(model.DefaultConfig())
	for _, tc := range []struct {
		name  string
		p     *model.Property
		build func(b *model.State, o *model.Observation)
		bad   bool
	}{
		{"register_worker into an existing group fails", rs, func(b *model.State, o *model.Observation) {
			b.T[2].Arg = 0
			*o = model.Observation{Action: model.Action{Thread: 2}, Call: model.CallRegisterWorker, Returned: true, GKern: model.EINVAL}
		}, true},
		{"register_worker into a destroyed group fails", rs, func(b *model.State, o *model.Observation) {
			b.T[2].Arg, b.Grp[0].Exists = 0, false
			*o = model.Observation{Action: model.Action{Thread: 2}, Call: model.CallRegisterWorker, Returned: true, GKern: model.EINVAL}
		}, false},
		{"register_worker out of memory", rs, func(b *model.State, o *model.Observation) {
			b.T[2].Arg = 0
			*o = model.Observation{Action: model.Action{Thread: 2}, Call: model.CallRegisterWorker, Returned: true, GEntry: model.ENOMEM}
		}, false},
		{"register_core_task fails", rs, func(b *model.State, o *model.Observation) {
			*o = model.Observation{Action: model.Action{Thread: 2}, Call: model.CallRegisterCore, Returned: true, GKern: model.EINVAL}
		}, true},
		{"register_worker succeeds", rs, func(b *model.State, o *model.Observation) {
			b.T[2].Arg = 0
			*o = model.Observation{Action: model.Action{Thread: 2}, Call: model.CallRegisterWorker, Returned: true, Ret: 3}
		}, false},
		{"run_worker returns the worker that ran", rw, func(b *model.State, o *model.Observation) {
			b.T[0].GRan = 2
			*o = model.Observation{Action: model.Action{Thread: 0}, Call: model.CallRunWorker, Returned: true, Ret: 3}
		}, false},
		{"run_worker returns another worker", rw, func(b *model.State, o *model.Observation) {
			b.T[0].GRan = 2
			*o = model.Observation{Action: model.Action{Thread: 0}, Call: model.CallRunWorker, Returned: true, Ret: 4}
		}, true},
		{"run_worker returns a worker when none ran", rw, func(b *model.State, o *model.Observation) {
			*o = model.Observation{Action: model.Action{Thread: 0}, Call: model.CallRunWorker, Returned: true, Ret: 3}
		}, true},
		{"run_worker returns UMCG_NONE (errno-contract's)", rw, func(b *model.State, o *model.Observation) {
			b.T[0].GRan = 2
			*o = model.Observation{Action: model.Action{Thread: 0}, Call: model.CallRunWorker, Returned: true}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := m.Init()
			var o model.Observation
			tc.build(&b, &o)
			a := b
			if got := tc.p.Step(&b, &a, &o); (got != "") != tc.bad {
				t.Errorf("%s says %q, want a violation: %v", tc.p.ID, got, tc.bad)
			}
		})
	}
}
