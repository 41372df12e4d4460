package sim

import (
	"fmt"
	"io"
	"strings"

	"github.com/umcgcheck/umcgcheck/props"
)

// WriteDot draws the reachable state graph in Graphviz's DOT language: one
// node per state (DescribeState), one edge per transition (thread and
// LabelStep), with no reduction. States that violate an invariant are
// red, terminal states are drawn twice circled. It refuses graphs of more
// than maxStates states, which would not be readable anyway.
func (m *Model[S, O]) WriteDot(w io.Writer, maxStates int) error {
	m.mustBeValid()
	init := m.Init()
	fp := m.fingerprinter(0)
	ids := map[uint64]int{fp.of(&init): 0}
	states := []S{init}
	type edge struct {
		from, to int
		label    string
	}
	var edges []edge
	var buf []Action
	for i := 0; i < len(states); i++ {
		s := states[i]
		buf = m.Enabled(&s, buf[:0])
		for _, a := range buf {
			next := s
			o := m.Step(&next, a)
			f := fp.of(&next)
			id, ok := ids[f]
			if !ok {
				if len(states) >= maxStates {
					return fmt.Errorf("the graph has more than %d states; use a smaller configuration", maxStates)
				}
				id = len(states)
				ids[f] = id
				states = append(states, next)
			}
			edges = append(edges, edge{i, id, m.threadName(a.Thread) + " " + m.LabelStep(&o)})
		}
	}
	fmt.Fprintf(w, "digraph %s {\n  // %s\n  node [shape=box, fontname=\"monospace\", fontsize=9];\n  edge [fontname=\"monospace\", fontsize=8];\n",
		dotID(m.Protocol), m.Config)
	for i := range states {
		s := &states[i]
		attrs := ""
		if len(props.CheckState(m.Properties, s, m.terminal(s), nil)) > 0 {
			attrs += ", color=red, fontcolor=red"
		}
		if m.terminal(s) {
			attrs += ", peripheries=2"
		}
		fmt.Fprintf(w, "  s%d [label=%s%s];\n", i, dotQuote(m.DescribeState(s)), attrs)
	}
	for _, e := range edges {
		fmt.Fprintf(w, "  s%d -> s%d [label=%s];\n", e.from, e.to, dotQuote(e.label))
	}
	fmt.Fprintln(w, "}")
	return nil
}

// dotID is name as a DOT identifier: letters, digits and underscores.
func dotID(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
}

// dotQuote quotes s for DOT: quotes and backslashes escaped, newlines as \n.
func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}
