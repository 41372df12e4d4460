package lincheck

import (
	"bytes"
	"errors"
	"sort"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// MaxShrinkChecks bounds the checks Shrink runs: shrinking a long trace
// stops there with what it has, so that its result depends on the trace
// alone, not on the machine's speed.
const MaxShrinkChecks = 2000

// ErrNotFailing is Shrink's error for a trace that is not (or not known
// to be) non-linearizable.
var ErrNotFailing = errors.New("the trace is not shown non-linearizable: nothing to shrink")

// Shrink returns a smaller trace that Check still finds not linearizable
// for the same reason. The reason is the culprit: the op at which the
// trace, taken in call order, stops being linearizable (the first k ops
// pass, the first k+1 do not). Shrink keeps the ops up to the culprit,
// then removes the ops of whole tasks, then runs of ops (delta debugging,
// halves first), and keeps a removal only when the result still fails
// and fails no more without the culprit: a removal that makes some other
// op impossible (a worker's block without its registration) would fail
// for a reason of its own. The result stays well formed (a sleeping
// call's request and followup go together; it writes and reads back);
// the header's tasks and groups that nothing names any more are dropped.
// Shrink runs at most MaxShrinkChecks checks, each with o's timeout (a
// check without an answer keeps what it would have removed); its result
// depends on the trace alone.
func Shrink(t traces.Trace, o Options) (traces.Trace, error) {
	o.Visualize, o.Coverage = false, false
	checks := 0
	verdict := func(c traces.Trace) Verdict {
		if checks >= MaxShrinkChecks {
			return Unknown
		}
		checks++
		var buf bytes.Buffer
		if traces.WriteAll(&buf, c, Protocols()) != nil {
			return Unknown
		}
		back, err := traces.ReadAll(&buf, "shrunk", Protocols())
		if err != nil {
			return Unknown
		}
		res, err := CheckWith(back, o)
		if err != nil {
			return Unknown
		}
		return res.Verdict
	}
	with := func(ops []traces.Op) traces.Trace {
		c := t
		c.Ops = ops
		return c
	}
	if verdict(t) != NotLinearizable {
		return t, ErrNotFailing
	}
	// The culprit, by bisection on prefixes in call order (a thread's
	// ops are in call order, so every prefix is well formed).
	ordered := append([]traces.Op(nil), t.Ops...)
	sort.SliceStable(ordered, func(a, b int) bool { return ordered[a].Call < ordered[b].Call })
	lo, hi := 0, len(ordered) // ordered[:lo] is not known to fail; ordered[:hi] fails
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if verdict(with(ordered[:mid])) == NotLinearizable {
			hi = mid
		} else {
			lo = mid
		}
	}
	prefix, culprit := ordered[:hi], hi-1
	units := opUnits(prefix)
	var buildIdx func(us [][]int, withCulprit bool) (traces.Trace, []int)
	var fixed []int // the culprit's unit (it ends with the culprit), never removed
	for i, u := range units {
		if u[len(u)-1] == culprit {
			fixed = u
			units = append(units[:i:i], units[i+1:]...)
			break
		}
	}
	build := func(us [][]int, withCulprit bool) traces.Trace {
		t, _ := buildIdx(us, withCulprit)
		return t
	}
	buildIdx = func(us [][]int, withCulprit bool) (traces.Trace, []int) {
		var idx []int
		for _, u := range us {
			idx = append(idx, u...)
		}
		idx = append(idx, fixed[:len(fixed)-1]...)
		if withCulprit {
			idx = append(idx, culprit)
		}
		sort.Ints(idx) // call order
		ops := make([]traces.Op, len(idx))
		for i, x := range idx {
			ops[i] = prefix[x]
		}
		return with(ops), idx
	}
	var same func(us [][]int) bool
	same = func(us [][]int) bool {
		return verdict(build(us, true)) == NotLinearizable && verdict(build(us, false)) == Linearizable
	}
	// Independent parts first: the tasks of every partition but the
	// culprit's.
	if sp, err := specFor(t.Header); err == nil && sp == nil {
		if parts, err := partitionTrace(expand(build(units, true), model.Vocabulary()).t); err == nil {
			for _, cv := range parts {
				if _, mine := cv.tasks[prefix[culprit].Thread]; mine {
					continue
				}
				var keep [][]int
				for _, u := range units {
					if _, in := cv.tasks[prefix[u[0]].Thread]; !in {
						keep = append(keep, u)
					}
				}
				if len(keep) < len(units) && same(keep) {
					units = keep
				}
			}
		}
	}
	// Loops: the ops between two cuts where the specification may
	// be in the same states change nothing after them.
	for progress := true; progress && checks < MaxShrinkChecks; {
		progress = false
		tr, idx := buildIdx(units, true)
		for _, span := range loops(tr, o.Timeout) {
			inSpan := map[int]bool{}
			for _, i := range span {
				inSpan[idx[i]] = true
			}
			var keep [][]int
			for _, u := range units {
				all := true
				for _, x := range u {
					all = all && inSpan[x]
				}
				if !all {
					keep = append(keep, u)
				}
			}
			if len(keep) < len(units) && same(keep) {
				units, progress = keep, true
				break
			}
		}
	}
	// The culprit's own thread keeps its ops (but for loops): they are
	// the context its result is wrong in (a poll's EINTR is wrong for a
	// server in one way, and for a task that never registered in
	// another).
	mineIdx := 0
	for i, u := range units {
		if prefix[u[0]].Thread != prefix[culprit].Thread {
			units[mineIdx], units[i] = units[i], units[mineIdx]
			mineIdx++
		}
	}
	others, mine := units[:mineIdx:mineIdx], units[mineIdx:]
	same = func(us [][]int) bool {
		all := append(append([][]int(nil), us...), mine...)
		return verdict(build(all, true)) == NotLinearizable && verdict(build(all, false)) == Linearizable
	}
	units = others
	// Whole tasks: a failure usually involves a few of them.
	for _, task := range t.Header.Tasks {
		var keep [][]int
		for _, u := range units {
			if prefix[u[0]].Thread != task {
				keep = append(keep, u)
			}
		}
		if len(keep) < len(units) && same(keep) {
			units = keep
		}
	}
	// Then runs of units, halves first, down to single ones, until no
	// single unit can go.
	for chunk := max(len(units)/2, 1); len(units) > 0; chunk = max(chunk/2, 1) {
		removed := false
		for i := 0; i < len(units); {
			j := min(i+chunk, len(units))
			keep := append(append([][]int(nil), units[:i]...), units[j:]...)
			if same(keep) {
				units, removed = keep, true
				continue
			}
			i = j
		}
		if chunk == 1 && (!removed || checks >= MaxShrinkChecks) {
			break
		}
	}
	small := build(append(units, mine...), true)
	if c := unnamedDropped(small); verdict(c) == NotLinearizable {
		small = c
	}
	return small, nil
}

// maxLoops bounds the loops Shrink tries per round, the longest first.
const maxLoops = 8

// loops returns, for each v0.1 partition of t that is not linearizable,
// the longest runs of ops (indices in t, in call order) between two cuts
// of its search where the specification may be in the same set of
// states: removing such a run leaves the states after it as they were.
func loops(t traces.Trace, timeout time.Duration) [][]int {
	if sp, err := specFor(t.Header); err != nil || sp != nil {
		return nil
	}
	e := expand(t, model.Vocabulary())
	parts, err := partitionTrace(e.t)
	if err != nil {
		return nil
	}
	// The expanded trace may split an op of t in two (a sleeping call
	// written as one line): back to t's indices, each once.
	traceIdx := func(i int) int {
		if e.line == nil {
			return i
		}
		return e.line[i] - 2 // the header is line 1
	}
	var out [][]int
	for pi, cv := range parts {
		pr, _, cuts, order := cv.checkPiecesAt(cv.history(pi), timeout, false, true)
		if pr.Verdict != NotLinearizable {
			continue
		}
		first := map[string]int{} // states -> the first cut with them
		type span struct{ from, to int }
		var spans []span
		for _, c := range cuts {
			if f, ok := first[c.states]; ok {
				spans = append(spans, span{f, c.at})
			} else {
				first[c.states] = c.at
			}
		}
		sort.SliceStable(spans, func(a, b int) bool { return spans[a].to-spans[a].from > spans[b].to-spans[b].from })
		for _, s := range spans[:min(len(spans), maxLoops)] {
			var span []int
			seen := map[int]bool{}
			for _, i := range order[s.from:s.to] {
				if ti := traceIdx(i); !seen[ti] {
					seen[ti] = true
					span = append(span, ti)
				}
			}
			out = append(out, span)
		}
	}
	return out
}

// opUnits splits ops into the units Shrink removes, as indices into ops:
// a sleeping call's request with its followup (the thread's next op), any
// other op alone. Units are in the order of their first op.
func opUnits(ops []traces.Op) [][]int {
	var units [][]int
	open := map[string]int{} // thread -> its unit with a request awaiting its followup
	for i, op := range ops {
		if u, ok := open[op.Thread]; ok {
			delete(open, op.Thread)
			if op.Phase == traces.PhaseFollowup {
				units[u] = append(units[u], i)
				continue
			}
		}
		units = append(units, []int{i})
		if op.Phase == traces.PhaseRequest {
			open[op.Thread] = len(units) - 1
		}
	}
	return units
}

// unnamedDropped is t without the header's tasks and groups that no op
// names (as its thread, an argument or a result).
func unnamedDropped(t traces.Trace) traces.Trace {
	named := map[string]bool{}
	for _, op := range t.Ops {
		for _, n := range []string{op.Thread, op.Args.Worker, op.Args.Next, op.Args.Task, op.Args.Group, op.Ret.Name} {
			named[n] = true
		}
	}
	c := t
	c.Header.Tasks, c.Header.Groups = nil, nil
	for _, n := range t.Header.Tasks {
		if named[n] {
			c.Header.Tasks = append(c.Header.Tasks, n)
		}
	}
	for _, n := range t.Header.Groups {
		if named[n] {
			c.Header.Groups = append(c.Header.Groups, n)
		}
	}
	return c
}
