package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/umcgcheck/umcgcheck/traces"
)

const checkUsage = `Usage: umcgcheck check [flags] FILE...

Checks that each trace (JSON Lines, docs/trace-format.md) is linearizable
with respect to the model's sequential specification: the fixed library and
kernel, one call at a time, calls that can sleep split into a request and a
followup. Traces are checked group by group (core tasks together).

Exit codes: 0 every trace linearizable, 1 some trace is not (the smallest
failing partition and the operations that could not be placed are printed),
2 bad usage or a bad trace (one line: FILE:LINE: FIELD: what), 3 the check
ran out of --timeout without an answer (never a pass).

Flags:
`

func runCheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("check", checkUsage, stdout)
	timeout := fs.Duration("timeout", time.Minute, "give up on a partition after this long (0: no limit); the verdict is then unknown")
	html := fs.String("html", "", "write porcupine's visualization of the (first) trace to this HTML file; it must not exist")
	if help, err := parsePositional(fs, args); help || err != nil {
		return exitOK, err
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("want one or more trace FILEs (run 'umcgcheck check -h')")
	}
	if *timeout < 0 {
		return exitUsage, usagef("--timeout must not be negative")
	}
	code := exitOK
	for i, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			return exitUsage, usagef("%v", err)
		}
		tr, err := traces.ReadAll(f, path)
		f.Close()
		if err != nil {
			return exitUsage, usagef("%v", err)
		}
		res, err := traces.Check(tr, *timeout)
		if err != nil {
			return exitUsage, usagef("%s: %v", path, err)
		}
		writeCheck(stdout, path, len(tr.Ops), res)
		switch res.Verdict {
		case traces.NotLinearizable:
			code = exitViolation
		case traces.Unknown:
			if code == exitOK {
				code = exitIncomplete
			}
		}
		if i == 0 && *html != "" {
			var buf bytes.Buffer
			if err := porcupine.Visualize(res.Model, res.Info, &buf); err != nil {
				return exitUsage, usagef("--html: %v", err)
			}
			if err := writeNew(*html, buf.Bytes()); err != nil {
				return exitUsage, usagef("--html: %v", err)
			}
		}
	}
	return code, nil
}

func writeCheck(w io.Writer, path string, ops int, res traces.Result) {
	fmt.Fprintf(w, "%s: %d operations: %s\n", path, ops, res.Verdict)
	for _, p := range res.Partitions {
		fmt.Fprintf(w, "  %-14s %5d operations: %s\n", p.Name, p.Ops, p.Verdict)
	}
	if res.Verdict != traces.NotLinearizable {
		return
	}
	failing := append([]traces.Partition(nil), res.Partitions...)
	sort.SliceStable(failing, func(a, b int) bool { return failing[a].Ops < failing[b].Ops })
	for _, p := range failing {
		if p.Verdict != traces.NotLinearizable {
			continue
		}
		fmt.Fprintf(w, "  smallest failing partition: %s; operations no linearization could place:\n", p.Name)
		for _, u := range p.Unplaced {
			fmt.Fprintf(w, "    %s\n", u)
		}
		break
	}
}
