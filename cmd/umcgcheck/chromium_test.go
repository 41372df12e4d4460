package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestVisualizationRendersInChromium opens check --html's page in headless
// Chromium and asserts, from the rendered DOM, that every operation is
// drawn and that the operations and the model's states are described.
// .ci/run installs Chromium; without it the test is skipped.
func TestVisualizationRendersInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	_, html, out := traceAndHTML(t, dir)
	m := regexp.MustCompile(`: (\d+) operations: linearizable`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("check printed no operation count:\n%s", out)
	}
	ops, _ := strconv.Atoi(m[1])
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--virtual-time-budget=5000", "--dump-dom", "file://"+html)
	cmd.Stderr = nil
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	d := string(dom)
	if got := strings.Count(d, `class="history-rect"`); got != ops || ops == 0 {
		t.Errorf("the page draws %d operations; the trace has %d", got, ops)
	}
	for _, want := range []string{"poll_worker() request", "run_worker(w", "followup -&gt;", "waiters [", "RUNNING"} {
		if !strings.Contains(d, want) {
			t.Errorf("the rendered page does not show %q", want)
		}
	}
}
