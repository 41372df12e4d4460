package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

const simUsage = `Usage: umcgcheck sim [flags]

Runs seeded random walks of a configuration of a protocol (--protocol;
UMCG v0.1 by default; the configuration flags below are its) and checks
every property (see 'umcgcheck props') at every step; liveness properties
are checked where a walk ends and where it closes a weakly fair cycle. It
stops at the first violation and prints the steps that lead to it,
shortened, with a command that replays it. The same flags give the same
output, byte for byte.

Strategies: uniform (default) picks every step uniformly among the
enabled actions. pct is probabilistic concurrency testing (Burckhardt et
al., ASPLOS 2010): each walk gives the threads random distinct priorities
and lowers the running thread's at --bug-depth - 1 random steps among the
first --depth; the highest-priority enabled thread always runs. For a bug
that needs d <= --bug-depth ordering constraints among n threads, each
walk finds it with probability at least 1/(n * depth^(d-1)): with 3
threads, --depth 100 and a bug of depth 2, at least 1/300 per walk, so
2000 walks miss it with probability below 0.2%. The same seed gives the
same walks.

Examples:
  umcgcheck sim                                  the seed variant on the default configuration
  umcgcheck sim --variant fixed --config all --runs 20000
  umcgcheck sim --variant fixed --bug lifo-queue see a property bite

Exit codes: 0 no violation, 1 a violation, 2 bad usage.

Flags:
`

type simResult struct {
	Name      string        `json:"name"`
	Protocol  string        `json:"protocol,omitempty"` // absent: the default protocol
	Config    any           `json:"config"`
	Walks     int           `json:"walks"`
	Steps     int           `json:"steps"`
	Truncated int           `json:"truncated"`
	Violation *simViolation `json:"violation,omitempty"`
}

type simViolation struct {
	Property string         `json:"property"`
	Message  string         `json:"message"`
	Walk     int            `json:"walk"`
	Found    int            `json:"found_steps"`
	Loop     int            `json:"loop"`
	Steps    []sim.StepText `json:"steps"`
	Replay   string         `json:"replay"`
}

func runSim(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("sim", simUsage, stdout)
	sel, err := addSelection(fs, args, "default")
	if err != nil {
		return exitUsage, err
	}
	runs := fs.Int("runs", 1000, "number of random walks per configuration")
	depth := fs.Int("depth", 1000, "at most this many steps per walk")
	seed := fs.Uint64("seed", 1, "seed of the walks")
	runOnly := fs.Int("run", -1, "run only walk number N of the seed (as a replay command does); -1: every walk")
	strategy := fs.String("strategy", "uniform", "how a walk picks its steps: uniform or pct (see above)")
	bugDepth := fs.Int("bug-depth", 3, "with --strategy pct: the bug depth d the walks target (1..10)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	noShrink := fs.Bool("no-shrink", false, "print the walk as found, without shortening it")
	traceOut := fs.String("trace", "", "write the last walk (or the one with the violation) as a trace to this file (docs/trace-format.md); it must not exist; with one configuration")
	verbose := fs.Bool("v", false, "report walks, steps and steps/s on stderr")
	only := fs.String("property", "", "look only for violations of this property (see 'umcgcheck props')")
	if help, err := parse(fs, args); help || err != nil {
		return exitOK, err
	}
	if *runs < 1 || *depth < 1 {
		return exitUsage, usagef("--runs and --depth must be at least 1")
	}
	if *runOnly < -1 {
		return exitUsage, usagef("--run: %d is not a walk number (0 or more; -1: every walk)", *runOnly)
	}
	systems, err := sel.systems()
	if err != nil {
		return exitUsage, err
	}
	if *traceOut != "" {
		if len(systems) != 1 {
			return exitUsage, usagef("--trace: records one configuration; choose it with --config")
		}
		if _, err := traceVariant(systems[0].System); err != nil {
			return exitUsage, usagef("--trace: %v", err)
		}
		if err := checkNewFile("trace", *traceOut); err != nil {
			return exitUsage, err
		}
	}
	w := sim.Walks{Runs: *runs, Depth: *depth, Seed: *seed}
	switch *strategy {
	case "uniform":
	case "pct":
		if *bugDepth < 1 || *bugDepth > 10 {
			return exitUsage, usagef("--bug-depth: %d is out of range 1..10", *bugDepth)
		}
		w.PCTDepth = *bugDepth
	default:
		return exitUsage, usagef("--strategy: unknown strategy %q (want uniform or pct)", *strategy)
	}
	if *runOnly >= 0 {
		w.First, w.Runs = *runOnly, 1
	}
	if *only != "" {
		if !systems[0].System.Describe().HasProperty(*only) {
			return exitUsage, usagef("--property: unknown property %q (see 'umcgcheck props')", *only)
		}
		for _, p := range systems[0].System.Describe().Properties {
			if p.ID == *only && p.Class == props.Sometimes.String() {
				// A walk that meets no example says nothing: only a
				// complete search can say "never reached".
				return exitUsage, usagef("--property: %s is a reachability property, which random walks cannot violate; 'umcgcheck explore' checks it", *only)
			}
		}
		w.Only = *only
	}
	code := exitOK
	var results []simResult
	for _, n := range systems {
		sys := n.System
		start := time.Now()
		r := sys.Walk(w)
		if *verbose {
			el := time.Since(start).Seconds()
			fmt.Fprintf(stderr, "%s: %d walks, %d steps in %.2fs (%.0f steps/s)\n", n.Name, r.Runs, r.Steps, el, float64(r.Steps)/el)
		}
		d := sys.Describe()
		res := simResult{Name: n.Name, Protocol: protocolField(d.Protocol), Config: d.Config, Walks: r.Runs, Steps: r.Steps, Truncated: r.Truncated}
		if r.Violation != nil {
			code = exitViolation
			ce := *r.Violation
			if !*noShrink {
				ce = sys.Shrink(ce)
			}
			res.Violation = &simViolation{
				Property: ce.Property, Message: ce.Message, Walk: r.Run,
				Found: len(r.Violation.Actions), Loop: ce.Loop,
				Steps:  sys.Explain(ce.Actions),
				Replay: replayCommand(sys, w, r.Run),
			}
		}
		results = append(results, res)
		if *traceOut != "" {
			data, _, err := recordTrace(sys, r.Last)
			if err != nil {
				return exitUsage, usagef("--trace: %v", err)
			}
			if err := writeNew(*traceOut, data); err != nil {
				return exitUsage, usagef("--trace: %v", err)
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return exitUsage, err
		}
		return code, nil
	}
	for _, r := range results {
		writeSimText(stdout, r)
	}
	return code, nil
}

func writeSimText(w io.Writer, r simResult) {
	fmt.Fprintf(w, "config %s: %s\n", r.Name, r.Config)
	v := r.Violation
	if v == nil {
		fmt.Fprintf(w, "  ok: %d walks, %d steps, no violation", r.Walks, r.Steps)
		if r.Truncated > 0 {
			fmt.Fprintf(w, " (%d walks cut at --depth: their ends were not checked)", r.Truncated)
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "  VIOLATION %s: %s\n", v.Property, v.Message)
	fmt.Fprintf(w, "  found by walk %d after %d steps; shown in %d steps", v.Walk, v.Found, len(v.Steps))
	if v.Loop >= 0 {
		fmt.Fprintf(w, "; steps %d-%d repeat forever", v.Loop+1, len(v.Steps))
	}
	fmt.Fprintln(w, ":")
	sim.WriteText(w, v.Steps)
	fmt.Fprintf(w, "  replay: %s\n", v.Replay)
}

func replayCommand(sys sim.System, w sim.Walks, run int) string {
	d := sys.Describe()
	args := protocolOf(sys).Args(d.Config)
	if d.Protocol != defaultProtocol {
		args = "--protocol " + d.Protocol + " " + args
	}
	s := fmt.Sprintf("umcgcheck sim %s --seed %d --depth %d --run %d", args, w.Seed, w.Depth, run)
	if w.PCTDepth > 0 {
		s += fmt.Sprintf(" --strategy pct --bug-depth %d", w.PCTDepth)
	}
	if w.Only != "" {
		s += " --property " + w.Only
	}
	return s
}
