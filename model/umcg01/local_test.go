package umcg01_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// TestLocalContract checks sim.Model.Local's contract one step at a time
// on random walks, where TestReductionsKeepVerdicts compares whole
// searches: in every state a walk visits, for each thread whose enabled
// actions Local all calls local (the ones the engine may take alone), and
// each action a of them, a finds nothing for a step check and changes no
// invariant's verdict; and for each action b of another thread (unless b
// crashes the process), b leaves the thread's actions as they were and
// still all local, a leaves b enabled, a then b reaches the state b then
// a does, and b gets the same step verdicts and place with a taken first
// or not. Checked in every reachable state, this would give the contract
// (b keeps the thread all local, so the check applies again after b); the
// walks check the states they visit. It walks the shipped
// configurations and bugs, and configurations por.go was not shipped
// with: every fault (two per run), and two groups of two servers with a
// worker that yields; and, walked ten times as often, one server running
// one worker of the fixed variant under signals and spurious wakeups,
// where a server is woken inside run_worker while its worker still runs
// (a few states in a thousand walks). Each kind of local step must be
// checked somewhere. It bites: with por.go's unreachable left out, a
// worker's store of NULL to its task_tls does not commute with a server's
// load of that task_tls (run_worker) in the seed's faults configuration
// and others; with resumeUnlinked's conditions left out (a woken server's
// return from run_worker called local while its worker is linked), the
// fixed run_worker's sleep again after a signal does not commute with the
// worker's block, which wakes it.
func TestLocalContract(t *testing.T) {
	if testing.Short() {
		t.Skip("random walks of every configuration")
	}
	skipUnderRace(t, "random walks, on one goroutine")
	shipped, bugs := everyConfig()
	cfgs := append(shipped, bugs...)
	for _, c := range shipped {
		c.Faults, c.MaxFaults = model.AllFaults, 2
		cfgs = append(cfgs, c)
		if c.Workers > 0 {
			c.Groups, c.Servers, c.Workers, c.Yields = 2, 2, 1, 1
			cfgs = append(cfgs, c)
		}
	}
	walks := make([]int, len(cfgs))
	for i := range walks {
		walks[i] = 300
	}
	c := model.DefaultConfig()
	c.Variant, c.Servers, c.Workers, c.Faults = model.Fixed, 1, 1, model.FaultEINTR|model.FaultSpurious
	cfgs, walks = append(cfgs, c), append(walks, 3000)
	checked := map[string]int{} // by label, the local steps checked
	for i, c := range cfgs {
		m, err := model.New(c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		e := m.Engine()
		r := rand.New(rand.NewSource(1))
		seen := map[string]bool{}
		for range walks[i] {
			s := e.Init()
			for range 200 {
				if msg := checkLocal(e, &s, checked); msg != "" && !seen[msg] {
					seen[msg] = true
					t.Errorf("%s: %s", c, msg)
				}
				en := e.Enabled(&s, nil)
				if len(en) == 0 {
					break
				}
				e.Step(&s, en[r.Intn(len(en))])
			}
		}
	}
	for _, l := range []string{"client: set flag", "client: flag seen", "register_server: check arguments, malloc task_tls",
		"register_worker: load group->group_id", "unregister_task: free task_tls", "unregister_task: store task_tls = NULL",
		"kernel: resume after wakeup"} {
		if checked[l] == 0 {
			t.Errorf("no local step %q was checked", l)
		}
	}
}

// checkLocal checks Local's contract one step deep at s (TestLocalContract),
// counts in checked the local steps it checks, and says what breaks it.
func checkLocal(e *sim.Model[model.State, model.Observation], s *model.State, checked map[string]int) string {
	ids := func(vs []props.Violation[model.State, model.Observation]) []string {
		var r []string
		for _, v := range vs {
			r = append(r, v.Property.ID)
		}
		return r
	}
	of := func(x *model.State, t int8) []sim.Action {
		var r []sim.Action
		for _, a := range e.Enabled(x, nil) {
			if a.Thread == t {
				r = append(r, a)
			}
		}
		return r
	}
	allLocal := func(x *model.State, t int8) bool {
		for _, a := range of(x, t) {
			if !e.Local(x, a) {
				return false
			}
		}
		return true
	}
	en := e.Enabled(s, nil)
	for _, a := range en {
		if !allLocal(s, a.Thread) {
			continue
		}
		sa := *s
		oa := e.Step(&sa, a)
		checked[oa.Label.String()]++
		if vs := props.CheckStep(e.Properties, s, &sa, &oa, nil); len(vs) > 0 {
			return fmt.Sprintf("local %q violates %v", oa.Label, ids(vs))
		}
		if x, y := ids(props.CheckState(e.Properties, s, false, nil)), ids(props.CheckState(e.Properties, &sa, false, nil)); !slices.Equal(x, y) {
			return fmt.Sprintf("local %q changes the invariants' verdicts %v to %v", oa.Label, x, y)
		}
		for _, b := range en {
			if b.Thread == a.Thread {
				continue
			}
			sb := *s
			ob := e.Step(&sb, b)
			if len(e.Enabled(&sb, nil)) == 0 && !sb.Live() {
				continue // b crashes the process
			}
			if !slices.Equal(of(&sb, a.Thread), of(s, a.Thread)) || !allLocal(&sb, a.Thread) {
				return fmt.Sprintf("%q changes the actions of the thread of local %q, or makes one shared", ob.Label, oa.Label)
			}
			if !slices.Contains(e.Enabled(&sa, nil), b) {
				return fmt.Sprintf("local %q disables %q", oa.Label, ob.Label)
			}
			sab, sba := sa, sb
			oab := e.Step(&sab, b)
			e.Step(&sba, a)
			if !bytes.Equal(e.Encode(nil, &sab), e.Encode(nil, &sba)) {
				return fmt.Sprintf("local %q does not commute with %q", oa.Label, ob.Label)
			}
			x, y := ids(props.CheckStep(e.Properties, s, &sb, &ob, nil)), ids(props.CheckStep(e.Properties, &sa, &sab, &oab, nil))
			if px, py := e.Place(s, &ob), e.Place(&sa, &oab); !slices.Equal(x, y) || px != py {
				return fmt.Sprintf("%q: %v at %q, after local %q: %v at %q", ob.Label, x, px, oa.Label, y, py)
			}
		}
	}
	return ""
}
