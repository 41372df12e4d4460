package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/umcgcheck/umcgcheck/sim"
)

// TestProgressLine: on a terminal the line is redrawn in place (carriage
// return, erased to its end, no newline); elsewhere each report is a line
// of its own. The estimate shows only when the engine made one.
func TestProgressLine(t *testing.T) {
	p := sim.Progress{States: 1000, Depth: 7, Queue: 50, Elapsed: time.Second, Remaining: 2000, Estimated: true}
	var term, log bytes.Buffer
	writeProgress(&term, true, "default", p)
	writeProgress(&log, false, "default", p)
	if s := term.String(); !strings.HasPrefix(s, "\rdefault: 1000 states, 1000 states/s, depth 7, queue 50, memory ") ||
		!strings.HasSuffix(s, "estimate ~2000 states left (~2s)"+clearToEOL) {
		t.Errorf("terminal: %q", s)
	}
	if s := log.String(); strings.Contains(s, "\r") || !strings.HasSuffix(s, "estimate ~2000 states left (~2s)\n") {
		t.Errorf("log: %q", s)
	}
	log.Reset()
	p.Estimated = false
	writeProgress(&log, false, "default", p)
	if s := log.String(); !strings.HasSuffix(s, "no estimate (the frontier is not narrowing)\n") {
		t.Errorf("no estimate: %q", s)
	}
}

// TestNeverReachedIsAViolation: a reachability property a complete search
// never reached is printed as such and exits 1; one an incomplete search
// did not reach is INCOMPLETE (exit 3), never a pass.
func TestNeverReachedIsAViolation(t *testing.T) {
	r := exploreResult{Name: "x", States: 10, Complete: true, Violations: []exploreViolation{},
		Reachability: []reachResult{{Property: "reach-a", Verdict: reached, Steps: 2}, {Property: "reach-b", Verdict: neverReached}}}
	if code := r.foldCode(exitOK); code != exitViolation {
		t.Errorf("never reached: exit %d", code)
	}
	var out bytes.Buffer
	writeExploreSummary(&out, []exploreResult{r}, "")
	writeReachability(&out, r)
	if s := out.String(); !strings.Contains(s, "1 distinct violations of 1 properties: reach-b") || !strings.Contains(s, "NEVER REACHED reach-b") ||
		!strings.Contains(s, "reachability: 1 of 2 reached") {
		t.Errorf("output:\n%s", s)
	}
	r.Complete, r.Stopped, r.Reachability[1].Verdict = false, "max-states", notReached
	if code := r.foldCode(exitOK); code != exitIncomplete {
		t.Errorf("not reached, incomplete: exit %d", code)
	}
}
