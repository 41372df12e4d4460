package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and docs/findings.md")

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/name.golden, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/umcgcheck -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run with -update if the change is intended)\n--- got ---\n%s", path, got)
	}
}

func TestCLIGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"-h"}, exitOK},
		{"no-args", nil, exitUsage},
		{"unknown-command", []string{"nosuch"}, exitUsage},
		{"props", []string{"props"}, exitOK},
		{"props-json", []string{"props", "--json"}, exitOK},
		{"sim-help", []string{"sim", "-h"}, exitOK},
		{"sim-seed-default", []string{"sim"}, exitViolation},
		{"sim-fixed-all", []string{"sim", "--variant", "fixed", "--config", "all", "--runs", "300"}, exitOK},
		{"sim-json", []string{"sim", "--json", "--runs", "100"}, exitViolation},
		{"sim-bug-lifo", []string{"sim", "--variant", "fixed", "--bug", "lifo-queue"}, exitViolation},
		{"sim-lasso", []string{"sim", "--config", "core", "--property", "no-busy-wait", "--runs", "3000"}, exitViolation},
		{"sim-bad-flag", []string{"sim", "--frobnicate"}, exitUsage},
		{"sim-bad-variant", []string{"sim", "--variant", "v2"}, exitUsage},
		{"sim-negative", []string{"sim", "--workers", "-1"}, exitUsage},
		{"sim-bad-config", []string{"sim", "--config", "nosuch"}, exitUsage},
		{"sim-bad-fault", []string{"sim", "--faults", "eintr,gremlins"}, exitUsage},
		{"sim-bad-bug", []string{"sim", "--bug", "nosuch"}, exitUsage},
		{"sim-bad-property", []string{"sim", "--property", "nosuch"}, exitUsage},
		{"sim-reachability-property", []string{"sim", "--property", "reach-server-polling"}, exitUsage},
		{"sim-extra-arg", []string{"sim", "extra"}, exitUsage},
		{"sim-too-big", []string{"sim", "--workers", "20"}, exitUsage},
		{"explore-help", []string{"explore", "-h"}, exitOK},
		{"explore-coverage-core", []string{"explore", "--config", "core", "--coverage", "--no-liveness"}, exitViolation},
		{"explore-coverage-fixed-json", []string{"explore", "--variant", "fixed", "--config", "single", "--coverage", "--no-liveness", "--json"}, exitOK},
		{"explore-coverage-twophase", []string{"explore", "--protocol", "twophase", "--config", "all", "--coverage"}, exitViolation},
		{"explore-seed-all", []string{"explore", "--quiet"}, exitViolation},
		{"explore-fixed-all", []string{"explore", "--variant", "fixed", "--quiet"}, exitOK},
		{"explore-incomplete", []string{"explore", "--variant", "fixed", "--config", "default", "--max-states", "1000", "--quiet"}, exitIncomplete},
		{"explore-depth", []string{"explore", "--config", "default", "--max-depth", "10", "--quiet"}, exitIncomplete},
		{"explore-json", []string{"explore", "--config", "single", "--json", "--quiet"}, exitOK},
		{"explore-bad-bound", []string{"explore", "--max-states", "-1"}, exitUsage},
		{"explore-bitstate", []string{"explore", "--config", "faults", "--bitstate", "20", "--quiet"}, exitViolation},
		{"explore-bitstate-fixed", []string{"explore", "--variant", "fixed", "--config", "single", "--bitstate", "12", "--quiet"}, exitIncomplete},
		{"explore-bad-bitstate", []string{"explore", "--bitstate", "50"}, exitUsage},
		{"explore-bad-expect-states", []string{"explore", "--expect-states", "400000000", "--max-memory", "1G"}, exitUsage},
		{"explore-bad-parallel", []string{"explore", "--parallel", "100000"}, exitUsage},
		{"sim-bad-run", []string{"sim", "--run", "-5"}, exitUsage},
		{"live-zero-timeout", []string{"live", "--timeout", "0", "--out", "x.jsonl"}, exitUsage},
		{"live-negative-timeout", []string{"live", "--timeout", "-1s", "--out", "x.jsonl"}, exitUsage},
		{"live-negative-workers", []string{"live", "--workers", "-1", "--out", "x.jsonl"}, exitUsage},
		{"replay-help", []string{"replay", "-h"}, exitOK},
		{"replay-no-file", []string{"replay"}, exitUsage},
		{"replay-missing", []string{"replay", "testdata/no-such-file.json"}, exitUsage},
		{"replay-bad-version", []string{"replay", "testdata/bad-version.json"}, exitUsage},
		{"replay-bad-thread", []string{"replay", "testdata/bad-thread.json"}, exitUsage},
		{"replay-truncated", []string{"replay", "testdata/truncated.json"}, exitUsage},
		{"check-help", []string{"check", "-h"}, exitOK},
		{"live-help", []string{"live", "-h"}, exitOK},
		{"live-no-out", []string{"live", "--backend", "kernel", "--syscall-base", "100000"}, exitUsage},
		{"live-bad-bug", []string{"live", "--bug", "nosuch", "--out", "x.jsonl"}, exitUsage},
		{"check-no-file", []string{"check"}, exitUsage},
		{"check-linearizable", []string{"check", "--coverage", "../../traces/testdata/server-worker.jsonl", "../../traces/testdata/core-swap.jsonl"}, exitOK},
		{"check-not-linearizable", []string{"check", "testdata/not-linearizable.jsonl"}, exitViolation},
		{"check-bad-trace", []string{"check", "../../traces/testdata/bad-out-of-order.jsonl"}, exitUsage},
		{"check-bad-timeout", []string{"check", "--timeout", "-1s", "x.jsonl"}, exitUsage},
	}
	// Under the race detector, the exhaustive searches of every shipped
	// configuration (minutes there) are left to model/umcg01's
	// TestExploreShippedConfigs, which runs them on the same explorer;
	// the other explore cases run the CLI's own goroutines.
	everyConfig := map[string]bool{"explore-seed-all": true, "explore-fixed-all": true}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if raceEnabled && everyConfig[c.name] {
				t.Skip("under -race: model/umcg01's TestExploreShippedConfigs runs these searches")
			}
			code, out, errs := runCLI(c.args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, c.code, errs)
			}
			if c.code == exitUsage && strings.Count(strings.TrimSpace(errs), "\n") > 0 && len(c.args) > 0 {
				t.Errorf("bad usage must be one line on stderr, got %q", errs)
			}
			golden(t, c.name, "$ umcgcheck "+strings.Join(c.args, " ")+"\n"+out+"--- stderr ---\n"+errs)
		})
	}
}

// TestSimDeterministic: the same flags give the same output, byte for byte.
func TestSimDeterministic(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "--config", "all", "--runs", "200"},
		{"sim", "--variant", "fixed", "--config", "faults", "--runs", "500", "--json"},
	} {
		_, a, _ := runCLI(args...)
		_, b, _ := runCLI(args...)
		if a != b {
			t.Errorf("%v: two runs differ", args)
		}
	}
}

// TestReplayCommand: the replay line sim prints reproduces the violation.
func TestReplayCommand(t *testing.T) {
	for _, cfg := range []string{"default", "servers2", "core", "probes", "faults"} {
		code, out, _ := runCLI("sim", "--config", cfg, "--runs", "2000")
		if code != exitViolation {
			continue
		}
		m := regexp.MustCompile(`(?m)^  replay: umcgcheck (.*)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("%s: no replay line in\n%s", cfg, out)
		}
		v := regexp.MustCompile(`(?m)^  VIOLATION .*$`).FindString(out)
		code2, out2, errs := runCLI(strings.Fields(m[1])...)
		if code2 != exitViolation || !strings.Contains(out2, v) {
			t.Errorf("%s: replay %q gave exit %d and\n%s%s\nwant %q", cfg, m[1], code2, out2, errs, v)
		}
	}
}

// TestExploreOutReplay: explore --out writes counterexamples that replay
// confirms, and --out refuses to overwrite a file.
func TestExploreOutReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cex.json")
	code, _, errs := runCLI("explore", "--config", "faults", "--quiet", "--out", path)
	if code != exitViolation {
		t.Fatalf("explore: exit %d, stderr %q", code, errs)
	}
	code, out, errs := runCLI("replay", path)
	if code != exitViolation || !strings.Contains(out, "counterexamples confirmed") || strings.Contains(out, "NOT REPRODUCED") {
		t.Fatalf("replay: exit %d\n%s%s", code, out, errs)
	}
	before, _ := os.ReadFile(path)
	code, _, errs = runCLI("explore", "--config", "faults", "--quiet", "--out", path)
	after, _ := os.ReadFile(path)
	if code != exitUsage || !strings.Contains(errs, "not overwriting") || string(before) != string(after) {
		t.Errorf("second --out: exit %d, stderr %q; the file must be left as it was", code, errs)
	}
	// The fixed variant does not reproduce the seed's counterexamples.
	fixedPath := filepath.Join(t.TempDir(), "fixed.json")
	data := strings.ReplaceAll(string(before), `"variant": "seed"`, `"variant": "fixed"`)
	if err := os.WriteFile(fixedPath, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI("replay", fixedPath); code != exitOK || !strings.Contains(out, "\n0 of ") {
		t.Errorf("replay on fixed: exit %d, want 0 (none reproduces):\n%s", code, out)
	}
	// Some reproduce and some do not: a violation is still confirmed,
	// exit 1 as for any command, and the last line counts them.
	partPath := filepath.Join(t.TempDir(), "part.json")
	data = strings.Replace(string(before), `"variant": "seed"`, `"variant": "fixed"`, 1)
	if err := os.WriteFile(partPath, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI("replay", partPath)
	n := strings.Count(string(before), `"variant": "seed"`)
	if code != exitViolation || !strings.HasSuffix(out, fmt.Sprintf("%d of %d counterexamples confirmed\n", n-1, n)) || strings.Count(out, "NOT REPRODUCED") != 1 {
		t.Errorf("partial replay: exit %d, want 1 with %d of %d confirmed:\n%s", code, n-1, n, out)
	}
}

// TestExploreParallelDeterministic: the report is the same for any number
// of goroutines.
func TestExploreParallelDeterministic(t *testing.T) {
	_, a, _ := runCLI("explore", "--quiet", "--parallel", "1")
	_, b, _ := runCLI("explore", "--quiet", "--parallel", "4")
	if a != b {
		t.Errorf("explore output depends on --parallel")
	}
}

// TestFindingsDoc keeps docs/findings.md equal to what the tool finds.
func TestFindingsDoc(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("slow under -race and -short; the plain run checks it")
	}
	for _, doc := range []struct {
		file string
		args []string
	}{
		{"findings.md", []string{"findings"}},
		{"findings-umcg-2023.md", []string{"findings", "--protocol", "umcg-2023"}},
		{"findings-umcg-2023-nanos.md", []string{"findings", "--protocol", "umcg-2023", "--kernel", "nanos"}},
	} {
		code, out, errs := runCLI(doc.args...)
		if code != exitViolation {
			t.Fatalf("%v: exit %d, stderr %q", doc.args, code, errs)
		}
		path := filepath.Join("..", "..", "docs", doc.file)
		if *update {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != out {
			t.Errorf("docs/%s is stale: run go test ./cmd/umcgcheck -run TestFindingsDoc -update", doc.file)
		}
	}
}

// TestExploreDot: --dot draws a small graph (golden), refuses large ones
// and never overwrites a file.
func TestExploreDot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.dot")
	code, _, errs := runCLI("explore", "--config", "single", "--workers", "1", "--blocks", "0", "--quiet", "--dot", path)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	data, _ := os.ReadFile(path)
	golden(t, "dot-single-1-worker", string(data))
	if code, _, errs := runCLI("explore", "--config", "single", "--workers", "1", "--blocks", "0", "--quiet", "--dot", path); code != exitUsage || !strings.Contains(errs, "exists") {
		t.Errorf("second --dot: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCLI("explore", "--config", "probes", "--quiet", "--dot", filepath.Join(t.TempDir(), "big.dot")); code != exitUsage || !strings.Contains(errs, "more than 2000 states") {
		t.Errorf("--dot on a large graph: exit %d, stderr %q", code, errs)
	}
}

// TestSimTraceCheck: sim --trace records a model run that check accepts;
// the same trace with a poll that returns another worker is rejected, and
// check --html writes porcupine's visualization.
func TestSimTraceCheck(t *testing.T) {
	dir := t.TempDir()
	path, html, _ := traceAndHTML(t, dir)
	if st, err := os.Stat(html); err != nil || st.Size() < 1000 {
		t.Errorf("check --html wrote no visualization: %v", err)
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(string(data), "\n")
	changed := false
	for i, l := range lines {
		if strings.Contains(l, `"op":"poll_worker","phase":"followup","ret":"w2"`) {
			lines[i] = strings.Replace(l, `"ret":"w2"`, `"ret":"w3"`, 1)
			changed = true
			break
		}
	}
	if !changed {
		t.Fatal("no poll_worker followup returning w2 in the trace")
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644)
	if code, out, _ := runCLI("check", bad); code != exitViolation || !strings.Contains(out, "smallest failing partition") {
		t.Errorf("check of a mutated trace: exit %d\n%s", code, out)
	}
	if code, _, errs := runCLI("check", filepath.Join("..", "..", "traces", "testdata", "bad-unknown-op.jsonl")); code != exitUsage || strings.Count(errs, "\n") != 1 {
		t.Errorf("check of a bad trace: exit %d, stderr %q", code, errs)
	}
}

// TestLive: each workload on the emu backend records a trace that --check
// finds linearizable; a seeded bug is caught; the kernel backend, on a
// kernel without UMCG, says so in one line and exits 2.
func TestLive(t *testing.T) {
	dir := t.TempDir()
	for _, wl := range []string{"pipes", "sleep", "futex"} {
		path := filepath.Join(dir, wl+".jsonl")
		code, out, errs := runCLI("live", "--backend", "emu", "--workload", wl, "--out", path, "--check")
		if code != exitOK || !strings.Contains(out, "operations: linearizable") {
			t.Errorf("live %s: exit %d\n%s%s", wl, code, out, errs)
		}
	}
	caught := false
	for seed := 1; seed <= 5 && !caught; seed++ {
		code, _, _ := runCLI("live", "--bug", "lifo-queue", "--seed", strconv.Itoa(seed), "--out", filepath.Join(dir, "bug"+strconv.Itoa(seed)+".jsonl"), "--check")
		caught = code == exitViolation
	}
	if !caught {
		t.Errorf("live --bug lifo-queue: not caught in 5 runs")
	}
	code, _, errs := runCLI("live", "--backend", "kernel", "--out", filepath.Join(dir, "k.jsonl"))
	if code != exitUsage || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "no UMCG") {
		t.Errorf("live --backend kernel: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCLI("live", "--workload", "nosuch", "--out", filepath.Join(dir, "x.jsonl")); code != exitUsage {
		t.Errorf("live --workload nosuch: exit %d, stderr %q", code, errs)
	}
}

// traceAndHTML records a model run with sim --trace and checks it with
// check --html, both in dir; it fails the test unless both succeed and
// the trace is linearizable, and returns the files and check's output.
func traceAndHTML(t *testing.T, dir string) (trace, html, out string) {
	t.Helper()
	trace = filepath.Join(dir, "run.jsonl")
	if code, _, errs := runCLI("sim", "--variant", "fixed", "--run", "3", "--trace", trace); code != exitOK {
		t.Fatalf("sim --trace: exit %d, stderr %q", code, errs)
	}
	html = filepath.Join(dir, "run.html")
	code, out, errs := runCLI("check", "--html", html, trace)
	if code != exitOK || !strings.Contains(out, "linearizable") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	return trace, html, out
}

// TestIsTerminal: /dev/null is a character device but not a terminal, so
// `2>/dev/null` gets no progress lines; a pipe or a buffer is none either.
func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Errorf("%s taken for a terminal", os.DevNull)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(w) || isTerminal(&bytes.Buffer{}) {
		t.Errorf("a pipe or a buffer taken for a terminal")
	}
}

// TestLiveZeroIsDefault: live -h says 0 is the workload's default for
// --groups, --servers and --workers; --workers 0 records as no flag does.
func TestLiveZeroIsDefault(t *testing.T) {
	dir := t.TempDir()
	_, want, _ := runCLI("live", "--out", filepath.Join(dir, "a.jsonl"))
	code, got, errs := runCLI("live", "--groups", "0", "--servers", "0", "--workers", "0", "--out", filepath.Join(dir, "b.jsonl"))
	if code != exitOK {
		t.Fatalf("live --workers 0: exit %d, stderr %q", code, errs)
	}
	shape := regexp.MustCompile(`\(.*\)`)
	if shape.FindString(got) != shape.FindString(want) {
		t.Errorf("--workers 0 is not the default:\n%s\n%s", got, want)
	}
}

// TestScriptsRunTheBinary: the scripts whose exit-code checks tell a
// violation (1) from bad usage (2) or no answer (3) build the binary and
// run it: `go run` turns every non-zero exit into 1.
func TestScriptsRunTheBinary(t *testing.T) {
	root := filepath.Join("..", "..")
	paths := []string{filepath.Join(root, ".ci", "run")}
	for _, glob := range []string{"deploy/*", "bench/*.sh", "bench/*/*.sh"} {
		m, _ := filepath.Glob(filepath.Join(root, glob))
		paths = append(paths, m...)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			code, _, _ := strings.Cut(line, "#")
			if strings.Contains(code, "go run ./cmd/umcgcheck") || strings.Contains(code, "go run github.com/umcgcheck/umcgcheck/cmd/umcgcheck") {
				t.Errorf("%s:%d: runs umcgcheck with go run, which reports every failure as exit 1: %s", p, i+1, strings.TrimSpace(line))
			}
		}
	}
}
