// Package mutex is a toy protocol for testing the engine: processes that
// loop forever through a critical section guarded by one lock word, with
// answers known by hand. It is small on purpose: a bug in the engine shows
// here without UMCG.
//
// Each process goes idle -> trying -> critical -> idle, forever. The lock
// is taken in one of three ways (Config.Lock):
//
//   - "spin": an atomic test-and-set, retried while the lock is held (a busy
//     wait: no-busy-wait fails, and so does eventually-enters, since the
//     holder can take the lock again every time);
//   - "block": the acquire sleeps while the lock is held and is enabled only
//     when it is free; weak fairness does not stop the other process from
//     taking it first every time, so eventually-enters still fails;
//   - "racy": a load, then a store, so two processes can both see it free
//     (mutual-exclusion fails in 6 steps, no fewer).
//
// Bug "no-release" leaves the critical section without freeing the lock:
// with "block", every process ends up asleep (no-deadlock fails in 5
// steps).
package mutex

import (
	"fmt"
	"strings"

	"github.com/umcgcheck/umcgcheck/props"
	"github.com/umcgcheck/umcgcheck/sim"
)

// Program counters of a process.
const (
	Idle     = iota
	Trying   // about to take the lock
	Set      // racy only: saw it free, about to store
	Critical // in the critical section
)

var pcNames = [...]string{"idle", "trying", "set", "critical"}

// MaxProcesses bounds Config.Processes.
const MaxProcesses = 8

// Config is one closed instance.
type Config struct {
	Processes int    `json:"processes"`
	Lock      string `json:"lock"`          // spin, block or racy
	Bug       string `json:"bug,omitempty"` // "" or no-release
}

func (c Config) String() string {
	s := fmt.Sprintf("processes=%d lock=%s", c.Processes, c.Lock)
	if c.Bug != "" {
		s += " bug=" + c.Bug
	}
	return s
}

// State is the lock word and each process's program counter.
type State struct {
	Locked bool
	PC     [MaxProcesses]uint8
}

// Observation is what a step did.
type Observation struct {
	Thread   int8
	From, To uint8
	Spin     bool // the test-and-set found the lock held and retries
}

// Model is a configured instance.
type Model struct {
	cfg Config
}

// New checks c and builds its model.
func New(c Config) (*Model, error) {
	switch {
	case c.Processes < 1 || c.Processes > MaxProcesses:
		return nil, fmt.Errorf("processes: %d is out of range 1..%d", c.Processes, MaxProcesses)
	case c.Lock != "spin" && c.Lock != "block" && c.Lock != "racy":
		return nil, fmt.Errorf("lock: unknown lock %q (want spin, block or racy)", c.Lock)
	case c.Bug != "" && c.Bug != "no-release":
		return nil, fmt.Errorf("bug: unknown bug %q (known: no-release)", c.Bug)
	}
	return &Model{cfg: c}, nil
}

func (m *Model) enabled(s *State, buf []sim.Action) []sim.Action {
	for t := 0; t < m.cfg.Processes; t++ {
		if s.PC[t] == Trying && m.cfg.Lock == "block" && s.Locked {
			continue // asleep until the lock is free
		}
		buf = append(buf, sim.Action{Kind: 0, Thread: int8(t)})
	}
	return buf
}

func (m *Model) step(s *State, a sim.Action) Observation {
	t := a.Thread
	o := Observation{Thread: t, From: s.PC[t]}
	switch s.PC[t] {
	case Idle:
		s.PC[t] = Trying
	case Trying:
		switch {
		case s.Locked:
			o.Spin = true // spin or racy: retry
		case m.cfg.Lock == "racy":
			s.PC[t] = Set
		default:
			s.Locked, s.PC[t] = true, Critical
		}
	case Set:
		s.Locked, s.PC[t] = true, Critical
	case Critical:
		s.PC[t] = Idle
		if m.cfg.Bug != "no-release" {
			s.Locked = false
		}
	}
	o.To = s.PC[t]
	return o
}

func (m *Model) properties() []*props.Property[State, Observation] {
	const fairness = "weak fairness of every process"
	return []*props.Property[State, Observation]{
		{ID: "mutual-exclusion", Class: props.Invariant,
			Doc: "at most one process is in the critical section",
			State: func(s *State) string {
				var in []string
				for t := 0; t < m.cfg.Processes; t++ {
					if s.PC[t] == Critical {
						in = append(in, m.name(t))
					}
				}
				if len(in) > 1 {
					return strings.Join(in, " and ") + " are in the critical section"
				}
				return ""
			}},
		{ID: "no-deadlock", Class: props.Deadlock,
			Doc: "some process can always move (the processes loop forever)",
			State: func(s *State) string {
				return "no process can move: " + m.describe(s, ", ")
			}},
		{ID: "eventually-enters", Class: props.Liveness,
			Doc: "a process that tries to take the lock eventually enters the critical section",
			Live: &props.LeadsTo[State, Observation]{Fairness: fairness,
				Trigger: func(s *State, t int) bool { return s.PC[t] == Trying || s.PC[t] == Set },
				Goal:    func(s *State, t int) bool { return s.PC[t] == Critical }}},
		{ID: "no-busy-wait", Class: props.Liveness,
			Doc: "no weakly fair cycle retries the test-and-set",
			Live: &props.LeadsTo[State, Observation]{Fairness: fairness,
				Cycle: func(o *Observation) string {
					if o.Spin {
						return "test-and-set finds the lock held"
					}
					return ""
				}}},
	}
}

func (m *Model) name(t int) string { return fmt.Sprintf("p%d", t) }

func (m *Model) describe(s *State, sep string) string {
	var parts []string
	for t := 0; t < m.cfg.Processes; t++ {
		parts = append(parts, m.name(t)+" "+pcNames[s.PC[t]])
	}
	lock := "lock free"
	if s.Locked {
		lock = "lock held"
	}
	return strings.Join(append(parts, lock), sep)
}

// canonical sorts the processes by program counter: they run the same
// program and nothing names a process, so any order is as good.
func (m *Model) canonical(s *State) (State, sim.Perm) {
	n := m.cfg.Processes
	order := make([]int, n) // order[k]: the process that goes to place k
	for i := range order {
		order[i] = i
	}
	for i := 1; i < n; i++ { // insertion sort: stable and small
		for j := i; j > 0 && s.PC[order[j-1]] > s.PC[order[j]]; j-- {
			order[j-1], order[j] = order[j], order[j-1]
		}
	}
	r := *s
	p := sim.Identity()
	for k, t := range order {
		r.PC[k] = s.PC[t]
		p[t] = int8(k)
	}
	return r, p
}

// label names a step: its move, or "spin" for a test-and-set that found
// the lock held.
func label(o *Observation) string {
	if o.Spin {
		return "spin"
	}
	return pcNames[o.From] + "->" + pcNames[o.To]
}

// Engine returns m as the engine's Model.
func (m *Model) Engine() *sim.Model[State, Observation] {
	names := make([]string, m.cfg.Processes)
	for t := range names {
		names[t] = m.name(t)
	}
	e := &sim.Model[State, Observation]{
		Protocol:    ProtocolName,
		Config:      m.cfg,
		ThreadNames: names,
		ActionNames: []string{"step"},
		Init:        func() State { return State{} },
		Enabled:     m.enabled,
		Step:        m.step,
		Encode: func(b []byte, s *State) []byte {
			lock := byte(0)
			if s.Locked {
				lock = 1
			}
			return append(append(b, lock), s.PC[:m.cfg.Processes]...)
		},
		Decode: func(s *State, b []byte) {
			*s = State{Locked: b[0] == 1}
			copy(s.PC[:], b[1:])
		},
		MaxEncoded: 1 + MaxProcesses,
		Properties: m.properties(),
		Fair:       func(sim.Action) bool { return true },
		Canonical: func(s *State) sim.Perm {
			r, p := m.canonical(s)
			*s = r
			return p
		},
		Symmetry: "{" + strings.Join(names, ",") + "}",
		ExplainStep: func(before, after *State, o *Observation) sim.StepText {
			st := sim.StepText{What: pcNames[o.From] + " -> " + pcNames[o.To]}
			if o.Spin {
				st.What = "test-and-set finds the lock held"
			}
			if before.Locked != after.Locked {
				st.Changes = []string{map[bool]string{true: "lock taken", false: "lock freed"}[after.Locked]}
			}
			return st
		},
		LabelStep: label,
		// Every kind of step of the three locks, named by its label.
		Coverage: &sim.Coverage[State, Observation]{
			Steps: []string{"idle->trying", "trying->critical", "trying->set", "set->critical", "critical->idle", "spin"},
			Step:  label,
		},
		DescribeState: func(s *State) string { return m.describe(s, "\n") },
	}
	if m.cfg.Processes < 2 {
		e.Canonical, e.Symmetry = nil, ""
	}
	return e
}
