package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/umcgcheck/umcgcheck/lincheck"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

const checkUsage = `Usage: umcgcheck check [flags] FILE... [flags]

Checks that each trace (JSON Lines, docs/trace-format.md) is linearizable
with respect to the model's sequential specification: the fixed library and
kernel, one call at a time, calls that can sleep split into a request and a
followup. Traces are checked group by group (core tasks together).
A trace whose header names "protocol":"umcg-2023" is checked against
the 2023 API's specification, all its tasks together.

A bad trace is reported on stderr (one line: FILE:LINE: FIELD: what) and
the other FILEs are still checked. With --shrink, the first trace that is
not linearizable is cut down to a small trace that fails at the same
operation, written to the --shrink file and reported first.

Exit codes, the worst of all FILEs: 2 bad usage or some bad trace, else 1
some trace is not linearizable (the smallest failing partition and the
first operations that could not be placed are printed), else 3 the check
ran out of --timeout without an answer (never a pass), else 0 every trace
is linearizable.

Flags:
`

// htmlBytesPerOp is about what porcupine's page takes per operation (a
// little less, so that the estimate refuses no page that would fit).
const htmlBytesPerOp = 500

func runCheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("check", checkUsage, stdout)
	timeout := fs.Duration("timeout", time.Minute, "give up on a partition after this long (0: no limit); the verdict is then unknown")
	coverage := fs.Bool("coverage", false, "print which documented state edges (see 'umcgcheck props', legal-edge) the umcg-v0.1 traces went through, and which they never reached (other protocols have no such table, and the report says so)")
	html := fs.String("html", "", "write porcupine's visualization of the (first) trace to this HTML file, rows named by task, opening at the first failing operation; it must not exist")
	htmlMax := &sizeFlag{bytes: 64 << 20, text: "64M"}
	fs.Var(htmlMax, "html-max", "refuse to write an --html page larger than this `size` (about 600 bytes per operation), e.g. 64M, 1G; 0: no bound")
	shrink := fs.String("shrink", "", "write a small trace that fails at the same operation as the first non-linearizable trace to this `file`; it must not exist")
	if help, err := parsePositional(fs, args); help || err != nil {
		return exitOK, err
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("want one or more trace FILEs (run 'umcgcheck check -h')")
	}
	if *timeout < 0 {
		return exitUsage, usagef("--timeout must not be negative")
	}
	if err := checkNewFile("html", *html); err != nil {
		return exitUsage, err
	}
	if err := checkNewFile("shrink", *shrink); err != nil {
		return exitUsage, err
	}
	if *html != "" && *html == *shrink {
		return exitUsage, usagef("--shrink and --html: both name %s", *html)
	}
	code := exitOK
	covered := map[lincheck.Edge]int{}
	checked := map[string]int{} // traces checked, by protocol
	htmlDone, shrunk := *html == "", *shrink == ""
	for _, path := range fs.Args() {
		tr, err := readTrace(path)
		if err != nil {
			// One bad file does not stop the others.
			fmt.Fprintf(stderr, "umcgcheck check: %v\n", err)
			code = worstCode(code, exitUsage)
			continue
		}
		visualize := !htmlDone
		if est := uint64(len(tr.Ops)) * htmlBytesPerOp; visualize && htmlMax.bytes > 0 && est > htmlMax.bytes {
			return exitUsage, usagef("--html: %s has %d operations: its page would take about %s, more than --html-max %s; give a larger --html-max (0: no bound)",
				path, len(tr.Ops), formatBytes(est), htmlMax.text)
		}
		opts := lincheck.Options{Timeout: *timeout, Visualize: visualize, Coverage: *coverage}
		res, err := lincheck.CheckWith(tr, opts)
		if err != nil {
			fmt.Fprintf(stderr, "umcgcheck check: %s: %v\n", path, err)
			code = worstCode(code, exitUsage)
			continue
		}
		if !shrunk && res.Verdict == lincheck.NotLinearizable {
			shrunk = true
			if err := shrinkTrace(stdout, tr, opts, *shrink); err != nil {
				return exitUsage, err
			}
		}
		writeCheck(stdout, path, len(tr.Ops), res)
		for _, w := range nameWarnings(tr) {
			fmt.Fprintf(stdout, "  warning: %s\n", w)
		}
		checked[traceProtocol(tr.Header)]++
		for e, n := range res.Edges {
			covered[e] += n
		}
		code = worstCode(code, verdictCode(res.Verdict))
		if visualize {
			htmlDone = true
			page, err := writeCheckPage(res)
			if err != nil {
				return exitUsage, usagef("--html: %v", err)
			}
			if n := uint64(len(page)); htmlMax.bytes > 0 && n > htmlMax.bytes {
				return exitUsage, usagef("--html: the page would take %s, more than --html-max %s; not written", formatBytes(n), htmlMax.text)
			}
			if err := writeNew(*html, page); err != nil {
				return exitUsage, usagef("--html: %v", err)
			}
			if len(page) >= 1<<20 {
				fmt.Fprintf(stderr, "umcgcheck check: --html: wrote %s to %s\n", formatBytes(uint64(len(page))), *html)
			}
		}
	}
	if !shrunk {
		fmt.Fprintf(stderr, "umcgcheck check: --shrink: no trace is shown not linearizable; %s not written\n", *shrink)
	}
	if *coverage {
		writeCoverage(stdout, covered, checked)
	}
	return code, nil
}

// traceProtocol is the protocol a trace's header names
// (traces.DefaultProtocol when it names none).
func traceProtocol(h traces.Header) string {
	if h.Protocol == "" {
		return traces.DefaultProtocol
	}
	return h.Protocol
}

// nameWarnings points at the names a version 2 trace declares where it
// uses them (its header does not list them) that only one line uses: a
// typo in a name makes a new task or group, which the format cannot tell
// from a real one (a version 2 file means the same to every reader), so
// the report says where it is and which declared name it is close to. A
// tracer that lists its names in the header gets no warning for them.
func nameWarnings(tr traces.Trace) []string {
	var voc *traces.Vocabulary
	for _, v := range lincheck.Protocols() {
		if v.Protocol() == traceProtocol(tr.Header) {
			voc = v
		}
	}
	if voc == nil {
		return nil
	}
	tasks, groups := voc.Names(tr)
	var out []string
	for _, d := range voc.Declared(tr) {
		if len(d.Ops) != 1 {
			continue
		}
		what, names, field := "task", tasks, "tasks"
		if d.Group {
			what, names, field = "group", groups, "groups"
		}
		w := fmt.Sprintf("%s %q is named on line %d only and is not in the header's %s", what, d.Name, d.Ops[0]+2, field)
		if near := nearestName(d.Name, names); near != "" {
			w += fmt.Sprintf(": a typo of %q?", near)
		} else {
			w += ": a typo?"
		}
		out = append(out, w)
	}
	return out
}

// nearestName returns the name of names other than n closest to n, at an
// edit distance of at most 2 (and less than n's length), or "".
func nearestName(n string, names []string) string {
	best, bestD := "", min(3, len([]rune(n)))
	for _, m := range names {
		if m == n {
			continue
		}
		if d := editDistance(n, m); d < bestD {
			best, bestD = m, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	row := make([]int, len(y)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(x); i++ {
		prev := row[0]
		row[0] = i
		for j := 1; j <= len(y); j++ {
			cur := row[j]
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			row[j] = min(row[j]+1, row[j-1]+1, prev+cost)
			prev = cur
		}
	}
	return row[len(y)]
}

// writeCoverage reports, for the umcg-v0.1 traces checked, the documented
// edges of each kind of task with how often the traces' linearizations
// went through them, then the edges the traces went through that are not
// documented (none, if legal-edge holds); and for each other protocol
// checked (checked counts traces by protocol), that it has no table.
func writeCoverage(w io.Writer, covered map[lincheck.Edge]int, checked map[string]int) {
	var others []string
	for p, n := range checked {
		if p != model.Protocol {
			others = append(others, fmt.Sprintf("coverage: %s (%d trace(s)) has no table of documented state edges; its traces are not counted", p, n))
		}
	}
	sort.Strings(others)
	for _, o := range others {
		fmt.Fprintln(w, o)
	}
	if checked[model.Protocol] == 0 {
		return
	}
	fmt.Fprintln(w, "coverage of umcg-v0.1's documented state edges (linearizable partitions only):")
	total, hit := 0, 0
	seen := map[lincheck.Edge]bool{}
	for _, k := range []model.Kind{model.KindServer, model.KindWorker, model.KindCore} {
		edges := model.LegalEdges(k)
		sort.Slice(edges, func(a, b int) bool {
			if edges[a][0] != edges[b][0] {
				return edges[a][0] < edges[b][0]
			}
			return edges[a][1] < edges[b][1]
		})
		for _, e := range edges {
			key := lincheck.Edge{Kind: k, From: e[0], To: e[1]}
			seen[key] = true
			total++
			n := covered[key]
			mark := "never reached"
			if n > 0 {
				hit++
				mark = fmt.Sprintf("%d times", n)
			}
			fmt.Fprintf(w, "  %-6s %-28s %s\n", k, e[0].String()+" -> "+e[1].String(), mark)
		}
	}
	fmt.Fprintf(w, "  %d of %d documented edges reached\n", hit, total)
	var extra []string
	for e, n := range covered {
		if !seen[e] {
			extra = append(extra, fmt.Sprintf("  %-6s %-28s %d times (not documented)", e.Kind, e.From.String()+" -> "+e.To.String(), n))
		}
	}
	sort.Strings(extra)
	for _, x := range extra {
		fmt.Fprintln(w, x)
	}
}

func writeCheck(w io.Writer, path string, ops int, res lincheck.Result) {
	fmt.Fprintf(w, "%s: %d operations: %s\n", path, ops, res.Verdict)
	for _, p := range res.Partitions {
		fmt.Fprintf(w, "  %-14s %5d operations: %s\n", p.Name, p.Ops, p.Verdict)
	}
	if res.Verdict != lincheck.NotLinearizable {
		return
	}
	failing := append([]lincheck.Partition(nil), res.Partitions...)
	sort.SliceStable(failing, func(a, b int) bool { return failing[a].Ops < failing[b].Ops })
	for _, p := range failing {
		if p.Verdict != lincheck.NotLinearizable {
			continue
		}
		fmt.Fprintf(w, "  smallest failing partition: %s; the first operations no linearization could place:\n", p.Name)
		for _, u := range p.Unplaced {
			fmt.Fprintf(w, "    %s\n", u)
		}
		if p.MoreUnplaced > 0 {
			fmt.Fprintf(w, "    ... and %d more\n", p.MoreUnplaced)
		}
		break
	}
}

// verdictCode is the exit code of a verdict.
func verdictCode(v lincheck.Verdict) int {
	switch v {
	case lincheck.NotLinearizable:
		return exitViolation
	case lincheck.Unknown:
		return exitIncomplete
	}
	return exitOK
}

// worstCode is the worse of two exit codes: a bad input (the run did not
// check everything it was given), then a violation, then no answer (a
// timeout is never a pass), then success.
func worstCode(a, b int) int {
	rank := func(c int) int {
		switch c {
		case exitUsage:
			return 3
		case exitViolation:
			return 2
		case exitIncomplete:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// readTrace reads one trace file.
func readTrace(path string) (traces.Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return traces.Trace{}, err
	}
	defer f.Close()
	return traces.ReadAll(f, path, lincheck.Protocols())
}

// shrinkTrace cuts a non-linearizable trace down (lincheck.Shrink), writes
// the small trace to path and reports its check.
func shrinkTrace(w io.Writer, tr traces.Trace, o lincheck.Options, path string) error {
	small, err := lincheck.Shrink(tr, o)
	if err != nil {
		return usagef("--shrink: %v", err)
	}
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, small, lincheck.Protocols()); err != nil {
		return usagef("--shrink: %v", err)
	}
	if err := writeNew(path, buf.Bytes()); err != nil {
		return usagef("--shrink: %v", err)
	}
	o.Visualize, o.Coverage = false, false
	res, err := lincheck.CheckWith(small, o)
	if err != nil {
		return usagef("--shrink: %v", err)
	}
	fmt.Fprintf(w, "shrunk to %s (%d of %d operations, %d of %d tasks):\n", path, len(small.Ops), len(tr.Ops), len(small.Header.Tasks), len(tr.Header.Tasks))
	writeCheck(w, path, len(small.Ops), res)
	return nil
}

// withVerdict folds a trace's verdict into the exit code so far.
func withVerdict(code int, v lincheck.Verdict) int { return worstCode(code, verdictCode(v)) }
