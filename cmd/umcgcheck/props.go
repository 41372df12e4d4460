package main

import (
	"encoding/json"
	"fmt"
	"io"

	props "github.com/umcgcheck/umcgcheck/model/umcg01"
)

const propsUsage = `Usage: umcgcheck props [--json]

Lists every property umcgcheck checks: its id, its class (invariant: every
reachable state; step: every step; deadlock: every terminal state;
liveness: every weakly fair path) and what it says.

Flags:
`

func runProps(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("props", propsUsage, stdout)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if help, err := parse(fs, args); help || err != nil {
		return exitOK, err
	}
	type row struct {
		ID       string `json:"id"`
		Class    string `json:"class"`
		Doc      string `json:"doc"`
		Fairness string `json:"fairness,omitempty"`
	}
	var rows []row
	for _, p := range props.All() {
		r := row{ID: p.ID, Class: p.Class.String(), Doc: p.Doc}
		if p.Live != nil {
			r.Fairness = p.Live.Fairness
		}
		rows = append(rows, r)
	}
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
