package lincheck

import (
	"fmt"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// checkPieces checks one v0.1 partition piece by piece (pieces.go); a
// piece too wide for the level search is left, with the rest of the
// partition, to porcupine.
func (cv *converter) checkPieces(history []porcupine.Operation, timeout time.Duration, coverage bool) (Partition, map[Edge]int) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	call := make([]int64, len(history))
	ret := make([]int64, len(history))
	thread := make([]int, len(history))
	for i, op := range history {
		call[i], ret[i], thread[i] = op.Call, op.Return, op.ClientId
	}
	ops := searchOps(call, ret, thread)
	var encA, encB [model.EncodedSize]byte
	sp := searchSpec[model.State]{
		step: func(s model.State, hist int, out []model.State) []model.State {
			if cv.spec.Apply(&s, history[hist].Input.(specInput).op) {
				return append(out, s)
			}
			return out
		},
		hash: func(s model.State) uint64 { return s.Fingerprint() },
		equal: func(a, b model.State) bool {
			return string(a.AppendEncoding(encA[:0])) == string(b.AppendEncoding(encB[:0]))
		},
		fallback: func(starts []model.State, from int, deadline time.Time) (Verdict, []int, int) {
			return cv.porcupineFrom(history, ops, starts, from, deadline)
		},
	}
	r := search(ops, cv.spec.Init(), sp, deadline, coverage)
	pr := Partition{Name: cv.name, Ops: len(history), Verdict: r.verdict}
	var edges map[Edge]int
	switch r.verdict {
	case Linearizable:
		if coverage {
			edges = map[Edge]int{}
			cv.cover(history, r.lin, edges)
		}
	case NotLinearizable:
		pr.Unplaced, pr.MoreUnplaced = describeOps(history, r.unplaced, cv.describeInput)
	}
	return pr, edges
}

// porcupineFrom checks the history ops ops[from:] with porcupine, from
// each of the states starts in turn, until one linearizes them.
func (cv *converter) porcupineFrom(history []porcupine.Operation, ops []searchOp, starts []model.State, from int, deadline time.Time) (Verdict, []int, int) {
	ranked := cv.ranked(history)
	sub := make([]porcupine.Operation, 0, len(ops)-from)
	var done [model.MaxThreads]int32
	seen := [model.MaxThreads]bool{}
	for _, op := range ops[from:] {
		in := history[op.hist].Input.(specInput)
		if t := in.op.Thread; !seen[t] {
			seen[t], done[t] = true, in.seq
		}
		sub = append(sub, ranked[op.hist])
	}
	verdict := NotLinearizable
	var best []int
	for si, start := range starts {
		m := cv.porcupineModel()
		m.Init = func() any { return &partState{s: start, done: done} }
		var left time.Duration
		if !deadline.IsZero() {
			if left = time.Until(deadline); left <= 0 {
				return Unknown, nil, 0
			}
		}
		r, info := porcupine.CheckOperationsVerbose(m, sub, left)
		lin := longestPartial(info)
		switch r {
		case porcupine.Ok:
			for i := range lin {
				lin[i] = ops[from+lin[i]].hist
			}
			return Linearizable, lin, si
		case porcupine.Unknown:
			verdict = Unknown
		}
		if len(lin) >= len(best) {
			best = lin
		}
	}
	if verdict == Unknown {
		return Unknown, nil, 0
	}
	placed := make([]bool, len(sub))
	for _, i := range best {
		placed[i] = true
	}
	var unplaced []int
	for i, ok := range placed {
		if !ok {
			unplaced = append(unplaced, ops[from+i].hist)
		}
	}
	return NotLinearizable, unplaced, 0
}

// checkWhole checks one v0.1 partition with porcupine in one go.
func (cv *converter) checkWhole(history []porcupine.Operation, timeout time.Duration, coverage bool) (Partition, map[Edge]int) {
	r, info := porcupine.CheckOperationsVerbose(cv.porcupineModel(), cv.ranked(history), timeout)
	pr := Partition{Name: cv.name, Ops: len(history)}
	var edges map[Edge]int
	switch r {
	case porcupine.Ok:
		pr.Verdict = Linearizable
		if coverage {
			edges = map[Edge]int{}
			cv.cover(history, longestPartial(info), edges)
		}
	case porcupine.Illegal:
		pr.Verdict = NotLinearizable
		pr.Unplaced, pr.MoreUnplaced = describeOps(history, unplacedIn(len(history), longestPartial(info)), cv.describeInput)
	default:
		pr.Verdict = Unknown
	}
	return pr, edges
}

func (cv *converter) describeInput(in any) string { return cv.describe(in.(specInput).op) }

// longestPartial is the longest partial linearization porcupine found
// (indices into the history it checked), the first of the longest.
func longestPartial(info porcupine.LinearizationInfo) []int {
	var best []int
	found := false
	for _, part := range info.PartialLinearizations() {
		for _, lin := range part {
			if !found || len(lin) > len(best) {
				best, found = lin, true
			}
		}
	}
	return append([]int(nil), best...)
}

// unplacedIn lists the indices below n that lin does not hold.
func unplacedIn(n int, lin []int) []int {
	placed := make([]bool, n)
	for _, i := range lin {
		placed[i] = true
	}
	var out []int
	for i, ok := range placed {
		if !ok {
			out = append(out, i)
		}
	}
	return out
}

// describeOps describes the first MaxUnplaced of the history ops idx in
// call order (then history order) and counts the others.
func describeOps(h []porcupine.Operation, idx []int, describe func(any) string) ([]string, int) {
	idx = append([]int(nil), idx...)
	sort.SliceStable(idx, func(a, b int) bool {
		if h[idx[a]].Call != h[idx[b]].Call {
			return h[idx[a]].Call < h[idx[b]].Call
		}
		return idx[a] < idx[b]
	})
	var out []string
	for _, i := range idx[:min(len(idx), MaxUnplaced)] {
		out = append(out, fmt.Sprintf("[%d, %d] %s", h[i].Call, h[i].Return, describe(h[i].Input)))
	}
	return out, len(idx) - len(out)
}
