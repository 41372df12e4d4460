package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	for _, want := range []string{"poll_worker() request", "run_worker(w", "followup -&gt;", "queue of g", "RUNNING"} {
		if !strings.Contains(d, want) {
			t.Errorf("the rendered page does not show %q", want)
		}
	}
	// Rows are named by task; a linearizable trace opens at its start,
	// nothing selected.
	if got, want := strings.Join(rowNames(d), " "), "s0 s1 w2 w3"; got != want {
		t.Errorf("rows are named %q, want %q", got, want)
	}
	if strings.Contains(d, "history-rect selected") || !strings.Contains(d, `data-opened-at="0,0"`) {
		t.Error("the page of a linearizable trace does not open at its start")
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
	// Kernel events, faults and the lasso's cycle are drawn marked: the
	// core configuration has each.
	for _, mark := range []string{`class="step kernel`, `class="step fault`, `class="step[^"]* cycle`, "back to the state after step"} {
		if !regexp.MustCompile(mark).MatchString(d) {
			t.Errorf("the rendered page has no step marked %q", mark)
		}
	}
	// Another counterexample's panel starts at its last step.
	last := built[1].Steps[len(built[1].Steps)-1].ID
	if !regexp.MustCompile(`<aside class="panel" id="c2-panel"><h3>[^<]*</h3>(?s:.*?)data-step="` + last + `"`).MatchString(d) {
		t.Errorf("the second counterexample's panel does not start at its last step, %s", last)
	}
}

// failingAfterPassingTrace writes a trace of two partitions: a model run
// of group g0 (linearizable), then, after it in time, the not
// linearizable run of testdata/not-linearizable.jsonl with its tasks and
// group renamed s9, w9 and g9. The first failure is far to the right of
// the page's start.
func failingAfterPassingTrace(t *testing.T, dir string) string {
	t.Helper()
	passing := filepath.Join(dir, "passing.jsonl")
	if code, _, errs := runCLI("sim", "--variant", "fixed", "--run", "3", "--trace", passing); code != exitOK {
		t.Fatalf("sim --trace: exit %d, stderr %q", code, errs)
	}
	read := func(path string) []map[string]any {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var recs []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		return recs
	}
	good, bad := read(passing), read(filepath.Join("testdata", "not-linearizable.jsonl"))
	rename := map[string]string{"s1": "s9", "w1": "w9", "g1": "g9"}
	header := good[0]
	header["tasks"] = append(header["tasks"].([]any), "s9", "w9")
	header["groups"] = append(header["groups"].([]any), "g9")
	end := 0.0
	for _, r := range good[1:] {
		end = max(end, r["return"].(float64))
	}
	out := good
	for _, r := range bad[1:] {
		r["thread"] = rename[r["thread"].(string)]
		args, _ := r["args"].(map[string]any) // events have none
		for k, v := range args {
			if s, ok := v.(string); ok && rename[s] != "" {
				args[k] = rename[s]
			}
		}
		if s, ok := r["ret"].(string); ok && rename[s] != "" {
			r["ret"] = rename[s]
		}
		r["call"], r["return"] = r["call"].(float64)+end, r["return"].(float64)+end
		out = append(out, r)
	}
	var buf bytes.Buffer
	for _, r := range out {
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(line, '\n'))
	}
	path := filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rowNames are the labels of the rows of check --html's rendered page.
func rowNames(dom string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`<text x="[0-9.]+" y="[0-9.]+" text-anchor="end">([^<]*)</text>`).FindAllStringSubmatch(dom, -1) {
		names = append(names, html.UnescapeString(m[1]))
	}
	return names
}

// TestCheckPageOpensAtFirstFailure renders check --html's page of a trace
// whose failure comes after a long linearizable part: the rows are named
// by task (porcupine numbers them), and the page opens scrolled to the
// first failing operation, with the last operation linearized before it
// selected, as porcupine's "jump to first error" link does.
func TestCheckPageOpensAtFirstFailure(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	trace, page := failingAfterPassingTrace(t, dir), filepath.Join(dir, "check.html")
	if code, out, errs := runCLI("check", "--html", page, trace); code != exitViolation || !strings.Contains(out, "group g9          17 operations: not linearizable") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	d := renderedDOM(t, dir, "file://"+page)
	if got, want := strings.Join(rowNames(d), " "), "s0 s1 w2 w3 s9 w9"; got != want {
		t.Errorf("rows are named %q, want %q (each task's row, partition by partition)", got, want)
	}
	sel := regexp.MustCompile(`class="history-rect selected"[^>]*></rect><text[^>]*>([^<]*)</text>`).FindAllStringSubmatch(d, -1)
	if len(sel) != 1 || !strings.HasPrefix(sel[0][1], "s9: ") && !strings.HasPrefix(sel[0][1], "w9: ") {
		t.Errorf("want one operation of the failing group selected, got %q", sel)
	}
	m := regexp.MustCompile(`data-opened-at="(\d+),(\d+)"`).FindStringSubmatch(d)
	if m == nil {
		t.Fatal("the page did not record where it opened")
	}
	if x, _ := strconv.Atoi(m[1]); x == 0 {
		t.Error("the page opened at the start of the trace, not at its first failure")
	}
}
