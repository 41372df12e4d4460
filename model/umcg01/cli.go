package umcg01

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// CLI is UMCG v0.1 as the umcgcheck command sees it: its name, its shipped
// configurations, the flags that describe a configuration, and how a saved
// configuration is loaded back.
var CLI cli

type cli struct{}

func (cli) Name() string { return ProtocolName }

func (cli) Doc() string {
	return "UMCG RFC v0.1 (May 2021): the kernel's syscalls and libumcg's steps, seed (as posted) or fixed (corrected)"
}

func (cli) ConfigNames() []string { return ConfigNames() }

func (cli) Properties() []props.Info {
	m, _ := New(DefaultConfig())
	return props.Describe(append(m.Properties(), m.reachability(true)...))
}

// Flags adds the configuration flags to fs and returns the function that,
// once fs is parsed, builds the system a shipped configuration becomes
// with the flags applied.
func (cli) Flags(fs *flag.FlagSet) func(name string) (sim.System, error) {
	var c struct {
		variant, fixes, probes, faults, bug                    string
		groups, servers, workers, blocks, pairs, swaps, faultN int
		general, calls, sleeps, yields                         int
	}
	fs.StringVar(&c.variant, "variant", "seed", "library and kernel to model: seed (the RFC as posted) or fixed (umcgcheck's corrections: every fix)")
	fs.StringVar(&c.fixes, "fixes", "", "corrections to apply to the seed variant, comma-separated, all or none: "+strings.Join(FixNames(), ", ")+" (docs/semantics.md says which finding each answers)")
	fs.IntVar(&c.groups, "groups", 0, "groups of servers and workers (overrides the configuration)")
	fs.IntVar(&c.servers, "servers", 0, "servers per group")
	fs.IntVar(&c.workers, "workers", 0, "workers per group")
	fs.IntVar(&c.blocks, "blocks", 0, "blocking syscalls per worker")
	fs.IntVar(&c.yields, "yields", 0, "yields (umcg_wait) per worker, after its blocking syscalls")
	fs.IntVar(&c.pairs, "core-pairs", 0, "pairs of core tasks that ping-pong with swap")
	fs.IntVar(&c.swaps, "swaps", 0, "swaps by each core pair's leader")
	fs.IntVar(&c.general, "general", 0, "most general clients of each kind (core task, server, worker), in a group of their own")
	fs.IntVar(&c.calls, "calls", 0, "calls each general client may make")
	fs.StringVar(&c.probes, "probes", "", "comma-separated probe programs: "+strings.Join(ProbeNames(), ", ")+"; or none")
	fs.StringVar(&c.faults, "faults", "", "comma-separated faults: eintr, esrch, enomem, death, spurious, preempt; all or none")
	fs.IntVar(&c.faultN, "max-faults", 0, "at most this many faults per run")
	fs.IntVar(&c.sleeps, "sleeps", 0, "at most this many sleeps per run of a registered worker outside UMCG (a page fault: the block hook), anywhere it runs")
	fs.StringVar(&c.bug, "bug", "", "a deliberate bug, to see a property bite: "+strings.Join(BugNames(), ", "))
	return func(name string) (sim.System, error) {
		cfg, _ := NamedConfig(name) // the CLI checked the name
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		v, ok := ParseVariant(c.variant)
		if !ok {
			return nil, fmt.Errorf("--variant: unknown variant %q (want seed or fixed)", c.variant)
		}
		cfg.Variant = v
		if set["fixes"] {
			if v == Fixed {
				return nil, fmt.Errorf("--fixes: the fixed variant applies every fix; use --variant seed --fixes LIST to choose")
			}
			fx, err := ParseFixes(c.fixes)
			if err != nil {
				return nil, fmt.Errorf("--fixes: %v", err)
			}
			cfg.Fixes = fx
		}
		ints := []struct {
			flag string
			val  int
			dst  *int
		}{{"groups", c.groups, &cfg.Groups}, {"servers", c.servers, &cfg.Servers},
			{"workers", c.workers, &cfg.Workers}, {"blocks", c.blocks, &cfg.Blocks},
			{"core-pairs", c.pairs, &cfg.CorePairs}, {"swaps", c.swaps, &cfg.Swaps},
			{"max-faults", c.faultN, &cfg.MaxFaults},
			{"general", c.general, &cfg.General}, {"calls", c.calls, &cfg.Calls},
			{"sleeps", c.sleeps, &cfg.Sleeps}, {"yields", c.yields, &cfg.Yields}}
		for _, f := range ints {
			if set[f.flag] {
				if f.val < 0 {
					return nil, fmt.Errorf("--%s: %d is negative", f.flag, f.val)
				}
				*f.dst = f.val
			}
		}
		if set["probes"] {
			cfg.Probes = nil
			if c.probes != "" && c.probes != "none" {
				cfg.Probes = strings.Split(c.probes, ",")
			}
		}
		if set["faults"] {
			f, ok := ParseFaults(c.faults)
			if !ok {
				return nil, fmt.Errorf("--faults: unknown fault in %q (known: eintr, esrch, enomem, death, spurious, preempt, all, none)", c.faults)
			}
			cfg.Faults = f
		}
		cfg.Bug = c.bug
		m, err := New(cfg)
		if err != nil {
			return nil, fmt.Errorf("configuration %s: %v", name, err)
		}
		return m.Engine(), nil
	}
}

// Load builds the system of a configuration saved as JSON.
func (cli) Load(raw json.RawMessage) (sim.System, error) {
	return sim.LoadConfig(raw, func(c Config) (sim.System, error) {
		m, err := New(c)
		if err != nil {
			return nil, err
		}
		return m.Engine(), nil
	})
}

// Args renders a configuration as the flags that rebuild it exactly.
func (cli) Args(config any) string {
	cfg := config.(Config)
	probes := "none"
	if len(cfg.Probes) > 0 {
		probes = strings.Join(cfg.Probes, ",")
	}
	s := fmt.Sprintf("--config default --variant %s --groups %d --servers %d --workers %d --blocks %d --core-pairs %d --swaps %d --probes %s --faults %s --max-faults %d",
		cfg.Variant, cfg.Groups, cfg.Servers, cfg.Workers, cfg.Blocks, cfg.CorePairs, cfg.Swaps, probes, cfg.Faults, cfg.MaxFaults)
	if cfg.General > 0 {
		s += fmt.Sprintf(" --general %d --calls %d", cfg.General, cfg.Calls)
	}
	if cfg.Yields > 0 {
		s += fmt.Sprintf(" --yields %d", cfg.Yields)
	}
	if cfg.Sleeps > 0 {
		s += fmt.Sprintf(" --sleeps %d", cfg.Sleeps)
	}
	if cfg.Fixes != 0 {
		s += " --fixes " + cfg.Fixes.String()
	}
	if cfg.Bug != "" {
		s += " --bug " + cfg.Bug
	}
	return s
}

// FindingsIntro is the introduction of docs/findings.md.
func (cli) FindingsIntro() string {
	return `# Findings: what the RFC's libumcg (v0.1) violates

Generated by ` + "`umcgcheck findings`" + ` (an exhaustive breadth-first search
of every shipped configuration): do not edit by hand; run
` + "`go test ./cmd/umcgcheck -run TestFindingsDoc -update`" + ` to regenerate.
A test keeps this page equal to the command's output.

Each section is one property the ` + "`seed`" + ` variant (libumcg and the
kernel of RFC v0.1, modelled literally) violates; within it, each distinct
way it is violated (the kind of thread, the call and the step that break
it) has its own shortest counterexample (no path with fewer steps breaks
the property there on that configuration) and a command that reproduces
it. The root causes, and the
correction the ` + "`fixed`" + ` variant makes for each, are listed in
[semantics.md](semantics.md#the-fixed-variant-every-correction-and-the-finding-it-answers);
the ` + "`fixed`" + ` variant violates none of these properties on the same
configurations (` + "`umcgcheck explore --variant fixed`" + `), the most general
client's misuse included ([semantics.md](semantics.md#clients-the-environment)
lists how).

Steps read: number, thread (s: server, w: worker, c: core task, p: probe),
action (step, unblock, signal, spurious, ...), what the step does, what the
call returned, and the state changes in brackets.

Google's 2023 design has its own pages: what the LKML posting violates,
[findings-umcg-2023.md](findings-umcg-2023.md), what Nanos's reading
does, [findings-umcg-2023-nanos.md](findings-umcg-2023-nanos.md), and what
the traces recorded on Nanos showed, [nanos.md](nanos.md).
`
}
