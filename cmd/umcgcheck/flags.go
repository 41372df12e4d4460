package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// newFlagSet makes a flag set whose errors come back to the caller as one
// line, and whose -h prints the usage to stdout.
func newFlagSet(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fs.SetOutput(stdout)
		fmt.Fprint(stdout, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; -h is (true, nil); errors are usage errors.
func parse(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usagef("%v (run 'umcgcheck %s -h' for the flags)", err, fs.Name())
	}
	if fs.NArg() > 0 {
		return false, usagef("unexpected argument %q (run 'umcgcheck %s -h' for the flags)", fs.Arg(0), fs.Name())
	}
	return false, nil
}

// parsePositional is parse for commands that take arguments after the flags.
func parsePositional(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usagef("%v (run 'umcgcheck %s -h' for the flags)", err, fs.Name())
	}
	return false, nil
}

// configFlags are the flags that describe a configuration of the model:
// a shipped configuration, and fields that override it.
type configFlags struct {
	name                                                   string
	variant, probes, faults, bug                           string
	groups, servers, workers, blocks, pairs, swaps, faultN int
}

func addConfigFlags(fs *flag.FlagSet, defaultVariant string) *configFlags {
	c := &configFlags{}
	fs.StringVar(&c.name, "config", "default", "shipped configuration to start from: "+strings.Join(sim.ConfigNames(), ", ")+"; or all")
	fs.StringVar(&c.variant, "variant", defaultVariant, "library and kernel to model: seed (the RFC as posted) or fixed (umcgcheck's corrections)")
	fs.IntVar(&c.groups, "groups", 0, "groups of servers and workers (overrides the configuration)")
	fs.IntVar(&c.servers, "servers", 0, "servers per group")
	fs.IntVar(&c.workers, "workers", 0, "workers per group")
	fs.IntVar(&c.blocks, "blocks", 0, "blocking syscalls per worker")
	fs.IntVar(&c.pairs, "core-pairs", 0, "pairs of core tasks that ping-pong with swap")
	fs.IntVar(&c.swaps, "swaps", 0, "swaps by each core pair's leader")
	fs.StringVar(&c.probes, "probes", "", "comma-separated probe programs: "+strings.Join(model.ProbeNames(), ", ")+"; or none")
	fs.StringVar(&c.faults, "faults", "", "comma-separated faults: eintr, esrch, enomem, death, spurious, preempt; all or none")
	fs.IntVar(&c.faultN, "max-faults", 0, "at most this many faults per run")
	fs.StringVar(&c.bug, "bug", "", "a deliberate bug, to see a property bite: "+strings.Join(model.BugNames(), ", "))
	return c
}

// configs returns the configurations the flags select, each as a name and
// a configuration, in a fixed order.
func (c *configFlags) configs(fs *flag.FlagSet) ([]string, []model.Config, error) {
	names := []string{c.name}
	if c.name == "all" {
		names = sim.ConfigNames()
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var cfgs []model.Config
	for _, n := range names {
		cfg, ok := sim.NamedConfig(n)
		if !ok {
			return nil, nil, usagef("--config: unknown configuration %q (known: %s, all)", n, strings.Join(sim.ConfigNames(), ", "))
		}
		v, ok := model.ParseVariant(c.variant)
		if !ok {
			return nil, nil, usagef("--variant: unknown variant %q (want seed or fixed)", c.variant)
		}
		cfg.Variant = v
		ints := []struct {
			flag string
			val  int
			dst  *int
		}{{"groups", c.groups, &cfg.Groups}, {"servers", c.servers, &cfg.Servers},
			{"workers", c.workers, &cfg.Workers}, {"blocks", c.blocks, &cfg.Blocks},
			{"core-pairs", c.pairs, &cfg.CorePairs}, {"swaps", c.swaps, &cfg.Swaps},
			{"max-faults", c.faultN, &cfg.MaxFaults}}
		for _, f := range ints {
			if set[f.flag] {
				if f.val < 0 {
					return nil, nil, usagef("--%s: %d is negative", f.flag, f.val)
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
			f, ok := model.ParseFaults(c.faults)
			if !ok {
				return nil, nil, usagef("--faults: unknown fault in %q (known: eintr, esrch, enomem, death, spurious, preempt, all, none)", c.faults)
			}
			cfg.Faults = f
		}
		cfg.Bug = c.bug
		if _, err := model.New(cfg); err != nil {
			return nil, nil, usagef("configuration %s: %v", n, err)
		}
		cfgs = append(cfgs, cfg)
	}
	return names, cfgs, nil
}

// configArgs renders cfg as the flags that rebuild it exactly.
func configArgs(cfg model.Config) string {
	probes := "none"
	if len(cfg.Probes) > 0 {
		probes = strings.Join(cfg.Probes, ",")
	}
	s := fmt.Sprintf("--config default --variant %s --groups %d --servers %d --workers %d --blocks %d --core-pairs %d --swaps %d --probes %s --faults %s --max-faults %d",
		cfg.Variant, cfg.Groups, cfg.Servers, cfg.Workers, cfg.Blocks, cfg.CorePairs, cfg.Swaps, probes, cfg.Faults, cfg.MaxFaults)
	if cfg.Bug != "" {
		s += " --bug " + cfg.Bug
	}
	return s
}
