package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
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

const (
	resultsFormat = "umcgcheck-results"
	// 2 added each violation's place and hits (and protocol); 3 the
	// reachability verdicts (a property never reached is a violation) and
	// --coverage's counts. Every earlier version still merges.
	resultsVersion = 3
)

// exploreReport is explore's JSON output: one shard's results, or a whole
// job's.
type exploreReport struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Command string          `json:"command"`
	Job     string          `json:"job"` // identifies the job: every shard of it carries the same value
	Shard   int             `json:"shard"`
	Shards  int             `json:"shards"`
	Units   int             `json:"units"` // configurations in the whole job
	Results []exploreResult `json:"results"`
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

Exit codes: as the command merged (0, 1, 3); 2 when a file is bad, belongs
to another job, or repeats a shard; 3 also when shards are missing.

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
	seen := map[int]string{}
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
		}
		if merged == nil {
			m := r
			m.Results = nil
			merged = &m
		} else if r.Job != merged.Job || r.Shards != merged.Shards || r.Command != merged.Command {
			return exitUsage, usagef("%s: job: shard of job %s/%d, but %s is of job %s/%d", path, r.Job, r.Shards, fs.Arg(0), merged.Job, merged.Shards)
		}
		if prev, dup := seen[r.Shard]; dup {
			return exitUsage, usagef("%s: shard: shard %d is also in %s", path, r.Shard, prev)
		}
		seen[r.Shard] = path
		merged.Results = append(merged.Results, r.Results...)
	}
	sort.Slice(merged.Results, func(a, b int) bool { return merged.Results[a].Unit < merged.Results[b].Unit })
	var missing []string
	for i := 0; i < merged.Shards; i++ {
		if _, ok := seen[i]; !ok {
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
