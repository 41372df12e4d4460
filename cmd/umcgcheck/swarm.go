package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/umcgcheck/umcgcheck/sim"
)

// Swarm mode: a job (the configurations a command's flags select) is cut
// into shards without any communication: shard I of N takes the
// configurations whose index is I modulo N. Each shard prints its results
// as JSON (--json); 'umcgcheck merge' checks that the shards belong to one
// job and together cover it, and prints the combined report, which equals
// the unsharded one.
//
// Swarm verification proper (--hash-seed): bitstate searches of the same
// configurations under different hash seeds lose different states; merge
// takes results of one job under several seeds, and combines each
// configuration's searches (combineSeeds): the union of their violations,
// and what can honestly be said of their coverage.

const (
	resultsFormat = "umcgcheck-results"
	// 2 added each violation's place and hits (and protocol); 3 the
	// reachability verdicts (a property never reached is a violation) and
	// --coverage's counts; 4 the hash seed (--hash-seed) and a merge's
	// seeds. Every earlier version still merges.
	resultsVersion = 4
)

// exploreReport is explore's JSON output: one shard's results, or a whole
// job's.
type exploreReport struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Command string `json:"command"`
	Job     string `json:"job"` // identifies the job: every shard of it carries the same value
	Shard   int    `json:"shard"`
	Shards  int    `json:"shards"`
	Units   int    `json:"units"` // configurations in the whole job
	// HashSeed is the run's --hash-seed; a merge of several seeds has 0
	// here and lists them per result (exploreResult.Seeds).
	HashSeed uint64          `json:"hash_seed,omitempty"`
	Results  []exploreResult `json:"results"`
}

// parseShard reads --shard: "" is the whole job (0 of 1); "I/N"; "/N"
// takes I from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or
// SLURM_ARRAY_TASK_ID (Slurm job arrays).
func parseShard(s string, getenv func(string) string) (int, int, error) {
	if s == "" {
		return 0, 1, nil
	}
	is, ns, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 1 {
		return 0, 0, usagef("--shard: %q is not I/N or /N with N >= 1", s)
	}
	src := "--shard"
	if is == "" {
		for _, v := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"} {
			if is = getenv(v); is != "" {
				src = v
				break
			}
		}
		if is == "" {
			return 0, 0, usagef("--shard %s: no index: set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, or write I/N", s)
		}
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 || i >= n {
		return 0, 0, usagef("%s: shard index %q is not in 0..%d", src, is, n-1)
	}
	return i, n, nil
}

// jobSignature identifies a job by everything that decides its results.
func jobSignature(cmd string, systems []sim.Named, args ...any) string {
	var protocols []string
	for _, n := range systems {
		protocols = append(protocols, n.System.Describe().Protocol)
	}
	b, _ := json.Marshal(struct {
		Cmd       string
		Protocols []string
		Configs   []any
		Args      []any
	}{cmd, protocols, configs(systems), args})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

const mergeUsage = `Usage: umcgcheck merge [flags] FILE... [flags]

Combines the --json results of the shards of one swarm job (for example
'umcgcheck explore --shard I/N --json > shard-I.json' for I in 0..N-1)
and prints the report of the whole job, as the unsharded command would.

The shards may also be bitstate searches of the same configurations under
different hash seeds ('umcgcheck explore --bitstate N --hash-seed S'): each
configuration's searches are then combined: every violation any of them
found (the shortest counterexample), every reachability example, and
their coverage, which stays probabilistic: the states of the union are at
least as many as any one search stored, and at most their sum.

Exit codes: as the command merged (0, 1, 3); 2 when a file is bad, belongs
to another job, repeats a shard (with the same seed), or combines exact
searches under several seeds; 3 also when shards are missing.

Flags:
`

func runMerge(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("merge", mergeUsage, stdout)
	asJSON := fs.Bool("json", false, "print the merged results as JSON")
	if help, err := parsePositional(fs, args); help || err != nil {
		return exitOK, err
	}
	if fs.NArg() == 0 {
		return exitUsage, usagef("want one or more FILEs (run 'umcgcheck merge -h')")
	}
	var merged *exploreReport
	type shardSeed struct {
		shard int
		seed  uint64
	}
	seen := map[shardSeed]string{}
	seeds := map[uint64]bool{}
	var runs []seededResult
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			return exitUsage, usagef("%v", err)
		}
		var r exploreReport
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return exitUsage, usagef("%s: line %d: %v", path, lineOfOffset(data, dec.InputOffset()), err)
		}
		switch {
		case r.Format != resultsFormat:
			return exitUsage, usagef("%s: line 1: format: want %q, got %q", path, resultsFormat, r.Format)
		case r.Version < 1 || r.Version > resultsVersion:
			return exitUsage, usagef("%s: line 1: version: %d is not supported (want 1 to %d)", path, r.Version, resultsVersion)
		case r.Shards < 1 || r.Shard < 0 || r.Shard >= r.Shards:
			return exitUsage, usagef("%s: shard: %d of %d is not a shard", path, r.Shard, r.Shards)
		case len(r.Results) > 0 && len(r.Results[0].Seeds) > 0:
			return exitUsage, usagef("%s: seeds: already a merge of several hash seeds; merge the shards themselves", path)
		}
		if merged == nil {
			m := r
			m.Results = nil
			merged = &m
		} else if r.Job != merged.Job || r.Shards != merged.Shards || r.Command != merged.Command {
			return exitUsage, usagef("%s: job: shard of job %s/%d, but %s is of job %s/%d", path, r.Job, r.Shards, fs.Arg(0), merged.Job, merged.Shards)
		}
		k := shardSeed{r.Shard, r.HashSeed}
		if prev, dup := seen[k]; dup {
			if r.HashSeed != 0 {
				return exitUsage, usagef("%s: shard: shard %d with hash seed %d is also in %s", path, r.Shard, r.HashSeed, prev)
			}
			return exitUsage, usagef("%s: shard: shard %d is also in %s", path, r.Shard, prev)
		}
		seen[k] = path
		seeds[r.HashSeed] = true
		for _, x := range r.Results {
			runs = append(runs, seededResult{seed: r.HashSeed, path: path, r: x})
		}
	}
	// In unit order, each unit's searches in seed order: the same report
	// whatever the order of the files.
	sort.SliceStable(runs, func(a, b int) bool {
		if runs[a].r.Unit != runs[b].r.Unit {
			return runs[a].r.Unit < runs[b].r.Unit
		}
		return runs[a].seed < runs[b].seed
	})
	merged.HashSeed = 0
	if len(seeds) == 1 {
		merged.HashSeed = onlySeed(seeds)
	}
	for i := 0; i < len(runs); {
		j := i + 1
		for j < len(runs) && runs[j].r.Unit == runs[i].r.Unit {
			j++
		}
		if len(seeds) == 1 {
			merged.Results = append(merged.Results, runs[i].r)
		} else {
			c, err := combineSeeds(runs[i:j])
			if err != nil {
				return exitUsage, err
			}
			merged.Results = append(merged.Results, c)
		}
		i = j
	}
	var missing []string
	for i := 0; i < merged.Shards; i++ {
		covered := false
		for sd := range seeds {
			if _, ok := seen[shardSeed{i, sd}]; ok {
				covered = true
			}
		}
		if !covered {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	code := exitOK
	for _, r := range merged.Results {
		code = r.foldCode(code)
	}
	shards := merged.Shards
	merged.Shard, merged.Shards = 0, 1
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(merged); err != nil {
			return exitUsage, err
		}
	} else {
		writeExploreReport(stdout, *merged, "")
	}
	if len(missing) > 0 {
		fmt.Fprintf(stderr, "umcgcheck merge: INCOMPLETE: shards %s of %d missing\n", strings.Join(missing, ", "), shards)
		if code == exitOK {
			code = exitIncomplete
		}
	}
	return code, nil
}

func lineOfOffset(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return strings.Count(string(data[:off]), "\n") + 1
}

// seededResult is one configuration's result in a file given to merge,
// with the hash seed of the run.
type seededResult struct {
	seed uint64
	path string
	r    exploreResult
}

// onlySeed is the one seed of a set that holds one.
func onlySeed(seeds map[uint64]bool) uint64 {
	for s := range seeds {
		return s
	}
	return 0
}

// seedRun is one search of a merge of several hash seeds.
type seedRun struct {
	Seed        uint64  `json:"seed"`
	States      uint64  `json:"states"`
	Transitions uint64  `json:"transitions"`
	Complete    bool    `json:"complete"`
	Missed      float64 `json:"estimated_missed,omitempty"`
}

// combineSeeds combines the searches of one configuration under several
// hash seeds (runs, in seed order; a single one is listed as such). They
// must be bitstate searches: an exact search is the same under every seed.
// The result has every violation any search found (per property and
// place, the shortest counterexample, the largest count of hits), every
// reachability property any reached (the shortest example), coverage
// counts summed, and figures that say no more than is known: states,
// transitions and depth are the largest any one search reached (the
// union's states are at least that, at most the sum: a state stored by
// two searches cannot be told from two states); no estimate of missed
// states (each search's is a lower bound of its own misses, which says
// nothing of the union's: Seeds keeps them); complete only if every
// search was. Seeds lists each search.
func combineSeeds(runs []seededResult) (exploreResult, error) {
	c := runs[0].r
	if len(runs) == 1 { // shards of the job under other seeds had the other configurations
		c.Seeds = []seedRun{{Seed: runs[0].seed, States: c.States, Transitions: c.Transitions, Complete: c.Complete, Missed: c.Missed}}
		return c, nil
	}
	c.Violations = nil
	c.Reachability = slices.Clone(c.Reachability)
	c.Seeds = nil
	if c.Coverage != nil {
		cv := *c.Coverage
		cv.Steps, cv.Edges = slices.Clone(cv.Steps), slices.Clone(cv.Edges)
		cv.UnlistedSteps, cv.UnlistedEdges = nil, nil
		c.Coverage = &cv
	}
	unlisted := [2]map[string]uint64{{}, {}}
	at := map[string]int{} // property and place -> index in c.Violations
	for i, x := range runs {
		r := x.r
		if !r.Bitstate {
			return c, usagef("%s: seeds: configuration %s was searched exactly (no --bitstate) under hash seeds %d and %d: an exact search finds the same states under every seed; only bitstate searches are combined",
				x.path, r.Name, runs[0].seed, runs[len(runs)-1].seed)
		}
		if r.Name != c.Name || !bytes.Equal(r.Config, c.Config) || r.Bits != c.Bits {
			return c, usagef("%s: unit %d is configuration %s, but %s has %s there", x.path, r.Unit, r.Name, runs[0].path, c.Name)
		}
		c.Seeds = append(c.Seeds, seedRun{Seed: x.seed, States: r.States, Transitions: r.Transitions, Complete: r.Complete, Missed: r.Missed})
		if i > 0 {
			c.States, c.Transitions, c.Depth = max(c.States, r.States), max(c.Transitions, r.Transitions), max(c.Depth, r.Depth)
			if c.Complete && !r.Complete {
				c.Complete, c.Stopped, c.MemoryUsed, c.MaxMemory = false, r.Stopped, r.MemoryUsed, r.MaxMemory
			}
		}
		for _, v := range r.Violations {
			k := v.Property + "\x00" + v.Place
			j, ok := at[k]
			if !ok {
				at[k] = len(c.Violations)
				c.Violations = append(c.Violations, v)
				continue
			}
			w := &c.Violations[j]
			hits := max(w.Hits, v.Hits)
			if len(v.Steps) < len(w.Steps) {
				*w = v
			}
			w.Hits = hits
		}
		for _, x := range r.Reachability {
			for j := range c.Reachability {
				y := &c.Reachability[j]
				if y.Property == x.Property && x.Verdict == reached && (y.Verdict != reached || x.Steps < y.Steps) {
					*y = x
				}
			}
		}
		if i > 0 && c.Coverage != nil && r.Coverage != nil {
			if err := addCounts(c.Coverage.Steps, r.Coverage.Steps); err != nil {
				return c, usagef("%s: coverage: %v", x.path, err)
			}
			if err := addCounts(c.Coverage.Edges, r.Coverage.Edges); err != nil {
				return c, usagef("%s: coverage: %v", x.path, err)
			}
		}
		if r.Coverage != nil {
			for k, xs := range [][]sim.Count{r.Coverage.UnlistedSteps, r.Coverage.UnlistedEdges} {
				for _, n := range xs {
					unlisted[k][n.Name] += n.N
				}
			}
		}
	}
	c.Missed = 0
	if c.Coverage != nil {
		c.Coverage.UnlistedSteps, c.Coverage.UnlistedEdges = sortedCounts(unlisted[0]), sortedCounts(unlisted[1])
	}
	// Violations in the order a search reports them: by property, in the
	// protocol's order.
	if sys, err := load(c.Protocol, c.Config); err == nil {
		order := map[string]int{}
		for i, p := range sys.Describe().Properties {
			order[p.ID] = i
		}
		slices.SortStableFunc(c.Violations, func(a, b exploreViolation) int { return order[a.Property] - order[b.Property] })
	}
	if c.Violations == nil {
		c.Violations = []exploreViolation{}
	}
	return c, nil
}

// addCounts adds the counts of ys to xs, which must name the same things.
func addCounts(xs, ys []sim.Count) error {
	if len(xs) != len(ys) {
		return fmt.Errorf("%d counts, not %d", len(ys), len(xs))
	}
	for i := range xs {
		if xs[i].Name != ys[i].Name {
			return fmt.Errorf("%q where another search counted %q", ys[i].Name, xs[i].Name)
		}
		xs[i].N += ys[i].N
	}
	return nil
}

func sortedCounts(m map[string]uint64) []sim.Count {
	var out []sim.Count
	for k, n := range m {
		out = append(out, sim.Count{Name: k, N: n})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// writeSeeds says what a combination of searches under several hash seeds
// covered (see combineSeeds).
func writeSeeds(w io.Writer, r exploreResult) {
	if len(r.Seeds) == 1 {
		fmt.Fprintf(w, "  hash seed %d\n", r.Seeds[0].Seed)
		return
	}
	var names []string
	var sum uint64
	for _, s := range r.Seeds {
		names = append(names, strconv.FormatUint(s.Seed, 10))
		sum += s.States
	}
	fmt.Fprintf(w, "  swarm of %d bitstate searches, hash seeds %s: each stored", len(r.Seeds), strings.Join(names, ", "))
	for i, s := range r.Seeds {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, " %d", s.States)
	}
	fmt.Fprint(w, " states, and took about")
	for i, s := range r.Seeds {
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, " %.1f", s.Missed)
	}
	fmt.Fprintf(w, " for visited by a bit collision (estimates; the states reachable only through those are missed too, not counted); together at least %d distinct states (the figures above are the largest search's) and at most %d; how many the union missed is not known: PROBABILISTIC coverage, never a complete search\n",
		r.States, sum)
}
