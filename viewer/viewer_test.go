package viewer_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/toy/mutex"
	"github.com/umcgcheck/umcgcheck/model/toy/twophase"
	"github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/sim"
	"github.com/umcgcheck/umcgcheck/viewer"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./viewer -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update if the change is intended)\n--- got ---\n%s", path, got)
	}
}

// items explores sys and returns every counterexample it finds.
func items(t *testing.T, name string, sys sim.System) []viewer.Item {
	t.Helper()
	r := sys.Explore(sim.Explorer{Workers: 1})
	if len(r.Violations) == 0 {
		t.Fatalf("%s: no violation to show", name)
	}
	var out []viewer.Item
	for _, c := range r.Violations {
		out = append(out, viewer.Item{System: sys, Counterexample: c, Name: name})
	}
	return out
}

func mutexSystem(t *testing.T, lock string) sim.System {
	t.Helper()
	m, err := mutex.New(mutex.Config{Processes: 2, Lock: lock})
	if err != nil {
		t.Fatal(err)
	}
	return m.Engine()
}

// TestPageData pins what the page shows for the mutex toy's known
// counterexamples: racy's mutual-exclusion violation in 6 steps (a safety
// violation) and spin's busy-wait lasso (a cycle).
func TestPageData(t *testing.T) {
	its := append(items(t, "racy", mutexSystem(t, "racy")), items(t, "spin", mutexSystem(t, "spin"))...)
	p := viewer.Build("mutex", its)
	var data bytes.Buffer
	enc := json.NewEncoder(&data)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		t.Fatal(err)
	}
	golden(t, "mutex.json", data.Bytes())

	var racy, lasso *viewer.Counterexample
	for i := range p.Counterexamples {
		c := &p.Counterexamples[i]
		if c.Property == "mutual-exclusion" && racy == nil {
			racy = c
		}
		if c.Cycle != "" && lasso == nil {
			lasso = c
		}
	}
	if racy == nil || len(racy.Steps) != 6 {
		t.Fatalf("racy: want a 6-step mutual-exclusion counterexample, got %+v", racy)
	}
	if last := racy.Steps[5]; !last.Last || !changedLine(last.State, "critical") {
		t.Errorf("racy's last step should be the violation and mark the process now critical: %+v", last)
	}
	if lasso == nil {
		t.Fatal("spin: no lasso on the page")
	}
	cycle := 0
	for _, s := range lasso.Steps {
		if s.Cycle {
			cycle++
		}
	}
	if cycle == 0 || !lasso.Steps[len(lasso.Steps)-1].Cycle || lasso.Steps[0].Cycle {
		t.Errorf("the lasso's cycle is not its last %d steps: %s", cycle, lasso.Cycle)
	}
	if end := lasso.Steps[len(lasso.Steps)-1]; end.Last || end.Back == "" {
		t.Errorf("a lasso's last step must say which state it returns to, not be marked the violation: %+v", end)
	}
}

func changedLine(ls []viewer.Line, word string) bool {
	for _, l := range ls {
		if l.Changed && strings.Contains(l.Text, word) {
			return true
		}
	}
	return false
}

// TestEveryProtocol builds the page for a counterexample of each protocol
// and checks what the page must show whatever the protocol: every step in
// its thread's lane with the state after it, and the kernel events and
// faults marked where the protocol has them, the same bytes on every run,
// and nothing loaded from outside the page.
func TestEveryProtocol(t *testing.T) {
	core, _ := umcg01.NamedConfig("core")
	m01, err := umcg01.New(core)
	if err != nil {
		t.Fatal(err)
	}
	m23, err := umcg2023.New(umcg2023.Configs["wait-for"])
	if err != nil {
		t.Fatal(err)
	}
	tp, err := twophase.New(twophase.Config{RMs: 2, Bug: "eager-commit"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		sys    sim.System
		events []string // the events some step of some counterexample must have
	}{
		{"umcg01 core", m01.Engine(), []string{sim.EventKernel, sim.EventFault}},
		{"umcg-2023 wait-for", m23.Engine(), []string{sim.EventKernel}},
		{"twophase eager-commit", tp.Engine(), nil},
		{"mutex spin", mutexSystem(t, "spin"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := viewer.Build(tc.name, items(t, tc.name, tc.sys))
			seen := map[string]bool{}
			for _, c := range p.Counterexamples {
				if c.Meaning == "" || c.Property == "" || len(c.Initial) == 0 {
					t.Errorf("%s: property, meaning or initial state missing", c.ID)
				}
				for _, s := range c.Steps {
					if len(s.State) == 0 || s.What == "" || s.Lane < 0 || s.Lane >= len(c.Threads) {
						t.Errorf("%s: step with no state, words or lane: %+v", s.ID, s)
					}
					seen[s.Event] = true
				}
			}
			for _, e := range tc.events {
				if !seen[e] {
					t.Errorf("no step is marked %q", e)
				}
			}
			var a, b bytes.Buffer
			if err := viewer.Write(&a, p); err != nil {
				t.Fatal(err)
			}
			if err := viewer.Write(&b, viewer.Build(tc.name, items(t, tc.name, tc.sys))); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("two runs wrote different pages")
			}
			for _, remote := range []string{"http:", "https:", " src=", "<link", "@import", "url("} {
				if bytes.Contains(a.Bytes(), []byte(remote)) {
					t.Errorf("the page refers to something outside it (%q)", remote)
				}
			}
		})
	}
}

// TestWriteEscapes writes a page whose every text is hostile: none of it
// may reach the page as markup.
func TestWriteEscapes(t *testing.T) {
	evil := `<img src=x onerror=alert(1)>"'&`
	p := viewer.Page{Title: evil, Counterexamples: []viewer.Counterexample{{
		ID: "c1", Config: evil, Property: evil, Meaning: evil, Message: evil, Place: evil, Verdict: evil, Cycle: evil,
		Threads: []string{evil}, Initial: []viewer.Line{{Text: evil}},
		Steps: []viewer.Step{{ID: "c1-s1", N: 1, Action: evil, What: evil, Result: evil, Event: evil, Back: evil,
			Changes: []string{evil}, State: []viewer.Line{{Text: evil, Changed: true}}}},
	}}}
	var buf bytes.Buffer
	if err := viewer.Write(&buf, p); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	// Quotes escaped too: a text in an attribute (the step's class) cannot
	// end it and add one of its own.
	if strings.Contains(page, "<img") || strings.Contains(page, `"'&`) {
		t.Errorf("a text reached the page as markup:\n%s", page)
	}
	// Every field is on the page, escaped, in each of its 29 places.
	if n := strings.Count(page, "&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&amp;"); n != 29 {
		t.Errorf("the escaped text is on the page %d times, want 29:\n%s", n, page)
	}
}

// TestStoppedReplay: a saved counterexample the model no longer runs to
// its end (replay of an old file) is drawn up to the step that is not
// enabled, and the page says where it stopped.
func TestStoppedReplay(t *testing.T) {
	sys := mutexSystem(t, "racy")
	it := items(t, "racy", sys)[0]
	it.Actions = append(append([]sim.Action(nil), it.Actions[:2]...), sim.Action{Kind: 9, Thread: 0})
	c := viewer.Build("", []viewer.Item{it}).Counterexamples[0]
	if len(c.Steps) != 2 || c.Stopped != "step 3 is not enabled in this model: the replay stops there" {
		t.Errorf("got %d steps, stopped %q", len(c.Steps), c.Stopped)
	}
}
