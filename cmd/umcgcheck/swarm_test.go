package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSwarmFourShards: four shards run separately, merged, report exactly
// what one unsharded run reports, with the same exit code.
func TestSwarmFourShards(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := 0; i < 4; i++ {
		_, out, errs := runCLI("explore", "--shard", []string{"0/4", "1/4", "2/4", "3/4"}[i], "--json", "--quiet")
		if errs != "" {
			t.Fatalf("shard %d: %s", i, errs)
		}
		f := filepath.Join(dir, "shard-"+string(rune('0'+i))+".json")
		if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	mcode, merged, errs := runCLI(append([]string{"merge"}, files...)...)
	wcode, whole, _ := runCLI("explore", "--quiet")
	if errs != "" || mcode != wcode || merged != whole {
		t.Errorf("merged (exit %d, stderr %q) differs from the unsharded run (exit %d)\n--- merged ---\n%s\n--- whole ---\n%s", mcode, errs, wcode, merged, whole)
	}
	// A missing shard is reported, never a pass.
	code, _, errs := runCLI("merge", files[0], files[1], files[2])
	if !strings.Contains(errs, "INCOMPLETE: shards 3 of 4 missing") || code == exitOK {
		t.Errorf("merge without shard 3: exit %d, stderr %q", code, errs)
	}
	// A repeated shard, or a shard of another job, is bad input.
	if code, _, errs := runCLI("merge", files[0], files[0]); code != exitUsage || !strings.Contains(errs, "shard 0 is also in") {
		t.Errorf("merge of a repeated shard: exit %d, stderr %q", code, errs)
	}
	_, other, _ := runCLI("explore", "--variant", "fixed", "--shard", "1/4", "--json", "--quiet")
	of := filepath.Join(dir, "other.json")
	os.WriteFile(of, []byte(other), 0o644)
	if code, _, errs := runCLI("merge", files[0], of); code != exitUsage || !strings.Contains(errs, "job:") {
		t.Errorf("merge across jobs: exit %d, stderr %q", code, errs)
	}
}

func TestParseShard(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		arg     string
		env     map[string]string
		i, n    int
		wantErr string
	}{
		{"", nil, 0, 1, ""},
		{"2/4", nil, 2, 4, ""},
		{"/4", map[string]string{"JOB_COMPLETION_INDEX": "3"}, 3, 4, ""},
		{"/4", map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, 1, 4, ""},
		{"/4", nil, 0, 0, "no index"},
		{"4/4", nil, 0, 0, "not in 0..3"},
		{"/4", map[string]string{"SLURM_ARRAY_TASK_ID": "x"}, 0, 0, "SLURM_ARRAY_TASK_ID"},
		{"1/0", nil, 0, 0, "N >= 1"},
		{"abc", nil, 0, 0, "not I/N"},
	}
	for _, c := range cases {
		i, n, err := parseShard(c.arg, env(c.env))
		switch {
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("parseShard(%q, %v): error %v, want one mentioning %q", c.arg, c.env, err, c.wantErr)
		case c.wantErr == "" && (err != nil || i != c.i || n != c.n):
			t.Errorf("parseShard(%q, %v) = %d, %d, %v; want %d, %d", c.arg, c.env, i, n, err, c.i, c.n)
		}
	}
}

// TestSwarmHashSeeds: bitstate searches of one configuration under two
// hash seeds, in an array small enough to lose states, store different
// states; the same seed twice gives the same bytes; merge combines them
// into the union of their violations with an honest coverage line, in any
// order of the files; an unseeded run prints no seed; exact searches under
// two seeds, or one seed twice, are refused.
func TestSwarmHashSeeds(t *testing.T) {
	dir := t.TempDir()
	search := []string{"explore", "--config", "default", "--workers", "3", "--bitstate", "12", "--json", "--quiet"}
	run := func(args ...string) (int, string) {
		code, out, errs := runCLI(append(slices.Clone(search), args...)...)
		if errs != "" {
			t.Fatalf("%v: %s", args, errs)
		}
		return code, out
	}
	type result struct {
		Results []exploreResult `json:"results"`
	}
	var files []string
	var res []exploreResult
	for _, seed := range []string{"1", "2"} {
		code, out := run("--hash-seed", seed)
		if _, again := run("--hash-seed", seed, "--parallel", "1"); again != out {
			t.Errorf("seed %s: another run (1 goroutine) printed other bytes", seed)
		}
		if code != exitViolation || !strings.Contains(out, `"hash_seed": `+seed) {
			t.Errorf("seed %s: exit %d, or no hash_seed in the report", seed, code)
		}
		var r result
		if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Results) != 1 {
			t.Fatalf("seed %s: %v", seed, err)
		}
		res = append(res, r.Results[0])
		f := filepath.Join(dir, "seed-"+seed+".json")
		os.WriteFile(f, []byte(out), 0o644)
		files = append(files, f)
	}
	if res[0].States == res[1].States && res[0].Missed == res[1].Missed {
		t.Errorf("seeds 1 and 2 stored %d states each, missed %.1f each: the seed changed nothing", res[0].States, res[0].Missed)
	}
	if _, plain := run(); strings.Contains(plain, "hash_seed") {
		t.Errorf("an unseeded run names a seed")
	}
	if _, out, _ := runCLI("explore", "--config", "default", "--workers", "3", "--bitstate", "12", "--hash-seed", "2", "--quiet"); !strings.Contains(out, "hash seed 2:") {
		t.Errorf("the text report does not name the seed:\n%s", out)
	}
	code, merged, errs := runCLI("merge", "--json", files[0], files[1])
	_, reversed, _ := runCLI("merge", "--json", files[1], files[0])
	if errs != "" || code != exitViolation || merged != reversed {
		t.Fatalf("merge: exit %d, stderr %q, or the order of the files changed the report", code, errs)
	}
	var m result
	if err := json.Unmarshal([]byte(merged), &m); err != nil || len(m.Results) != 1 {
		t.Fatalf("merged: %v", err)
	}
	c := m.Results[0]
	if len(c.Seeds) != 2 || c.Seeds[0].Seed != 1 || c.Seeds[1].Seed != 2 || c.States != max(res[0].States, res[1].States) ||
		c.Missed != 0 || c.Seeds[0].Missed != res[0].Missed || c.Seeds[1].Missed != res[1].Missed {
		t.Errorf("merged: seeds %+v, %d states, %.1f missed", c.Seeds, c.States, c.Missed)
	}
	for _, r := range res {
		for _, v := range r.Violations {
			if !slices.ContainsFunc(c.Violations, func(u exploreViolation) bool {
				return u.Property == v.Property && u.Place == v.Place && len(u.Steps) <= len(v.Steps)
			}) {
				t.Errorf("merged: lost %s at %s", v.Property, v.Place)
			}
		}
	}
	if _, text, _ := runCLI("merge", files[0], files[1]); !strings.Contains(text, "swarm of 2 bitstate searches, hash seeds 1, 2") ||
		!strings.Contains(text, "never a complete search") || strings.Contains(text, "states taken for visited by a bit collision (an estimate;") {
		t.Errorf("merged text has no coverage statement:\n%s", text)
	}
	if code, _, errs := runCLI("merge", files[0], files[0]); code != exitUsage || !strings.Contains(errs, "shard 0 with hash seed 1 is also in") {
		t.Errorf("merge of one seed twice: exit %d, stderr %q", code, errs)
	}
	var exact []string
	for _, seed := range []string{"1", "2"} {
		_, out, _ := runCLI("explore", "--config", "default", "--workers", "2", "--json", "--quiet", "--hash-seed", seed)
		f := filepath.Join(dir, "exact-"+seed+".json")
		os.WriteFile(f, []byte(out), 0o644)
		exact = append(exact, f)
	}
	if code, _, errs := runCLI(append([]string{"merge"}, exact...)...); code != exitUsage || !strings.Contains(errs, "searched exactly") {
		t.Errorf("merge of exact searches under two seeds: exit %d, stderr %q", code, errs)
	}
	// Shards of a job under different seeds, each configuration searched
	// once: merged as shards, each result naming its seed.
	var split []string
	for i, seed := range []string{"1", "2"} {
		_, out, _ := runCLI("explore", "--config", "default", "--workers", "2", "--json", "--quiet", "--shard", []string{"0/2", "1/2"}[i], "--hash-seed", seed)
		f := filepath.Join(dir, "split-"+seed+".json")
		os.WriteFile(f, []byte(out), 0o644)
		split = append(split, f)
	}
	if code, out, errs := runCLI(append([]string{"merge"}, split...)...); code != exitViolation || errs != "" || !strings.Contains(out, "\n  hash seed 1\n") {
		t.Errorf("merge of shards under two seeds: exit %d, stderr %q\n%s", code, errs, out)
	}
}

// TestMergeRefusesOtherSearchFlags: shards searched with and without
// partial-order reduction, or with and without --coverage, are two jobs
// (their states, counterexamples and reports differ): merge refuses them,
// and merges shards whose flags agree.
func TestMergeRefusesOtherSearchFlags(t *testing.T) {
	dir := t.TempDir()
	shard := func(name, i string, flags ...string) string {
		args := append([]string{"explore", "--config", "single", "--no-liveness", "--shard", i + "/2", "--json", "--quiet"}, flags...)
		_, out, errs := runCLI(args...)
		if errs != "" {
			t.Fatalf("%v: %s", args, errs)
		}
		f := filepath.Join(dir, name+"-"+i+".json")
		if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	plain := shard("plain", "0")
	for _, flag := range []string{"--no-por", "--coverage"} {
		if code, _, errs := runCLI("merge", plain, shard(flag, "1", flag)); code != exitUsage || !strings.Contains(errs, "job:") {
			t.Errorf("merge of shards with and without %s: exit %d, stderr %q", flag, code, errs)
		}
		if code, _, errs := runCLI("merge", shard(flag, "0", flag), shard(flag, "1", flag)); code == exitUsage {
			t.Errorf("merge of two %s shards: exit %d, stderr %q", flag, code, errs)
		}
	}
}
