package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLiveBackendFirst: the kernel backend on a kernel without UMCG says
// so in one line and exits 2 whatever else the command line says, and
// writes no file; --syscall-base is the kernel's alone.
func TestLiveBackendFirst(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no-umcg-unused-number", []string{"live", "--backend", "kernel", "--syscall-base", "100000"}, "syscall 100000) failed with ENOSYS"},
		{"no-umcg-v01-numbers", []string{"live", "--backend", "kernel"}, "this kernel has no UMCG"},
		{"no-umcg-with-check", []string{"live", "--backend", "kernel", "--syscall-base", "100000", "--check", "--workload", "futex"}, "this kernel has no UMCG"},
		{"base-on-emu", []string{"live", "--backend", "emu", "--syscall-base", "451"}, "--syscall-base: only the kernel backend"},
		{"base-too-big", []string{"live", "--backend", "kernel", "--syscall-base", "99999999"}, "is not a syscall number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(c.args...)
			if code == exitOK {
				t.Skipf("exit 0: a UMCG kernel at these numbers? %s", out)
			}
			if code != exitUsage || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 || out != "" {
				t.Fatalf("want exit 2 and one line with %q, got exit %d, stdout %q, stderr %q", c.want, code, out, errs)
			}
			if ents, _ := os.ReadDir("."); len(ents) != 0 {
				t.Errorf("files written: %v", ents)
			}
		})
	}
}

// TestLiveDefaultOut: without --out the trace goes to
// live-BACKEND-WORKLOAD-SEED.jsonl, then -2, -3, ...; an existing file is
// never overwritten, and an --out that exists is refused before the run.
func TestLiveDefaultOut(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("live-emu-sleep-4.jsonl", []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"live-emu-sleep-4-2.jsonl", "live-emu-sleep-4-3.jsonl", "live-emu-pipes-1.jsonl"} {
		args := []string{"live", "--workload", "sleep", "--seed", "4"}
		if i == 2 {
			args = []string{"live"}
		}
		code, out, errs := runCLI(args...)
		if code != exitOK || !strings.HasPrefix(out, want+": ") {
			t.Fatalf("%v: want exit 0 and %s named, got %d %q %q", args, want, code, out, errs)
		}
		if _, err := os.Stat(want); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile("live-emu-sleep-4.jsonl"); string(b) != "mine\n" {
		t.Errorf("an existing file was overwritten")
	}
	code, out, errs := runCLI("live", "--out", "live-emu-sleep-4.jsonl")
	if code != exitUsage || out != "" || !strings.Contains(errs, "exists; not overwriting it") {
		t.Errorf("--out FILE that exists: exit %d, %q %q", code, out, errs)
	}
}

// TestLiveIsolated: `live --isolate` runs in a child process (this test
// binary, through TestMain) and gives the verdicts of the run in process,
// in table form.
func TestLiveIsolated(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"pipes", []string{"--workload", "pipes", "--seed", "2"}, exitOK, ": linearizable"},
		{"futex", []string{"--workload", "futex", "--seed", "3"}, exitOK, ": linearizable"},
		{"sleep-small", []string{"--workload", "sleep", "--groups", "1", "--workers", "2"}, exitOK, ": linearizable"},
		{"wrong-errno", []string{"--bug", "wrong-errno", "--seed", "1"}, exitViolation, ": not linearizable"},
		{"hang-killed", []string{"--bug", "block-no-wake", "--groups", "1", "--servers", "1", "--timeout", "1m", "--kill-after", "3s"}, exitViolation, "DIED: child timed out after"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".jsonl")
			args := append([]string{"live", "--isolate", "--check", "--out", out}, c.args...)
			code, stdout, stderr := runCLI(args...)
			if code != c.code || !strings.Contains(stdout, c.want) || !strings.Contains(stdout, "in a child process") {
				t.Fatalf("%v: want exit %d and %q, got %d\n%s%s", args, c.code, c.want, code, stdout, stderr)
			}
			if code, s, e := runCLI("check", out); (code == exitOK) != (c.code == exitOK) && c.name != "hang-killed" {
				t.Errorf("check %s: exit %d\n%s%s", out, code, s, e)
			}
		})
	}
}
