// Package viewer writes counterexamples as one self-contained HTML page:
// a lane per thread, each step a box in its thread's lane, and the state
// after a step, in the protocol's words, shown when the step is clicked.
// It works for any protocol through sim.System; the page needs no network
// and no server (its CSS and JavaScript are inline), and the same
// counterexamples give the same bytes.
//
// A page shows every counterexample it is given, not only the first:
// explore reports each distinct violation, and one may be the one a user
// is after. They are listed at the top (property, its meaning, the
// message) with a link to each one's section.
package viewer

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/umcgcheck/umcgcheck/sim"
)

// Item is one counterexample to show, with the system it runs on.
type Item struct {
	System sim.System
	sim.Counterexample
	// Name names the configuration when it has a name ("core"); "" when not.
	Name string
	// Verdict, when set, says what re-checking the counterexample found
	// (replay: "confirmed: ..." or "NOT REPRODUCED: ...").
	Verdict string
}

// Page is the data the page shows: what Build derives from the items,
// and all that Write renders.
type Page struct {
	Title           string           `json:"title"`
	Counterexamples []Counterexample `json:"counterexamples"`
}

// Counterexample is one counterexample as the page shows it.
type Counterexample struct {
	ID       string `json:"id"` // "c1", "c2"...: the anchor of its section
	Config   string `json:"config"`
	Property string `json:"property"`
	Meaning  string `json:"meaning"` // the property's one-line documentation
	Class    string `json:"class"`   // invariant, step, deadlock, liveness
	Place    string `json:"place,omitempty"`
	Message  string `json:"message"`
	Verdict  string `json:"verdict,omitempty"`
	// Cycle says which steps repeat forever ("" when the path has no
	// cycle); their Steps have Cycle set.
	Cycle   string   `json:"cycle,omitempty"`
	Threads []string `json:"threads"` // one lane each, in thread order
	Initial []Line   `json:"initial"` // the initial state
	Steps   []Step   `json:"steps"`
	// Stopped says why the replay ended before the last step, or "".
	Stopped string `json:"stopped,omitempty"`
}

// Step is one step: a box in its thread's lane.
type Step struct {
	ID     string `json:"id"` // "c1-s5": clicking it (or opening the page at #c1-s5) shows its state
	N      int    `json:"n"`
	Lane   int    `json:"lane"` // index in Threads
	Action string `json:"action"`
	What   string `json:"what"`
	Result string `json:"result,omitempty"`
	// Event is sim.EventKernel or sim.EventFault, or "" for the thread's
	// own step.
	Event   string   `json:"event,omitempty"`
	Changes []string `json:"changes,omitempty"`
	Cycle   bool     `json:"cycle,omitempty"`
	// Last marks the step the violation is found at, on a path without a
	// cycle (on a lasso, the cycle is the violation).
	Last bool `json:"last,omitempty"`
	// Back, on a cycle's last step, names the step after which the cycle
	// began ("step 3", or "the initial state"): the state this step
	// returns to.
	Back  string `json:"back,omitempty"`
	State []Line `json:"state"` // the state after the step
}

// Line is one line of a state's description (a thread or an object);
// Changed is set when it differs from the previous state's.
type Line struct {
	Text    string `json:"text"`
	Changed bool   `json:"changed,omitempty"`
}

// Build replays each item's counterexample and derives what the page
// shows. Items are numbered in the order given.
func Build(title string, items []Item) Page {
	p := Page{Title: title, Counterexamples: []Counterexample{}}
	for i, it := range items {
		p.Counterexamples = append(p.Counterexamples, build(fmt.Sprintf("c%d", i+1), it))
	}
	return p
}

func build(id string, it Item) Counterexample {
	d := it.System.Describe()
	config := fmt.Sprint(d.Config)
	if it.Name != "" {
		config = it.Name + ": " + config
	}
	c := Counterexample{ID: id, Config: config, Property: it.Property, Place: it.Place, Message: it.Message,
		Verdict: it.Verdict, Threads: d.ThreadNames, Steps: []Step{}}
	if d.Protocol != "" {
		c.Config = d.Protocol + " " + c.Config
	}
	for _, info := range d.Properties {
		if info.ID == it.Property {
			c.Meaning, c.Class = info.Doc, info.Class
		}
	}
	if it.Loop >= 0 {
		c.Cycle = fmt.Sprintf("steps %d-%d repeat forever", it.Loop+1, len(it.Actions))
	}
	run := it.System.ExplainRun(it.Actions)
	prev := lines(run.Initial)
	c.Initial = diff(nil, prev)
	for i, st := range run.Steps {
		cur := lines(st.State)
		s := Step{ID: fmt.Sprintf("%s-s%d", id, st.N), N: st.N, Lane: int(it.Actions[i].Thread), Action: st.Action,
			What: st.What, Result: st.Result, Event: st.Event, Changes: st.Changes,
			Cycle: it.Loop >= 0 && i >= it.Loop, Last: it.Loop < 0 && i == len(it.Actions)-1, State: diff(prev, cur)}
		if it.Loop >= 0 && i == len(it.Actions)-1 {
			s.Back = "the initial state"
			if it.Loop > 0 {
				s.Back = fmt.Sprintf("the state after step %d", it.Loop)
			}
		}
		c.Steps = append(c.Steps, s)
		prev = cur
	}
	if len(run.Steps) < len(it.Actions) {
		c.Stopped = fmt.Sprintf("step %d is not enabled in this model: the replay stops there", len(run.Steps)+1)
	}
	return c
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// diff marks the lines of cur that differ from prev: line by line when
// both have as many lines (a thread's or an object's line keeps its
// place), else each line that prev does not have as it is (lines came or
// went, so places do not match). With no prev, nothing is marked.
func diff(prev, cur []string) []Line {
	out := make([]Line, len(cur))
	var had map[string]bool
	if prev != nil && len(prev) != len(cur) {
		had = make(map[string]bool, len(prev))
		for _, l := range prev {
			had[l] = true
		}
	}
	for i, l := range cur {
		out[i].Text = l
		switch {
		case prev == nil:
		case had == nil:
			out[i].Changed = prev[i] != l
		default:
			out[i].Changed = !had[l]
		}
	}
	return out
}

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"add": func(a, b int) int { return a + b },
}).Parse(pageHTML))

// Write renders p as one HTML page: html/template escapes every text the
// protocol gave.
func Write(w io.Writer, p Page) error {
	return pageTemplate.Execute(w, p)
}
