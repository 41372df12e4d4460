package sim

import (
	"sort"

	"github.com/umcgcheck/umcgcheck/model"
)

// configs are the shipped configurations, small enough to run in seconds.
var configs = map[string]func() model.Config{
	// default: one server runs two workers that block once each.
	"default": model.DefaultConfig,
	// servers2: two servers share two workers.
	"servers2": func() model.Config {
		c := model.DefaultConfig()
		c.Servers = 2
		return c
	},
	// groups2: two groups of one server and one worker.
	"groups2": func() model.Config {
		c := model.DefaultConfig()
		c.Groups, c.Workers = 2, 1
		return c
	},
	// core: two core tasks ping-pong with swap, with signals and
	// spurious wakeups.
	"core": func() model.Config {
		return model.Config{Variant: model.Seed, CorePairs: 1, Swaps: 2,
			Faults: model.FaultEINTR | model.FaultSpurious, MaxFaults: 1}
	},
	// probes: every probe program, each on a group of its own.
	"probes": func() model.Config {
		return model.Config{Variant: model.Seed, Probes: model.ProbeNames(), MaxFaults: 1}
	},
	// faults: default with every fault switched on, one per run.
	"faults": func() model.Config {
		c := model.DefaultConfig()
		c.Faults = model.AllFaults
		return c
	},
}

// ConfigNames lists the shipped configurations, sorted.
func ConfigNames() []string {
	var ns []string
	for n := range configs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// NamedConfig returns a shipped configuration.
func NamedConfig(name string) (model.Config, bool) {
	f, ok := configs[name]
	if !ok {
		return model.Config{}, false
	}
	return f(), true
}
