package sim

import (
	"fmt"
	"io"
	"strings"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	props "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// WriteDot draws the reachable state graph of m in Graphviz's DOT
// language: one node per state (each thread's state word, where it sleeps
// and its status), one edge per transition (thread and step). States that
// violate an invariant are red, terminal states are drawn twice circled.
// It refuses graphs of more than maxStates states, which would not be
// readable anyway.
func WriteDot(w io.Writer, m *model.Model, maxStates int) error {
	init := m.Init()
	ids := map[uint64]int{init.Fingerprint(): 0}
	states := []model.State{init}
	type edge struct {
		from, to int
		label    string
	}
	var edges []edge
	var buf []model.Action
	for i := 0; i < len(states); i++ {
		s := states[i]
		buf = m.Enabled(&s, buf[:0])
		for _, a := range buf {
			next := s
			o := m.Step(&next, a)
			fp := next.Fingerprint()
			id, ok := ids[fp]
			if !ok {
				if len(states) >= maxStates {
					return fmt.Errorf("the graph has more than %d states; use a smaller configuration", maxStates)
				}
				id = len(states)
				ids[fp] = id
				states = append(states, next)
			}
			label := m.ThreadName(int(a.Thread)) + " " + o.Label
			if o.Returned {
				label += fmt.Sprintf(" => %s", RetString(m, o.Call, o.Ret))
			}
			edges = append(edges, edge{i, id, label})
		}
	}
	fmt.Fprintf(w, "digraph umcg {\n  // %s\n  node [shape=box, fontname=\"monospace\", fontsize=9];\n  edge [fontname=\"monospace\", fontsize=8];\n", m.Config())
	for i := range states {
		s := &states[i]
		var parts []string
		for t := 0; t < int(s.N); t++ {
			th := &s.T[t]
			p := m.ThreadName(t) + " " + th.Word.String()
			if th.Sleep != model.Awake {
				p += " (" + th.Sleep.String() + ")"
			}
			if th.Status != model.Alive {
				p += " " + th.Status.String()
			}
			parts = append(parts, p)
		}
		attrs := ""
		if len(props.CheckState(m, s, m.Terminal(s), nil)) > 0 {
			attrs += ", color=red, fontcolor=red"
		}
		if m.Terminal(s) {
			attrs += ", peripheries=2"
		}
		fmt.Fprintf(w, "  s%d [label=%s%s];\n", i, dotQuote(strings.Join(parts, "\n")), attrs)
	}
	for _, e := range edges {
		fmt.Fprintf(w, "  s%d -> s%d [label=%s];\n", e.from, e.to, dotQuote(e.label))
	}
	fmt.Fprintln(w, "}")
	return nil
}

// dotQuote quotes s for DOT: quotes and backslashes escaped, newlines as \n.
func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}
