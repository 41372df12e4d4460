package lincheck

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// groupTrace generates a valid trace of about n operations in g groups,
// each with one server running two workers that block and unblock over
// and over: the results come from the specification itself (model.Spec
// Run), so the trace is linearizable by construction, and the groups'
// operations interleave in time.
func groupTrace(tb testing.TB, n, g int) traces.Trace {
	tb.Helper()
	sp, err := model.NewSpec(3, 1, 1)
	if err != nil {
		tb.Fatal(err)
	}
	h := traces.Header{Version: traces.Version, Source: "bench", Clock: traces.ClockNS}
	for i := 0; i < g; i++ {
		is := strconv.Itoa(i)
		h.Tasks = append(h.Tasks, "s"+is, "wa"+is, "wb"+is)
		h.Groups = append(h.Groups, "g"+is)
	}
	// One group's operations, as (task, op) with local indices 0 (server),
	// 1 and 2 (workers); every group repeats the same script.
	s := sp.Init()
	type step struct {
		task int
		op   traces.Op
	}
	var script []step
	emit := func(so model.SpecOp) {
		got, ok := sp.Run(&s, so)
		if !ok {
			tb.Fatalf("the generator's script is not allowed at step %d: %+v", len(script), so)
		}
		op := traces.Op{Kind: kindOf(got), Phase: phaseOf(got.Phase)}
		switch {
		case got.Event != model.NoEvent:
		case got.Call == model.CallRegisterServer || got.Call == model.CallRegisterWorker:
			if got.Phase != model.Followup {
				op.Args.Group = "g"
			}
		case got.Call == model.CallRunWorker && got.Phase == model.Request:
			op.Args.Worker = "w" + strconv.Itoa(int(got.Arg))
		}
		if got.Phase != model.Request && got.Event == model.NoEvent {
			switch got.Call {
			case model.CallRegisterServer, model.CallRegisterWorker, model.CallPollWorker, model.CallRunWorker:
				if got.Ret > 0 {
					op.Ret = traces.NameRet("w" + strconv.Itoa(int(got.Ret)-1))
				}
			}
			op.Errno = int(got.Errno)
		}
		script = append(script, step{task: int(so.Thread), op: op})
	}
	call := func(t int8, c model.Call, p model.SpecPhase, arg int8) {
		emit(model.SpecOp{Thread: t, Call: c, Phase: p, Arg: arg})
	}
	call(0, model.CallRegisterServer, model.WholeCall, 0)
	call(1, model.CallRegisterWorker, model.Request, 0)
	call(2, model.CallRegisterWorker, model.Request, 0)
	registered := [3]bool{}
	for len(script)*g < n {
		call(0, model.CallPollWorker, model.Request, model.None)
		call(0, model.CallPollWorker, model.Followup, model.None)
		w := int8(script[len(script)-1].op.Ret.Name[1] - '0')
		call(0, model.CallRunWorker, model.Request, w)
		if !registered[w] {
			call(w, model.CallRegisterWorker, model.Followup, model.None)
			registered[w] = true
		}
		emit(model.SpecOp{Thread: w, Event: model.EventBlock})
		call(0, model.CallRunWorker, model.Followup, model.None)
		emit(model.SpecOp{Thread: w, Event: model.EventUnblock})
	}
	var tr traces.Trace
	tr.Header = h
	now := int64(0)
	for _, st := range script {
		for i := 0; i < g; i++ {
			is := strconv.Itoa(i)
			op := st.op
			op.Thread = []string{"s", "wa", "wb"}[st.task] + is
			if op.Args.Group != "" {
				op.Args.Group = "g" + is
			}
			if op.Args.Worker != "" {
				op.Args.Worker = []string{"s", "wa", "wb"}[op.Args.Worker[1]-'0'] + is
			}
			if op.Ret.Kind == traces.RetName {
				op.Ret.Name = []string{"s", "wa", "wb"}[op.Ret.Name[1]-'0'] + is
			}
			now += 10
			op.Call, op.Return = now, now+int64(10*g-5) // overlaps the other groups' ops, not its own next
			tr.Ops = append(tr.Ops, op)
		}
	}
	return tr
}

func kindOf(so model.SpecOp) traces.OpKind {
	if so.Event != model.NoEvent {
		return traces.OpKind(so.Event.String())
	}
	return traces.OpKind(so.Call.String())
}

func phaseOf(p model.SpecPhase) traces.Phase {
	switch p {
	case model.Request:
		return traces.PhaseRequest
	case model.Followup:
		return traces.PhaseFollowup
	}
	return traces.PhaseNone
}

// TestGroupTraceIsValid: the benchmark's traces are well formed and
// linearizable.
func TestGroupTraceIsValid(t *testing.T) {
	for _, g := range []int{1, 4, 16} {
		tr := groupTrace(t, 2000, g)
		var buf bytes.Buffer
		if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
			t.Fatalf("%d groups: %v", g, err)
		}
		res, err := Check(tr, time.Minute)
		if err != nil || res.Verdict != Linearizable || len(res.Partitions) != g {
			t.Fatalf("%d groups: %v %v, %d partitions", g, err, res.Verdict, len(res.Partitions))
		}
	}
}

// BenchmarkCheck reports operations checked per second on traces of 10^4,
// 10^5 and 10^6 operations in 1, 4 and 16 groups.
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{10000, 100000, 1000000} {
		for _, g := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("ops=%d/groups=%d", n, g), func(b *testing.B) {
				tr := groupTrace(b, n, g)
				b.ResetTimer()
				for range b.N {
					res, err := Check(tr, 0)
					if err != nil || res.Verdict != Linearizable {
						b.Fatalf("%v %v", err, res.Verdict)
					}
				}
				b.ReportMetric(float64(len(tr.Ops))*float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		}
	}
}

// BenchmarkRegistrations checks pools of workers that register in one
// group at once, then are polled one by one (registrations): n workers
// polled in an order the queue allows (pass), and n+1 workers of which
// the first polled is polled again at the end (fail: the checker must rule
// out every order of the queue). 64 is the pool the issue asks to check
// in under a second.
func BenchmarkRegistrations(b *testing.B) {
	for _, n := range []int{4, 8, 9, 14, 64} {
		for _, fail := range []bool{false, true} {
			order := make([]int, n)
			for i := range order {
				order[i] = (i*5 + 3) % n // a fixed shuffle (5 is prime to every n here)
			}
			want := Linearizable
			if fail {
				order = append(order, order[0])
				want = NotLinearizable
			}
			b.Run(fmt.Sprintf("workers=%d/%s", n, strings.ReplaceAll(string(want), " ", "-")), func(b *testing.B) {
				tr, err := traces.ReadAll(strings.NewReader(registrations(order)), "pool.jsonl", model.Vocabulary())
				if err != nil {
					b.Fatal(err)
				}
				for range b.N {
					res, err := Check(tr, time.Minute)
					if err != nil || res.Verdict != want {
						b.Fatalf("%v %v", err, res.Verdict)
					}
				}
			})
		}
	}
}
