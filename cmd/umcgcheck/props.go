package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

const propsUsage = `Usage: umcgcheck props [--json]

Lists every property umcgcheck checks: its id, its class (invariant: every
reachable state; step: every step; deadlock: every terminal state;
liveness: every weakly fair path; sometimes: some reachable state is an
example, and a complete search that meets none reports the property never
reached, a violation) and what it says.

Flags:
`

func runProps(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("props", propsUsage, stdout)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	name := fs.String("protocol", defaultProtocol, "protocol whose properties to list: "+strings.Join(protocolNames(), ", "))
	if help, err := parse(fs, args); help || err != nil {
		return exitOK, err
	}
	p, ok := protocolByName(*name)
	if !ok {
		return exitUsage, usagef("--protocol: unknown protocol %q (known: %s)", *name, strings.Join(protocolNames(), ", "))
	}
	rows := p.Properties()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return exitOK, enc.Encode(rows)
	}
	for _, r := range rows {
		fmt.Fprintf(stdout, "%-23s %-9s %s\n", r.ID, r.Class, r.Doc)
		if r.Fairness != "" {
			fmt.Fprintf(stdout, "%-23s %-9s under %s\n", "", "", r.Fairness)
		}
	}
	return exitOK, nil
}
