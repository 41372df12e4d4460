package umcg2023_test

import (
	"slices"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/sim/simtest"
)

func model(t *testing.T, c umcg2023.Config) *sim.Model[umcg2023.State, umcg2023.Observation] {
	t.Helper()
	m, err := umcg2023.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m.Engine()
}

func violated(r sim.Report) []string {
	var ids []string
	for _, c := range r.Violations {
		ids = append(ids, c.Property)
	}
	return ids
}

// TestStateCounts pins the counts of the shipped configurations under
// both kernels and cross-checks each against the naive search.
func TestStateCounts(t *testing.T) {
	want := map[string][2]int{
		"basic":         {19, 22},
		"yield":         {17, 18},
		"preempt":       {19, 20},
		"timeout":       {17, 19},
		"wait-for":      {167, 302},
		"wait-for-fine": {316, 643},
		"two-servers":   {1027, 2442},
		"mixed":         {1106, 2482},
		"general":       {55909, 239223},
		"signals":       {51, 66},

		"nanos/basic":         {19, 22},
		"nanos/yield":         {17, 18},
		"nanos/preempt":       {19, 20},
		"nanos/timeout":       {19, 22},
		"nanos/wait-for":      {180, 328},
		"nanos/wait-for-fine": {180, 328},
		"nanos/two-servers":   {1199, 2742},
		"nanos/mixed":         {1463, 3112},
		"nanos/general":       {44373, 374246},
		"nanos/signals":       {44, 51},
	}
	for _, k := range umcg2023.Kernels {
		for name, c := range umcg2023.Configs {
			c.Kernel = k
			if k != "posting" {
				name = k + "/" + name
			}
			m := model(t, c)
			s, tr, err := simtest.Naive(m)
			if err != nil {
				t.Fatal(err)
			}
			rep := m.Explore(sim.Explorer{NoLiveness: true, Workers: 1})
			if !rep.Complete || int(rep.States) != s || int(rep.Transitions) != tr {
				t.Errorf("%s: explorer %d states %d transitions (complete %v), naive search %d and %d", name, rep.States, rep.Transitions, rep.Complete, s, tr)
			}
			if w, ok := want[name]; !ok || w != [2]int{s, tr} {
				t.Errorf("%s: %d states %d transitions, pinned %v", name, s, tr, w)
			}
		}
	}
}

// TestShippedConfigurations: the posting holds every property on the
// configurations without a race, and the two races the model reaches are
// found with their shortest counterexamples (findings about the design).
func TestShippedConfigurations(t *testing.T) {
	type finding struct {
		property string
		steps    int
	}
	want := map[string][]finding{
		"basic":       nil,
		"yield":       nil,
		"preempt":     nil,
		"two-servers": nil,
		"mixed":       nil,
		// R2: the timeout fires after the server queued the worker on its
		// WAIT event; CTX_SWITCH finds RUNNABLE|TIMEOUT and kills the server.
		"timeout": {{"no-kill", 9}},
		// R1: the server that waited for the blocked worker clears the
		// worker's link after another server attached it.
		"wait-for": {{"worker-has-server", 14}, {"no-kill", 15}},
		// R1 again, also on the re-check path (the server kills itself
		// there), and R3: the waiting server leaves by its re-check
		// between the halves of W3, whose compare-and-swap then fails
		// and wakes no idle server, though one sleeps with the worker on
		// the idle list. Only a delay: no-lost-event and
		// worker-eventually-runs hold, since the server that left is
		// awake and collects the worker itself.
		"wait-for-fine": {{"worker-has-server", 14}, {"worker-has-server", 15}, {"server-woken", 13}, {"no-kill", 14}, {"no-kill", 17}},
		// D13 under the posting: the interrupted server resumes its sleep
		// with WAIT(INTERRUPTED); nothing breaks.
		"signals": nil,
		// The most general client: R1 again (a general server waits for
		// its blocked worker while a second thread, registered as a
		// server, switches to it); a WAKE stranded on the idle list while
		// a server sleeps idle: W3 woke the server back from
		// WAIT(next_tid) instead of an idle one, and it left without
		// collecting; and D8: a server's CTX_SWITCH with event_sz 0
		// leaves its worker's WAIT in the slot, so the next attached
		// event of the worker it runs finds the slot full and the worker
		// is SIGKILLed (the server's own next WAIT is SIGKILLed too, as
		// documented: TestStaleSlotKillsWait). Errors are as documented.
		"general": {{"worker-has-server", 13}, {"no-lost-event", 13},
			{"no-kill", 9}, {"no-kill", 9}, {"no-kill", 9}},
	}
	for name, c := range umcg2023.Configs {
		m := model(t, c)
		rep := m.Explore(sim.Explorer{Workers: 1})
		var got []finding
		for _, v := range rep.Violations {
			got = append(got, finding{v.Property, len(v.Actions)})
			if _, err := m.Confirm(v); err != nil {
				t.Errorf("%s: %s does not replay: %v", name, v.Property, err)
			}
		}
		if !rep.Complete || !slices.Equal(got, want[name]) {
			t.Errorf("%s: complete %v, violations %v; want %v", name, rep.Complete, got, want[name])
		}
	}
}

// TestEachPropertyBites: for each property a deliberately broken model on
// which it is violated, while the same configuration and kernel unbroken
// holds it.
func TestEachPropertyBites(t *testing.T) {
	type row struct{ property, config, kernel, bug string }
	rows := []row{
		{"exactly-once", "basic", "nanos", "keep-slot"}, // the posting SIGKILLs a WAIT with a stale slot
		{"worker-has-server", "basic", "posting", "run-unattached"},
		{"no-lost-event", "basic", "posting", "no-wake-idle"},
		{"server-woken", "basic", "posting", "no-wake-server"},
		{"single-slot", "yield", "nanos", "keep-slot"},
		{"errors-as-documented", "general", "posting", "unregister-any"},
		{"errors-as-documented", "general", "nanos", "wake-no-eagain"},
		{"no-kill", "yield", "posting", "keep-slot"},
		{"no-deadlock", "basic", "posting", "no-wake-idle"},
		{"delivered-by-end", "basic", "posting", "drop-exit"},
		{"worker-eventually-runs", "preempt", "posting", "no-requeue"},
	}
	m := model(t, umcg2023.Configs["basic"])
	for _, p := range m.Properties {
		if !slices.ContainsFunc(rows, func(r row) bool { return r.property == p.ID }) {
			t.Errorf("property %s has no broken model", p.ID)
		}
	}
	for _, r := range rows {
		c := umcg2023.Configs[r.config]
		c.Kernel = r.kernel
		good := violated(model(t, c).Explore(sim.Explorer{Workers: 1}))
		if slices.Contains(good, r.property) {
			t.Errorf("%s: violated on %s unbroken", r.property, c)
		}
		c.Bug = r.bug
		bad := model(t, c)
		rep := bad.Explore(sim.Explorer{Workers: 1})
		if !slices.Contains(violated(rep), r.property) {
			t.Errorf("%s: not violated on %s (violations %v)", r.property, c, violated(rep))
		}
	}
}

// TestActionNamesUnique: a saved counterexample names its actions, so
// each configuration's action names must tell its action kinds apart.
func TestActionNamesUnique(t *testing.T) {
	for name, c := range umcg2023.Configs {
		names := model(t, c).ActionNames
		if u := slices.Compact(slices.Sorted(slices.Values(names))); len(u) != len(names) {
			t.Errorf("%s: %d action names, %d distinct", name, len(names), len(u))
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []umcg2023.Config{
		{Servers: 0, Workers: []string{"u"}},
		{Servers: 1},
		{Servers: 1, Workers: []string{"b"}},
		{Servers: 1, Workers: []string{"bxu"}},
		{Servers: 3, Workers: []string{"u", "u", "u", "u"}},
		{Servers: 1, Workers: []string{"u"}, Kernel: "linux"},
		{Servers: 1, Workers: []string{"u"}, Readings: map[string]string{"order": "random"}},
		{Servers: 1, Workers: []string{"u"}, Readings: map[string]string{"colour": "red"}},
		{Servers: 1, Workers: []string{"u"}, Bug: "nope"},
		{Servers: 1, Workers: []string{"u"}, Fix: "nope"},
		{Servers: 1, Workers: []string{"u"}, GeneralServers: 1, Calls: 1},
		{GeneralServers: 1, GeneralWorkers: 1},
		{GeneralServers: 1, GeneralWorkers: 1, Calls: 5},
		{GeneralServers: 4, GeneralWorkers: 3, Calls: 1},
		{GeneralServers: 1, GeneralWorkers: 1, Calls: 1, WaitFor: true},
		{Servers: 1, Workers: []string{"u"}, Calls: 2},
	} {
		if _, err := umcg2023.New(c); err == nil {
			t.Errorf("%s: accepted", c)
		}
	}
}

// TestFixCmpxchgLink: the repair open question 1 of docs/umcg-2023.md
// suggests for R1 (clear the link only if it still names this server)
// removes R1 on both atomicities; R3 stays, being another race.
func TestFixCmpxchgLink(t *testing.T) {
	for name, want := range map[string][]string{"wait-for": nil, "wait-for-fine": {"server-woken"}} {
		c := umcg2023.Configs[name]
		c.Fix = "cmpxchg-link"
		rep := model(t, c).Explore(sim.Explorer{Workers: 1})
		if got := violated(rep); !rep.Complete || !slices.Equal(got, want) {
			t.Errorf("%s fixed: violations %v, want %v", name, got, want)
		}
	}
}

// TestGeneral: the most general client under Nanos's readings violates
// nothing, errors as documented included; under the posting's it finds
// R1 and D8 (TestShippedConfigurations). D5 changes nothing; each of the
// two points that bring violations back to Nanos is named: waitfor=link (a WAKE stranded
// when the server W3 woke leaves), and args=eperm, whose unchecked
// event_sz 0 (D8) leaves stale slot events, which Nanos overwrites.
func TestGeneral(t *testing.T) {
	for _, r := range []struct {
		readings map[string]string
		want     []string
	}{
		{nil, nil},
		{map[string]string{"yield-state": "runnable"}, nil},
		{map[string]string{"waitfor": "link"}, []string{"no-lost-event"}},
		{map[string]string{"args": "eperm"}, []string{"no-lost-event", "server-woken", "single-slot"}},
	} {
		c := umcg2023.Configs["general"]
		c.Kernel, c.Readings = "nanos", r.readings
		rep := model(t, c).Explore(sim.Explorer{})
		got := slices.Compact(slices.Sorted(slices.Values(violated(rep))))
		if !rep.Complete || !slices.Equal(got, r.want) {
			t.Errorf("%s: violates %v, want %v", c, got, r.want)
		}
	}
}

// TestReadings: of the points both readings of which are modelled, three
// decide every scripted configuration's verdict, each point tried alone
// from either kernel: bad-switch (kill: R2 on timeout; einval: nothing),
// waitfor (link: R1, and R3 on the fine model; bq: the lost wakeup of
// D10) and interrupt (restart: a signal ends the server's CTX_SWITCH while
// its worker runs on, whose next attached event is lost). The other points
// change no verdict of the well-behaved clients.
func TestReadings(t *testing.T) {
	r1 := map[string][]string{
		"wait-for":      {"worker-has-server", "no-kill"},
		"wait-for-fine": {"worker-has-server", "server-woken", "no-kill"},
	}
	d10 := map[string][]string{
		"wait-for":      {"server-woken", "no-deadlock", "delivered-by-end"},
		"wait-for-fine": {"server-woken", "no-deadlock", "delivered-by-end"},
	}
	for _, kernel := range umcg2023.Kernels {
		flips := []string{""}
		for _, p := range umcg2023.Points {
			flips = append(flips, p.Name)
		}
		for _, flip := range flips {
			readings := map[string]string{}
			for _, p := range umcg2023.Points {
				v := p.Posting
				if kernel == "nanos" {
					v = p.Nanos
				}
				if p.Name == flip {
					v = map[string]string{p.Posting: p.Nanos, p.Nanos: p.Posting}[v]
					readings[p.Name] = v
				}
				if p.Name == "bad-switch" || p.Name == "waitfor" || p.Name == "interrupt" {
					readings["_"+p.Name] = v
				}
			}
			for name, c := range umcg2023.Configs {
				if name == "general" {
					continue // TestGeneral
				}
				c.Kernel = kernel
				if flip != "" {
					c.Readings = map[string]string{flip: readings[flip]}
				}
				var want []string
				if readings["_bad-switch"] == "kill" && name == "timeout" {
					want = append(want, "no-kill")
				}
				if readings["_interrupt"] == "restart" && name == "signals" {
					want = append(want, "worker-has-server", "no-deadlock", "delivered-by-end", "worker-eventually-runs")
				}
				if readings["_waitfor"] == "link" {
					want = append(want, r1[name]...)
				} else {
					want = append(want, d10[name]...)
				}
				rep := model(t, c).Explore(sim.Explorer{Workers: 1})
				got := violated(rep)
				got = slices.Compact(slices.Sorted(slices.Values(got)))
				slices.Sort(want)
				if !rep.Complete || !slices.Equal(got, want) {
					t.Errorf("%s: violates %v, want %v", c, got, want)
				}
			}
		}
	}
}

// run replays the named actions (thread, action name) of configuration
// general under kernel and returns each step's observation.
func run(t *testing.T, kernel string, steps [][2]string) []umcg2023.Observation {
	t.Helper()
	c := umcg2023.Configs["general"]
	c.Kernel = kernel
	m := model(t, c)
	d := m.Describe()
	s := m.Init()
	var obs []umcg2023.Observation
	for i, st := range steps {
		th, ok1 := d.Thread(st[0])
		k, ok2 := d.Action(st[1])
		a := sim.Action{Kind: k, Thread: th}
		if !ok1 || !ok2 || !slices.Contains(m.Enabled(&s, nil), a) {
			t.Fatalf("step %d: %s %q is not enabled", i+1, st[0], st[1])
		}
		before := s
		o := m.Step(&s, a)
		for _, p := range m.Properties {
			if p.ID == "errors-as-documented" {
				if msg := p.Step(&before, &s, &o); msg != "" {
					t.Errorf("step %d: %s", i+1, msg)
				}
			}
		}
		obs = append(obs, o)
	}
	return obs
}

// TestStaleSlotKillsWait: the posting's WAIT(next_tid 0) SIGKILLs a
// server whose slot still holds an event ([P:umcg_wait], docs/umcg-2023.md
// §2.2), which only a CTX_SWITCH with event_sz 0 (D8) leaves there; the
// step and the documented table agree on it.
func TestStaleSlotKillsWait(t *testing.T) {
	// w1 acts as a server: only a worker's choices have event_sz 0.
	obs := run(t, "posting", [][2]string{
		{"w1", "worker: REGISTER_SERVER"},
		{"w2", "worker: REGISTER_WORKER"},
		{"w1", "worker: WAIT(2 slots)"},
		{"w1", "resume"},                           // collects w2's WAKE
		{"w1", "worker: CTX_SWITCH(no events) w2"}, // D8: accepted
		{"w2", "worker: WAIT(no events)"},          // WAIT into w1's slot, w1 woken
		{"w1", "resume"},                           // collects nothing: the slot keeps it
		{"w1", "worker: WAIT(2 slots)"},
	})
	if o := obs[len(obs)-1]; o.Killed != 1<<1 || o.Slept || o.Result != 0 || o.NDeliv != 0 {
		t.Errorf("WAIT with a stale slot: killed %b, slept %v, result %d, %d delivered; want w1 SIGKILLed",
			o.Killed, o.Slept, o.Result, o.NDeliv)
	}
}

// TestSwitchChecksTargetFirst: CTX_SWITCH checks its target before its
// caller ([P:umcg_ctx_switch]), so an unregistered caller naming an
// unregistered thread gets EPERM, not the SIGKILL of "CTX_SWITCH, other";
// with a registered target it is SIGKILLed.
func TestSwitchChecksTargetFirst(t *testing.T) {
	for _, tc := range []struct {
		steps  [][2]string
		result int8
		killed uint8
	}{
		{[][2]string{{"s1", "server: CTX_SWITCH(2 slots) w1"}}, umcg2023.EPERM, 0},
		{[][2]string{{"w1", "worker: CTX_SWITCH(no events) self"}}, umcg2023.EPERM, 0},
		{[][2]string{{"s1", "server: CTX_SWITCH(2 slots) self"}}, umcg2023.EPERM, 0},
		{[][2]string{{"w1", "worker: REGISTER_SERVER"}, {"s1", "server: CTX_SWITCH(2 slots) w1"}}, 0, 1},
	} {
		obs := run(t, "posting", tc.steps)
		if o := obs[len(obs)-1]; o.Result != tc.result || o.Killed != tc.killed {
			t.Errorf("%v: result %d killed %b, want %d and %b", tc.steps, o.Result, o.Killed, tc.result, tc.killed)
		}
	}
}

// TestTimerEndsWithItsWait: a yield's timeout is armed only while that
// yield waits to be run. Once a server runs the worker the timer is gone:
// the posting's umcg_idle_loop cancels its on-stack hrtimer when the wait
// ends, and Nanos's umcg_ctx_switch calls remove_timer on the worker it
// switches to. So in every reachable state the timer move of a worker is
// enabled only if the script op it last made is t, even when the worker
// later blocks, yields without a timeout or is preempted, and is RUNNABLE
// again.
func TestTimerEndsWithItsWait(t *testing.T) {
	for _, kernel := range umcg2023.Kernels {
		for _, c := range []umcg2023.Config{
			{Servers: 1, Workers: []string{"tbu"}},
			{Servers: 1, Workers: []string{"tyu"}},
			{Servers: 1, Workers: []string{"tcu"}, Preempts: 1},
		} {
			c.Kernel = kernel
			m := model(t, c)
			timer, ok := m.Describe().Action("timer")
			if !ok {
				t.Fatal("no action named timer")
			}
			seen := map[umcg2023.State]bool{}
			todo := []umcg2023.State{m.Init()}
			for len(todo) > 0 {
				s := todo[len(todo)-1]
				todo = todo[:len(todo)-1]
				if seen[s] {
					continue
				}
				seen[s] = true
				for _, a := range m.Enabled(&s, nil) {
					if a.Kind == timer {
						w := int(a.Thread)
						script := c.Workers[w-c.Servers]
						if pc := int(s.PC[w]); pc < 2 || script[pc-2] != 't' {
							t.Fatalf("%s: the timer of w%d is armed after op %d of script %q, which is no t", c, w-c.Servers+1, pc-1, script)
						}
					}
					n := s
					m.Step(&n, a)
					todo = append(todo, n)
				}
			}
		}
	}
}
