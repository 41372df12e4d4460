package lincheck

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// Spec is the sequential specification of a protocol other than v0.1
// (whose specification, model/umcg01's, Check drives itself, group by
// group), porcupine style: an operation per trace op (some ops may fold
// into others), an initial state, and a step that applies one operation to
// a state and says whether the specification allows it. States are
// values: Step must not change the state it is given.
type Spec struct {
	// Protocol is the name a trace's header gives the protocol.
	Protocol string
	// Vocabulary is the protocol's trace vocabulary.
	Vocabulary *traces.Vocabulary
	// Ops converts a trace (read with Vocabulary) into the operations Step
	// takes, in file order. Each names the trace ops whose times bound it
	// and its thread (an index into the header's tasks).
	Ops func(t traces.Trace) ([]SpecOp, error)
	// Init returns the state before the first operation.
	Init func() any
	// Step returns the states after op (a SpecOp's Op) from state.
	Step func(state, op any) []any
	// Equal and Hash compare and hash states for porcupine's cache.
	Equal func(a, b any) bool
	Hash  func(state any) uint64
	// DescribeOp and DescribeState write an op and a state for reports,
	// with the trace's task names.
	DescribeOp    func(op any, tasks []string) string
	DescribeState func(state any, tasks []string) string
}

// SpecOp is one operation of a trace for a Spec.
type SpecOp struct {
	// Index is the trace op whose return time ends the operation's
	// interval; From is the one whose call time begins it (From <=
	// Index; usually Index itself). A followup may begin at its
	// request's call: its effect can come any time after the request's,
	// also before the thread returns to user space (a kernel may collect
	// a sleeping server's events for it), and the thread's program order
	// still places it after the request.
	Index, From int
	Thread      int // index into the header's tasks
	Op          any // what Spec.Step takes
}

// specs are the specifications of the protocols besides v0.1.
var specs = []*Spec{umcg2023Spec()}

// Protocols returns the trace vocabularies Check can check: v0.1's and
// every Spec's.
func Protocols() traces.List {
	l := traces.List{model.Vocabulary()}
	for _, s := range specs {
		l = append(l, s.Vocabulary)
	}
	return l
}

// specFor returns the Spec of the protocol a header names, nil for v0.1.
func specFor(h traces.Header) (*Spec, error) {
	if h.Protocol == "" || h.Protocol == model.Protocol {
		return nil, nil
	}
	for _, s := range specs {
		if s.Protocol == h.Protocol {
			return s, nil
		}
	}
	return nil, fmt.Errorf("no specification for protocol %q", h.Protocol)
}

// orderedState is the set of states a Spec may be in (distinct by
// Spec.Equal), with the count of each thread's ops placed: a thread's op
// is placed only after all its earlier ops, also when times tie (as for
// v0.1, partState).
type orderedState struct {
	s    []any
	done []int32
}

// orderedInput is a porcupine input: an operation and its place among its
// thread's ops.
type orderedInput struct {
	op  SpecOp
	seq int32
}

func (sp *Spec) porcupineModel(tasks []string) porcupine.Model {
	n := len(tasks)
	contains := func(set []any, x any) bool {
		return slices.ContainsFunc(set, func(y any) bool { return sp.Equal(x, y) })
	}
	return porcupine.Model{
		Init: func() any { return &orderedState{s: []any{sp.Init()}, done: make([]int32, n)} },
		Step: func(state, input, _ any) (bool, any) {
			st, in := state.(*orderedState), input.(orderedInput)
			if st.done[in.op.Thread] != in.seq {
				return false, st
			}
			var next []any
			for _, s := range st.s {
				for _, x := range sp.Step(s, in.op.Op) {
					if !contains(next, x) {
						next = append(next, x)
					}
				}
			}
			if len(next) == 0 {
				return false, st
			}
			done := slices.Clone(st.done)
			done[in.op.Thread]++
			return true, &orderedState{s: next, done: done}
		},
		Equal: func(a, b any) bool {
			x, y := a.(*orderedState), b.(*orderedState)
			if !slices.Equal(x.done, y.done) || len(x.s) != len(y.s) {
				return false
			}
			for _, s := range x.s {
				if !contains(y.s, s) {
					return false
				}
			}
			return true
		},
		Hash: func(state any) uint64 {
			st := state.(*orderedState)
			var h uint64
			for _, s := range st.s {
				h ^= sp.Hash(s) // the order of the set does not count
			}
			for _, d := range st.done {
				h = h*1099511628211 ^ uint64(d)
			}
			return h
		},
		DescribeOperation: func(input, _ any) string { return sp.DescribeOp(input.(orderedInput).op.Op, tasks) },
		DescribeState: func(state any) string {
			var ds []string
			for _, s := range state.(*orderedState).s {
				ds = append(ds, sp.DescribeState(s, tasks))
			}
			return strings.Join(ds, " | or | ")
		},
	}
}

// checkSpec checks t against sp as one partition (the 2023 design keeps
// its idle lists per process, so every task of a trace may meet every
// other), cut at quiescent points as v0.1's partitions are.
func checkSpec(t traces.Trace, sp *Spec, o Options) (Result, error) {
	ops, err := sp.Ops(t)
	if err != nil {
		return Result{}, err
	}
	h := make([]porcupine.Operation, 0, len(ops))
	seq := make([]int32, len(t.Header.Tasks))
	for _, op := range ops {
		in := orderedInput{op: op, seq: seq[op.Thread]}
		seq[op.Thread]++
		h = append(h, porcupine.Operation{ClientId: op.Thread, Input: in, Call: t.Ops[op.From].Call, Output: nil, Return: t.Ops[op.Index].Return})
	}
	pm := sp.porcupineModel(t.Header.Tasks)
	describe := func(in any) string { return sp.DescribeOp(in.(orderedInput).op.Op, t.Header.Tasks) }
	p := Partition{Name: "all tasks", Ops: len(h)}
	var info porcupine.LinearizationInfo
	if o.wholePartitions {
		var r porcupine.CheckResult
		r, info = porcupine.CheckOperationsVerbose(pm, h, o.Timeout)
		switch r {
		case porcupine.Ok:
			p.Verdict = Linearizable
		case porcupine.Illegal:
			p.Verdict = NotLinearizable
			p.Unplaced, p.MoreUnplaced = describeOps(h, unplacedIn(len(h), longestPartial(info)), describe)
		default:
			p.Verdict = Unknown
		}
	} else {
		// Piece by piece (pieces.go), as for v0.1.
		call, ret, thread := make([]int64, len(h)), make([]int64, len(h)), make([]int, len(h))
		for i, op := range h {
			call[i], ret[i], thread[i] = op.Call, op.Return, op.ClientId
		}
		var deadline time.Time
		if o.Timeout > 0 {
			deadline = time.Now().Add(o.Timeout)
		}
		r := search(searchOps(call, ret, thread), sp.Init(), searchSpec[any]{
			step: func(s any, hist int, out []any) []any {
				return append(out, sp.Step(s, h[hist].Input.(orderedInput).op.Op)...)
			},
			hash:  sp.Hash,
			equal: sp.Equal,
		}, deadline, false)
		p.Verdict = r.verdict
		if r.verdict == NotLinearizable {
			p.Unplaced, p.MoreUnplaced = describeOps(h, r.unplaced, describe)
		}
		if o.Visualize {
			_, info = porcupine.CheckOperationsVerbose(pm, h, o.Timeout)
		}
	}
	return Result{Verdict: p.Verdict, Partitions: []Partition{p}, Model: pm, Info: info, Edges: map[Edge]int{}}, nil
}
