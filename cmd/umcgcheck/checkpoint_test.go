package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// umcgcheckIn runs umcgcheck (the test binary, in $PATH by TestMain) in
// dir, and returns its stdout, stderr and exit code.
func umcgcheckIn(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("umcgcheck", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// TestCheckpointKillResume: a real search killed (SIGKILL, with no chance
// to save: the last periodic checkpoint is used) or interrupted (SIGINT:
// it saves where it stopped and prints its INCOMPLETE report),
// then resumed from its checkpoint, prints the same report, byte for
// byte, and writes the same counterexample file as a search never
// interrupted. Each run works in a directory of its own with the same
// relative file names.
func TestCheckpointKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches for seconds")
	}
	search := []string{"explore", "--config", "default", "--workers", "3", "--quiet", "--out", "cex.json"}
	whole := t.TempDir()
	wantOut, _, wantCode := umcgcheckIn(t, whole, search...)
	wantCex, err := os.ReadFile(filepath.Join(whole, "cex.json"))
	if err != nil || wantCode != exitViolation {
		t.Fatalf("uninterrupted run: exit %d, %v", wantCode, err)
	}
	for _, sig := range []os.Signal{syscall.SIGKILL, os.Interrupt} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			ck := filepath.Join(dir, "search.ckpt")
			cmd := exec.Command("umcgcheck", append(search, "--checkpoint", "search.ckpt", "--checkpoint-every", "0")...)
			cmd.Dir = dir
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Checkpoints are written at every level and grow with the
			// search: wait for one of a search well under way (about a
			// fifth of the whole, past its first violations, which the
			// checkpoint must carry), far from done.
			waitUntil(t, cmd, &stderr, "no checkpoint", func() bool {
				st, err := os.Stat(ck)
				return err == nil && st.Size() > 4<<20
			})
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("the interrupted run: %v (did it finish before the signal?)", err)
			}
			if sig == os.Interrupt {
				// 3, or 1 once it has found a violation.
				if (ee.ExitCode() != exitIncomplete && ee.ExitCode() != exitViolation) || !strings.Contains(stdout.String(), "INCOMPLETE (stopped by signal)") ||
					!strings.Contains(stderr.String(), "continue it with the same flags and --resume search.ckpt") {
					t.Fatalf("interrupted: exit %d\nstdout %s\nstderr %s", ee.ExitCode(), stdout.String(), stderr.String())
				}
			}
			if sig == syscall.SIGKILL {
				if _, err := os.Stat(filepath.Join(dir, "cex.json")); err == nil {
					t.Fatal("the killed run wrote its counterexamples: it finished before the signal")
				}
			}
			// The interrupted run wrote what it had found; the resumed
			// one writes the whole.
			os.Remove(filepath.Join(dir, "cex.json"))
			// Resume, saving again into the same file.
			out, errs, code := umcgcheckIn(t, dir, append(search, "--resume", "search.ckpt", "--checkpoint", "search.ckpt")...)
			if code != wantCode || out != wantOut {
				t.Errorf("resumed: exit %d (want %d), stderr %q; stdout differs from the uninterrupted run's:\n%s\nwant\n%s", code, wantCode, errs, out, wantOut)
			}
			if cex, err := os.ReadFile(filepath.Join(dir, "cex.json")); err != nil || !bytes.Equal(cex, wantCex) {
				t.Errorf("resumed: counterexample file differs (%v)", err)
			}
		})
	}
}

// TestCheckpointRefusedByTheCLI: a checkpoint resumed with another search
// option or configuration, or damaged, is refused before any work with
// one line naming what is wrong, exit 2; so is a checkpoint over an
// existing file, and one for several configurations.
func TestCheckpointRefusedByTheCLI(t *testing.T) {
	dir := t.TempDir()
	_, errs, code := umcgcheckIn(t, dir, "explore", "--config", "core", "--quiet", "--checkpoint", "ck2", "--checkpoint-every", "0", "--max-depth", "30")
	if code == exitUsage {
		t.Fatal(errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, "ck2"))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(data)
	bad[len(bad)-3] ^= 0x40
	os.WriteFile(filepath.Join(dir, "bad"), bad, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", "core", "--resume", "ck2"}, "max-depth 30, this search has 0"},
		{[]string{"--config", "core", "--max-depth", "30", "--coverage", "--resume", "ck2"}, "coverage"},
		{[]string{"--config", "core", "--max-depth", "30", "--hash-seed", "3", "--resume", "ck2"}, "hash seed 0, this search has 3"},
		{[]string{"--config", "core", "--max-depth", "30", "--variant", "fixed", "--resume", "ck2"}, "configuration"},
		{[]string{"--config", "single", "--max-depth", "30", "--resume", "ck2"}, "configuration"},
		{[]string{"--protocol", "mutex", "--config", "default", "--max-depth", "30", "--resume", "ck2"}, "protocol"},
		{[]string{"--config", "core", "--max-depth", "30", "--resume", "bad"}, "damaged"},
		{[]string{"--config", "core", "--max-depth", "30", "--resume", "nosuch"}, "no such file"},
		{[]string{"--config", "core", "--checkpoint", "ck2"}, "exists"},
		{[]string{"--config", "all", "--checkpoint", "new"}, "one configuration"},
		{[]string{"--config", "core", "--checkpoint", "new", "--checkpoint-every", "-1s"}, "negative"},
	} {
		out, errs, code := umcgcheckIn(t, dir, append([]string{"explore", "--quiet"}, c.args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", c.args, code, out, errs, c.want)
		}
	}
}
