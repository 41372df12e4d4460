package sim

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// StepText is one step of a path in words. The protocol's Explain fills
// What, Result and Changes.
type StepText struct {
	N       int      `json:"n"`
	Thread  string   `json:"thread"`
	Action  string   `json:"action"`
	What    string   `json:"what"`
	Result  string   `json:"result,omitempty"`
	Changes []string `json:"changes,omitempty"`
}

// Explain replays actions from the initial state and describes each step.
// It stops at the first action that is not enabled.
func (m *Model[S, O]) Explain(actions []Action) []StepText {
	s := m.Init()
	var out []StepText
	var buf []Action
	for i, a := range actions {
		if buf = m.Enabled(&s, buf[:0]); !slices.Contains(buf, a) {
			break
		}
		before := s
		o := m.Step(&s, a)
		st := m.ExplainStep(&before, &s, &o)
		st.N, st.Thread, st.Action = i+1, m.threadName(a.Thread), m.actionName(a.Kind)
		out = append(out, st)
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
