package sim

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// StepText is one step of a path in words. The protocol's Explain fills
// What, Result, Changes and Event.
type StepText struct {
	N       int      `json:"n"`
	Thread  string   `json:"thread"`
	Action  string   `json:"action"`
	What    string   `json:"what"`
	Result  string   `json:"result,omitempty"`
	Changes []string `json:"changes,omitempty"`
	// Event is set when the step is not the thread's own code: EventKernel
	// (the kernel acts on the thread: a blocking syscall completes, a
	// preemption) or EventFault (an injected fault: a signal, a failed
	// allocation or syscall, a death). Viewers mark such steps.
	Event string `json:"event,omitempty"`
}

// Events of a StepText.
const (
	EventKernel = "kernel"
	EventFault  = "fault"
)

// RunStep is one step of a Run: its words and the state after it.
type RunStep struct {
	StepText
	// State describes the state after the step (Model.DescribeState: one
	// line per thread or object).
	State string
}

// Run is a path replayed in words: what the initial state is and what
// each step did, as a viewer shows it.
type Run struct {
	Initial string // DescribeState of the initial state
	Steps   []RunStep
}

// ExplainRun replays actions from the initial state, as Explain does, and
// also describes the state after each step. It stops at the first action
// that is not enabled. Its StepTexts are those Explain returns.
func (m *Model[S, O]) ExplainRun(actions []Action) Run {
	s := m.Init()
	r := Run{Initial: m.DescribeState(&s)}
	var buf []Action
	for i, a := range actions {
		if buf = m.Enabled(&s, buf[:0]); !slices.Contains(buf, a) {
			break
		}
		before := s
		o := m.Step(&s, a)
		st := m.ExplainStep(&before, &s, &o)
		st.N, st.Thread, st.Action = i+1, m.threadName(a.Thread), m.actionName(a.Kind)
		r.Steps = append(r.Steps, RunStep{StepText: st, State: m.DescribeState(&s)})
	}
	return r
}

// Explain replays actions from the initial state and describes each step.
// It stops at the first action that is not enabled.
func (m *Model[S, O]) Explain(actions []Action) []StepText {
	var out []StepText
	for _, st := range m.ExplainRun(actions).Steps {
		out = append(out, st.StepText)
	}
	return out
}

// WriteText writes the steps as an aligned table.
func WriteText(w io.Writer, steps []StepText) {
	for _, st := range steps {
		line := fmt.Sprintf("%4d  %-4s %-8s %s", st.N, st.Thread, st.Action, st.What)
		if st.Result != "" {
			line += " => " + st.Result
		}
		if len(st.Changes) > 0 {
			line += "  [" + strings.Join(st.Changes, "; ") + "]"
		}
		fmt.Fprintln(w, line)
	}
}
