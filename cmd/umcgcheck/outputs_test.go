package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputFileUnwritable: every output file option refuses, before any
// work (nothing on stdout), a file that cannot be created: in a directory
// that does not exist, under a regular file (left as it was), in a
// directory nobody may write (root may: then that case is skipped), and in
// one even root cannot write (/proc, where it exists). One error naming
// the file, exit 2.
func TestOutputFileUnwritable(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(file, []byte("kept\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(tmp, "read-only")
	if err := os.Mkdir(readOnly, 0o555); err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join(tmp, "missing"), file}
	if f, err := os.CreateTemp(readOnly, "probe"); err == nil {
		f.Close() // root: permission bits do not stop it
		os.Remove(f.Name())
	} else {
		dirs = append(dirs, readOnly)
	}
	if st, err := os.Stat("/proc/self"); err == nil && st.IsDir() {
		dirs = append(dirs, "/proc")
	}
	trace := filepath.Join("..", "..", "traces", "testdata", "server-worker.jsonl")
	explore := []string{"explore", "--config", "single", "--workers", "1", "--blocks", "0", "--quiet"}
	for _, dir := range dirs {
		path := filepath.Join(dir, "umcgcheck-out")
		cases := [][]string{
			{"check", "--html", path, trace},
			{"check", "--shrink", path, trace},
			{"replay", "--html", path, trace},
			append(explore, "--out", path),
			append(explore, "--dot", path),
			append(explore, "--html", path),
			append(explore, "--cpuprofile", path),
			append(explore, "--checkpoint", path),
			{"sim", "--config", "single", "--runs", "10", "--trace", path},
		}
		if dir != dirs[0] { // a missing directory for traces is created
			cases = append(cases, append(explore, "--emit-traces", filepath.Join(path, "traces")))
		}
		for _, args := range cases {
			code, out, errs := runCLI(args...)
			if code != exitUsage || out != "" || !strings.Contains(errs, dir) || strings.Count(errs, "\n") != 1 {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2, one error naming %s, no output", strings.Join(args, " "), code, out, errs, path)
			}
		}
	}
	if data, err := os.ReadFile(file); err != nil || string(data) != "kept\n" {
		t.Errorf("%s: %q, %v; want it as it was", file, data, err)
	}
}
