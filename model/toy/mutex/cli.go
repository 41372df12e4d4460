package mutex

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"slices"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// ProtocolName is the name --protocol gives this toy.
const ProtocolName = "mutex"

// configs are the shipped configurations.
var configs = map[string]Config{
	"default": {Processes: 2, Lock: "spin"},
	"block":   {Processes: 2, Lock: "block"},
	"racy":    {Processes: 2, Lock: "racy"},
	"leaky":   {Processes: 2, Lock: "block", Bug: "no-release"},
}

// CLI is the toy as the umcgcheck command sees it.
var CLI cli

type cli struct{}

func (cli) Name() string { return ProtocolName }

func (cli) Doc() string {
	return "toy: processes looping through a critical section behind a spin, blocking or racy lock (engine tests)"
}

func (cli) ConfigNames() []string { return slices.Sorted(maps.Keys(configs)) }

func (cli) Properties() []props.Info {
	m, _ := New(configs["default"])
	return props.Describe(m.properties())
}

func (c cli) Flags(fs *flag.FlagSet) func(name string) (sim.System, error) {
	procs := fs.Int("processes", 0, "processes (overrides the configuration)")
	lock := fs.String("lock", "", "spin, block or racy (overrides the configuration)")
	bug := fs.String("bug", "", "a deliberate bug: no-release")
	return func(name string) (sim.System, error) {
		cfg := configs[name] // the CLI checked the name
		if *procs != 0 {
			cfg.Processes = *procs
		}
		if *lock != "" {
			cfg.Lock = *lock
		}
		if *bug != "" {
			cfg.Bug = *bug
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
	s := fmt.Sprintf("--config default --processes %d --lock %s", c.Processes, c.Lock)
	if c.Bug != "" {
		s += " --bug " + c.Bug
	}
	return s
}
