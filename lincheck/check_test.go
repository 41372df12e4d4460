package lincheck

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
	"pgregory.net/rapid"
)

// walk returns a random run of m (at most depth steps).
func walk(m *model.Model, seed uint64, depth int) []model.Action {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := m.Init()
	var path, buf []model.Action
	for len(path) < depth {
		buf = m.Enabled(&s, buf[:0])
		if len(buf) == 0 {
			break
		}
		a := buf[rng.IntN(len(buf))]
		m.Step(&s, a)
		path = append(path, a)
	}
	return path
}

// traceConfigs are fixed-variant configurations whose runs leave complete
// traces (no faults a trace cannot show).
func traceConfigs() []model.Config {
	base := model.Config{Variant: model.Fixed, Groups: 1, Servers: 1, Workers: 2, Blocks: 1, MaxFaults: 1}
	two := base
	two.Servers = 2
	groups := base
	groups.Groups, groups.Workers = 2, 1
	pre := base
	pre.Faults = model.FaultPreempt
	core := model.Config{Variant: model.Fixed, CorePairs: 1, Swaps: 2}
	return []model.Config{base, two, groups, pre, core}
}

// TestModelTracesAreLinearizable: every trace the fixed model produces is
// linearizable with respect to the specification, after a write and read
// round trip.
func TestModelTracesAreLinearizable(t *testing.T) {
	for ci, c := range traceConfigs() {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(0); seed < 40; seed++ {
			tr, err := m.Trace(walk(m, seed, 400), "model")
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
				t.Fatalf("config %d seed %d: the writer rejects a model trace: %v", ci, seed, err)
			}
			back, err := traces.ReadAll(&buf, "model.jsonl", model.Vocabulary())
			if err != nil {
				t.Fatalf("config %d seed %d: the reader rejects a model trace: %v\n%s", ci, seed, err, buf.String())
			}
			res, err := Check(back, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != Linearizable {
				var out bytes.Buffer
				traces.WriteAll(&out, tr, model.Vocabulary())
				t.Fatalf("config %s seed %d: %s: %+v\n%s", c, seed, res.Verdict, res.Partitions, out.String())
			}
		}
	}
}

// mutation changes one thing in a trace; it reports false when the trace
// has nothing it can change.
type mutation struct {
	name  string
	apply func(tr *traces.Trace, pick func(n int) int) bool
}

func indexes(tr *traces.Trace, f func(op traces.Op) bool) []int {
	var out []int
	for i, op := range tr.Ops {
		if f(op) {
			out = append(out, i)
		}
	}
	return out
}

// failed reports whether a whole call or a followup of v0.1 failed: it
// returned -1, or UMCG_NONE.
func failed(op traces.Op) bool {
	switch callOf(op).Result() {
	case model.ResultThread, model.ResultGroup:
		return op.Ret.Kind == traces.RetNull || op.Ret.Kind == traces.RetInt && op.Ret.Int <= 0
	case model.ResultState:
		return false
	}
	return op.Ret.Kind == traces.RetInt && op.Ret.Int == -1
}

var mutations = []mutation{
	{"poll returns the wrong worker", func(tr *traces.Trace, pick func(int) int) bool {
		is := indexes(tr, func(op traces.Op) bool {
			return op.Kind == "poll_worker" && op.Phase == traces.PhaseFollowup && op.Ret.Kind == traces.RetName
		})
		if len(is) == 0 {
			return false
		}
		op := &tr.Ops[is[pick(len(is))]]
		for _, t := range tr.Header.Tasks {
			if t != op.Ret.Name && t[0] == 'w' {
				op.Ret.Name = t
				return true
			}
		}
		return false
	}},
	{"block and unblock exchanged", func(tr *traces.Trace, pick func(int) int) bool {
		is := indexes(tr, func(op traces.Op) bool { return op.Kind == "unblock" })
		if len(is) == 0 {
			return false
		}
		u := is[pick(len(is))]
		for b := u - 1; b >= 0; b-- {
			if tr.Ops[b].Thread == tr.Ops[u].Thread && tr.Ops[b].Kind == "block" {
				tr.Ops[b].Kind, tr.Ops[u].Kind = "unblock", "block"
				return true
			}
		}
		return false
	}},
	{"a lost unblock", func(tr *traces.Trace, pick func(int) int) bool {
		is := indexes(tr, func(op traces.Op) bool { return op.Kind == "unblock" })
		if len(is) == 0 {
			return false
		}
		u := is[pick(len(is))]
		tr.Ops = append(tr.Ops[:u:u], tr.Ops[u+1:]...)
		return true
	}},
	// errno is compared only after a failure: after a success it is
	// whatever the C library left, and any value is accepted.
	{"a wrong errno after a failure", func(tr *traces.Trace, pick func(int) int) bool {
		is := indexes(tr, func(op traces.Op) bool {
			_, ev := model.ParseEvent(op.Kind.String())
			return !ev && op.Phase != traces.PhaseRequest && failed(op)
		})
		if len(is) == 0 {
			return false
		}
		op := &tr.Ops[is[pick(len(is))]]
		if op.Errno == 4 {
			op.Errno = 11
		} else {
			op.Errno = 4 // EINTR
		}
		return true
	}},
	{"a run of a worker that is not runnable", func(tr *traces.Trace, pick func(int) int) bool {
		is := indexes(tr, func(op traces.Op) bool { return op.Kind == "run_worker" && op.Phase == traces.PhaseRequest })
		if len(is) == 0 {
			return false
		}
		op := &tr.Ops[is[pick(len(is))]]
		for _, t := range tr.Header.Tasks {
			if t != op.Args.Worker && t[0] == 'w' {
				op.Args.Worker = t
				return true
			}
		}
		return false
	}},
}

// TestMutatedTracesAreRejected: traces of the fixed model with one thing
// changed are rejected. Some changes leave a trace the specification still
// allows (a lost unblock of a worker nobody waits for); the test measures
// the fraction rejected per mutation and requires most to be.
func TestMutatedTracesAreRejected(t *testing.T) {
	for _, mu := range mutations {
		tried, rejected := 0, 0
		for ci, c := range traceConfigs()[:4] {
			m, _ := model.New(c)
			for seed := uint64(0); seed < 30; seed++ {
				tr, _ := m.Trace(walk(m, seed, 400), "model")
				rng := rand.New(rand.NewPCG(seed, uint64(ci)))
				if !mu.apply(&tr, func(n int) int { return rng.IntN(n) }) {
					continue
				}
				var buf bytes.Buffer
				if traces.WriteAll(&buf, tr, model.Vocabulary()) != nil {
					continue // the change broke the format: the reader's job
				}
				tried++
				res, err := Check(tr, 10*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				if res.Verdict == NotLinearizable {
					rejected++
				}
			}
		}
		if tried == 0 {
			t.Errorf("%s: no trace could be mutated", mu.name)
			continue
		}
		frac := float64(rejected) / float64(tried)
		t.Logf("%-40s rejected %3d of %3d (%.0f%%)", mu.name, rejected, tried, 100*frac)
		if frac < 0.5 {
			t.Errorf("%s: only %.0f%% of the mutated traces rejected", mu.name, 100*frac)
		}
	}
}

// TestMutationsRapid: rapid draws a configuration, a run, a mutation and
// where to apply it; a mutated trace that is still well formed must be
// rejected. Mutations that leave a linearizable trace are counted, not
// failed (they exist: a wrong errno on a call nobody depends on can still
// be wrong, but a lost unblock at the very end may not be observable); the
// test fails if more than a tenth of them are accepted.
func TestMutationsRapid(t *testing.T) {
	accepted, tried := 0, 0
	rapid.Check(t, func(rt *rapid.T) {
		cfgs := traceConfigs()
		c := cfgs[rapid.IntRange(0, len(cfgs)-1).Draw(rt, "config")]
		m, _ := model.New(c)
		tr, err := m.Trace(walk(m, rapid.Uint64().Draw(rt, "seed"), 400), "model")
		if err != nil {
			rt.Fatal(err)
		}
		mu := mutations[rapid.IntRange(0, len(mutations)-1).Draw(rt, "mutation")]
		if !mu.apply(&tr, func(n int) int { return rapid.IntRange(0, n-1).Draw(rt, "where") }) {
			rt.Skip("nothing to mutate")
		}
		var buf bytes.Buffer
		if traces.WriteAll(&buf, tr, model.Vocabulary()) != nil {
			rt.Skip("the mutation broke the format (the reader's business)")
		}
		res, err := Check(tr, 10*time.Second)
		if err != nil {
			rt.Fatal(err)
		}
		tried++
		if res.Verdict != NotLinearizable {
			accepted++
			rt.Logf("%s accepted:\n%s", mu.name, buf.String())
		}
	})
	t.Logf("rapid: %d of %d mutated traces rejected (%.1f%%)", tried-accepted, tried, 100*float64(tried-accepted)/float64(max(tried, 1)))
	if tried == 0 || accepted*10 > tried {
		t.Errorf("%d of %d mutated traces accepted", accepted, tried)
	}
}
