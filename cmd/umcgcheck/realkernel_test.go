package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRealKernelTraces re-checks the traces that `umcgcheck live
// --backend kernel` recorded on the RFC's v0.1 kernel (docs/real-kernel.md)
// through the CLI, and demands the verdict and exit code that
// testdata/realkernel/expected.txt gives each: the check is
// deterministic, so a change of verdict is a change of the checker or of
// the model, to be explained.
func TestRealKernelTraces(t *testing.T) {
	checkExpectedVerdicts(t, filepath.Join("testdata", "realkernel"))
}

// checkExpectedVerdicts checks every trace of dir through the CLI and
// demands the exit code and verdict dir/expected.txt gives it; every
// trace of dir must have a line.
func checkExpectedVerdicts(t *testing.T, dir string) {
	f, err := os.Open(filepath.Join(dir, "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// FILE EXIT VERDICT...
		fields := strings.Fields(line)
		if len(fields) < 3 {
			t.Fatalf("expected.txt: bad line %q", line)
		}
		file, verdict := fields[0], strings.Join(fields[2:], " ")
		want, err := strconv.Atoi(fields[1])
		if err != nil {
			t.Fatalf("expected.txt: bad exit code in %q", line)
		}
		n++
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(dir, file)
			code, out, errs := runCLI("check", path)
			first, _, _ := strings.Cut(out, "\n")
			if code != want || !strings.HasSuffix(first, ": "+verdict) {
				t.Errorf("check %s: exit %d, %q; want exit %d, %q\n%s%s", path, code, first, want, verdict, out, errs)
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	traces := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".jsonl") {
			traces++
		}
	}
	if traces != n {
		t.Errorf("%d traces in %s, %d in expected.txt: every trace needs its expected verdict", traces, dir, n)
	}
}
