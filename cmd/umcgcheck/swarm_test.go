package main

import (
	"os"
	"path/filepath"
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
