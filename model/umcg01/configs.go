package umcg01

import (
	"sort"
)

// configs are the shipped configurations, small enough to run in seconds.
var configs = map[string]func() Config{
	// default: two servers share two workers that block once each.
	"default": DefaultConfig,
	// single: one server runs two workers.
	"single": func() Config {
		c := DefaultConfig()
		c.Servers = 1
		return c
	},
	// groups2: two groups of one server and one worker.
	"groups2": func() Config {
		c := DefaultConfig()
		c.Groups, c.Servers, c.Workers = 2, 1, 1
		return c
	},
	// core: two core tasks ping-pong with swap, with signals and
	// spurious wakeups.
	"core": func() Config {
		return Config{Variant: Seed, CorePairs: 1, Swaps: 2,
			Faults: FaultEINTR | FaultSpurious, MaxFaults: 1}
	},
	// probes: every probe program, each on a group of its own.
	"probes": func() Config {
		return Config{Variant: Seed, Probes: ProbeNames(), MaxFaults: 1}
	},
	// general: one most general client of each kind (core task, server,
	// worker), three calls each (general.go).
	"general": func() Config {
		return Config{Variant: Seed, General: 1, Calls: 3, MaxFaults: 1}
	},
	// sleep: default with workers that also yield once (umcg_wait), where
	// a registered worker may sleep outside UMCG (a page fault: the block
	// hook) once per run, anywhere it runs.
	"sleep": func() Config {
		c := DefaultConfig()
		c.Yields, c.Sleeps = 1, 1
		return c
	},
	// general-sleep: general, and
	// one sleep outside UMCG of a registered worker per run (between
	// wait's CAS and its syscall, among other places).
	"general-sleep": func() Config {
		return Config{Variant: Seed, General: 1, Calls: 3, MaxFaults: 1, Sleeps: 1}
	},
	// faults: single with every fault switched on, one per run.
	"faults": func() Config {
		c := DefaultConfig()
		c.Servers, c.Faults = 1, AllFaults
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
func NamedConfig(name string) (Config, bool) {
	f, ok := configs[name]
	if !ok {
		return Config{}, false
	}
	return f(), true
}
