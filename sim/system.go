package sim

import (
	"io"

	"github.com/umcgcheck/umcgcheck/props"
)

// System is a Model with its state types hidden: what a tool that handles
// any protocol (the CLI) needs. *Model[S, O] implements it.
type System interface {
	// Describe says what the system is: protocol, configuration,
	// threads, actions, symmetry and properties.
	Describe() Description
	// Explore searches every reachable state (see Explorer).
	Explore(e Explorer) Report
	// Walk runs seeded random walks (see Walks).
	Walk(w Walks) WalkResult
	// Confirm re-executes a counterexample and returns the message of the
	// violation it shows, or why it shows none.
	Confirm(c Counterexample) (string, error)
	// Shrink drops steps of a counterexample while Confirm accepts it.
	Shrink(c Counterexample) Counterexample
	// Explain replays actions and describes each step.
	Explain(actions []Action) []StepText
	// ExplainRun replays actions and describes each step and the state
	// after it (for viewers).
	ExplainRun(actions []Action) Run
	// WriteDot draws the state graph (see Model.WriteDot).
	WriteDot(w io.Writer, maxStates int) error
}

// Description is what a System is.
type Description struct {
	Protocol    string
	Config      any
	ThreadNames []string
	ActionNames []string
	// Symmetry names the classes of interchangeable threads, or says
	// there are none.
	Symmetry   string
	Properties []props.Info
}

// Describe implements System.
func (m *Model[S, O]) Describe() Description {
	sym := m.Symmetry
	switch {
	case m.Canonical == nil:
		sym = "none (no interchangeable threads)"
	case sym == "":
		sym = "on (the protocol does not name its classes)"
	}
	return Description{Protocol: m.Protocol, Config: m.Config, ThreadNames: m.ThreadNames,
		ActionNames: m.ActionNames, Symmetry: sym, Properties: props.Describe(m.Properties)}
}

// Thread finds a thread by name.
func (d Description) Thread(name string) (int8, bool) {
	for t, n := range d.ThreadNames {
		if n == name {
			return int8(t), true
		}
	}
	return 0, false
}

// Action finds an action kind by name.
func (d Description) Action(name string) (uint8, bool) {
	for k, n := range d.ActionNames {
		if n == name {
			return uint8(k), true
		}
	}
	return 0, false
}

// HasProperty reports whether the system has a property of that id.
func (d Description) HasProperty(id string) bool {
	for _, p := range d.Properties {
		if p.ID == id {
			return true
		}
	}
	return false
}
