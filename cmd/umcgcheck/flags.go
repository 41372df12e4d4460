package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

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

// parse parses args; -h prints the usage and is (true, nil); errors are
// usage errors, one line, without the usage.
func parse(fs *flag.FlagSet, args []string) (help bool, err error) {
	if help, err := parsePositional(fs, args); help || err != nil {
		return help, err
	}
	if fs.NArg() > 0 {
		return false, usagef("unexpected argument %q (run 'umcgcheck %s -h' for the flags)", fs.Arg(0), fs.Name())
	}
	return false, nil
}

// parsePositional is parse for commands that take arguments: flags may
// come before, between or after them (check t.jsonl --timeout 5s), and
// everything after "--" is an argument, even if it starts with "-".
// fs.Args() are then the arguments, in order.
func parsePositional(fs *flag.FlagSet, args []string) (help bool, err error) {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package would print it on every error
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return true, nil
			}
			return false, usagef("%v (run 'umcgcheck %s -h' for the flags)", err, fs.Name())
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Leave the arguments where fs.Args() finds them.
	if err := fs.Parse(append([]string{"--"}, positional...)); err != nil {
		return false, usagef("%v", err)
	}
	return false, nil
}

// selection is what the flags choose to check: a protocol (--protocol),
// a shipped configuration of it or all of them (--config), and the
// protocol's own flags, which override the configuration.
type selection struct {
	proto    protocol
	config   string
	protocol *string // --protocol as the flag package parsed it
	build    func(name string) (sim.System, error)
}

// addSelection adds --protocol, --config and the protocol's flags to fs.
// The protocol's flags depend on the protocol, so --protocol is read from
// args before fs parses them.
func addSelection(fs *flag.FlagSet, args []string, defaultConfig string) (*selection, error) {
	name := protocolArg(args)
	p, ok := protocolByName(name)
	if !ok {
		return nil, usagef("--protocol: unknown protocol %q (known: %s)", name, strings.Join(protocolNames(), ", "))
	}
	sel := &selection{proto: p}
	sel.protocol = fs.String("protocol", defaultProtocol, "protocol to check: "+strings.Join(protocolNames(), ", ")+" (see 'umcgcheck props --protocol NAME')")
	fs.StringVar(&sel.config, "config", defaultConfig, "shipped configuration to start from: "+strings.Join(p.ConfigNames(), ", ")+"; or all")
	sel.build = p.Flags(fs)
	return sel, nil
}

// protocolArg finds the value of --protocol in args (the default when
// absent), as the flag package will parse it.
func protocolArg(args []string) string {
	name := defaultProtocol
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue // another flag's value (these commands take no arguments)
		}
		key, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if key != "protocol" {
			continue
		}
		if !hasVal && i+1 < len(args) {
			i++
			val = args[i]
		}
		name = val
	}
	return name
}

// systems returns the systems the flags select, each with the name of its
// configuration, in a fixed order.
func (sel *selection) systems() ([]sim.Named, error) {
	// The scan before parsing cannot tell a flag's value from a flag
	// named --protocol: the protocol whose flags were added must be the
	// one the flag package parsed.
	if *sel.protocol != sel.proto.Name() {
		return nil, usagef("--protocol: put --protocol %s before the other flags (its flags depend on it)", *sel.protocol)
	}
	names := []string{sel.config}
	if sel.config == "all" {
		names = sel.proto.ConfigNames()
	}
	var out []sim.Named
	for _, n := range names {
		if !slices.Contains(sel.proto.ConfigNames(), n) {
			return nil, usagef("--config: unknown configuration %q (known: %s, all)", n, strings.Join(sel.proto.ConfigNames(), ", "))
		}
		sys, err := sel.build(n)
		if err != nil {
			return nil, usagef("%v", err)
		}
		out = append(out, sim.Named{Name: n, System: sys})
	}
	return out, nil
}

// configs lists the configurations of systems.
func configs(ss []sim.Named) []any {
	var out []any
	for _, n := range ss {
		out = append(out, n.System.Describe().Config)
	}
	return out
}
