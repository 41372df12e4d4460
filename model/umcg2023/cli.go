package umcg2023

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// ProtocolName is the name --protocol gives this model.
const ProtocolName = "umcg-2023"

// Configs are the shipped configurations (docs/umcg-2023.md §6.5).
var Configs = map[string]Config{
	"basic":         {Servers: 1, Workers: []string{"bu"}},
	"yield":         {Servers: 1, Workers: []string{"yyu"}},
	"two-servers":   {Servers: 2, Workers: []string{"bu", "bu"}},
	"mixed":         {Servers: 2, Workers: []string{"byu", "cu"}, Preempts: 1},
	"preempt":       {Servers: 1, Workers: []string{"cu"}, Preempts: 1},
	"timeout":       {Servers: 1, Workers: []string{"tu"}},
	"wait-for":      {Servers: 2, Workers: []string{"bu"}, WaitFor: true},
	"wait-for-fine": {Servers: 2, Workers: []string{"bu"}, WaitFor: true, Fine: true},
	"general":       {GeneralServers: 1, GeneralWorkers: 2, Calls: 4},
	"signals":       {Servers: 1, Workers: []string{"byu"}, Signals: 1},
}

// CLI is the model as the umcgcheck command sees it.
var CLI cli

type cli struct{}

func (cli) Name() string { return ProtocolName }

func (cli) Doc() string {
	return "UMCG as Google's 2023 LKML posting defines it, or Nanos implements it (--kernel; docs/umcg-2023.md): per-task status, idle-worker and idle-server lists"
}

func (cli) ConfigNames() []string { return slices.Sorted(maps.Keys(Configs)) }

func (cli) Properties() []props.Info {
	m, _ := New(Configs["basic"])
	return props.Describe(m.properties())
}

func (c cli) Flags(fs *flag.FlagSet) func(name string) (sim.System, error) {
	servers := fs.Int("servers", 0, "servers (overrides the configuration)")
	workers := fs.String("workers", "", "worker scripts, comma-separated, of b y t c ending with u (overrides the configuration)")
	preempts := fs.Int("preempts", -1, "bound on preempt events (overrides the configuration)")
	signals := fs.Int("signals", -1, "bound on signals to sleeping servers, 0..2 (overrides the configuration; --interrupt says what they do)")
	fix := fs.String("fix", "", "a repair that is not the posting's: cmpxchg-link (R1)")
	gServers := fs.Int("general-servers", -1, "most general servers (overrides the configuration; only with general clients)")
	gWorkers := fs.Int("general-workers", -1, "most general workers (overrides the configuration; only with general clients)")
	calls := fs.Int("calls", 0, "commands each most general client makes (overrides the configuration)")
	kernel := fs.String("kernel", "", "whose reading of every disagreement (docs/umcg-2023.md §4): "+strings.Join(Kernels, " or ")+" (default posting)")
	points := map[string]*string{}
	for _, p := range Points {
		points[p.Name] = fs.String(p.Name, "", fmt.Sprintf("%s, %s (posting) or %s (nanos): %s (overrides --kernel)", p.D, p.Posting, p.Nanos, p.Doc))
	}
	bug := fs.String("bug", "", "a deliberate bug: "+strings.Join(Bugs, ", "))
	return func(name string) (sim.System, error) {
		cfg := Configs[name] // the CLI checked the name
		if *servers != 0 {
			cfg.Servers = *servers
		}
		if *workers != "" {
			cfg.Workers = strings.Split(*workers, ",")
		}
		if *preempts >= 0 {
			cfg.Preempts = *preempts
		}
		if *signals >= 0 {
			cfg.Signals = *signals
		}
		if *fix != "" {
			cfg.Fix = *fix
		}
		if *bug != "" {
			cfg.Bug = *bug
		}
		if *gServers >= 0 {
			cfg.GeneralServers = *gServers
		}
		if *gWorkers >= 0 {
			cfg.GeneralWorkers = *gWorkers
		}
		if *calls != 0 {
			cfg.Calls = *calls
		}
		if *kernel != "" {
			cfg.Kernel = *kernel
		}
		for _, p := range Points {
			if v := *points[p.Name]; v != "" {
				if cfg.Readings == nil {
					cfg.Readings = map[string]string{}
				}
				cfg.Readings[p.Name] = v
			}
		}
		sys, err := system(cfg)
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %v", name, err)
		}
		return sys, nil
	}
}

func system(c Config) (sim.System, error) {
	m, err := New(c)
	if err != nil {
		return nil, err
	}
	return m.Engine(), nil
}

func (cli) Load(raw json.RawMessage) (sim.System, error) { return sim.LoadConfig(raw, system) }

func (cli) Args(config any) string {
	c := config.(Config)
	base := "basic"
	if c.WaitFor {
		base = "wait-for"
	}
	if c.Fine {
		base += "-fine"
	}
	s := fmt.Sprintf("--config %s --servers %d --workers %s --preempts %d", base, c.Servers, strings.Join(c.Workers, ","), c.Preempts)
	if c.GeneralServers+c.GeneralWorkers > 0 {
		s = fmt.Sprintf("--config general --general-servers %d --general-workers %d --calls %d", c.GeneralServers, c.GeneralWorkers, c.Calls)
	}
	if c.Signals != 0 {
		s += fmt.Sprintf(" --signals %d", c.Signals)
	}
	if c.Fix != "" {
		s += " --fix " + c.Fix
	}
	if c.Kernel != "" && c.Kernel != "posting" {
		s += " --kernel " + c.Kernel
	}
	for _, o := range c.overrides() {
		n, v, _ := strings.Cut(o, "=")
		s += " --" + n + " " + v
	}
	if c.Bug != "" {
		s += " --bug " + c.Bug
	}
	return s
}

// FindingsIntro is the introduction of docs/findings-umcg-2023.md and
// docs/findings-umcg-2023-nanos.md: what the pages are, and a table of
// every shipped configuration under both kernels (states, transitions and
// the properties violated), computed by exhaustive searches as explore
// runs them.
func (cli) FindingsIntro() string {
	var b strings.Builder
	b.WriteString(`# Findings: what Google's 2023 UMCG violates

Generated by ` + "`umcgcheck findings --protocol umcg-2023`" + ` (the posting's
readings: docs/findings-umcg-2023.md) and ` + "`... --kernel nanos`" + ` (Nanos's:
docs/findings-umcg-2023-nanos.md), exhaustive breadth-first searches of
every shipped configuration: do not edit by hand; run
` + "`go test ./cmd/umcgcheck -run TestFindingsDoc -update`" + ` to regenerate.
A test keeps these pages equal to the command's output.

The model, its sources and where the posting [P] and Nanos [N] disagree
are in [umcg-2023.md](umcg-2023.md) (§4 the points, each a flag; §9 what
was found) and [semantics.md](semantics.md#umcg-2023-modelumcg2023);
` + "`--kernel`" + ` selects every point's reading of one source. Every shipped
configuration under both kernels (liveness checked; symmetry applies only
with --no-liveness):

| configuration | posting: states | transitions | violated | nanos: states | transitions | violated |
|---|---|---|---|---|---|---|
`)
	for _, name := range CLI.ConfigNames() {
		fmt.Fprintf(&b, "| %s |", name)
		for _, k := range Kernels {
			c := Configs[name]
			c.Kernel = k
			m, err := New(c)
			if err != nil {
				panic(err) // a shipped configuration is valid (TestStateCounts)
			}
			r := m.Engine().Explore(sim.Explorer{})
			var ids []string
			for _, v := range r.Violations {
				if !slices.Contains(ids, v.Property) {
					ids = append(ids, v.Property)
				}
			}
			v := strings.Join(ids, ", ")
			if v == "" {
				v = "none"
			}
			fmt.Fprintf(&b, " %d | %d | %s |", r.States, r.Transitions, v)
		}
		b.WriteString("\n")
	}
	b.WriteString(`
Below, the counterexamples of the kernel the page was generated for
(each configuration line says ` + "`kernel=nanos`" + ` when it is Nanos's). Each
section is one property; within it each distinct place (the kind of
thread and the call or step that breaks it) has its own shortest
counterexample and a command that reproduces it. Steps read: number,
thread (s: server, w: worker), action, what the step does, and the state
changes in brackets.
`)
	return b.String()
}
