// Package sim is the engine: it explores, walks, shrinks, replays and
// explains the runs of any protocol given as a Model, and checks the
// protocol's properties on them (safety on every state and step, deadlock
// at terminal states, liveness on weakly fair lassos), with symmetry
// reduction, bitstate hashing and sharding. It knows no protocol: the
// protocols live in the packages under model/.
package sim

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/umcgcheck/umcgcheck/props"
)

// MaxThreads bounds the threads of a model: the engine keeps per-state sets
// of threads as 32-bit masks.
const MaxThreads = 32

// Action is one move of a model: a kind of move, which the protocol
// defines and names (ActionNames), made by a thread.
type Action struct {
	Kind   uint8
	Thread int8
}

// Perm maps thread indices: Perm[i] is where thread i goes.
type Perm [MaxThreads]int8

// Identity returns the permutation that moves no thread.
func Identity() Perm {
	var p Perm
	for i := range p {
		p[i] = int8(i)
	}
	return p
}

// Inverse returns p's inverse.
func (p Perm) Inverse() Perm {
	var q Perm
	for i, j := range p {
		q[j] = int8(i)
	}
	return q
}

// Model is one closed configuration of a protocol, as the engine sees it:
// a struct of plain functions over the protocol's state type S, whose
// steps report an O. States are values: the engine copies an S to keep
// it, and Step changes the state it is given in place.
//
// The functions must be deterministic: the same state gives the same
// enabled actions, in the same order, and the same successor; that makes
// every search reproducible.
type Model[S, O any] struct {
	// Protocol names the protocol (as --protocol does) and Config is the
	// configuration the model was built from: a value that marshals to
	// JSON and prints (%s) on one line.
	Protocol string
	Config   any
	// ThreadNames names each thread (its index is the thread); ActionNames
	// names each Action.Kind.
	ThreadNames []string
	ActionNames []string

	Init    func() S
	Enabled func(s *S, buf []Action) []Action // appends, in a deterministic order
	Step    func(s *S, a Action) O            // a must be enabled in s

	// Encode appends the canonical encoding of s to b (equal states, equal
	// bytes; at most MaxEncoded bytes) and Decode is its inverse.
	Encode     func(b []byte, s *S) []byte
	Decode     func(s *S, b []byte)
	MaxEncoded int
	// Copy, when set, is how the searches copy a state on their hot
	// paths (a successor from its parent): it makes *dst equal to *src
	// for every function of the model, but may leave parts of *dst that
	// src does not use (slots past a configuration's threads) as they
	// were, so that a state type sized for its largest use costs only
	// what a configuration uses. Without it, *dst = *src.
	Copy func(dst, src *S)
	// Fingerprint, when set, is how the searches fingerprint a state (the
	// 64-bit value they store it by) without encoding it: most successors
	// are states stored already, and their encodings would be made only
	// to be hashed and thrown away. The engine encodes only the states it
	// stores. Without it, a state's fingerprint is SeededHash of its
	// encoding. Its contract:
	//   - equal states, equal fingerprints: two states with the same
	//     encoding give the same value under every seed, in particular a
	//     state and the one Decode(Encode(s)) writes, whatever the parts
	//     Copy and Decode leave as they were (slots past a
	//     configuration's threads) hold: it must not read them;
	//   - well mixed: to distinct states it gives values that behave as
	//     independent uniform 64-bit draws, as SeededHash's do (the report's
	//     collision probability, n^2/2^65, assumes it; the exact set and
	//     the bitstate array index by its bits);
	//   - seed is Explorer.HashSeed: each seed, 0 included, is another such
	//     function (two states that collide under one seed almost surely
	//     do not under another);
	//   - the same on every run and machine (checkpoints hold fingerprints).
	// It must be safe to call from several goroutines.
	Fingerprint func(s *S, seed uint64) uint64

	Properties []*props.Property[S, O]
	// Fair reports whether weak fairness is owed to a: a path on which a
	// thread has such a move enabled forever takes one infinitely often.
	Fair func(a Action) bool
	// Halted, when set, reports a state in which the system has stopped
	// abnormally (a crash): no liveness obligation is owed past it.
	Halted func(s *S) bool

	// Canonical, when set, is a symmetry reduction: it replaces *s by a
	// representative of its class of symmetric states (in place: a state
	// is not copied whole on the search's hot path), and returns p such
	// that s's thread i is the representative's thread p[i]. Every
	// property must be symmetric under those permutations. Symmetry
	// describes the classes of interchangeable threads on one line.
	Canonical func(s *S) (p Perm)
	Symmetry  string

	// Local, when set, allows partial-order reduction (Explorer.PartialOrder,
	// see por.go). Local(s, a), for a enabled in s, may report true only
	// when a's step is local to its thread t = a.Thread from s on: for
	// every state s' reached from s by steps of threads other than t
	// (s itself included),
	//   - independent: those steps leave t's enabled actions as they are
	//     in s (they neither disable a nor enable another action of t),
	//     and for each step b of another thread enabled in s', taking a
	//     then b and b then a are both possible and reach the same state
	//     with the same observations (or b ends the run, a crash: no
	//     action is enabled after b, with or without a taken first, and
	//     every property check gives the two states b reaches, and b's
	//     step to them, the same verdict);
	//   - invisible: every state check of every property (invariants,
	//     Sometimes states) and Halted give the same verdict in s' and
	//     after a from s' (deadlock checks need not: terminal states are
	//     kept exactly); every step check (step properties,
	//     Sometimes steps) finds nothing to report in a's step from s';
	//     and a step of another thread gets the same verdicts from the
	//     step checks (and the same Place) whether a was taken before it
	//     or not.
	// In short: a reads and writes only what no other thread touches and
	// no property looks at. Answering false is always sound (it only
	// costs reduction); a wrong true can hide violations, which the tests
	// that compare verdicts with and without the reduction catch. Liveness
	// properties need not be invisible: liveness searches are not reduced.
	Local func(s *S, a Action) bool

	// Place, when set, says where a step happens (for example the call,
	// its step and the kind of thread, without thread names): safety
	// violations at different places are distinct, each reported with its
	// own shortest counterexample. Without it, one per property.
	Place func(before *S, o *O) string

	// ExplainStep says in words what a step did: its What, Result and
	// Changes (the engine fills in the rest of the StepText).
	ExplainStep func(before, after *S, o *O) StepText
	// LabelStep is a step's short label (graph edges); DescribeState a
	// state's (graph nodes, one line per thread).
	LabelStep     func(o *O) string
	DescribeState func(s *S) string

	// Coverage, when set, is the protocol's table of its step kinds and
	// documented state edges, which a search with Explorer.Coverage
	// counts.
	Coverage *Coverage[S, O]
}

// Threads is the number of threads.
func (m *Model[S, O]) Threads() int { return len(m.ThreadNames) }

func (m *Model[S, O]) threadName(t int8) string {
	if t < 0 || int(t) >= len(m.ThreadNames) {
		return "thread " + strconv.Itoa(int(t))
	}
	return m.ThreadNames[t]
}

func (m *Model[S, O]) actionName(k uint8) string {
	if int(k) >= len(m.ActionNames) {
		return "action " + strconv.Itoa(int(k))
	}
	return m.ActionNames[k]
}

// appendCopy appends a copy of *s to l, through Copy when set: l's spare
// capacity is reused without being cleared first.
func (m *Model[S, O]) appendCopy(l []S, s *S) []S {
	if m.Copy == nil || len(l) == cap(l) {
		return append(l, *s)
	}
	l = l[:len(l)+1]
	m.Copy(&l[len(l)-1], s)
	return l
}

// copyState sets *dst to a copy of *src, through Copy when set.
func (m *Model[S, O]) copyState(dst, src *S) {
	if m.Copy == nil {
		*dst = *src
		return
	}
	m.Copy(dst, src)
}

func (m *Model[S, O]) halted(s *S) bool { return m.Halted != nil && m.Halted(s) }

// encode is the encoding of s in a fresh slice.
func (m *Model[S, O]) encode(s *S) []byte { return m.Encode(make([]byte, 0, m.MaxEncoded), s) }

// fingerprinter fingerprints states for one goroutine of a search: through
// Model.Fingerprint when the model has one, else as SeededHash of the
// encoding (in a buffer it reuses). The initial state, the
// partial-order proviso, walks and dot take theirs from here; Explore's
// successor loop makes the same choice inline (it fingerprints a batch's
// successors together and encodes only the new ones): TestFingerprintHook
// checks that they agree.
type fingerprinter[S, O any] struct {
	m    *Model[S, O]
	seed uint64
	enc  []byte
}

func (m *Model[S, O]) fingerprinter(seed uint64) fingerprinter[S, O] {
	return fingerprinter[S, O]{m: m, seed: seed}
}

// of is s's fingerprint.
func (f *fingerprinter[S, O]) of(s *S) uint64 {
	if f.m.Fingerprint != nil {
		return f.m.Fingerprint(s, f.seed)
	}
	if f.enc == nil {
		f.enc = make([]byte, 0, f.m.MaxEncoded)
	}
	f.enc = f.m.Encode(f.enc[:0], s)
	return SeededHash(f.enc, f.seed)
}

func (m *Model[S, O]) property(id string) *props.Property[S, O] {
	for _, p := range m.Properties {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Hash is the 64-bit hash of encodings that identifies states: 8 bytes at
// a time through a multiply-xorshift mixer, finished with splitmix64's
// finalizer. It is the same on every run and machine. It is SeededHash
// with seed 0.
func Hash(b []byte) uint64 { return SeededHash(b, 0) }

// SeededHash is Hash with a seed mixed into its start (Explorer.HashSeed):
// each seed is another function of the encoding, so that two states that
// collide under one seed (take the same bits of a bitstate array, or the
// same fingerprint) almost surely do not under another. Seed 0 gives Hash
// exactly (the mixed seed is 0), so fingerprints, goldens and checkpoints
// of unseeded searches do not change.
func SeededHash(b []byte, seed uint64) uint64 {
	h := uint64(len(b)) * 0x9E3779B97F4A7C15
	if seed != 0 {
		h ^= Mix64(seed)
	}
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 0xbf58476d1ce4e5b9
		h = bits.RotateLeft64(h, 31)
		b = b[8:]
	}
	if len(b) > 0 {
		var w uint64
		for i, c := range b {
			w |= uint64(c) << (8 * i)
		}
		h = (h ^ w) * 0xbf58476d1ce4e5b9
		h = bits.RotateLeft64(h, 31)
	}
	return Mix64(h)
}

// Mix64 is splitmix64's finalizer: a bijection of uint64 with Mix64(0) = 0,
// each output bit depending on every input bit. Hash and SeededHash end
// with it; a protocol's own Model.Fingerprint may too.
func Mix64(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// Validate reports the first way m breaks the contract of Model, in one
// sentence: a required function missing, a Fingerprint without
// MaxEncoded, more threads than MaxThreads,
// more than 8 fair-cycle properties (a step's are kept in a byte), more
// than 64 invariants (a state's are kept in a word), an action name or a
// property id used twice, or a property whose checks do not match its class. The searches
// call it first and panic on an invalid model: it is a programming error
// of the protocol, not bad input.
func (m *Model[S, O]) Validate() error {
	for _, f := range []struct {
		name  string
		isNil bool
	}{{"Init", m.Init == nil}, {"Enabled", m.Enabled == nil}, {"Step", m.Step == nil},
		{"Encode", m.Encode == nil}, {"Decode", m.Decode == nil}, {"Fair", m.Fair == nil},
		{"ExplainStep", m.ExplainStep == nil}, {"LabelStep", m.LabelStep == nil}, {"DescribeState", m.DescribeState == nil}} {
		if f.isNil {
			return fmt.Errorf("model %s: %s is nil", m.Protocol, f.name)
		}
	}
	if m.Fingerprint != nil && m.MaxEncoded <= 0 {
		// The explorer encodes a new state in place, in room for the
		// longest encoding.
		return fmt.Errorf("model %s: a Fingerprint needs MaxEncoded", m.Protocol)
	}
	if len(m.ThreadNames) == 0 || len(m.ThreadNames) > MaxThreads {
		return fmt.Errorf("model %s: %d threads (1..%d)", m.Protocol, len(m.ThreadNames), MaxThreads)
	}
	// Saved counterexamples name their actions (Description.Action): a
	// name given to two kinds would replay the wrong one.
	kinds := map[string]bool{}
	for _, n := range m.ActionNames {
		if kinds[n] {
			return fmt.Errorf("model %s: action name %q given to two kinds", m.Protocol, n)
		}
		kinds[n] = true
	}
	cycles, invariants := 0, 0
	seen := map[string]bool{}
	for _, p := range m.Properties {
		if seen[p.ID] {
			return fmt.Errorf("model %s: property %s listed twice", m.Protocol, p.ID)
		}
		seen[p.ID] = true
		ok := true
		switch p.Class {
		case props.Invariant:
			ok = p.State != nil && p.Live == nil
			invariants++
		case props.Deadlock:
			ok = p.State != nil && p.Step == nil && p.Live == nil
		case props.StepProperty:
			ok = p.Step != nil && p.State == nil && p.Live == nil
		case props.Sometimes:
			ok = (p.State != nil) != (p.Step != nil) && p.Live == nil
		case props.Liveness:
			ok = p.Live != nil && p.State == nil && p.Step == nil &&
				(p.Live.Trigger != nil) == (p.Live.Goal != nil) && (p.Live.Trigger != nil) != (p.Live.Cycle != nil)
			if ok && p.Live.Cycle != nil {
				cycles++
			}
		default:
			ok = false
		}
		if !ok {
			return fmt.Errorf("model %s: property %s: its checks do not match its class %s", m.Protocol, p.ID, p.Class)
		}
	}
	if c := m.Coverage; c != nil {
		if c.Step == nil {
			return fmt.Errorf("model %s: Coverage.Step is nil", m.Protocol)
		}
		for _, names := range [][]string{c.Steps, c.Edges} {
			seen := map[string]bool{}
			for _, n := range names {
				if seen[n] {
					return fmt.Errorf("model %s: coverage table lists %q twice", m.Protocol, n)
				}
				seen[n] = true
			}
		}
	}
	if cycles > 8 || invariants > 64 {
		return fmt.Errorf("model %s: %d fair-cycle properties (at most 8) and %d invariants (at most 64)", m.Protocol, cycles, invariants)
	}
	return nil
}

func (m *Model[S, O]) mustBeValid() {
	if err := m.Validate(); err != nil {
		panic(err)
	}
}

// SymmetryClasses writes classes of interchangeable threads the way
// Model.Symmetry shows them: "{w2,w3} {s0,s1}", each thread by its name.
func SymmetryClasses(threadNames []string, classes [][]int8) string {
	var parts []string
	for _, c := range classes {
		var ns []string
		for _, t := range c {
			ns = append(ns, threadNames[t])
		}
		parts = append(parts, "{"+strings.Join(ns, ",")+"}")
	}
	return strings.Join(parts, " ")
}
