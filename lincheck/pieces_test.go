package lincheck

import (
	"bytes"
	"strings"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
	"pgregory.net/rapid"
)

// TestCutsKeepVerdicts: the piece search (cut at quiescent points, each
// piece searched level by level from every state the pieces before may
// have left, wide pieces left to porcupine) gives the verdict porcupine
// gives on each whole partition, on generated traces, linearizable and
// not: runs of the fixed model, some mutated, some on a coarse clock
// (which makes ops of different threads overlap and fewer cuts), with the
// level width bounded low or not (so that the fall-back to porcupine from
// a set of states is exercised too).
func TestCutsKeepVerdicts(t *testing.T) {
	defer func(w, b int) { maxWidth, blockWidth = w, b }(maxWidth, blockWidth)
	counts := map[string]int{}
	rapid.Check(t, func(rt *rapid.T) {
		var tr traces.Trace
		if rapid.Bool().Draw(rt, "pool") {
			// Servers polling one queue at once: several states at a
			// cut, and wide pieces.
			k := rapid.IntRange(2, 4).Draw(rt, "servers")
			tr = poolTrace(rt, rapid.IntRange(10, 120).Draw(rt, "ops"), k,
				rapid.Int64Range(0, 20*int64(k)).Draw(rt, "overlap"), rapid.Uint64().Draw(rt, "seed"))
		} else {
			cfgs := traceConfigs()
			c := cfgs[rapid.IntRange(0, len(cfgs)-1).Draw(rt, "config")]
			m, _ := model.New(c)
			var err error
			tr, err = m.Trace(walk(m, rapid.Uint64().Draw(rt, "seed"), rapid.IntRange(10, 400).Draw(rt, "depth")), "model")
			if err != nil {
				rt.Fatal(err)
			}
		}
		if rapid.Bool().Draw(rt, "mutate") {
			mu := mutations[rapid.IntRange(0, len(mutations)-1).Draw(rt, "mutation")]
			if !mu.apply(&tr, func(n int) int { return rapid.IntRange(0, n-1).Draw(rt, "where") }) {
				rt.Skip("nothing to mutate")
			}
		}
		if tick := rapid.SampledFrom([]int64{1, 7, 30, 100}).Draw(rt, "tick"); tick > 1 {
			for i := range tr.Ops {
				tr.Ops[i].Call, tr.Ops[i].Return = tr.Ops[i].Call/tick, tr.Ops[i].Return/tick
			}
		}
		if len(tr.Header.Groups) > 0 && rapid.Bool().Draw(rt, "unknown") {
			// A task that registers and is never heard of again (version
			// 2's unknown outcome): its op never returns.
			i := rapid.IntRange(0, len(tr.Ops)-1).Draw(rt, "unknown at")
			x := traces.Op{Thread: "x", Kind: "register_worker", Args: traces.Args{Group: tr.Header.Groups[0]},
				Outcome: traces.OutcomeUnknown, Call: tr.Ops[i].Call, Return: tr.Ops[i].Call}
			tr.Header.Version = traces.Version2
			tr.Header.Tasks = append(append([]string(nil), tr.Header.Tasks...), "x")
			tr.Ops = append(tr.Ops[:i:i], append([]traces.Op{x}, tr.Ops[i:]...)...)
		}
		var buf bytes.Buffer
		if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
			rt.Skip("not well formed (the reader's business)")
		}
		maxWidth = rapid.SampledFrom([]int{2, 8, 1 << 14}).Draw(rt, "maxWidth")
		blockWidth = rapid.SampledFrom([]int{2, 3}).Draw(rt, "blockWidth")
		whole, err := CheckWith(tr, Options{Timeout: 10 * time.Second, wholePartitions: true})
		if err != nil {
			rt.Fatal(err)
		}
		cut, err := CheckWith(tr, Options{Timeout: 10 * time.Second})
		if err != nil {
			rt.Fatal(err)
		}
		if whole.Verdict == Unknown || cut.Verdict == Unknown {
			rt.Skip("timed out")
		}
		for i := range whole.Partitions {
			if w, c := whole.Partitions[i].Verdict, cut.Partitions[i].Verdict; w != c {
				rt.Fatalf("partition %s: whole %s, cut %s\n%s", whole.Partitions[i].Name, w, c, buf.String())
			}
		}
		counts[string(cut.Verdict)]++
		if tr.Header.Version == traces.Version2 {
			counts["of them with an unknown outcome"]++
		}
	})
	t.Logf("verdicts compared: %v", counts)
	if counts[string(Linearizable)] == 0 || counts[string(NotLinearizable)] == 0 {
		t.Errorf("the traces drawn were not of both kinds: %v", counts)
	}
}

// TestCuts: a trace is cut where nothing is pending, not where ops
// overlap or merely touch (a call at the instant another op returns).
func TestCuts(t *testing.T) {
	iv := func(pairs ...int64) []searchOp {
		var call, ret []int64
		var thread []int
		for i := 0; i < len(pairs); i += 2 {
			call, ret, thread = append(call, pairs[i]), append(ret, pairs[i+1]), append(thread, i/2)
		}
		return searchOps(call, ret, thread)
	}
	for _, c := range []struct {
		ops  []searchOp
		want []int
	}{
		{iv(0, 1, 2, 3, 4, 5), []int{0, 1, 2}},
		{iv(0, 2, 2, 3, 4, 5), []int{0, 2}},    // a call at a return: they overlap
		{iv(0, 10, 2, 3, 4, 5), []int{0}},      // the first op spans the others
		{iv(4, 5, 0, 1, 2, 3), []int{0, 1, 2}}, // file order is not call order
	} {
		if got := cuts(c.ops); !equalInts(got, c.want) {
			t.Errorf("%+v: cuts %v, want %v", c.ops, got, c.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAdvance: the placed set stays in normal form.
func TestAdvance(t *testing.T) {
	p, set := advance(0, nil, 1) // op 1 placed, op 0 not
	if p != 0 || len(set) != 1 || set[0] != 2 {
		t.Fatalf("got %d %b", p, set)
	}
	p, set = advance(p, set, 70)
	if p != 0 || len(set) != 2 {
		t.Fatalf("got %d %b", p, set)
	}
	p, set = advance(p, set, 0) // ops 0, 1 placed: p moves past them
	if p != 2 || len(set) != 2 || set[0] != 0 || set[1] != 1<<4 {
		t.Fatalf("got %d %b", p, set)
	}
	for k := 0; k < 68; k++ {
		p, set = advance(p, set, 0)
	}
	if p != 71 || set != nil {
		t.Fatalf("got %d %b", p, set)
	}
}

// registerSpec is a register for the search's own tests: op i writes
// vals[i] when write[i], else reads it.
func registerSpec(write []bool, vals []int) searchSpec[int] {
	return searchSpec[int]{
		step: func(s, i int, out []int) []int {
			if write[i] {
				return append(out, vals[i])
			}
			if s == vals[i] {
				return append(out, s)
			}
			return out
		},
		hash:  func(s int) uint64 { return uint64(s) },
		equal: func(a, b int) bool { return a == b },
	}
}

// TestSearchCarriesEveryState: two writes at once leave either value;
// the piece after the cut reads one of them, and must find it whichever
// it is, also when that piece is too wide for the level search and goes
// depth first (from every state, not the first); a read of a value
// never written fails.
func TestSearchCarriesEveryState(t *testing.T) {
	defer func(w int) { maxWidth = w }(maxWidth)
	for _, width := range []int{2, 1 << 14} {
		maxWidth = width
		for _, c := range []struct {
			read int
			want Verdict
		}{{1, Linearizable}, {2, Linearizable}, {3, NotLinearizable}} {
			// Ops 0 and 1 write 1 and 2 at once; then 2, 3, 4 read at
			// once (threads 2, 3, 4).
			call := []int64{0, 0, 10, 10, 10}
			ret := []int64{5, 5, 20, 20, 20}
			write := []bool{true, true, false, false, false}
			vals := []int{1, 2, c.read, c.read, c.read}
			ops := searchOps(call, ret, []int{0, 1, 2, 3, 4})
			r := search(ops, 0, registerSpec(write, vals), time.Time{}, true)
			if r.verdict != c.want || r.pieces != 2 {
				t.Errorf("width %d, read %d: %s in %d pieces, want %s in 2", width, c.read, r.verdict, r.pieces, c.want)
			}
			if c.want == Linearizable && r.fellBack != (width == 2) {
				t.Errorf("width %d: fell back %v", width, r.fellBack)
			}
			if c.want == Linearizable && len(r.lin) != 5 {
				t.Errorf("width %d, read %d: linearization %v", width, c.read, r.lin)
			}
			if c.want == NotLinearizable && len(r.unplaced) != 3 {
				t.Errorf("width %d, read %d: unplaced %v, want the 3 reads", width, c.read, r.unplaced)
			}
		}
	}
}

// TestTimeoutIsUnknown: a search that runs out of time says so, soon
// after: a failing pool of 12 simultaneous registrations, searched
// without the queue blocks (factorial), with a timeout of a fifth of a
// second.
func TestTimeoutIsUnknown(t *testing.T) {
	order := []int{3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 10, 3}
	tr, err := traces.ReadAll(strings.NewReader(registrations(order)), "pool.jsonl", model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := CheckWith(tr, Options{Timeout: 200 * time.Millisecond, concreteQueues: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Unknown {
		t.Errorf("verdict %s", res.Verdict)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestSearchHoles: an op that never returns (unknown outcome) may take
// effect after any later op: a write of 5 that never returns, then reads
// of 0, then a read of 5, is linearizable (the write goes last but one);
// a read of 0 after the read of 5 is not. The write stays a hole behind
// the placed ops, so the placed set stays short.
func TestSearchHoles(t *testing.T) {
	defer func(w int) { maxWidth = w }(maxWidth)
	for _, width := range []int{1, 1 << 10} {
		maxWidth = width
		for _, c := range []struct {
			reads []int
			want  Verdict
		}{{[]int{0, 0, 0, 5}, Linearizable}, {[]int{0, 5, 0}, NotLinearizable}, {[]int{0, 0}, Linearizable}} {
			call, ret, thread := []int64{0}, []int64{NoReturn}, []int{0}
			write, vals := []bool{true}, []int{5}
			for i, r := range c.reads {
				call, ret, thread = append(call, int64(10*i+10)), append(ret, int64(10*i+15)), append(thread, 1)
				write, vals = append(write, false), append(vals, r)
			}
			r := search(searchOps(call, ret, thread), 0, registerSpec(write, vals), time.Time{}, true)
			if r.verdict != c.want {
				t.Errorf("width %d, reads %v: %s, want %s", width, c.reads, r.verdict, c.want)
			}
			if c.want == Linearizable && len(r.lin) != len(call) {
				t.Errorf("width %d, reads %v: linearization %v", width, c.reads, r.lin)
			}
		}
	}
}
