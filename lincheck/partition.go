package lincheck

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// checkPieces checks one v0.1 partition piece by piece (pieces.go).
func (cv *converter) checkPieces(history []porcupine.Operation, timeout time.Duration, coverage bool) (Partition, map[Edge]int) {
	pr, edges, _, _ := cv.checkPiecesAt(history, timeout, coverage, false)
	return pr, edges
}

// cutState is a cut of a partition's search: how many of the
// partition's ops (in call order) are before it, and the set of states
// the search may be in there, encoded (equal sets, equal strings).
type cutState struct {
	at     int
	states string
}

// checkPiecesAt is checkPieces, with (when cuts is set) the cuts the
// search passed and the trace index of each of the partition's ops in
// call order.
func (cv *converter) checkPiecesAt(history []porcupine.Operation, timeout time.Duration, coverage, cuts bool) (Partition, map[Edge]int, []cutState, []int) {
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
	prio := func(ops []searchOp) []int64 {
		ranked := cv.ranked(history)
		prio := make([]int64, len(ops))
		for i, op := range ops {
			prio[i] = ranked[op.hist].Call
		}
		return prio
	}
	var seen []cutState
	atCut := func(at int, enc []string) {
		sort.Strings(enc)
		seen = append(seen, cutState{at: at, states: strings.Join(enc, "\x00")})
	}
	// Coverage replays the linearization found on plain states, so it
	// needs one whose queues have one order.
	qu := newQueuer(cv.spec, history, coverage || cv.concreteQueues)
	var r searchResult
	if !qu.blocks() {
		// No block can form: the search runs on plain states, without
		// what the blocks cost (docs/performance.md).
		sp, init := plainSearch(cv.spec, history)
		sp.prio = prio
		if cuts {
			sp.atCut = func(at int, states []string) { atCut(at, slices.Clone(states)) }
		}
		r = search(ops, init, sp, deadline, coverage)
	} else {
		sp := searchSpec[qstate]{
			step:      qu.step,
			hash:      qu.hash,
			equal:     qu.equal,
			keep:      qu.keep,
			alone:     qu.alone,
			aloneKind: qu.aloneKind,
			settle:    qu.settle,
			prio:      prio,
		}
		if cuts {
			sp.atCut = func(at int, states []qstate) {
				var enc []string
				for _, s := range states {
					enc = append(enc, string(qu.encode(nil, s)))
				}
				atCut(at, enc)
			}
		}
		r = search(ops, qu.init(), sp, deadline, coverage)
	}
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
	var order []int
	if cuts {
		for _, op := range ops {
			order = append(order, cv.traceIdx[op.hist])
		}
	}
	return pr, edges, seen, order
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
		end := fmt.Sprint(h[i].Return)
		if h[i].Return == NoReturn {
			end = "unknown"
		}
		out = append(out, fmt.Sprintf("[%d, %s] %s", h[i].Call, end, describe(h[i].Input)))
	}
	return out, len(idx) - len(out)
}
