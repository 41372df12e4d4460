package twophase

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
const ProtocolName = "twophase"

// configs are the shipped configurations.
var configs = map[string]Config{
	"default": {RMs: 3},
	"eager":   {RMs: 2, Bug: "eager-commit"},
}

// CLI is the toy as the umcgcheck command sees it.
var CLI cli

type cli struct{}

func (cli) Name() string { return ProtocolName }

func (cli) Doc() string {
	return "toy: two-phase commit, one transaction manager and N resource managers (engine tests)"
}

func (cli) ConfigNames() []string { return slices.Sorted(maps.Keys(configs)) }

func (cli) Properties() []props.Info {
	m, _ := New(configs["default"])
	return props.Describe(m.properties())
}

func (c cli) Flags(fs *flag.FlagSet) func(name string) (sim.System, error) {
	rms := fs.Int("rms", 0, "resource managers (overrides the configuration)")
	bug := fs.String("bug", "", "a deliberate bug: eager-commit")
	return func(name string) (sim.System, error) {
		cfg := configs[name] // the CLI checked the name
		if *rms != 0 {
			cfg.RMs = *rms
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
	s := fmt.Sprintf("--config default --rms %d", c.RMs)
	if c.Bug != "" {
		s += " --bug " + c.Bug
	}
	return s
}
