// Tests of the named fixes: their names and encodings, that no set of
// fixes makes the model panic, and that each fix, turned off alone from
// the fixed variant, changes the verdict of a configuration.
package umcg01_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// violated explores cfg exhaustively and returns the ids of the properties
// it violates, in the order of Model.Properties.
func violated(t *testing.T, cfg model.Config) []string {
	t.Helper()
	m, err := model.New(cfg)
	if err != nil {
		t.Fatalf("model.New(%s): %v", cfg, err)
	}
	r := m.Engine().Explore(sim.Explorer{})
	if !r.Complete {
		t.Fatalf("%s: the search is incomplete (%s)", cfg, r.Stopped)
	}
	var ids []string
	for _, c := range r.Violations {
		if !slices.Contains(ids, c.Property) {
			ids = append(ids, c.Property)
		}
	}
	return ids
}

func TestFixNames(t *testing.T) {
	names := model.FixNames()
	if len(names) != len(model.AllFixes.List()) {
		t.Fatalf("FixNames has %d names for %d fixes", len(names), len(model.AllFixes.List()))
	}
	seen := map[string]bool{}
	for i, f := range model.AllFixes.List() {
		n := f.String()
		if n != names[i] {
			t.Errorf("fix %d is %q, FixNames says %q", i, n, names[i])
		}
		if seen[n] {
			t.Errorf("two fixes are named %q", n)
		}
		seen[n] = true
		if n == "" || strings.ToLower(n) != n || strings.ContainsAny(n, " _,") {
			t.Errorf("fix name %q is not kebab-case", n)
		}
		if len(f.Findings()) == 0 {
			t.Errorf("fix %s names no finding", n)
		}
		if g, ok := model.FixByName(n); !ok || g != f {
			t.Errorf("FixByName(%q) = %v, %v", n, g, ok)
		}
	}
}

func TestParseFixes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want model.FixSet
		str  string
	}{
		{"", 0, "none"},
		{"none", 0, "none"},
		{"all", model.AllFixes, "all"},
		{"block-unlinks", model.FixSet(model.FixBlockUnlinks), "block-unlinks"},
		{"tls-kept,errno-from-kernel", model.FixSet(model.FixTLSKept | model.FixErrnoFromKernel), "errno-from-kernel,tls-kept"},
	} {
		got, err := model.ParseFixes(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseFixes(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			continue
		}
		if s := got.String(); s != tc.str {
			t.Errorf("%q: String() = %q, want %q", tc.in, s, tc.str)
		}
		var back model.FixSet
		if err := back.UnmarshalText([]byte(got.String())); err != nil || back != got {
			t.Errorf("%q: UnmarshalText(String()) = %v, %v", tc.in, back, err)
		}
	}
	_, err := model.ParseFixes("block-unlinks,no-such-fix")
	if err == nil {
		t.Fatal("ParseFixes accepted an unknown name")
	}
	for _, n := range model.FixNames() {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("the error %q does not list %s", err, n)
		}
	}
}

func TestConfigFixes(t *testing.T) {
	c := model.DefaultConfig()
	const plain = "variant=seed groups=1 servers=2 workers=2 blocks=1 core-pairs=0 swaps=0 faults=none max-faults=1"
	if s := c.String(); s != plain {
		t.Errorf("String() = %q, want %q", s, plain)
	}
	b, err := json.Marshal(c)
	if err != nil || strings.Contains(string(b), "fixes") {
		t.Errorf("json.Marshal(%s) = %s, %v: want no fixes", c, b, err)
	}

	c.Fixes = model.FixSet(model.FixRunReason | model.FixPollNoExit)
	if s, want := c.String(), plain+" fixes=poll-no-exit,run-reason"; s != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
	b, err = json.Marshal(c)
	if err != nil || !strings.Contains(string(b), `"fixes":"poll-no-exit,run-reason"`) {
		t.Errorf("json.Marshal(%s) = %s, %v", c, b, err)
	}
	var back model.Config
	if err := json.Unmarshal(b, &back); err != nil || back.Fixes != c.Fixes {
		t.Errorf("json.Unmarshal(%s) = %v, %v", b, back.Fixes, err)
	}
	if err := json.Unmarshal([]byte(`{"fixes":"poll-no-exit,bogus"}`), &back); err == nil {
		t.Error("json.Unmarshal accepted an unknown fix")
	}

	m, err := model.New(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Fixes(); got != c.Fixes {
		t.Errorf("Fixes() = %v, want %v", got, c.Fixes)
	}
	c.Variant = model.Fixed
	if m, err = model.New(c); err != nil || m.Fixes() != model.AllFixes {
		t.Errorf("the fixed variant applies %v, %v; want every fix", m.Fixes(), err)
	}

	c.Fixes = model.AllFixes + 1<<31
	if _, err := model.New(c); err == nil || !strings.Contains(err.Error(), "fixes") {
		t.Errorf("New accepted unknown fix bits: %v", err)
	}
}

// drawFixConfig draws a configuration like the shipped ones (a group or
// two of servers and workers, a core pair, probes, faults) on the seed
// variant with a rapid-drawn set of fixes.
func drawFixConfig(t *rapid.T) (model.Config, *model.Model) {
	c := model.Config{
		Variant:   model.Seed,
		Groups:    rapid.IntRange(0, 2).Draw(t, "groups"),
		Servers:   rapid.IntRange(1, 2).Draw(t, "servers"),
		Workers:   rapid.IntRange(1, 2).Draw(t, "workers"),
		Blocks:    rapid.IntRange(0, 2).Draw(t, "blocks"),
		CorePairs: rapid.IntRange(0, 1).Draw(t, "corePairs"),
		Swaps:     rapid.IntRange(1, 3).Draw(t, "swaps"),
		Faults:    model.Fault(rapid.IntRange(0, int(model.AllFaults)).Draw(t, "faults")),
		MaxFaults: rapid.IntRange(0, 3).Draw(t, "maxFaults"),
	}
	for _, f := range model.AllFixes.List() {
		if rapid.Bool().Draw(t, f.String()) {
			c.Fixes |= model.FixSet(f)
		}
	}
	c.Probes = rapid.SliceOfNDistinct(rapid.SampledFrom(model.ProbeNames()), 0, model.MaxGroups-c.Groups,
		func(s string) string { return s }).Draw(t, "probes")
	for {
		m, err := model.New(c)
		if err == nil {
			return c, m
		}
		if len(c.Probes) == 0 {
			c.Groups, c.CorePairs = 1, 0
			continue
		}
		c.Probes = c.Probes[:len(c.Probes)-1] // too many threads
	}
}

// TestFixSetsNeverPanic: whatever fixes are on, random walks of a
// shipped-like configuration, driven by Enabled and Step directly, with
// every property check, the encoding and the symmetry reduction on the
// way, never panic. Each drawn configuration gets several walks.
func TestFixSetsNeverPanic(t *testing.T) {
	walks, steps := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		_, m := drawFixConfig(t)
		classes := m.Classes()
		chk := props.Prepare(m.Properties())
		var buf []model.Action
		var vs []model.Violation
		for w := 0; w < 10; w++ {
			walks++
			s := m.Init()
			for d := 0; d < 300; d++ {
				buf = m.Enabled(&s, buf[:0])
				vs = chk.State(&s, len(buf) == 0, vs[:0])
				m.Canonical(&s, classes)
				var back model.State
				if !back.Decode(s.AppendEncoding(nil)) {
					t.Fatalf("a state does not decode")
				}
				if len(buf) == 0 {
					break
				}
				a := buf[rapid.IntRange(0, len(buf)-1).Draw(t, "action")]
				before := s
				o := m.Step(&s, a)
				vs = chk.Step(&before, &s, &o, vs[:0])
				steps++
			}
		}
	})
	t.Logf("%d walks, %d steps", walks, steps)
}

// config returns a configuration the verdict test explores: a shipped one,
// or one of three that no shipped configuration covers: register-enomem,
// the register probe with allocation failures, the only way create_group
// fails; core-enomem, below; general-calls4, below. (Shipping them would
// change the CLI's help and explore goldens and docs/findings.md.)
func config(name string) model.Config {
	if name == "register-enomem" {
		return model.Config{Variant: model.Seed, Probes: []string{"register"}, Faults: model.FaultENOMEM, MaxFaults: 1}
	}
	if name == "core-enomem" {
		// the kernel's allocation fails under a core task's register,
		// which no shipped configuration covers (core has no enomem)
		return model.Config{Variant: model.Seed, CorePairs: 1, Swaps: 1, Faults: model.FaultENOMEM, MaxFaults: 1}
	}
	if name == "general-calls4" {
		// general with four calls each: a server registers, polls a
		// worker, runs it and runs it again, while the worker
		// registers, unregisters and registers again, the smallest
		// client in which a server holds a pointer to a worker's
		// task_tls across the worker's re-registration (three calls
		// leave the server none for its register)
		c, _ := model.NamedConfig("general")
		c.Calls = 4
		return c
	}
	c, ok := model.NamedConfig(name)
	if !ok {
		panic("no configuration " + name)
	}
	return c
}

// configNames are the configurations the verdict test knows.
func configNames() []string {
	return append(model.ConfigNames(), "register-enomem", "core-enomem", "general-calls4")
}

// verdicts maps each fix to a configuration whose set of violated
// properties changes when that fix alone is turned off from the fixed
// variant (the seed variant with every other fix), and to a property that
// is then violated; the fixed variant violates none on any of them. The
// comment says what else turns violated.
var verdicts = []struct {
	fix              model.Fix
	config, property string
}{
	// also no-deadlock, worker-eventually-runs
	{model.FixErrnoFromKernel, "faults", "errno-contract"},
	// register-enomem only: no shipped configuration makes create_group fail
	{model.FixCreateReturnsNone, "register-enomem", "errno-contract"},
	{model.FixDestroyEAGAIN, "probes", "errno-contract"},
	{model.FixPollNoExit, "faults", "no-exit"},
	// also on probes
	{model.FixRunNoExit, "faults", "no-exit"},
	// also worker-eventually-runs
	{model.FixRunUndo, "faults", "server-processing"},
	// also worker-eventually-runs
	{model.FixRunNoneErrno, "faults", "errno-contract"},
	// also no-deadlock, worker-eventually-runs
	{model.FixRunSleepsOn, "faults", "worker-has-server"},
	{model.FixBlockUnlinks, "default", "no-kill"},
	{model.FixQueuedKeepsPlace, "faults", "queue-fifo"},
	// also no-deadlock
	{model.FixPollSleepsOn, "faults", "errno-contract"},
	// also no-kill, no-deadlock, worker-eventually-runs, run-returns
	{model.FixRunNeedsServer, "faults", "worker-has-server"},
	// also errno-contract
	{model.FixRunReason, "default", "worker-has-server"},
	{model.FixWakeupInWord, "core", "no-busy-wait"},
	{model.FixWakeQueuedEAGAIN, "probes", "errno-contract"},
	// also no-deadlock
	{model.FixWaitEINTRCancels, "core", "errno-contract"},
	// also no-deadlock
	{model.FixSwapLoops, "core", "errno-contract"},
	// also on faults
	{model.FixUtidTable, "probes", "no-use-after-free"},
	{model.FixTLSKept, "probes", "no-use-after-free"},
	// also worker-eventually-runs, run-returns
	{model.FixExitUnregisters, "faults", "no-deadlock"},
	// the register probe's group is not the newest, so it is unlisted;
	// also retry-progress (the run-gone probe retries its register)
	{model.FixGroupList, "probes", "register-succeeds"},
	{model.FixUnregisterNoKill, "faults", "no-kill"},
	// general only: only the most general client registers a core task again
	{model.FixCoreUnregisterClears, "general", "register-succeeds"},
	// a dead worker's word stays RUNNING and its server re-runs it forever
	{model.FixUnregisterWritesNone, "faults", "worker-eventually-runs"},
	// also no-deadlock; core-enomem only
	{model.FixCoreENOMEM, "core-enomem", "errno-contract"},
	// general only: no other client passes UMCG_NONE to wake, swap or run_worker
	{model.FixNoneArgEINVAL, "general", "no-kill"},
	// also run-returns: the worker that faulted between wait's CAS and its
	// syscall sleeps for good, and so does its server in run_worker
	{model.FixHooksPaired, "sleep", "no-deadlock"},
	// general only: poll_worker or run_worker before register (also on
	// general-sleep)
	{model.FixOwnTLSEINVAL, "general", "no-use-after-free"},
	// general-calls4 only: a server's run_worker holds a worker's
	// task_tls across the worker's unregister and register
	{model.FixTLSReused, "general-calls4", "no-use-after-free"},
	// general only: a server runs a waiting core task (also on
	// general-sleep)
	{model.FixRunChecksKind, "general", "legal-edge"},
}

// unobservable are the fixes that no configuration above separates, with
// why. TestFixVerdicts checks (without -short) that each changes no
// verdict on any of them, so that a fix a configuration comes to separate
// moves to verdicts.
var unobservable = map[model.Fix]string{
	model.FixWakeEINVAL: "no client program wakes a worker (core tasks and the wake-twice " +
		"probe wake core tasks; servers never call wake), so no configuration reaches a " +
		"wake of a worker attached to another server; no-kill observes it on a hand-built " +
		"state (TestWakeEINVALHandBuilt). Separating it takes a new probe, which would change " +
		"the shipped probes configuration, the CLI goldens and docs/findings.md",
}

// TestFixVerdicts: for each fix, turning it off alone from the fixed
// variant makes its configuration violate its property (see verdicts),
// and each fix is in verdicts or in unobservable, not both.
func TestFixVerdicts(t *testing.T) {
	seen := map[model.Fix]bool{}
	for _, v := range verdicts {
		if seen[v.fix] {
			t.Errorf("%s is in verdicts twice", v.fix)
		}
		seen[v.fix] = true
		if _, ok := unobservable[v.fix]; ok {
			t.Errorf("%s is in verdicts and in unobservable", v.fix)
		}
	}
	for f := range unobservable {
		seen[f] = true
	}
	for _, f := range model.AllFixes.List() {
		if !seen[f] {
			t.Errorf("%s is in neither verdicts nor unobservable", f)
		}
	}

	fixed := map[string][]string{} // the fixed variant's verdict per configuration
	fixedVerdict := func(name string) []string {
		if v, ok := fixed[name]; ok {
			return v
		}
		c := config(name)
		c.Variant = model.Fixed
		fixed[name] = violated(t, c)
		if len(fixed[name]) > 0 {
			t.Errorf("%s: the fixed variant violates %v", name, fixed[name])
		}
		return fixed[name]
	}
	skipUnderRace(t, "TestExploreShippedConfigs explores both variants, with every fix and with none")
	for _, v := range verdicts {
		t.Run(v.fix.String(), func(t *testing.T) {
			base := fixedVerdict(v.config)
			c := config(v.config)
			c.Variant, c.Fixes = model.Seed, model.AllFixes&^model.FixSet(v.fix)
			got := violated(t, c)
			if slices.Equal(got, base) {
				t.Fatalf("%s: turning %s off changes nothing: %v", v.config, v.fix, got)
			}
			if !slices.Contains(got, v.property) || slices.Contains(base, v.property) {
				t.Errorf("%s: turning %s off violates %v, fixed %v; want %s violated", v.config, v.fix, got, base, v.property)
			}
		})
	}

	// The unobservable fixes are tried on every shipped configuration:
	// minutes under the race detector, which the rows above already
	// run the explorer under.
	if raceEnabled || testing.Short() {
		return
	}
	names := configNames()
	for f := range unobservable {
		for _, n := range names {
			c := config(n)
			c.Variant, c.Fixes = model.Seed, model.AllFixes&^model.FixSet(f)
			if got, base := violated(t, c), fixedVerdict(n); !slices.Equal(got, base) {
				t.Errorf("%s is listed as unobservable, but turning it off on %s violates %v (fixed: %v): move it to verdicts",
					f, n, got, base)
			}
		}
	}
}

// TestWakeEINVALHandBuilt: wake-einval, which no configuration separates
// (see unobservable), is still observable: on a hand-built state where a
// core task wakes a worker that a server runs, v0.1 kills the waker
// (no-kill), and the fix returns EINVAL instead.
func TestWakeEINVALHandBuilt(t *testing.T) {
	c := model.Config{Variant: model.Seed, Groups: 1, Servers: 1, Workers: 1, CorePairs: 1, Swaps: 1}
	const srv, wrk, core = 0, 1, 2
	for _, fixes := range []model.FixSet{model.AllFixes &^ model.FixSet(model.FixWakeEINVAL), model.AllFixes} {
		c.Fixes = fixes
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Init()
		s.T[srv].Kind, s.T[srv].Group, s.T[srv].Word, s.T[srv].Peer = model.KindServer, 0, model.StateServing, wrk
		s.T[wrk].Kind, s.T[wrk].Group, s.T[wrk].Word, s.T[wrk].Peer = model.KindWorker, 0, model.StateRunning, srv
		s.T[core].Kind, s.T[core].Word = model.KindCore, model.StateRunning
		r := m.SysWake(&s, core, wrk)
		var killed bool
		for _, v := range props.CheckState(m.Properties(), &s, false, nil) {
			killed = killed || v.Property.ID == "no-kill"
		}
		if fix := fixes.Has(model.FixWakeEINVAL); fix != (r.Errno == model.EINVAL) || fix == killed {
			t.Errorf("fixes=%s: sys_umcg_wake returned %v, no-kill violated: %v", fixes, r, killed)
		}
	}
}

// TestCoreUnregisterClearsHandBuilt: core-unregister-clears, which no
// configuration separates (see unobservable): after a core task
// unregisters, v0.1 refuses its next register with EINVAL (the freed
// record is still pointed to), and the fix lets it register again.
func TestCoreUnregisterClearsHandBuilt(t *testing.T) {
	c := model.Config{Variant: model.Seed, CorePairs: 1, Swaps: 1}
	for _, fixes := range []model.FixSet{model.AllFixes &^ model.FixSet(model.FixCoreUnregisterClears), model.AllFixes} {
		c.Fixes = fixes
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Init()
		if r := m.SysRegister(&s, 0, model.KindCore, model.None); r.Errno != 0 {
			t.Fatalf("fixes=%s: first register: %v", fixes, r)
		}
		if r := m.SysUnregister(&s, 0); r.Errno != 0 {
			t.Fatalf("fixes=%s: unregister: %v", fixes, r)
		}
		r := m.SysRegister(&s, 0, model.KindCore, model.None)
		if fix := fixes.Has(model.FixCoreUnregisterClears); fix != (r.Errno == 0) || !fix && r.Errno != model.EINVAL {
			t.Errorf("fixes=%s: register again returned %v", fixes, r)
		}
	}
}

// TestFixesDoc: docs/semantics.md's table of corrections has a row for
// every finding of every fix, under the fix's name, and each fix's first
// row names the configuration and property of verdicts (or "none" for an
// unobservable fix), so that the page tells which fix removes which
// violation.
func TestFixesDoc(t *testing.T) {
	b, err := os.ReadFile("../../docs/semantics.md")
	if err != nil {
		t.Fatal(err)
	}
	const heading = "## The fixed variant: every correction and the finding it answers\n"
	_, section, ok := strings.Cut(string(b), heading)
	if !ok {
		t.Fatalf("docs/semantics.md has no section %q", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := map[string][][]string{} // fix name -> its rows' cells
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		name := strings.Trim(cells[0], "`")
		rows[name] = append(rows[name], cells)
	}
	verdict := map[model.Fix]string{}
	for _, v := range verdicts {
		verdict[v.fix] = v.config + ": " + v.property
	}
	for _, f := range model.AllFixes.List() {
		rs := rows[f.String()]
		if len(rs) == 0 {
			t.Errorf("docs/semantics.md has no row for fix %s", f)
			continue
		}
		for i, finding := range f.Findings() {
			if i >= len(rs) || len(rs[i]) < 5 || rs[i][1] != finding {
				t.Errorf("docs/semantics.md: row %d of fix %s should be finding %s: %q", i+1, f, finding, rs)
			}
		}
		if len(rs[0]) < 5 {
			continue
		}
		last := rs[0][4]
		if want, ok := verdict[f]; ok {
			config, property, _ := strings.Cut(want, ": ")
			if !strings.Contains(last, config) || !strings.Contains(last, property) {
				t.Errorf("docs/semantics.md: fix %s says %q; the test says %s", f, last, want)
			}
		} else if !strings.HasPrefix(last, "none") {
			t.Errorf("docs/semantics.md: fix %s is unobservable, but its row says %q", f, last)
		}
	}
	for name := range rows {
		if _, ok := model.FixByName(name); !ok {
			t.Errorf("docs/semantics.md names an unknown fix %s", name)
		}
	}
}

// generalDriver steps the general configuration's threads (c0, s1, w2)
// by hand: call starts a general thread's call by its action name, step
// takes a thread's next step.
type generalDriver struct {
	t *testing.T
	m *model.Model
	s model.State
}

func newGeneralDriver(t *testing.T, fixes model.FixSet) *generalDriver {
	t.Helper()
	c, _ := model.NamedConfig("general")
	c.Fixes = fixes
	m, err := model.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return &generalDriver{t: t, m: m, s: m.Init()}
}

func (d *generalDriver) call(th int8, name string) model.Observation {
	d.t.Helper()
	k := slices.Index(d.m.Engine().ActionNames, name)
	if k < 0 {
		d.t.Fatalf("no action %q", name)
	}
	return d.do(model.Action{Kind: uint8(k), Thread: th})
}

func (d *generalDriver) step(th int8) model.Observation {
	d.t.Helper()
	return d.do(model.Action{Kind: model.ActStep, Thread: th})
}

func (d *generalDriver) do(a model.Action) model.Observation {
	d.t.Helper()
	if !slices.Contains(d.m.Enabled(&d.s, nil), a) {
		d.t.Fatalf("%s of %s is not enabled", d.m.Engine().ActionNames[a.Kind], d.m.ThreadName(int(a.Thread)))
	}
	return d.m.Step(&d.s, a)
}

// TestGeneralMisuseHandBuilt: the three fixes of the most general
// client's misuse, each on its own schedule, off (every other fix on) and
// on.
func TestGeneralMisuseHandBuilt(t *testing.T) {
	const core, srv = 0, 1
	for _, on := range []bool{false, true} {
		fixes := func(f model.Fix) model.FixSet {
			if on {
				return model.AllFixes
			}
			return model.AllFixes &^ model.FixSet(f)
		}

		// own-tls-einval: poll_worker before register.
		d := newGeneralDriver(t, fixes(model.FixOwnTLSEINVAL))
		o := d.call(srv, "call poll_worker")
		if o.UAF == on || on && !(o.Returned && o.Errno == model.EINVAL) {
			t.Errorf("own-tls-einval %v: poll_worker before register: use after free %v, returned %v errno %v",
				on, o.UAF, o.Returned, o.Errno)
		}

		// run-checks-kind: a server runs a core task that waits.
		d = newGeneralDriver(t, fixes(model.FixRunChecksKind))
		d.call(core, "call register_core_task")
		d.step(core)
		d.call(core, "call wait (core)") // CAS self RUNNING->RUNNABLE
		d.call(srv, "call register_server g0")
		d.step(srv)
		d.step(srv)
		o = d.call(srv, "call run_worker c0")
		if !o.Returned {
			o = d.step(srv) // CAS worker RUNNABLE->RUNNING
		}
		if w := d.s.T[core].Word; (w == model.StateRunnable) != on || on && o.Errno != model.EINVAL {
			t.Errorf("run-checks-kind %v: run_worker of a waiting core task leaves its word %v (errno %v)", on, w, o.Errno)
		}

		// tls-reused: a core task that registers again keeps its task_tls.
		d = newGeneralDriver(t, fixes(model.FixTLSReused))
		d.call(core, "call register_core_task")
		d.step(core)
		d.call(core, "call unregister_task (core)")
		d.step(core) // store task_tls = NULL
		o = d.call(core, "call register_core_task")
		if g := d.s.T[core].Gen; (g == 1) != on {
			t.Errorf("tls-reused %v: registering again makes task_tls generation %d (%s)", on, g, o.Label)
		}
	}
}
