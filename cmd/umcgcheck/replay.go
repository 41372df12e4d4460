package main

import (
	"fmt"
	"io"
	"os"

	"github.com/umcgcheck/umcgcheck/sim"
)

const replayUsage = `Usage: umcgcheck replay [flags] FILE [flags]

Re-executes, step by step, the counterexamples in FILE (written by
'umcgcheck explore --out FILE'), prints each step, and confirms that each
still violates its property.

Exit codes: 1 every counterexample is confirmed, 0 none reproduces (the
model no longer has the violation), 2 bad usage or a bad file (one line
naming file, line and field), 4 some reproduce and some do not.

Flags:
`

func runReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("replay", replayUsage, stdout)
	if help, err := parsePositional(fs, args); help || err != nil {
		return exitOK, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usagef("want exactly one FILE (run 'umcgcheck replay -h')")
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return exitUsage, usagef("%v", err)
	}
	cs, err := sim.ReadFile(data, load)
	if err != nil {
		return exitUsage, usagef("%s: %v", path, err)
	}
	confirmed := 0
	for i, c := range cs {
		fmt.Fprintf(stdout, "counterexample %d: %s on %s\n", i+1, c.Property, c.System.Describe().Config)
		msg, err := c.System.Confirm(c.Counterexample)
		sim.WriteText(stdout, c.System.Explain(c.Actions))
		if err != nil {
			fmt.Fprintf(stdout, "  NOT REPRODUCED: %v\n\n", err)
			continue
		}
		confirmed++
		fmt.Fprintf(stdout, "  CONFIRMED %s: %s\n\n", c.Property, msg)
	}
	fmt.Fprintf(stdout, "%d of %d counterexamples confirmed\n", confirmed, len(cs))
	switch {
	case confirmed == len(cs) && confirmed > 0:
		return exitViolation, nil
	case confirmed == 0:
		return exitOK, nil
	}
	return 4, nil
}
