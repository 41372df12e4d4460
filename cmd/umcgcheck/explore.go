package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/viewer"
	"golang.org/x/term"
)

const exploreUsage = `Usage: umcgcheck explore [flags]

Explores every reachable state of a configuration of a protocol
(--protocol; UMCG v0.1 by default), breadth first, and checks every
property (see 'umcgcheck props') on every state and transition: safety
properties everywhere, deadlock and liveness triggers at terminal states,
liveness on weakly fair lassos. For each distinct violation (a property
broken at a place: where the breaking step happens, as the protocol names
it) it prints a shortest counterexample (fewest steps; where
partial-order reduction applied, see --no-por, the shortest the reduced
search found, which may have a few steps more). Reachability
properties (class sometimes) say what a configuration is meant to reach:
one that the complete search never reaches is reported NEVER REACHED, a
violation (the configuration checks the rest vacuously). --coverage counts
how often each step kind and documented state edge fired. With no flags it
explores every shipped configuration of UMCG v0.1's seed variant (the
RFC's code) in seconds. The configuration flags below are the protocol's.

Bounds (--max-states, --max-depth, --time-limit, --max-memory) end a
search as INCOMPLETE, with the figures of what it covered: that is never a
pass. So does SIGINT (Ctrl-C) or SIGTERM: the configurations done so far
and the interrupted one are reported, the rest are listed as not started
(a second signal ends the process at once). With --checkpoint FILE the
search of one configuration is also saved, at a level boundary, every
--checkpoint-every and when a signal, --max-memory or --time-limit stops
it; --resume FILE, with the same flags, continues it to the same output
(the same report and counterexample files) as a run never interrupted.

Examples:
  umcgcheck explore                              every shipped configuration, seed variant
  umcgcheck explore --variant fixed              the same, corrected: no violation
  umcgcheck explore --config default --workers 3 --out cex.json
  umcgcheck replay cex.json
  umcgcheck explore --config default --workers 4 --checkpoint s.ckpt    Ctrl-C, then:
  umcgcheck explore --config default --workers 4 --resume s.ckpt --checkpoint s.ckpt

Exit codes: 0 complete and no violation, 1 a violation or a reachability
property never reached (even if a bound or a signal stopped the search
later), 2 bad usage, 3 incomplete (a bound was hit, a signal stopped it,
or --bitstate: a reachability property not reached proves nothing then)
and no violation found.

Flags:
`

const exitIncomplete = 3

// maxParallel bounds --parallel: more goroutines than this only cost memory.
const maxParallel = 1024

type exploreResult struct {
	Unit        int                `json:"unit"` // index of the configuration in the whole job
	Name        string             `json:"name"`
	Protocol    string             `json:"protocol,omitempty"` // absent: the default protocol
	Config      json.RawMessage    `json:"config"`
	States      uint64             `json:"states"`
	Transitions uint64             `json:"transitions"`
	Depth       int                `json:"depth"`
	Complete    bool               `json:"complete"`
	Stopped     string             `json:"stopped,omitempty"`
	Liveness    string             `json:"liveness"`
	Symmetry    string             `json:"symmetry"`
	POR         string             `json:"partial_order"`
	Bitstate    bool               `json:"bitstate,omitempty"`
	Missed      float64            `json:"estimated_missed,omitempty"`
	Bits        uint64             `json:"bits,omitempty"`
	MemoryUsed  uint64             `json:"memory_used,omitempty"` // bytes, when --max-memory stopped the search
	MaxMemory   uint64             `json:"max_memory,omitempty"`
	Violations  []exploreViolation `json:"violations"`
	// Reachability holds the protocol's reachability (sometimes)
	// properties for this configuration; Coverage what --coverage counted.
	Reachability []reachResult       `json:"reachability,omitempty"`
	Coverage     *sim.CoverageReport `json:"coverage,omitempty"`
	// Seeds, in a merge of searches under several hash seeds, gives each
	// one's figures (see combineSeeds).
	Seeds []seedRun `json:"seeds,omitempty"`
}

// reachResult is a reachability property's verdict: "reached" (with the
// length of a shortest example and what it shows), "never reached" (a
// complete exact search met no example: a violation) or "not reached" (an
// incomplete search: it cannot tell).
type reachResult struct {
	Property string `json:"property"`
	Verdict  string `json:"verdict"`
	Steps    int    `json:"steps,omitempty"`
	Example  string `json:"example,omitempty"`
}

const (
	reached      = "reached"
	neverReached = "never reached"
	notReached   = "not reached"
)

// neverReached lists the reachability properties a complete search
// proved unreachable: violations.
func (r exploreResult) neverReached() []string {
	var ids []string
	for _, x := range r.Reachability {
		if x.Verdict == neverReached {
			ids = append(ids, x.Property)
		}
	}
	return ids
}

// foldCode folds the result into the exit code so far: a violation (a
// property broken, or a reachability property never reached) wins, then
// incomplete (a bound, a signal, bitstate, or a reachability property
// an incomplete search did not reach).
func (r exploreResult) foldCode(code int) int {
	switch {
	case len(r.Violations) > 0 || len(r.neverReached()) > 0:
		return exitViolation
	case (!r.Complete || r.Bitstate) && code == exitOK:
		return exitIncomplete
	}
	return code
}

type exploreViolation struct {
	Property string         `json:"property"`
	Place    string         `json:"place,omitempty"` // where it happens: distinct places are distinct violations
	Hits     int            `json:"hits"`            // transitions of the search that reached it
	Message  string         `json:"message"`
	Loop     int            `json:"loop"`
	Steps    []sim.StepText `json:"steps"`
}

func runExplore(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("explore", exploreUsage, stdout)
	sel, err := addSelection(fs, args, "all")
	if err != nil {
		return exitUsage, err
	}
	maxStates := fs.Int("max-states", 0, "stop after storing this many states (0: no bound)")
	maxDepth := fs.Int("max-depth", 0, "do not go deeper than this many steps (0: no bound)")
	timeLimit := fs.Duration("time-limit", 0, "stop each configuration's search after this long, e.g. 30s (0: no bound); with --config all, each configuration has this much")
	maxMem := &maxMemoryFlag{}
	fs.Var(maxMem, "max-memory", "stop a search whose memory use passes this `size`: bytes (4G, 512M), a share of the available memory (50%), or 0 for no bound (default: 80% of the memory available at the start, from /proc/meminfo and the cgroup)")
	workers := fs.Int("parallel", 0, "goroutines expanding states, at most 1024 (0: GOMAXPROCS)")
	expect := fs.Int("expect-states", 0, "size the set of fingerprints for this many states up front, as pan's -w does (the search is the same: with more states it grows the set, with fewer it leaves memory unused; 0: start small and grow)")
	bitstate := fs.Uint("bitstate", 0, "store states as bits in an array of 2^N bits, as SPIN's supertrace (-w N): less memory, probabilistic coverage (0: exact)")
	noLive := fs.Bool("no-liveness", false, "skip the fair-cycle search, which keeps the state graph in memory")
	shard := fs.String("shard", "", "run only shard I of N of the configurations: I/N, or /N to read I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID; combine the shards' --json results with 'umcgcheck merge'")
	noSym := fs.Bool("no-symmetry", false, "store every state, not one per class of states that differ only by exchanging interchangeable threads (UMCG: a group's servers, or its workers); symmetry applies only with --no-liveness")
	noPOR := fs.Bool("no-por", false, "expand every enabled action, not only the local steps of one thread where the protocol says they commute with every other thread's and no property sees them (partial-order reduction, UMCG: see docs/semantics.md); the reduction keeps every safety verdict, may lengthen counterexamples, and applies only with --no-liveness")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	out := fs.String("out", "", "write the counterexamples to this file (JSON; read by 'umcgcheck replay'); it must not exist")
	dot := fs.String("dot", "", "also draw the state graph (at most 2000 states, no symmetry) in Graphviz DOT to this file; it must not exist")
	html := fs.String("html", "", htmlFlagDoc)
	emit := fs.String("emit-traces", "", "write each counterexample as a trace (docs/trace-format.md) into this directory (created if missing; existing files are not overwritten)")
	progress := fs.Bool("progress", false, "report progress on stderr (default: only when stderr is a terminal): states, states/s, depth, queue (the frontier), memory in use and, once the frontier narrows, an ESTIMATE of the states left (the levels to come taken to shrink as the last three did, a geometric tail: a guess, not a bound); one line redrawn every second on a terminal, a line every 5s otherwise")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	checkpoint := fs.String("checkpoint", "", "save the search to this `file` at a level boundary every --checkpoint-every, and when a signal or --max-memory or --time-limit stops it (one configuration; the file must not exist, unless it is the --resume file)")
	checkpointEvery := fs.Duration("checkpoint-every", 10*time.Minute, "how often --checkpoint saves the search (0: at every level)")
	resume := fs.String("resume", "", "continue the search saved in this `file` by --checkpoint, to the same result as an uninterrupted run; give the same configuration and search flags (--max-states, --max-depth, --bitstate, --no-symmetry, --no-por, --no-liveness, --coverage, --hash-seed): others are refused")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the search to this `file` (for 'go tool pprof'); it must not exist")
	hashSeed := fs.Uint64("hash-seed", 0, "swarm verification, as SPIN's -RS: hash fingerprints with this seed and try each state's actions in an order drawn from it, so that bitstate searches of one configuration under different seeds lose different states; combine their --json results with 'umcgcheck merge' (0: the plain hash and order)")
	coverage := fs.Bool("coverage", false, "count, per step kind of the protocol's table (UMCG: each library step, syscall result, client step, kernel event and fault) and per documented state edge, the transitions that took it, and list those that never fired: a configuration that never fires what it is meant to test checks it vacuously (under symmetry the counts are over representatives)")
	if help, err := parse(fs, args); help || err != nil {
		return exitOK, err
	}
	if *maxStates < 0 || *maxDepth < 0 || *timeLimit < 0 {
		return exitUsage, usagef("bounds must not be negative")
	}
	if *workers < 0 || *workers > maxParallel {
		return exitUsage, usagef("--parallel: %d is out of range 0..%d (0: GOMAXPROCS)", *workers, maxParallel)
	}
	if *bitstate > 40 || (*bitstate > 0 && *bitstate < 10) {
		return exitUsage, usagef("--bitstate: %d is out of range 10..40 (2^N bits)", *bitstate)
	}
	if *expect < 0 || uint64(*expect) > math.MaxUint32-1 {
		return exitUsage, usagef("--expect-states: %d is out of range 0..%d", *expect, uint64(math.MaxUint32-1))
	}
	maxMem.resolve()
	if err := checkSetSize("--expect-states", *expect, sim.FPTableBytes(*expect), maxMem); err != nil {
		return exitUsage, err
	}
	if *bitstate > 0 {
		if err := checkBitstateSize(*bitstate, maxMem); err != nil {
			return exitUsage, err
		}
	}
	systems, err := sel.systems()
	if err != nil {
		return exitUsage, err
	}
	for _, o := range []struct{ flag, path string }{{"out", *out}, {"dot", *dot}} {
		if err := checkNewFile(o.flag, o.path); err != nil {
			return exitUsage, err
		}
	}
	if *out != "" && *out == *dot {
		return exitUsage, usagef("--out and --dot: both name %s", *out)
	}
	if err := checkViewerFile(*html, *out, *dot, *emit); err != nil {
		return exitUsage, err
	}
	if err := checkTraceDir(*emit, systems); err != nil {
		return exitUsage, err
	}
	var snap *sim.Snapshot
	if *checkpoint != "" || *resume != "" {
		if len(systems) != 1 {
			return exitUsage, usagef("--checkpoint and --resume: save one configuration's search; choose it with --config")
		}
		if *checkpointEvery < 0 {
			return exitUsage, usagef("--checkpoint-every: %v is negative", *checkpointEvery)
		}
		if *checkpoint != "" && *checkpoint != *resume {
			if err := checkNewFile("checkpoint", *checkpoint); err != nil {
				return exitUsage, err
			}
		} else if *checkpoint != "" {
			// the checkpoint replaces the --resume file through a new file beside it
			if err := checkWritable(filepath.Dir(*checkpoint)); err != nil {
				return exitUsage, usagef("--checkpoint: %v", err)
			}
		}
		for _, o := range []struct{ flag, path string }{{"out", *out}, {"dot", *dot}} {
			if o.path != "" && (o.path == *checkpoint || o.path == *resume) {
				return exitUsage, usagef("--%s and the checkpoint: both name %s", o.flag, o.path)
			}
		}
	}
	if *resume != "" {
		f, err := os.Open(*resume)
		if err != nil {
			return exitUsage, usagef("--resume: %v", err)
		}
		snap, err = sim.ReadSnapshot(f)
		f.Close()
		if err != nil {
			return exitUsage, usagef("--resume: %s: %v", *resume, err)
		}
	}
	if *cpuProfile != "" {
		if err := checkNewFile("cpuprofile", *cpuProfile); err != nil {
			return exitUsage, err
		}
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return exitUsage, usagef("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return exitUsage, usagef("--cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *dot != "" {
		if len(systems) != 1 {
			return exitUsage, usagef("--dot: draws one configuration; choose it with --config")
		}
		var buf bytes.Buffer
		if err := systems[0].System.WriteDot(&buf, 2000); err != nil {
			return exitUsage, usagef("--dot: %v", err)
		}
		if err := writeNew(*dot, buf.Bytes()); err != nil {
			return exitUsage, usagef("--dot: %v", err)
		}
	}
	si, sn, err := parseShard(*shard, os.Getenv)
	if err != nil {
		return exitUsage, err
	}
	job := jobSignature("explore", systems, *maxStates, *maxDepth, *timeLimit, *bitstate, *noLive, *noSym, *noPOR, *coverage)
	showProgress := *progress || (!*quiet && isTerminal(stderr))
	guard := startGuard(maxMem.bytes, stderr, "explore")
	defer guard.stop()
	var results []exploreResult
	var all []sim.Saved
	var pages []viewer.Item // --html
	code := exitOK
	for i, n := range systems {
		if i%sn != si {
			continue // another shard's
		}
		sys := n.System
		d := sys.Describe()
		if why := guard.stopReason(); why != "" {
			// A signal came: the configurations left are not started,
			// and are listed as such.
			results = append(results, exploreResult{Unit: i, Name: n.Name, Protocol: protocolField(d.Protocol), Config: mustJSON(d.Config),
				Stopped: why, Liveness: "not checked", Symmetry: "not applied", POR: "not applied", Violations: []exploreViolation{}})
			if code == exitOK {
				code = exitIncomplete
			}
			continue
		}
		e := sim.Explorer{MaxStates: *maxStates, MaxDepth: *maxDepth, TimeLimit: *timeLimit, Workers: *workers,
			NoLiveness: *noLive, Symmetry: !*noSym, PartialOrder: !*noPOR, Stop: guard.stopReason, Coverage: *coverage,
			HashSeed: *hashSeed, ExpectStates: *expect}
		if *bitstate > 0 {
			e.BitstateBits = 1 << *bitstate
		}
		if snap != nil {
			if err := snap.Check(d, e); err != nil {
				return exitUsage, usagef("--resume: %s: %v", *resume, err)
			}
			e.Resume = snap
		}
		saved := false
		if *checkpoint != "" {
			e.CheckpointEvery = *checkpointEvery
			e.Checkpoint = func(s *sim.Snapshot) {
				if err := writeCheckpoint(*checkpoint, s); err != nil {
					fmt.Fprintf(stderr, "umcgcheck explore: --checkpoint: %v\n", err)
					return
				}
				saved = true
			}
		}
		redraw := isTerminal(stderr)
		if showProgress {
			e.ProgressEvery = 5 * time.Second
			if redraw {
				e.ProgressEvery = time.Second
			}
			name := n.Name
			e.Progress = func(p sim.Progress) { writeProgress(stderr, redraw, name, p) }
		}
		r := sys.Explore(e)
		if showProgress {
			line := fmt.Sprintf("%s: %d states, %d transitions in %.2fs (%.0f states/s)", n.Name, r.States, r.Transitions,
				r.Elapsed.Seconds(), float64(r.States)/r.Elapsed.Seconds())
			if redraw {
				line = "\r" + line + clearToEOL
			}
			fmt.Fprintln(stderr, line)
		}
		res := exploreResult{Unit: i, Name: n.Name, Protocol: protocolField(d.Protocol), Config: mustJSON(d.Config),
			States: r.States, Transitions: r.Transitions,
			Depth: r.Depth, Complete: r.Complete, Stopped: r.Stopped, Liveness: r.Liveness, Symmetry: symmetryText(d, e.Symmetry, r),
			POR:      partialOrderText(e.PartialOrder, e.NoLiveness, r),
			Bitstate: r.Bitstate, Missed: r.Missed, Bits: e.BitstateBits, Violations: []exploreViolation{}, Coverage: r.Coverage}
		for _, x := range r.Sometimes {
			rr := reachResult{Property: x.Property, Verdict: notReached}
			switch {
			case x.Reached:
				rr.Verdict, rr.Steps, rr.Example = reached, len(x.Actions), x.Example
			case r.Proven(x):
				rr.Verdict = neverReached
			}
			res.Reachability = append(res.Reachability, rr)
		}
		if r.Stopped == "max-memory" {
			res.MemoryUsed, res.MaxMemory = guard.used.Load(), maxMem.bytes
		}
		if saved && !r.Complete {
			fmt.Fprintf(stderr, "umcgcheck explore: search saved in %s; continue it with the same flags and --resume %s\n", *checkpoint, *checkpoint)
		}
		guard.next()
		nth := map[string]int{} // distinct violations of each property so far
		for _, c := range r.Violations {
			nth[c.Property]++
			res.Violations = append(res.Violations, exploreViolation{Property: c.Property, Place: c.Place, Hits: c.Hits, Message: c.Message,
				Loop: c.Loop, Steps: sys.Explain(c.Actions)})
			all = append(all, sim.Saved{System: sys, Counterexample: c})
			pages = append(pages, viewer.Item{System: sys, Counterexample: c, Name: n.Name})
			if *emit != "" {
				if err := emitTrace(*emit, n.Name, sys, c, nth[c.Property]); err != nil {
					return exitUsage, usagef("--emit-traces: %v", err)
				}
			}
		}
		code = res.foldCode(code) // a bitstate search proves nothing either
		results = append(results, res)
	}
	if *out != "" {
		var buf bytes.Buffer
		if err := sim.WriteFile(&buf, all); err != nil {
			return exitUsage, err
		}
		if err := writeNew(*out, buf.Bytes()); err != nil {
			return exitUsage, usagef("--out: %v", err)
		}
	}
	if *html != "" {
		if err := writeViewer(*html, "explore", pages); err != nil {
			return exitUsage, err
		}
	}
	rep := exploreReport{Format: resultsFormat, Version: resultsVersion, Command: "explore", Job: job,
		Shard: si, Shards: sn, Units: len(systems), HashSeed: *hashSeed, Results: results}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return code, enc.Encode(rep)
	}
	writeExploreReport(stdout, rep, *out)
	return code, nil
}

// writeExploreReport prints a report (one shard's, or merged) as text.
func writeExploreReport(w io.Writer, rep exploreReport, out string) {
	if rep.Shards > 1 {
		fmt.Fprintf(w, "shard %d of %d (%d of %d configurations)\n\n", rep.Shard, rep.Shards, len(rep.Results), rep.Units)
	}
	if rep.HashSeed != 0 {
		fmt.Fprintf(w, "hash seed %d: fingerprints and the order of actions drawn from it (swarm: --hash-seed)\n\n", rep.HashSeed)
	}
	for _, r := range rep.Results {
		writeExploreText(w, r)
	}
	writeExploreSummary(w, rep.Results, out)
}

func writeExploreText(w io.Writer, r exploreResult) {
	fmt.Fprintf(w, "config %s: %s\n", r.Name, configText(r.Protocol, r.Config))
	if r.States == 0 {
		fmt.Fprintf(w, "  INCOMPLETE: not started (stopped by %s)\n\n", r.Stopped)
		return
	}
	status := "complete"
	switch {
	case r.Complete:
	case r.Stopped == "signal":
		status = "INCOMPLETE (stopped by signal): states beyond were not checked"
	case r.Stopped == "max-memory":
		status = fmt.Sprintf("INCOMPLETE (stopped by --max-memory: %s in use, bound %s): states beyond were not checked",
			formatBytes(r.MemoryUsed), formatBytes(r.MaxMemory))
	default:
		status = "INCOMPLETE (stopped by --" + r.Stopped + "): states beyond were not checked"
	}
	fmt.Fprintf(w, "  %d states, %d transitions, depth %d: %s; liveness: %s; symmetry: %s; partial order: %s\n", r.States, r.Transitions, r.Depth, status, r.Liveness, r.Symmetry, r.POR)
	if r.Bitstate {
		hf := float64(r.Bits) / float64(r.States)
		fmt.Fprintf(w, "  bitstate: PROBABILISTIC coverage, hash factor %.1f (bits per state stored)", hf)
		if len(r.Seeds) < 2 { // a swarm's searches each have their own estimate (writeSeeds)
			// The estimate counts the states whose own bits collided; the
			// states reachable only through them are lost too, uncounted.
			fmt.Fprintf(w, "; about %.1f states taken for visited by a bit collision (an estimate; the states reachable only through them are missed too, not counted)", r.Missed)
		}
		if hf < 10 {
			fmt.Fprintf(w, "; coverage is poor: give --bitstate more bits")
		}
		fmt.Fprintln(w)
	}
	if len(r.Seeds) > 0 {
		writeSeeds(w, r)
	}
	writeReachability(w, r)
	if r.Coverage != nil {
		writeCoverageCounts(w, r.Coverage)
	}
	if len(r.Violations) == 0 && len(r.neverReached()) == 0 {
		if r.Complete {
			fmt.Fprintln(w, "  no violation")
		} else {
			fmt.Fprintln(w, "  no violation in the states covered")
		}
	}
	for _, v := range r.Violations {
		fmt.Fprintf(w, "\n  VIOLATION %s: %s\n", v.Property, v.Message)
		if v.Place != "" {
			fmt.Fprintf(w, "  at: %s (reached by %d transitions)\n", v.Place, v.Hits)
		}
		if r.POR == "on" {
			// The reduction takes a thread's local steps first: a path
			// of the reduced graph may carry a few the shortest lacks.
			fmt.Fprintf(w, "  counterexample (partial order: --no-por for a shortest), %d steps", len(v.Steps))
		} else {
			fmt.Fprintf(w, "  shortest counterexample, %d steps", len(v.Steps))
		}
		if v.Loop >= 0 {
			fmt.Fprintf(w, "; steps %d-%d repeat forever", v.Loop+1, len(v.Steps))
		}
		fmt.Fprintln(w, ":")
		sim.WriteText(w, v.Steps)
	}
	fmt.Fprintln(w)
}

func writeExploreSummary(w io.Writer, rs []exploreResult, out string) {
	var states uint64
	violated := map[string]bool{}
	var order []string
	incomplete, distinct := 0, 0
	for _, r := range rs {
		states += r.States
		if !r.Complete || r.Bitstate {
			incomplete++
		}
		distinct += len(r.Violations) + len(r.neverReached())
		ids := r.neverReached()
		for _, v := range r.Violations {
			ids = append(ids, v.Property)
		}
		for _, id := range ids {
			if !violated[id] {
				violated[id] = true
				order = append(order, id)
			}
		}
	}
	fmt.Fprintf(w, "summary: %d configuration(s), %d states", len(rs), states)
	if incomplete > 0 {
		fmt.Fprintf(w, ", %d INCOMPLETE or probabilistic", incomplete)
	}
	if len(order) == 0 {
		fmt.Fprintln(w, "; no property violated")
	} else {
		fmt.Fprintf(w, "; %d distinct violations of %d properties:", distinct, len(order))
		for _, p := range order {
			fmt.Fprintf(w, " %s", p)
		}
		fmt.Fprintln(w)
	}
	if out != "" {
		fmt.Fprintf(w, "counterexamples written to %s; check them with: umcgcheck replay %s\n", out, out)
	}
}

// isTerminal reports whether w is a terminal. A character device is not
// enough: /dev/null is one, and progress redrawn there is lost work.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// symmetryText names the classes of interchangeable threads a search
// reduced by.
func symmetryText(d sim.Description, asked bool, r sim.Report) string {
	switch {
	case !asked:
		return "off"
	case r.SymmetryOff != "":
		return "off (" + r.SymmetryOff + "; --no-liveness to reduce)"
	}
	return d.Symmetry // the classes, or that there are none
}

// partialOrderText says whether a search was reduced by partial order,
// and why not when it was asked to be.
func partialOrderText(asked, noLiveness bool, r sim.Report) string {
	switch {
	case !asked:
		return "off"
	case r.PartialOrder:
		return "on"
	case !noLiveness && r.PartialOrderOff == sim.PartialOrderLiveness:
		return "off (liveness: --no-liveness to reduce)"
	}
	return "off (" + r.PartialOrderOff + ")"
}

// protocolField is a protocol's name as results record it: absent for the
// default protocol, so that results read as they did before there were
// several.
func protocolField(name string) string {
	if name == defaultProtocol {
		return ""
	}
	return name
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // configurations are plain data
	}
	return b
}

// configText renders a recorded configuration on one line, as the
// protocol prints it.
func configText(protocol string, raw json.RawMessage) string {
	if sys, err := load(protocol, raw); err == nil {
		return fmt.Sprint(sys.Describe().Config)
	}
	return string(raw)
}

// writeNew writes data to a file that must not exist yet: nothing the
// user had is overwritten.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// emitTrace writes a counterexample's run as a trace file in dir; the
// nth distinct violation of a property after the first gets -N in its name.
func emitTrace(dir, name string, sys sim.System, c sim.Counterexample, nth int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, variant, err := recordTrace(sys, c.Actions)
	if err != nil {
		return err
	}
	label := c.Property
	if nth > 1 {
		label += fmt.Sprintf("-%d", nth)
	}
	return writeNew(traceName(dir, name, variant, label), data)
}

// checkBitstateSize refuses a bit array larger than the memory a search
// may use: allocating it would end the process with "out of memory".
func checkBitstateSize(n uint, maxMem *maxMemoryFlag) error {
	size := uint64(1) << n / 8
	bound, what, ok := memoryBound(maxMem)
	if ok && size > bound {
		return usagef("--bitstate %d: its array of 2^%d bits takes %s, more than %s (%s); give fewer bits", n, n, formatBytes(size), formatBytes(bound), what)
	}
	return nil
}

// checkSetSize refuses, as checkBitstateSize does, a set of fingerprints
// sized up front (flag n) larger than the memory a search may use.
func checkSetSize(flag string, n int, size uint64, maxMem *maxMemoryFlag) error {
	bound, what, ok := memoryBound(maxMem)
	if n > 0 && ok && size > bound {
		return usagef("%s %d: a set sized for %d states takes %s, more than %s (%s); expect fewer", flag, n, n, formatBytes(size), formatBytes(bound), what)
	}
	return nil
}

// memoryBound is the memory a search may use and what says so: --max-memory,
// or else the memory available (ok is false when neither is known).
func memoryBound(maxMem *maxMemoryFlag) (bound uint64, what string, ok bool) {
	if maxMem.bytes != 0 {
		return maxMem.bytes, "--max-memory: " + maxMem.text, true
	}
	avail, ok := availableMemory()
	return avail, "the memory available", ok
}

// writeReachability prints the reachability properties: a line for those
// reached, and each one never reached (a violation) or not reached by an
// incomplete search.
func writeReachability(w io.Writer, r exploreResult) {
	n := 0
	for _, x := range r.Reachability {
		if x.Verdict == reached {
			n++
		}
	}
	if len(r.Reachability) == 0 {
		return
	}
	fmt.Fprintf(w, "  reachability: %d of %d reached\n", n, len(r.Reachability))
	for _, x := range r.Reachability {
		switch x.Verdict {
		case neverReached:
			fmt.Fprintf(w, "  NEVER REACHED %s: the complete search met no example\n", x.Property)
		case notReached:
			fmt.Fprintf(w, "  not reached %s: INCOMPLETE, states beyond may reach it\n", x.Property)
		}
	}
}

// writeCoverageCounts prints what --coverage counted: every step kind and
// documented edge with its transitions, then those that never fired.
func writeCoverageCounts(w io.Writer, c *sim.CoverageReport) {
	over := "transitions"
	if c.Representatives {
		over = "transitions between representatives (symmetry)"
	}
	steps, edges := c.NeverFired()
	fmt.Fprintf(w, "  coverage (%s): %d of %d step kinds fired", over, len(c.Steps)-len(steps), len(c.Steps))
	if len(c.Edges) > 0 {
		fmt.Fprintf(w, ", %d of %d documented edges", len(c.Edges)-len(edges), len(c.Edges))
	}
	fmt.Fprintln(w)
	for _, part := range []struct {
		what           string
		counts, extras []sim.Count
	}{{"step", c.Steps, c.UnlistedSteps}, {"edge", c.Edges, c.UnlistedEdges}} {
		for _, x := range part.counts {
			fmt.Fprintf(w, "    %-4s %10d  %s\n", part.what, x.N, x.Name)
		}
		for _, x := range part.extras {
			fmt.Fprintf(w, "    %-4s %10d  %s (not in the protocol's table)\n", part.what, x.N, x.Name)
		}
	}
	for _, part := range []struct {
		what  string
		names []string
	}{{"step kinds", steps}, {"documented edges", edges}} {
		if len(part.names) == 0 {
			continue
		}
		fmt.Fprintf(w, "  never fired, %d %s:\n", len(part.names), part.what)
		for _, n := range part.names {
			fmt.Fprintf(w, "    %s\n", n)
		}
	}
}

// clearToEOL erases the rest of a terminal's line (ECMA-48 EL): a shorter
// line redrawn over a longer one leaves nothing behind.
const clearToEOL = "\x1b[K"

// writeProgress writes a progress line: redrawn in place on a terminal,
// one plain line each time otherwise (a log file).
func writeProgress(w io.Writer, redraw bool, name string, p sim.Progress) {
	rate := float64(p.States) / p.Elapsed.Seconds()
	line := fmt.Sprintf("%s: %d states, %.0f states/s, depth %d, queue %d, memory %s", name, p.States, rate, p.Depth, p.Queue, formatBytes(memoryInUse()))
	switch {
	case p.Queue == 0:
	case p.Estimated:
		line += fmt.Sprintf(", estimate ~%.0f states left", p.Remaining)
		if rate > 0 {
			line += fmt.Sprintf(" (~%s)", (time.Duration(p.Remaining / rate * float64(time.Second))).Round(time.Second))
		}
	default:
		line += ", no estimate (the frontier is not narrowing)"
	}
	if redraw {
		fmt.Fprint(w, "\r"+line+clearToEOL)
		return
	}
	fmt.Fprintln(w, line)
}

// writeCheckpoint saves a snapshot to path through a temporary file
// renamed over it: a process killed while writing leaves the previous
// checkpoint whole.
func writeCheckpoint(path string, s *sim.Snapshot) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := s.Write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
