package umcg01_test

import (
	"reflect"
	"slices"
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// TestExploreShippedConfigs explores every shipped configuration with two
// workers, whatever GOMAXPROCS is: under -race it is the test whose
// searches give the race detector the explorer's goroutines stepping the
// model at once (skipUnderRace), which Workers 0 would leave to one
// goroutine on a machine of one CPU.
func TestExploreShippedConfigs(t *testing.T) {
	for _, n := range model.ConfigNames() {
		for _, v := range []model.Variant{model.Seed, model.Fixed} {
			c, _ := model.NamedConfig(n)
			c.Variant = v
			m, _ := model.New(c)
			r := m.Engine().Explore(sim.Explorer{Workers: 2})
			t.Logf("%-8s %-5s states=%d trans=%d complete=%v liveness=%s", n, v, r.States, r.Transitions, r.Complete, r.Liveness)
			for _, ce := range r.Violations {
				if _, err := m.Engine().Confirm(ce); err != nil {
					t.Errorf("%s %s: %s counterexample not confirmed: %v", n, v, ce.Property, err)
				}
				t.Logf("    %s (%d steps, loop %d): %s", ce.Property, len(ce.Actions), ce.Loop, ce.Message)
			}
			if got := propsOf(r); v == model.Fixed && len(got) > 0 {
				t.Errorf("%s: the fixed variant violates %v", n, got)
			}
		}
	}
}

// skipUnderRace skips t under the race detector, for which it only costs
// CI's time (docs/status.md, CI): the race detector watches what runs on
// several goroutines at once, here the explorer's workers stepping the
// model, and why names the faster test whose searches already give it
// that. A test that runs on one goroutine (random walks) gives it nothing.
func skipUnderRace(t *testing.T, why string) {
	t.Helper()
	if raceEnabled {
		t.Skip("under -race: " + why)
	}
}

// propsOf lists the properties a search found violated, sorted.
func propsOf(r sim.Report) []string {
	var ps []string
	for _, v := range r.Violations {
		if !slices.Contains(ps, v.Property) {
			ps = append(ps, v.Property)
		}
	}
	slices.Sort(ps)
	return ps
}

// TestExploreCatchesEveryBug: for each deliberate bug, an exhaustive search
// of the fixed variant finds a violation of the property the bug breaks,
// confirmed by replay, and the same search without the bug does not.
func TestExploreCatchesEveryBug(t *testing.T) {
	for _, c := range bugCases() {
		t.Run(c.bug+"/"+c.property, func(t *testing.T) {
			cfg := c.cfg
			cfg.Bug = c.bug
			m, err := model.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := m.Engine().Explore(sim.Explorer{})
			var ce *sim.Counterexample
			for i := range r.Violations {
				if r.Violations[i].Property == c.property {
					ce = &r.Violations[i]
				}
			}
			if ce == nil {
				t.Fatalf("bug %s: exploring %d states found no violation of %s", c.bug, r.States, c.property)
			}
			if _, err := m.Engine().Confirm(*ce); err != nil {
				t.Fatalf("counterexample not confirmed: %v", err)
			}
			if raceEnabled {
				return // the fixed variant's searches: TestExploreShippedConfigs runs them under -race
			}
			cfg.Bug = ""
			m, _ = model.New(cfg)
			for _, v := range m.Engine().Explore(sim.Explorer{}).Violations {
				if v.Property == c.property {
					t.Errorf("without the bug, %s is still violated: %s", c.property, v.Message)
				}
			}
		})
	}
}

// TestExploreShortest: no random walk finds a shorter counterexample than
// the breadth-first search for the same safety property.
func TestExploreShortest(t *testing.T) {
	c, _ := model.NamedConfig("faults")
	m, _ := model.New(c)
	r := m.Engine().Explore(sim.Explorer{})
	shortest := map[string]int{}
	for _, ce := range r.Violations {
		if n, ok := shortest[ce.Property]; !ok || len(ce.Actions) < n {
			shortest[ce.Property] = len(ce.Actions)
		}
	}
	for _, p := range []string{"queue-fifo", "no-kill", "no-exit", "errno-contract"} {
		w := m.Engine().Walk(sim.Walks{Runs: 2000, Depth: 300, Seed: 7, Only: p})
		if w.Violation == nil {
			continue
		}
		got := len(m.Engine().Shrink(*w.Violation).Actions)
		if got < shortest[p] {
			t.Errorf("%s: a walk found %d steps, the search %d", p, got, shortest[p])
		}
	}
}

// TestExploreBounds: a bound makes the search incomplete, never a pass.
func TestExploreBounds(t *testing.T) {
	c := model.DefaultConfig()
	c.Variant = model.Fixed
	m, _ := model.New(c)
	for _, e := range []sim.Explorer{{MaxStates: 100}, {MaxDepth: 5}, {TimeLimit: 1}} {
		r := m.Engine().Explore(e)
		if r.Complete || r.Stopped == "" || r.Liveness == "lassos" {
			t.Errorf("%+v: complete=%v stopped=%q liveness=%q", e, r.Complete, r.Stopped, r.Liveness)
		}
	}
}

// TestBitstate: with room to spare, a bitstate search stores the same
// states and finds the same violations as the exact one; in a tiny array it
// misses states and says so.
func TestBitstate(t *testing.T) {
	c, _ := model.NamedConfig("faults")
	m, _ := model.New(c)
	exact := m.Engine().Explore(sim.Explorer{})
	big := m.Engine().Explore(sim.Explorer{BitstateBits: 1 << 24})
	if !big.Bitstate || big.States != exact.States {
		t.Errorf("bitstate with 2^24 bits stored %d states, the exact search %d", big.States, exact.States)
	}
	if big.Liveness == "lassos" {
		t.Errorf("a bitstate search cannot check lassos")
	}
	tiny := m.Engine().Explore(sim.Explorer{BitstateBits: 1 << 12})
	if tiny.States >= exact.States || tiny.Missed <= 0 {
		t.Errorf("bitstate with 2^12 bits: %d states (exact %d), missed estimate %.1f", tiny.States, exact.States, tiny.Missed)
	}
}

// TestSymmetry: with symmetry reduction a safety search stores fewer states,
// finds violations of the same properties, and its counterexamples,
// translated back to real threads, replay and confirm.
func TestSymmetry(t *testing.T) {
	for _, n := range []string{"default", "faults", "groups2"} {
		for _, v := range []model.Variant{model.Seed, model.Fixed} {
			c, _ := model.NamedConfig(n)
			c.Variant = v
			m, _ := model.New(c)
			// Liveness is checked on the unreduced graph: symmetry reduces
			// safety searches only.
			full := m.Engine().Explore(sim.Explorer{NoLiveness: true})
			sym := m.Engine().Explore(sim.Explorer{Symmetry: true, NoLiveness: true})
			if withLive := m.Engine().Explore(sim.Explorer{Symmetry: true}); withLive.Symmetry || (len(m.Classes()) > 0 && withLive.SymmetryOff == "") {
				t.Errorf("%s %s: symmetry applied to a search that checks liveness", n, v)
			}
			t.Logf("%s %s: %d states, %d with symmetry (factor %.2f)", n, v, full.States, sym.States, float64(full.States)/float64(sym.States))
			if len(m.Classes()) > 0 && sym.States >= full.States {
				t.Errorf("%s %s: symmetry did not reduce: %d >= %d", n, v, sym.States, full.States)
			}
			props := func(r sim.Report) map[string]bool {
				out := map[string]bool{}
				for _, ce := range r.Violations {
					out[ce.Property] = true
				}
				return out
			}
			pf, ps := props(full), props(sym)
			for p := range pf {
				if !ps[p] {
					t.Errorf("%s %s: %s found without symmetry only", n, v, p)
				}
			}
			for p := range ps {
				if !pf[p] {
					t.Errorf("%s %s: %s found with symmetry only", n, v, p)
				}
			}
			for _, ce := range sym.Violations {
				if _, err := m.Engine().Confirm(ce); err != nil {
					t.Errorf("%s %s: %s: translated counterexample not confirmed: %v", n, v, ce.Property, err)
				}
			}
		}
	}
}

// bugCase is a deliberate bug, a property it breaks and a configuration of
// the fixed variant on which an exhaustive search shows it.
type bugCase struct {
	bug, property string
	cfg           model.Config
}

// everyConfig returns every shipped configuration in both variants, and
// the configuration of every deliberate bug, each once (bugCases lists a
// bug once per property it breaks).
func everyConfig() (shipped, bugs []model.Config) {
	for _, n := range model.ConfigNames() {
		for _, v := range []model.Variant{model.Seed, model.Fixed} {
			c, _ := model.NamedConfig(n)
			c.Variant = v
			shipped = append(shipped, c)
		}
	}
	for _, b := range bugCases() {
		c := b.cfg
		c.Bug = b.bug
		if !slices.ContainsFunc(bugs, func(d model.Config) bool { return reflect.DeepEqual(d, c) }) {
			bugs = append(bugs, c)
		}
	}
	return shipped, bugs
}

func bugCases() []bugCase {
	gen := general
	gen.Variant = model.Fixed
	base := model.DefaultConfig()
	base.Variant = model.Fixed
	with := func(f func(*model.Config)) model.Config {
		c := base
		f(&c)
		return c
	}
	return []bugCase{
		{"lifo-queue", "queue-fifo", with(func(c *model.Config) { c.Servers = 1 })},
		{"unblock-no-wake", "no-lost-wakeup", base},
		{"unblock-no-wake", "worker-eventually-runs", base},
		{"run-leaves-serving", "server-processing", base},
		{"preempt-keeps-running", "worker-has-server", with(func(c *model.Config) { c.Faults = model.FaultPreempt })},
		{"block-keeps-peer", "no-kill", base},
		{"poll-bad-cas", "no-exit", base},
		{"unblock-to-running", "legal-edge", base},
		{"poll-sets-runnable", "state-domain", base},
		{"destroy-ebusy", "errno-contract", model.Config{Variant: model.Fixed, Probes: []string{"register"}}},
		{"unregister-dangling", "no-use-after-free", model.Config{Variant: model.Fixed, Probes: []string{"run-gone"}}},
		{"unregister-no-wake", "no-deadlock", base},
		{"unregister-no-wake", "run-returns", base},
		{"wake-spin", "errno-contract", model.Config{Variant: model.Fixed, Probes: []string{"wake-twice"}}},
		{"run-eagain-loop", "no-busy-wait", with(func(c *model.Config) { c.Servers = 1 })},
		{"poll-ignores-queue", "no-lost-wakeup", base},
		{"stale-peer", "worker-has-server", base},
		{"unregister-keeps-link", "peer-registered", base},
		{"register-not-queued", "queue-fifo", base},
		{"die-keeps-registered", "run-returns", with(func(c *model.Config) { c.Servers, c.Faults = 1, model.FaultDeath })},
		{"errno-lost", "errno-contract", model.Config{Variant: model.Fixed, Probes: []string{"register"}}},
		{"wake-dropped", "no-deadlock", model.Config{Variant: model.Fixed, CorePairs: 1, Swaps: 2}},
		{"wait-forgets-queued", "legal-edge", model.Config{Variant: model.Fixed, CorePairs: 1, Swaps: 2}},
		{"run-no-undo", "worker-eventually-runs", with(func(c *model.Config) { c.Servers, c.Faults = 1, model.FaultESRCH })},
		{"wait-unregistered-ok", "errno-contract", gen},
		{"wake-hook-unpaired", "no-deadlock", with(func(c *model.Config) { c.Servers, c.Workers, c.Yields, c.Sleeps = 1, 1, 1, 1 })},
		{"register-one-task", "register-succeeds", base},
		{"run-returns-self", "run-returns-worker", base},
		{"unregister-keeps-count", "no-leak", base},
		{"run-check-inverted", "retry-progress", with(func(c *model.Config) { c.Servers = 1 })},
	}
}

var general, _ = model.NamedConfig("general")

// TestGeneralOnlyBug: wait-unregistered-ok is a bug on a misuse path
// (wait before register) that no shipped client program but the most
// general one (general, general-sleep) takes: the fixed variant's verdict
// on every other shipped configuration is the same with it, and on
// general it adds errno-contract (TestExploreCatchesEveryBug).
func TestGeneralOnlyBug(t *testing.T) {
	if testing.Short() {
		t.Skip("a search of every shipped configuration")
	}
	skipUnderRace(t, "TestExploreShippedConfigs explores every shipped configuration, TestExploreCatchesEveryBug this bug")
	for _, n := range model.ConfigNames() {
		c, _ := model.NamedConfig(n)
		if c.General > 0 {
			continue
		}
		c.Variant, c.Bug = model.Fixed, "wait-unregistered-ok"
		m, _ := model.New(c)
		if got := propsOf(m.Engine().Explore(sim.Explorer{Symmetry: true})); len(got) > 0 {
			t.Errorf("%s: with wait-unregistered-ok the fixed variant violates %v, without it nothing", n, got)
		}
	}
}

// TestGeneralCounts pins the state counts of the general configuration,
// seed and fixed, with and without symmetry (its threads are in no
// class, so symmetry changes nothing).
func TestGeneralCounts(t *testing.T) {
	skipUnderRace(t, "TestExploreShippedConfigs explores general, seed and fixed; TestSymmetry symmetry")
	for _, c := range []struct {
		v                   model.Variant
		states, transitions uint64
	}{{model.Seed, 265968, 811283}, {model.Fixed, 123772, 575921}} {
		cfg := general
		cfg.Variant = c.v
		m, _ := model.New(cfg)
		for _, sym := range []bool{false, true} {
			r := m.Engine().Explore(sim.Explorer{Symmetry: sym, NoLiveness: sym})
			if !r.Complete || r.States != c.states || r.Transitions != c.transitions {
				t.Errorf("general %s (symmetry %v): %d states, %d transitions, complete %v; want %d, %d",
					c.v, sym, r.States, r.Transitions, r.Complete, c.states, c.transitions)
			}
		}
	}
}

// TestMutationScore: every deliberate bug (model.BugNames) is caught by an
// exhaustive search of every shipped configuration of the fixed variant,
// as `umcgcheck explore --variant fixed --config all --bug B` runs it
// (symmetry asked for, liveness on), while the fixed variant alone
// violates nothing (TestExploreShippedConfigs).
func TestMutationScore(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("a search of every shipped configuration per bug: run without -race and -short")
	}
	killed := 0
	for _, b := range model.BugNames() {
		var violated []string
		for _, n := range model.ConfigNames() {
			c, _ := model.NamedConfig(n)
			c.Variant, c.Bug = model.Fixed, b
			m, err := model.New(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range m.Engine().Explore(sim.Explorer{Symmetry: true}).Violations {
				if !slices.Contains(violated, v.Property) {
					violated = append(violated, v.Property)
				}
			}
		}
		if len(violated) == 0 {
			t.Errorf("bug %s survives every shipped configuration", b)
			continue
		}
		killed++
		t.Logf("%-22s killed: %v", b, violated)
	}
	t.Logf("mutation score: %d of %d bugs killed", killed, len(model.BugNames()))
}
