package main

import (
	"encoding/json"
	"flag"

	"github.com/umcgcheck/umcgcheck/model/toy/mutex"
	"github.com/umcgcheck/umcgcheck/model/toy/twophase"
	"github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// protocol is what the CLI needs of a protocol package: its name, its
// shipped configurations and properties, the flags that describe a
// configuration, and how to load a saved configuration back.
type protocol interface {
	Name() string
	Doc() string
	ConfigNames() []string
	Properties() []props.Info
	// Flags adds the configuration flags to fs; once fs is parsed, the
	// function it returns builds the system of a shipped configuration
	// with the flags applied.
	Flags(fs *flag.FlagSet) func(config string) (sim.System, error)
	// Load builds the system of a configuration saved as JSON.
	Load(config json.RawMessage) (sim.System, error)
	// Args renders a configuration as the flags that rebuild it.
	Args(config any) string
}

// protocols are the protocols the CLI knows; the first is the default.
// Adding a protocol is one line here.
var protocols = []protocol{umcg01.CLI, mutex.CLI, twophase.CLI, umcg2023.CLI}

var defaultProtocol = protocols[0].Name()

func protocolByName(name string) (protocol, bool) {
	for _, p := range protocols {
		if p.Name() == name {
			return p, true
		}
	}
	return nil, false
}

func protocolNames() []string {
	var ns []string
	for _, p := range protocols {
		ns = append(ns, p.Name())
	}
	return ns
}

// load builds a saved counterexample's system (sim.Loader): files that
// name no protocol are the default protocol's.
func load(name string, config json.RawMessage) (sim.System, error) {
	if name == "" {
		name = defaultProtocol
	}
	p, ok := protocolByName(name)
	if !ok {
		return nil, usagef("unknown protocol %q", name)
	}
	return p.Load(config)
}

// protocolOf finds the protocol of a system.
func protocolOf(sys sim.System) protocol {
	p, _ := protocolByName(sys.Describe().Protocol)
	return p
}
