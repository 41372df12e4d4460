// Package twophase is a toy protocol for testing the engine: Lamport's
// two-phase commit (the TwoPhase specification of the TLA+ examples), one
// transaction manager and N resource managers exchanging messages through
// a set that only grows. Its answers are known: the protocol keeps
// consistency and every resource manager decides under weak fairness; the
// bug "eager-commit" (the manager commits as soon as one resource manager
// is prepared) breaks consistency in 5 steps, no fewer.
package twophase

import (
	"fmt"
	"strings"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// Resource manager states.
const (
	Working = iota
	Prepared
	Committed
	Aborted
)

var rmNames = [...]string{"working", "prepared", "committed", "aborted"}

// MaxRMs bounds Config.RMs.
const MaxRMs = 8

// Config is one closed instance.
type Config struct {
	RMs int    `json:"rms"`
	Bug string `json:"bug,omitempty"` // "" or eager-commit
}

func (c Config) String() string {
	s := fmt.Sprintf("rms=%d", c.RMs)
	if c.Bug != "" {
		s += " bug=" + c.Bug
	}
	return s
}

// State is the whole system: the manager's state and the resource managers
// it has seen prepared, each resource manager's state, and the messages
// sent (bit i of Prepared: resource manager i said prepared).
type State struct {
	TMDone              bool
	TMPrepared          uint8
	RM                  [MaxRMs]uint8
	Prepared            uint8
	CommitMsg, AbortMsg bool
}

// Action kinds. The manager (thread 0) receives resource manager i's
// Prepared message as kind actRcvPrepared+i; resource manager i is thread
// i+1.
const (
	actTMCommit = iota
	actTMAbort
	actPrepare
	actChooseAbort
	actRcvCommit
	actRcvAbort
	actRcvPrepared // + the resource manager's index
)

// Observation is what a step did.
type Observation struct {
	Action sim.Action
	What   string
}

// Model is a configured instance.
type Model struct {
	cfg Config
}

// New checks c and builds its model.
func New(c Config) (*Model, error) {
	switch {
	case c.RMs < 1 || c.RMs > MaxRMs:
		return nil, fmt.Errorf("rms: %d is out of range 1..%d", c.RMs, MaxRMs)
	case c.Bug != "" && c.Bug != "eager-commit":
		return nil, fmt.Errorf("bug: unknown bug %q (known: eager-commit)", c.Bug)
	}
	return &Model{cfg: c}, nil
}

func (m *Model) all() uint8 { return uint8(1<<m.cfg.RMs - 1) }

func (m *Model) canCommit(s *State) bool {
	if m.cfg.Bug == "eager-commit" {
		return s.TMPrepared != 0
	}
	return s.TMPrepared == m.all()
}

func (m *Model) enabled(s *State, buf []sim.Action) []sim.Action {
	tm := func(k int) { buf = append(buf, sim.Action{Kind: uint8(k), Thread: 0}) }
	if !s.TMDone {
		if m.canCommit(s) {
			tm(actTMCommit)
		}
		tm(actTMAbort)
		for i := 0; i < m.cfg.RMs; i++ {
			// Receiving a message twice changes nothing; enabling it
			// would let the manager loop on it forever, since the
			// engine's fairness is per thread, not per action.
			if (s.Prepared&^s.TMPrepared)&(1<<i) != 0 {
				tm(actRcvPrepared + i)
			}
		}
	}
	for i := 0; i < m.cfg.RMs; i++ {
		rm := func(k int) { buf = append(buf, sim.Action{Kind: uint8(k), Thread: int8(i + 1)}) }
		if s.RM[i] == Working {
			rm(actPrepare)
			rm(actChooseAbort)
		}
		if s.CommitMsg {
			rm(actRcvCommit)
		}
		if s.AbortMsg {
			rm(actRcvAbort)
		}
	}
	return buf
}

func (m *Model) step(s *State, a sim.Action) Observation {
	o := Observation{Action: a}
	i := int(a.Thread) - 1
	switch k := int(a.Kind); {
	case k == actTMCommit:
		s.TMDone, s.CommitMsg = true, true
		o.What = "commits and sends Commit"
	case k == actTMAbort:
		s.TMDone, s.AbortMsg = true, true
		o.What = "aborts and sends Abort"
	case k >= actRcvPrepared:
		s.TMPrepared |= 1 << (k - actRcvPrepared)
		o.What = fmt.Sprintf("receives Prepared from r%d", k-actRcvPrepared)
	case k == actPrepare:
		s.RM[i] = Prepared
		s.Prepared |= 1 << i
		o.What = "prepares and sends Prepared"
	case k == actChooseAbort:
		s.RM[i] = Aborted
		o.What = "chooses to abort"
	case k == actRcvCommit:
		s.RM[i] = Committed
		o.What = "receives Commit"
	case k == actRcvAbort:
		s.RM[i] = Aborted
		o.What = "receives Abort"
	}
	return o
}

func (m *Model) properties() []*props.Property[State, Observation] {
	return []*props.Property[State, Observation]{
		{ID: "consistent", Class: props.Invariant,
			Doc: "no resource manager has committed while another has aborted",
			State: func(s *State) string {
				c, a := -1, -1
				for i := 0; i < m.cfg.RMs; i++ {
					switch s.RM[i] {
					case Committed:
						c = i
					case Aborted:
						a = i
					}
				}
				if c >= 0 && a >= 0 {
					return fmt.Sprintf("r%d committed and r%d aborted", c, a)
				}
				return ""
			}},
		{ID: "no-deadlock", Class: props.Deadlock,
			Doc:   "some step is always enabled",
			State: func(s *State) string { return "no step is enabled: " + m.describe(s, ", ") }},
		{ID: "rm-decides", Class: props.Liveness,
			Doc: "every resource manager eventually commits or aborts",
			Live: &props.LeadsTo[State, Observation]{Fairness: "weak fairness of the manager and of every resource manager",
				Trigger: func(s *State, t int) bool { return t > 0 && s.RM[t-1] < Committed },
				Goal:    func(s *State, t int) bool { return t == 0 || s.RM[t-1] >= Committed }}},
	}
}

func (m *Model) describe(s *State, sep string) string {
	tm := "tm init"
	if s.TMDone {
		tm = "tm done"
	}
	parts := []string{tm}
	for i := 0; i < m.cfg.RMs; i++ {
		parts = append(parts, fmt.Sprintf("r%d %s", i, rmNames[s.RM[i]]))
	}
	return strings.Join(parts, sep)
}

// Engine returns m as the engine's Model.
func (m *Model) Engine() *sim.Model[State, Observation] {
	names := []string{"tm"}
	actions := []string{"commit", "abort", "prepare", "choose-abort", "rcv-commit", "rcv-abort"}
	for i := 0; i < m.cfg.RMs; i++ {
		names = append(names, fmt.Sprintf("r%d", i))
		actions = append(actions, fmt.Sprintf("rcv-prepared-r%d", i))
	}
	// Coverage: every action kind, and the resource managers' state
	// diagram (TwoPhase's RMs: working -> prepared -> committed, and
	// aborted from working or prepared).
	cov := &sim.Coverage[State, Observation]{
		Steps: actions,
		Step:  func(o *Observation) string { return actions[o.Action.Kind] },
		Edges: []string{"working -> prepared", "working -> aborted", "prepared -> committed", "prepared -> aborted"},
		StepEdges: func(before, after *State, o *Observation, buf []string) []string {
			for i := 0; i < m.cfg.RMs; i++ {
				if b, a := before.RM[i], after.RM[i]; b != a {
					buf = append(buf, rmNames[b]+" -> "+rmNames[a])
				}
			}
			return buf
		},
	}
	return &sim.Model[State, Observation]{
		Coverage:    cov,
		Protocol:    ProtocolName,
		Config:      m.cfg,
		ThreadNames: names,
		ActionNames: actions,
		Init:        func() State { return State{} },
		Enabled:     m.enabled,
		Step:        m.step,
		Encode: func(b []byte, s *State) []byte {
			flags := byte(0)
			for i, f := range []bool{s.TMDone, s.CommitMsg, s.AbortMsg} {
				if f {
					flags |= 1 << i
				}
			}
			b = append(b, flags, s.TMPrepared, s.Prepared)
			return append(b, s.RM[:m.cfg.RMs]...)
		},
		Decode: func(s *State, b []byte) {
			*s = State{TMDone: b[0]&1 != 0, CommitMsg: b[0]&2 != 0, AbortMsg: b[0]&4 != 0,
				TMPrepared: b[1], Prepared: b[2]}
			copy(s.RM[:], b[3:])
		},
		MaxEncoded:  3 + MaxRMs,
		Properties:  m.properties(),
		Fair:        func(sim.Action) bool { return true },
		ExplainStep: func(before, after *State, o *Observation) sim.StepText { return sim.StepText{What: o.What} },
		LabelStep:   func(o *Observation) string { return o.What },
		DescribeState: func(s *State) string {
			return m.describe(s, "\n")
		},
	}
}
