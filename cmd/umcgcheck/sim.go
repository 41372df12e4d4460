package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	props "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/traces"
)

const simUsage = `Usage: umcgcheck sim [flags]

Runs seeded random walks of a configuration of the UMCG model and checks
every property (see 'umcgcheck props') at every step; liveness properties
are checked where a walk ends and where it closes a weakly fair cycle. It
stops at the first violation and prints the steps that lead to it,
shortened, with a command that replays it. The same flags give the same
output, byte for byte.

Examples:
  umcgcheck sim                                  the seed variant on the default configuration
  umcgcheck sim --variant fixed --config all --runs 20000
  umcgcheck sim --variant fixed --bug lifo-queue see a property bite

Exit codes: 0 no violation, 1 a violation, 2 bad usage.

Flags:
`

type simResult struct {
	Name      string        `json:"name"`
	Config    model.Config  `json:"config"`
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
	cf := addConfigFlags(fs, "seed")
	runs := fs.Int("runs", 1000, "number of random walks per configuration")
	depth := fs.Int("depth", 1000, "at most this many steps per walk")
	seed := fs.Uint64("seed", 1, "seed of the walks")
	runOnly := fs.Int("run", -1, "run only walk number N of the seed (as a replay command does)")
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
	names, cfgs, err := cf.configs(fs)
	if err != nil {
		return exitUsage, err
	}
	w := sim.Walks{Runs: *runs, Depth: *depth, Seed: *seed}
	if *runOnly >= 0 {
		w.First, w.Runs = *runOnly, 1
	}
	if *only != "" {
		if _, ok := props.ByID(*only); !ok {
			return exitUsage, usagef("--property: unknown property %q (see 'umcgcheck props')", *only)
		}
		w.Only = *only
	}
	code := exitOK
	var results []simResult
	for i, cfg := range cfgs {
		m, _ := model.New(cfg)
		start := time.Now()
		r := sim.Walk(m, w)
		if *verbose {
			el := time.Since(start).Seconds()
			fmt.Fprintf(stderr, "%s: %d walks, %d steps in %.2fs (%.0f steps/s)\n", names[i], r.Runs, r.Steps, el, float64(r.Steps)/el)
		}
		res := simResult{Name: names[i], Config: cfg, Walks: r.Runs, Steps: r.Steps, Truncated: r.Truncated}
		if r.Violation != nil {
			code = exitViolation
			ce := *r.Violation
			if !*noShrink {
				ce = sim.Shrink(m, ce)
			}
			res.Violation = &simViolation{
				Property: ce.Property, Message: ce.Message, Walk: r.Run,
				Found: len(r.Violation.Actions), Loop: ce.Loop,
				Steps:  sim.Explain(m, ce.Actions),
				Replay: replayCommand(cfg, *seed, *depth, r.Run, *only),
			}
		}
		results = append(results, res)
		if *traceOut != "" {
			if len(cfgs) != 1 {
				return exitUsage, usagef("--trace: records one configuration; choose it with --config")
			}
			tr, err := m.Trace(r.Last, "model")
			if err != nil {
				return exitUsage, err
			}
			var buf bytes.Buffer
			if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
				return exitUsage, usagef("--trace: %v", err)
			}
			if err := writeNew(*traceOut, buf.Bytes()); err != nil {
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

func replayCommand(cfg model.Config, seed uint64, depth, run int, only string) string {
	s := fmt.Sprintf("umcgcheck sim %s --seed %d --depth %d --run %d", configArgs(cfg), seed, depth, run)
	if only != "" {
		s += " --property " + only
	}
	return s
}
