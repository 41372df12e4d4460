package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/umcgcheck/umcgcheck/sim"
)

// The commands that read a user's file must answer any content with an exit
// code of the table in main.go and, for bad input, one line on stderr
// naming the command: never a panic, never a second line. The targets run
// the command as main does, on a file holding the fuzzed bytes; their seed
// corpora are the command's example files.

// fuzzCommand runs `umcgcheck args... FILE` on data written to FILE and
// checks the contract above; want lists the exit codes the command may
// give on input it accepts.
func fuzzCommand(t *testing.T, data []byte, args []string, want ...int) {
	path := filepath.Join(t.TempDir(), "input")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	runContract(t, append(args, path), want...)
}

// runContract runs `umcgcheck args...` and checks the contract above.
func runContract(t *testing.T, args []string, want ...int) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	if code == exitUsage {
		msg := stderr.String()
		if !strings.HasPrefix(msg, "umcgcheck "+args[0]+": ") || strings.Count(msg, "\n") != 1 {
			t.Fatalf("exit 2 with stderr %q: want one line that names the command", msg)
		}
		return
	}
	for _, w := range want {
		if code == w {
			return
		}
	}
	t.Fatalf("exit %d (want 2 or one of %v); stderr:\n%s", code, want, stderr.String())
}

// addFiles adds the contents of the files that match each pattern to f's
// seed corpus.
func addFiles(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		names, err := filepath.Glob(p)
		if err != nil || len(names) == 0 {
			f.Fatalf("no seed file matches %s", p)
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// FuzzReplay: `replay FILE` on any counterexample file. The corpus holds a
// file explore wrote (its counterexamples confirmed: exit 1) and the bad
// files of the golden tests.
func FuzzReplay(f *testing.F) {
	saved := filepath.Join(f.TempDir(), "cex.json")
	var out bytes.Buffer
	if code := run([]string{"explore", "--config", "single", "--workers", "1", "--bug", "unblock-no-wake", "--quiet", "--out", saved}, &out, &out); code != exitViolation {
		f.Fatalf("explore exited %d:\n%s", code, out.String())
	}
	addFiles(f, saved, "testdata/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCommand(t, data, []string{"replay"}, exitOK, exitViolation)
	})
}

// FuzzCheck: `check FILE` on any trace, under a timeout (a valid but
// hostile trace may take the checker long: it then answers 3). The corpus
// holds the trace package's examples, valid and not.
func FuzzCheck(f *testing.F) {
	addFiles(f, "../../traces/testdata/*.jsonl", "testdata/not-linearizable.jsonl")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzCommand(t, data, []string{"check", "--timeout", "2s"}, exitOK, exitViolation, exitIncomplete)
	})
}

// FuzzLoadConfig: a saved configuration (the "config" of a counterexample
// file) with any values in its fields, for every protocol. Load must
// refuse it with an error or build a system, with at most sim.MaxThreads
// threads, that random walks can run without a panic. (How long a build
// or a walk takes is not checked: Go's fuzzer has no time limit per
// input, and CI's fuzzing cannot tell a slow input from its time running
// out.) The fuzzer chooses the protocol, four strings and eleven
// integers; configOf puts them in that protocol's fields.
func FuzzLoadConfig(f *testing.F) {
	f.Add(uint8(0), "seed", "none", "", "", 1, 1, 2, 1, 0, 0, 0, 1, 0, 0, 0, uint64(1))
	f.Add(uint8(0), "fixed", "all", "lifo-queue", "", 2, 2, 3, 2, 1, 1, 2, 2, 0, 0, 1, uint64(2))
	f.Add(uint8(0), "seed", "all", "", "tls-kept", 4, 16, 16, 9, 8, 8, 9, 9, 2, 3, 1, uint64(3))
	f.Add(uint8(0x80), "seed", "none", "", "register", 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, uint64(7))
	f.Add(uint8(1), "spin", "", "", "", 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, uint64(4))
	f.Add(uint8(2), "", "", "eager-commit", "", 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, uint64(5))
	f.Add(uint8(3), "bu,btu", "nanos", "", "", 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, uint64(6))
	f.Add(uint8(3), "", "posting", "", "", 0, 0, 0, 0, 0, 1, 2, 2, 0, 0, 0, uint64(8))
	f.Fuzz(func(t *testing.T, proto uint8, s1, s2, s3, s4 string, a, b, c, d, e, g, h, k, m, n, q int, seed uint64) {
		p := protocols[int(proto)%len(protocols)]
		raw, err := json.Marshal(configOf(p.Name(), proto&0x80 != 0, [4]string{s1, s2, s3, s4}, [11]int{a, b, c, d, e, g, h, k, m, n, q}))
		if err != nil {
			t.Skip()
		}
		sys, err := p.Load(raw)
		if err != nil {
			return
		}
		if n := len(sys.Describe().ThreadNames); n == 0 || n > sim.MaxThreads {
			t.Fatalf("%s accepted %s with %d threads", p.Name(), raw, n)
		}
		sys.Walk(sim.Walks{Runs: 2, Depth: 200, Seed: seed})
	})
}

// configOf is FuzzLoadConfig's configuration of protocol name: the fields
// of its saved form (JSON names), filled from the fuzzer's strings s and
// integers v; a string left empty leaves its optional field out. probes
// says whether v0.1's fourth string names probes (comma-separated) or
// fixes.
func configOf(name string, probes bool, s [4]string, v [11]int) map[string]any {
	cfg := map[string]any{}
	optional := func(field, value string) {
		if value != "" {
			cfg[field] = value
		}
	}
	switch name {
	case "umcg-v0.1":
		cfg = map[string]any{"variant": s[0], "groups": v[0], "servers": v[1], "workers": v[2], "blocks": v[3],
			"core_pairs": v[4], "swaps": v[5], "yields": v[6], "faults": s[1], "max_faults": v[7],
			"general": v[8], "calls": v[9], "sleeps": v[10]}
		optional("bug", s[2])
		if !probes {
			optional("fixes", s[3])
		} else if s[3] != "" {
			cfg["probes"] = strings.Split(s[3], ",")
		}
	case "umcg-2023":
		workers := []string{} // none: general clients only
		if s[0] != "" {
			workers = strings.Split(s[0], ",")
		}
		cfg = map[string]any{"servers": v[0], "workers": workers, "wait_for": v[1]&1 == 1,
			"preempts": v[2], "signals": v[3], "fine": v[4]&1 == 1, "kernel": s[1], "general_servers": v[5],
			"general_workers": v[6], "calls": v[7]}
		optional("bug", s[2])
		optional("fix", s[3])
	case "mutex":
		cfg = map[string]any{"processes": v[0], "lock": s[0]}
		optional("bug", s[2])
	case "twophase":
		cfg = map[string]any{"rms": v[0]}
		optional("bug", s[2])
	}
	return cfg
}

// FuzzMerge: `merge FILE FILE2` where FILE holds any bytes and FILE2 is a
// shard's real result, so that a fuzzed file that still reads as a shard
// is merged with another. The corpus holds the two shards' results of two
// small swarm jobs of the mutex toy (its four configurations, with
// violations), one exact and one a seeded bitstate search: small, since a
// fuzzing build's coverage counters slow every search many times over.
func FuzzMerge(f *testing.F) {
	dir := f.TempDir()
	var shards []string
	for _, job := range [][]string{
		{"--shard", "0/2"}, {"--shard", "1/2"},
		{"--shard", "0/2", "--bitstate", "16", "--hash-seed", "7"}, {"--shard", "1/2", "--bitstate", "16", "--hash-seed", "7"},
	} {
		path := filepath.Join(dir, fmt.Sprintf("shard%d.json", len(shards)))
		var out, errs bytes.Buffer
		code := run(append([]string{"explore", "--protocol", "mutex", "--config", "all", "--json", "--quiet"}, job...), &out, &errs)
		if code != exitOK && code != exitViolation {
			f.Fatalf("explore %v exited %d: %s", job, code, errs.String())
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			f.Fatal(err)
		}
		shards = append(shards, path)
	}
	addFiles(f, shards...)
	other := shards[1]
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "input")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		runContract(t, []string{"merge", path}, exitOK, exitViolation, exitIncomplete)
		runContract(t, []string{"merge", path, other}, exitOK, exitViolation, exitIncomplete)
	})
}
