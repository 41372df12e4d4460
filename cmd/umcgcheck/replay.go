package main

import (
	"fmt"
	"io"
	"os"

	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/viewer"
)

const replayUsage = `Usage: umcgcheck replay [flags] FILE [flags]

Re-executes, step by step, the counterexamples in FILE (written by
'umcgcheck explore --out FILE'), prints each step, and confirms that each
still violates its property.

Exit codes: 1 a counterexample is confirmed (the last line counts them:
"N of M counterexamples confirmed"; those not reproduced are marked NOT
REPRODUCED), 0 none reproduces (the model no longer has the violation),
2 bad usage or a bad file (one line naming file, line and field).

Flags:
`

func runReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("replay", replayUsage, stdout)
	html := fs.String("html", "", htmlFlagDoc)
	if help, err := parsePositional(fs, args); help || err != nil {
		return exitOK, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usagef("want exactly one FILE (run 'umcgcheck replay -h')")
	}
	path := fs.Arg(0)
	if err := checkNewFile("html", *html); err != nil {
		return exitUsage, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return exitUsage, usagef("%v", err)
	}
	cs, err := sim.ReadFile(data, load)
	if err != nil {
		return exitUsage, usagef("%s: %v", path, err)
	}
	confirmed := 0
	var pages []viewer.Item // --html
	for i, c := range cs {
		fmt.Fprintf(stdout, "counterexample %d: %s on %s\n", i+1, c.Property, c.System.Describe().Config)
		msg, err := c.System.Confirm(c.Counterexample)
		sim.WriteText(stdout, c.System.Explain(c.Actions))
		if err != nil {
			fmt.Fprintf(stdout, "  NOT REPRODUCED: %v\n\n", err)
			pages = append(pages, viewer.Item{System: c.System, Counterexample: c.Counterexample, Verdict: "NOT REPRODUCED: " + err.Error()})
			continue
		}
		confirmed++
		fmt.Fprintf(stdout, "  CONFIRMED %s: %s\n\n", c.Property, msg)
		pages = append(pages, viewer.Item{System: c.System, Counterexample: c.Counterexample, Verdict: "confirmed: " + msg})
	}
	if *html != "" {
		if err := writeViewer(*html, "replay", pages); err != nil {
			return exitUsage, err
		}
	}
	fmt.Fprintf(stdout, "%d of %d counterexamples confirmed\n", confirmed, len(cs))
	// Some confirmed and some not is still a violation confirmed: exit 1,
	// as every command's 1, with the count above, rather than a code of
	// replay's own that scripts would not know.
	if confirmed > 0 {
		return exitViolation, nil
	}
	return exitOK, nil
}
