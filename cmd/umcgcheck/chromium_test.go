package main

import (
	"context"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/viewer"
)

// renderedDOM opens url in headless Chromium and returns the DOM once the
// page's scripts have run. .ci/run installs Chromium; without it the test
// is skipped.
func renderedDOM(t *testing.T, dir, url string) string {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (.ci/run installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--virtual-time-budget=5000", "--dump-dom", url)
	cmd.Stderr = nil
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return string(dom)
}

// TestVisualizationRendersInChromium opens check --html's page in headless
// Chromium and asserts, from the rendered DOM, that every operation is
// drawn and that the operations and the model's states are described.
func TestVisualizationRendersInChromium(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	_, page, out := traceAndHTML(t, dir)
	m := regexp.MustCompile(`: (\d+) operations: linearizable`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("check printed no operation count:\n%s", out)
	}
	ops, _ := strconv.Atoi(m[1])
	d := renderedDOM(t, dir, "file://"+page)
	if got := strings.Count(d, `class="history-rect"`); got != ops || ops == 0 {
		t.Errorf("the page draws %d operations; the trace has %d", got, ops)
	}
	for _, want := range []string{"poll_worker() request", "run_worker(w", "followup -&gt;", "waiters [", "RUNNING"} {
		if !strings.Contains(d, want) {
			t.Errorf("the rendered page does not show %q", want)
		}
	}
}

// TestViewerRendersInChromium writes explore --html's page for the seed's
// core configuration (seven counterexamples, one a lasso, with kernel
// events and faults), opens it in headless Chromium at #c1-s10, which
// makes the page click step 10 of the first counterexample, and reads the
// state panel back from the DOM: it must show the state after that step,
// line for line, with the lines that changed marked, as the page's data
// (viewer.Build over the counterexamples explore --out saved) says.
func TestViewerRendersInChromium(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	page, saved := filepath.Join(dir, "cex.html"), filepath.Join(dir, "cex.json")
	if code, out, errs := runCLI("explore", "--config", "core", "--quiet", "--html", page, "--out", saved); code != exitViolation {
		t.Fatalf("explore: exit %d\n%s%s", code, out, errs)
	}
	data, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := sim.ReadFile(data, load)
	if err != nil {
		t.Fatal(err)
	}
	var items []viewer.Item
	for _, c := range cs {
		items = append(items, viewer.Item{System: c.System, Counterexample: c.Counterexample})
	}
	built := viewer.Build("", items).Counterexamples
	want := built[0].Steps[9]
	if want.ID != "c1-s10" {
		t.Fatalf("step 10 of the first counterexample is %s", want.ID)
	}

	d := renderedDOM(t, dir, "file://"+page+"#c1-s10")
	panel := regexp.MustCompile(`(?s)<aside class="panel" id="c1-panel">(.*?)</aside>`).FindStringSubmatch(d)
	if panel == nil {
		t.Fatalf("no state panel for the first counterexample in the rendered page")
	}
	if !strings.Contains(panel[1], `data-step="c1-s10"`) {
		t.Fatalf("the panel does not show step 10's state:\n%s", panel[1])
	}
	var got []viewer.Line
	for _, m := range regexp.MustCompile(`<div class="line( changed)?">(.*?)</div>`).FindAllStringSubmatch(panel[1], -1) {
		got = append(got, viewer.Line{Text: html.UnescapeString(m[2]), Changed: m[1] != ""})
	}
	if len(got) != len(want.State) {
		t.Fatalf("the panel shows %d state lines, want %d:\n%s", len(got), len(want.State), panel[1])
	}
	changed := 0
	for i := range got {
		if got[i] != want.State[i] {
			t.Errorf("state line %d: the panel shows %+v, want %+v", i+1, got[i], want.State[i])
		}
		if got[i].Changed {
			changed++
		}
	}
	if changed == 0 {
		t.Errorf("step 10 (%s) changes the state, but no line of the panel is marked", want.What)
	}
	if !strings.Contains(panel[1], html.EscapeString(want.What)) {
		t.Errorf("the panel does not say what step 10 did (%q)", want.What)
	}
	// Another counterexample's panel starts at its last step.
	last := built[1].Steps[len(built[1].Steps)-1].ID
	if !regexp.MustCompile(`<aside class="panel" id="c2-panel"><h3>[^<]*</h3>(?s:.*?)data-step="` + last + `"`).MatchString(d) {
		t.Errorf("the second counterexample's panel does not start at its last step, %s", last)
	}
}
