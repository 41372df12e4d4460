package twophase

import (
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strings"

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

func (cli) ConfigNames() []string {
	var ns []string
	for n := range configs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func (cli) Properties() []props.Info {
	m, _ := New(configs["default"])
	return props.Describe(m.properties())
}

func (c cli) Flags(fs *flag.FlagSet) func(name string) (sim.System, error) {
	rms := fs.Int("rms", 0, "resource managers (overrides the configuration)")
	bug := fs.String("bug", "", "a deliberate bug: eager-commit")
	return func(name string) (sim.System, error) {
		cfg, ok := configs[name]
		if !ok {
			return nil, fmt.Errorf("--config: unknown configuration %q (known: %s, all)", name, strings.Join(c.ConfigNames(), ", "))
		}
		if *rms != 0 {
			cfg.RMs = *rms
		}
		if *bug != "" {
			cfg.Bug = *bug
		}
		return build(name, cfg)
	}
}

func build(name string, cfg Config) (sim.System, error) {
	m, err := New(cfg)
	if err != nil {
		return nil, fmt.Errorf("configuration %s: %v", name, err)
	}
	return m.Engine(), nil
}

func (cli) Load(raw json.RawMessage) (sim.System, error) {
	cfg, err := sim.DecodeConfig[Config](raw)
	if err != nil {
		return nil, err
	}
	m, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return m.Engine(), nil
}

func (cli) Args(config any) string {
	c := config.(Config)
	s := fmt.Sprintf("--config default --rms %d", c.RMs)
	if c.Bug != "" {
		s += " --bug " + c.Bug
	}
	return s
}
