package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestExploreSignal: SIGINT or SIGTERM in the middle of a long search
// does not throw the results away: the configurations done are reported,
// the interrupted one is INCOMPLETE "stopped by signal", the others are
// not started, and the exit code is 3 (nothing violated, no answer).
// umcgcheck is the test binary itself, put in $PATH by testscript.Main.
func TestExploreSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search for seconds")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command("umcgcheck", "explore", "--variant", "fixed", "--config", "all", "--workers", "4", "--progress")
			var stdout, stderr lockedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the second configuration's progress: the first
			// (core) is done, the second (default, with 4 workers) takes
			// minutes.
			waitUntil(t, cmd, &stderr, "no progress on the second configuration", func() bool {
				return strings.Contains(stderr.String(), "default: ")
			})
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			out := stdout.String()
			if code != exitIncomplete {
				t.Errorf("exit %d, want %d; stderr %q", code, exitIncomplete, stderr.String())
			}
			for _, want := range []string{
				"config core: ", "complete; liveness: lassos", // done before the signal
				"INCOMPLETE (stopped by signal)", // the one interrupted
				"config single: ", "INCOMPLETE: not started (stopped by signal)",
				fmt.Sprintf("summary: %d configuration(s)", len(model.ConfigNames())),
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(stderr.String(), "finishing the report") {
				t.Errorf("stderr does not say the signal was taken: %q", stderr.String())
			}
		})
	}
}

// waitUntil polls ready until it holds; after 60 s it kills cmd and fails
// the test with what it waited for and cmd's stderr.
func waitUntil(t *testing.T, cmd *exec.Cmd, stderr *lockedBuffer, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ready() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%s in 60s; stderr %q", what, stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
