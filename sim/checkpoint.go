package sim

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// SnapshotVersion is the version of the checkpoint format. A snapshot of
// another version is refused: the search state it holds is only
// meaningful to the engine that wrote it. Version 2: a model's
// Fingerprint (sim.Model.Fingerprint) gives the stored set's keys, which
// version 1's were not for umcg-v0.1 (its states were stored by the hash
// of their encoding): a version-1 set would not recognise the states it
// holds.
const SnapshotVersion = 2

// snapshotMagic starts every checkpoint file.
const snapshotMagic = "umcgcheck search checkpoint\n"

// Snapshot is a search saved at a level boundary (Explorer.Checkpoint):
// the model it searched (protocol and configuration), the options that
// shape the search, and everything the search had built: the set of
// stored states, each state's parent and action (for counterexamples),
// the frontier, the violations found with their counts, the invariant
// masks, the reachability examples, the coverage counts and, when
// liveness is checked, the state graph so far. Explorer.Resume continues
// it to the same report as a search that was never interrupted.
type Snapshot struct {
	Version  int
	Protocol string
	Config   json.RawMessage // the model's Config as JSON
	Options  SnapshotOptions
	State    searchState
}

// SnapshotOptions are the options of an Explorer that change what a
// search stores or reports; a snapshot resumes only with the same ones.
// The number of workers, the time limit and the hooks do not change the
// result, and may differ.
type SnapshotOptions struct {
	MaxStates    int
	MaxDepth     int
	BitstateBits uint64
	Symmetry     bool
	NoLiveness   bool
	Coverage     bool
	PartialOrder bool
	// HashSeed is absent (0) from a checkpoint of a version that had no
	// seed: those searches used the unseeded hash.
	HashSeed uint64
}

func optionsOf(e Explorer) SnapshotOptions {
	return SnapshotOptions{MaxStates: e.MaxStates, MaxDepth: e.MaxDepth, BitstateBits: e.BitstateBits,
		Symmetry: e.Symmetry, NoLiveness: e.NoLiveness, Coverage: e.Coverage,
		PartialOrder: e.PartialOrder, HashSeed: e.HashSeed}
}

// searchState is the search at the start of level Depth.
type searchState struct {
	Depth               int // the level about to be expanded
	States, Transitions uint64
	LastDepth           int // Report.Depth
	Violations          []Counterexample
	Parent              []uint32
	Via                 []Action
	// The set of stored states: an exact table, or a bitstate array.
	FPKeys  []uint64
	FPIDs   []uint32
	FPN     int
	Bits    []uint64
	BitsSet uint64
	Missed  float64
	// Invariant masks per state id.
	InvAny   []uint64
	InvMasks map[uint32]uint64
	Frontier [][]byte
	IDs      []uint32
	Graph    *graphState
	Levels   []int
	// Reachability examples and coverage counts.
	SomeFound []bool
	SomeEx    []reachExampleState
	Coverage  *coverageState
}

type graphState struct {
	Off, To    []uint32
	Act        []Action
	Cycle      []uint8
	Mask       []uint32
	Live       []bool
	Trig, Goal [][]uint32
}

type reachExampleState struct {
	Set, Init bool
	Parent    uint32
	Action    Action
	Message   string
}

type coverageState struct {
	Steps, Edges       []uint64
	Unlisted, UnlistEd map[string]uint64
}

// Check says why s cannot resume a search of the system d with e's
// options: another version, protocol, configuration, or option; nil
// when it can.
func (s *Snapshot) Check(d Description, e Explorer) error {
	if s.Version != SnapshotVersion {
		return fmt.Errorf("checkpoint format version %d, this umcgcheck reads version %d", s.Version, SnapshotVersion)
	}
	if s.Protocol != d.Protocol {
		return fmt.Errorf("checkpoint of protocol %s, not %s", s.Protocol, d.Protocol)
	}
	cfg, err := json.Marshal(d.Config)
	if err != nil {
		return err
	}
	if !bytes.Equal(cfg, s.Config) {
		return fmt.Errorf("checkpoint of configuration %s, not %s", s.Config, cfg)
	}
	got, want := optionsOf(e), s.Options
	for _, o := range []struct {
		name      string
		then, now any
		differ    bool
	}{
		{"max-states", want.MaxStates, got.MaxStates, want.MaxStates != got.MaxStates},
		{"max-depth", want.MaxDepth, got.MaxDepth, want.MaxDepth != got.MaxDepth},
		{"bitstate bits", want.BitstateBits, got.BitstateBits, want.BitstateBits != got.BitstateBits},
		{"symmetry", want.Symmetry, got.Symmetry, want.Symmetry != got.Symmetry},
		{"no-liveness", want.NoLiveness, got.NoLiveness, want.NoLiveness != got.NoLiveness},
		{"coverage", want.Coverage, got.Coverage, want.Coverage != got.Coverage},
		{"partial-order reduction", want.PartialOrder, got.PartialOrder, want.PartialOrder != got.PartialOrder},
		// The stored fingerprints are the seed's hash: another seed
		// would take every stored state for a new one.
		{"hash seed", want.HashSeed, got.HashSeed, want.HashSeed != got.HashSeed},
	} {
		if o.differ {
			return fmt.Errorf("checkpoint taken with %s %v, this search has %v", o.name, o.then, o.now)
		}
	}
	return nil
}

// snapshotHeader is what a snapshot says about itself, read first.
type snapshotHeader struct {
	Version  int
	Protocol string
	Config   json.RawMessage
	Options  SnapshotOptions
}

// The parts of a search in the order the file holds them: the fields of
// st, whether the graph is there and its parts, whether coverage is there
// and its parts. Each is encoded on its own, so that writing a checkpoint
// buffers one part at a time, not the whole search again: a search
// stopped near --max-memory can still be saved.
func (st *searchState) parts(hasGraph *bool) []any {
	return []any{&st.Depth, &st.States, &st.Transitions, &st.LastDepth, &st.Violations, &st.Parent, &st.Via,
		&st.FPKeys, &st.FPIDs, &st.FPN, &st.Bits, &st.BitsSet, &st.Missed, &st.InvAny, &st.InvMasks,
		&st.Frontier, &st.IDs, &st.Levels, &st.SomeFound, &st.SomeEx, hasGraph}
}

func (g *graphState) parts() []any {
	return []any{&g.Off, &g.To, &g.Act, &g.Cycle, &g.Mask, &g.Live, &g.Trig, &g.Goal}
}

func (c *coverageState) parts() []any { return []any{&c.Steps, &c.Edges, &c.Unlisted, &c.UnlistEd} }

// Write writes s: a first line naming the format, the payload (a gob
// stream: the header, then the search's parts one by one), and the
// SHA-256 of the payload, which catches a file damaged or cut short.
func (s *Snapshot) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(snapshotMagic)
	h := sha256.New()
	enc := gob.NewEncoder(io.MultiWriter(bw, h))
	if err := enc.Encode(snapshotHeader{s.Version, s.Protocol, s.Config, s.Options}); err != nil {
		return err
	}
	st := &s.State
	hasGraph, hasCoverage := st.Graph != nil, st.Coverage != nil
	ps := st.parts(&hasGraph)
	if hasGraph {
		ps = append(ps, st.Graph.parts()...)
	}
	ps = append(ps, &hasCoverage)
	if hasCoverage {
		ps = append(ps, st.Coverage.parts()...)
	}
	for _, p := range ps {
		if err := enc.Encode(p); err != nil {
			return err
		}
	}
	bw.Write(h.Sum(nil))
	return bw.Flush()
}

// ReadSnapshot reads a snapshot Write wrote, and refuses anything else:
// another kind of file, a damaged or truncated one, another version.
func ReadSnapshot(r io.Reader) (*Snapshot, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	rest, ok := bytes.CutPrefix(data, []byte(snapshotMagic))
	if !ok {
		return nil, errors.New("not a umcgcheck checkpoint (its first line is not \"" + snapshotMagic[:len(snapshotMagic)-1] + "\")")
	}
	if len(rest) < sha256.Size {
		return nil, errors.New("checkpoint cut short")
	}
	payload, sum := rest[:len(rest)-sha256.Size], rest[len(rest)-sha256.Size:]
	if got := sha256.Sum256(payload); !bytes.Equal(got[:], sum) {
		return nil, errors.New("checkpoint damaged or cut short (its checksum does not match)")
	}
	dec := gob.NewDecoder(bytes.NewReader(payload))
	var h snapshotHeader
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("checkpoint unreadable: %v", err)
	}
	if h.Version != SnapshotVersion {
		return nil, fmt.Errorf("checkpoint format version %d, this umcgcheck reads version %d", h.Version, SnapshotVersion)
	}
	s := &Snapshot{Version: h.Version, Protocol: h.Protocol, Config: h.Config, Options: h.Options}
	st := &s.State
	var hasGraph, hasCoverage bool
	decode := func(ps []any) error {
		for _, p := range ps {
			if err := dec.Decode(p); err != nil {
				return fmt.Errorf("checkpoint unreadable: %v", err)
			}
		}
		return nil
	}
	if err := decode(st.parts(&hasGraph)); err != nil {
		return nil, err
	}
	if hasGraph {
		st.Graph = &graphState{}
		if err := decode(st.Graph.parts()); err != nil {
			return nil, err
		}
	}
	if err := decode([]any{&hasCoverage}); err != nil {
		return nil, err
	}
	if hasCoverage {
		st.Coverage = &coverageState{}
		if err := decode(st.Coverage.parts()); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (g *graph) state() *graphState {
	if g == nil {
		return nil
	}
	return &graphState{Off: g.off, To: g.to, Act: g.act, Cycle: g.cycle, Mask: g.mask, Live: g.live, Trig: g.trig, Goal: g.goal}
}

func (gs *graphState) graph() *graph {
	if gs == nil {
		return nil
	}
	return &graph{off: gs.Off, to: gs.To, act: gs.Act, cycle: gs.Cycle, mask: gs.Mask, live: gs.Live, trig: gs.Trig, goal: gs.Goal}
}

func (sm *sometimes[S, O]) state() ([]bool, []reachExampleState) {
	ex := make([]reachExampleState, len(sm.ex))
	for i, x := range sm.ex {
		ex[i] = reachExampleState{Set: x.set, Init: x.init, Parent: x.parent, Action: x.action, Message: x.message}
	}
	return sm.found, ex
}

func (sm *sometimes[S, O]) restore(found []bool, ex []reachExampleState) {
	if len(found) != len(sm.props) || len(ex) != len(sm.props) {
		panic("sim: a snapshot of another model's reachability properties")
	}
	sm.pending = len(sm.props)
	for i, x := range ex {
		sm.found[i] = found[i]
		sm.ex[i] = reachExample{set: x.Set, init: x.Init, parent: x.Parent, action: x.Action, message: x.Message}
		if found[i] {
			sm.pending--
		}
	}
}

func (n *coverageCounts) state() *coverageState {
	if n == nil {
		return nil
	}
	return &coverageState{Steps: n.steps, Edges: n.edges, Unlisted: n.unlisted, UnlistEd: n.unlistEd}
}

func (n *coverageCounts) restore(c *coverageState) {
	if c == nil || len(c.Steps) != len(n.steps) || len(c.Edges) != len(n.edges) {
		panic("sim: a snapshot of another coverage table")
	}
	copy(n.steps, c.Steps)
	copy(n.edges, c.Edges)
	for k, v := range c.Unlisted {
		n.unlisted[k] = v
	}
	for k, v := range c.UnlistEd {
		n.unlistEd[k] = v
	}
}
