package umcg01_test

import (
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// TestLabelsTable: the coverage table names every step a search of a
// shipped configuration takes, seed and fixed (a label added to the code
// and not to labels.go fails here), and every state edge those searches
// take is documented (legal-edge holds there, but under the general
// client's misuse, whose undocumented edges legal-edge reports). Each
// entry of the table fires somewhere, or is listed here with why not.
//
// Under the race detector it searches the default configuration only:
// what the race detector watches is the workers' counting of coverage at
// once, the same on every configuration.
func TestLabelsTable(t *testing.T) {
	fired := map[string]bool{}
	names := model.ConfigNames()
	if raceEnabled {
		names = []string{"default"}
	}
	for _, v := range []model.Variant{model.Seed, model.Fixed} {
		for _, n := range names {
			c, _ := model.NamedConfig(n)
			c.Variant = v
			m, err := model.New(c)
			if err != nil {
				t.Fatal(err)
			}
			r := m.Engine().Explore(sim.Explorer{Coverage: true, NoLiveness: true, Symmetry: true})
			if r.Coverage == nil || !r.Complete {
				t.Fatalf("%s %s: no coverage, or incomplete", v, n)
			}
			for _, x := range r.Coverage.UnlistedSteps {
				t.Errorf("%s %s: step %q (%d transitions) is not in labels.go's table", v, n, x.Name, x.N)
			}
			for _, x := range r.Coverage.Steps {
				if x.N > 0 {
					fired[x.Name] = true
				}
			}
			var sum uint64
			for _, x := range r.Coverage.Steps {
				sum += x.N
			}
			if sum != r.Transitions {
				t.Errorf("%s %s: steps counted %d times, %d transitions", v, n, sum, r.Transitions)
			}
		}
	}
	if raceEnabled {
		return // the table's entries fire on some shipped configuration: the plain run checks it
	}
	m, _ := model.New(model.DefaultConfig())
	for _, name := range m.Engine().Coverage.Steps {
		if !fired[name] && !neverFires[name] {
			t.Errorf("%q never fires on a shipped configuration: remove it from the table, or list it in neverFires with why", name)
		}
		if fired[name] && neverFires[name] {
			t.Errorf("%q fires now: drop it from neverFires", name)
		}
	}
}

// neverFires lists the table's steps no shipped configuration takes, and
// why: each is a gap of the shipped configurations (docs/coverage.md).
var neverFires = map[string]bool{
	// No shipped configuration makes a core task's allocations fail
	// (faults has no core task; core injects signals and spurious
	// wakeups only). ENOMEM also needs the fix core-enomem: the seed
	// answers EINVAL. The test configuration register-enomem reaches both.
	"register_core_task: malloc task_tls fails":            true,
	"register_core_task: sys_umcg_register_task => ENOMEM": true,
	// create_group's allocations never fail either (the probes inject no
	// allocation fault), so the probe that destroys the group it created
	// never skips.
	"create_group: sys_umcg_create_group => ENOMEM":        true,
	"create_group: malloc umcg_group fails":                true,
	"client: skip destroy_group, the previous call failed": true,
	// The kernel's EINVAL for a caller that is not a registered core task
	// or worker, or a target of the wrong kind or group: the library's
	// own checks (its CAS on the caller's state, its load of the target's
	// task_tls) stop every shipped client first, the general one too.
	"wait: sys_umcg_wait => EINVAL": true,
	"swap: sys_umcg_wait => EINVAL": true,
	"swap: sys_umcg_swap => EINVAL": true,
	"wake: sys_umcg_wake => EINVAL": true,
	"swap: sys_umcg_wake => EINVAL": true,
	// Waking or swapping to a worker that has a server: no client does
	// (status.md: the fix wake-einval is not separated by a shipped
	// configuration for that reason), so neither v0.1's kill nor the
	// fixed EINVAL happens.
	"wake: sys_umcg_wake: SIGSEGV => 0": true,
	"swap: sys_umcg_wake: SIGSEGV => 0": true,
	"swap: sys_umcg_swap: SIGSEGV":      true,
	// The library's defensive checks that nothing can trip: the server's
	// own word does not change while it polls, and no client asks for the
	// state of UMCG_NONE.
	"poll_worker: wrong server state after: exit(1)":        true,
	"get_task_state: load *utid: NULL dereference, SIGSEGV": true,
}
