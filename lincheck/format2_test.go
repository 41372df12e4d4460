package lincheck

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// oneRecord rewrites t in version 2's forms, as a tracer that cannot see
// when a call went to sleep would record it: every sleeping call that was
// followed up becomes one line from its request's call to its followup's
// return, with the followup's result, in the request's place; a request
// never followed up stays a request. The header lists no names: each is
// declared where it first appears.
func oneRecord(t traces.Trace) traces.Trace {
	out := traces.Trace{Header: t.Header}
	out.Header.Version = traces.Version2
	out.Header.Tasks, out.Header.Groups = nil, nil
	pending := map[string]int{} // thread -> its request's index in out.Ops
	for _, op := range t.Ops {
		switch op.Phase {
		case traces.PhaseRequest:
			pending[op.Thread] = len(out.Ops)
		case traces.PhaseFollowup:
			r := &out.Ops[pending[op.Thread]]
			r.Phase, r.Ret, r.Errno, r.Return = traces.PhaseNone, op.Ret, op.Errno, op.Return
			delete(pending, op.Thread)
			continue
		}
		out.Ops = append(out.Ops, op)
	}
	return out
}

// readTrace reads a trace of any protocol Check knows.
func readTrace(t *testing.T, path string, data []byte) traces.Trace {
	t.Helper()
	tr, err := traces.ReadAll(bytes.NewReader(data), path, Protocols())
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestOneRecordVerdicts: every recorded trace (hand-written, v0.1 and
// 2023, the Nanos traces, the real-kernel traces), rewritten with each
// sleeping call as one line and no names in the header, written by the
// Writer and read back, gets the verdict of its split form. One way is a
// theorem: the one-line form gives each half the whole call's interval, a
// superset of its split interval, so a linearizable trace stays so. The
// other is what this test measures: a trace rejected in split form is
// still rejected when the tracer cannot see the sleep, except where the
// verdict depends on the hidden point (listed, with why).
func TestOneRecordVerdicts(t *testing.T) {
	var files []string
	for _, glob := range []string{
		"testdata/*.jsonl", "testdata/umcg2023/*.jsonl", "../traces/testdata/[^b]*.jsonl",
		"../cmd/umcgcheck/testdata/nanos/*.jsonl", "../cmd/umcgcheck/testdata/realkernel/*.jsonl",
	} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	// Traces whose rejection needs the moment a call went to sleep.
	dependsOnSleep := map[string]string{}
	counts := map[Verdict]int{}
	merged := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		tr := readTrace(t, path, data)
		if tr.Header.Version != traces.Version1 {
			continue
		}
		split, err := Check(tr, 20*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var buf bytes.Buffer
		ot := oneRecord(tr)
		merged += len(tr.Ops) - len(ot.Ops)
		if err := traces.WriteAll(&buf, ot, Protocols()); err != nil {
			t.Fatalf("%s: the Writer rejects the one-line form: %v", path, err)
		}
		one, err := Check(readTrace(t, path+" (one line)", buf.Bytes()), 20*time.Second)
		if err != nil {
			t.Fatalf("%s (one line): %v", path, err)
		}
		counts[split.Verdict]++
		why, excused := dependsOnSleep[filepath.Base(path)]
		switch {
		case split.Verdict == Unknown || one.Verdict == Unknown:
			t.Errorf("%s: split %s, one line %s: raise the timeout", path, split.Verdict, one.Verdict)
		case split.Verdict == one.Verdict && excused:
			t.Errorf("%s: listed as depending on the sleep's moment (%s), but both forms are %s", path, why, one.Verdict)
		case split.Verdict != one.Verdict && !excused:
			t.Errorf("%s: split %s, one line %s", path, split.Verdict, one.Verdict)
		}
	}
	t.Logf("%d traces of version 1, %d sleeping calls made one line: %v", counts[Linearizable]+counts[NotLinearizable], merged, counts)
	if counts[Linearizable] == 0 || counts[NotLinearizable] == 0 || merged == 0 {
		t.Fatal("the test needs traces of both verdicts")
	}
}

const v2Header = `{"format":"umcg-trace","version":2,"source":"hand","clock":"ns"}` + "\n"

// TestOneRecordStillCaught: a sleeping call written as one line whose
// result nothing explains is rejected: c1's wait returns 0 though nobody
// woke it and no wakeup was queued; and with the wake that explains it,
// accepted.
func TestOneRecordStillCaught(t *testing.T) {
	const reg = `{"thread":"c1","op":"register_core_task","args":{},"ret":"c1","errno":0,"call":100,"return":150}
{"thread":"c2","op":"register_core_task","args":{},"ret":"c2","errno":0,"call":100,"return":150}
`
	const wait = `{"thread":"c1","op":"wait","args":{},"ret":0,"errno":0,"call":200,"return":300}
`
	for _, c := range []struct {
		name, trace string
		want        Verdict
	}{
		{"nobody woke c1", v2Header + reg + wait, NotLinearizable},
		// c2's wake comes after c1's wait returned: it cannot explain it.
		{"woken too late", v2Header + reg + wait + `{"thread":"c2","op":"wake","args":{"next":"c1"},"ret":0,"errno":0,"call":400,"return":450}
`, NotLinearizable},
		{"woken during the wait", v2Header + reg + wait + `{"thread":"c2","op":"wake","args":{"next":"c1"},"ret":0,"errno":0,"call":250,"return":260}
`, Linearizable},
		// A wake before the call queues a wakeup that the wait consumes.
		{"woken before", v2Header + reg + `{"thread":"c2","op":"wake","args":{"next":"c1"},"ret":0,"errno":0,"call":160,"return":170}
` + wait, Linearizable},
	} {
		res, err := checkString(t, c.trace)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Verdict != c.want {
			t.Errorf("%s: %s, want %s (%+v)", c.name, res.Verdict, c.want, res.Partitions)
		}
	}
}

// TestOneRecordHidesTheSleep is the limit of the one-line form: c1 reads
// c2's state as RUNNING while c2's wait is in progress. If the tracer saw
// c2 go to sleep before that (split form), the read is wrong; in one line
// c2 may have gone to sleep after it, and the trace is accepted.
func TestOneRecordHidesTheSleep(t *testing.T) {
	const ops = `{"thread":"c1","op":"register_core_task","args":{},"ret":"c1","errno":0,"call":10,"return":20}
{"thread":"c2","op":"register_core_task","args":{},"ret":"c2","errno":0,"call":10,"return":20}
{"thread":"c2","op":"wait","phase":"request","args":{},"ret":null,"errno":0,"call":100,"return":120}
{"thread":"c1","op":"get_task_state","args":{"task":"c2"},"ret":"RUNNING","errno":0,"call":150,"return":160}
{"thread":"c1","op":"wake","args":{"next":"c2"},"ret":0,"errno":0,"call":200,"return":210}
{"thread":"c2","op":"wait","phase":"followup","ret":0,"errno":0,"call":300,"return":350}
`
	split, err := checkString(t, `{"format":"umcg-trace","version":1,"source":"hand","clock":"ns","tasks":["c1","c2"],"groups":[]}`+"\n"+ops)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := traces.ReadAll(strings.NewReader(v2Header+ops), "t.jsonl", model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	one, err := Check(oneRecord(tr), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if split.Verdict != NotLinearizable || one.Verdict != Linearizable {
		t.Errorf("split %s, one line %s: want not linearizable, linearizable", split.Verdict, one.Verdict)
	}
}

// TestUnknownOutcome: an op whose return was not seen may have taken
// effect, with any result, at any time after its call, or not at all;
// nothing else is loosened. Each linearizable case needs one of the three:
// "registered" the result it was not seen to return, "not yet" the return
// time at infinity, "asleep" the no-op of a followup that cannot happen.
func TestUnknownOutcome(t *testing.T) {
	const reg = `{"thread":"c1","op":"register_core_task","args":{},"ret":"c1","errno":0,"call":100,"return":150}
{"thread":"c2","op":"register_core_task","args":{},"ret":"c2","errno":0,"call":100,"return":150}
`
	const reg1 = `{"thread":"c1","op":"register_core_task","args":{},"ret":"c1","errno":0,"call":100,"return":150}
`
	const died = `{"thread":"c2","op":"died","args":{},"ret":null,"errno":0,"call":500,"return":500}
`
	for _, c := range []struct {
		name, trace string
		want        Verdict
	}{
		// c2's registration returned nothing we saw, yet c1 wakes c2.
		{"registered", v2Header + reg1 + `{"thread":"c2","op":"register_core_task","args":{},"outcome":"unknown","call":100}
{"thread":"c1","op":"wake","args":{"next":"c2"},"ret":0,"errno":0,"call":200,"return":250}
`, Linearizable},
		{"registered, then died", v2Header + reg1 + `{"thread":"c2","op":"register_core_task","args":{},"outcome":"unknown","call":100}
` + died + `{"thread":"c1","op":"wake","args":{"next":"c2"},"ret":0,"errno":0,"call":200,"return":250}
`, Linearizable},
		// Without it, waking c2 fails.
		{"never registered", v2Header + reg1 + `{"thread":"c1","op":"wake","args":{"next":"c2"},"ret":0,"errno":0,"call":200,"return":250}
`, NotLinearizable},
		// c2's unregistration, called at 160, had not taken effect at 300.
		{"not yet", v2Header + reg + `{"thread":"c2","op":"unregister_task","args":{},"outcome":"unknown","call":160}
{"thread":"c1","op":"get_task_state","args":{"task":"c2"},"ret":"RUNNING","errno":0,"call":300,"return":310}
`, Linearizable},
		// A sleeping call in one line, of unknown outcome: c1's wait
		// went to sleep and never returned (nobody woke it).
		{"asleep", v2Header + reg + `{"thread":"c1","op":"wait","args":{},"outcome":"unknown","call":200}
{"thread":"c2","op":"get_task_state","args":{"task":"c1"},"ret":"RUNNABLE","errno":0,"call":300,"return":310}
`, Linearizable},
		// But c1 cannot be anything the specification does not allow.
		{"impossible state", v2Header + reg + `{"thread":"c1","op":"wait","args":{},"outcome":"unknown","call":200}
{"thread":"c2","op":"get_task_state","args":{"task":"c1"},"ret":"NONE","errno":0,"call":300,"return":310}
`, NotLinearizable},
	} {
		res, err := checkString(t, c.trace)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Verdict != c.want {
			t.Errorf("%s: %s, want %s (%+v)", c.name, res.Verdict, c.want, res.Partitions)
		}
	}
}

// TestErrnoAfterSuccess: errno is compared after a failure only; after a
// success, a real C library leaves whatever an earlier call set.
func TestErrnoAfterSuccess(t *testing.T) {
	const h = `{"format":"umcg-trace","version":1,"source":"hand","clock":"ns","tasks":["c1","c2"],"groups":[]}
{"thread":"c1","op":"register_core_task","args":{},"ret":"c1","errno":0,"call":100,"return":150}
`
	for _, c := range []struct {
		name, line string
		want       Verdict
	}{
		{"success, stale errno", `{"thread":"c1","op":"wake","args":{"next":"c1"},"ret":0,"errno":22,"call":200,"return":250}`, Linearizable},
		{"failure, its errno", `{"thread":"c1","op":"wake","args":{"next":"c2"},"ret":-1,"errno":22,"call":200,"return":250}`, Linearizable},
		{"failure, another errno", `{"thread":"c1","op":"wake","args":{"next":"c2"},"ret":-1,"errno":11,"call":200,"return":250}`, NotLinearizable},
		{"failure, errno 0", `{"thread":"c1","op":"wake","args":{"next":"c2"},"ret":-1,"errno":0,"call":200,"return":250}`, NotLinearizable},
	} {
		res, err := checkString(t, h+c.line+"\n")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Verdict != c.want {
			t.Errorf("%s: %s, want %s (%+v)", c.name, res.Verdict, c.want, res.Partitions)
		}
	}
}

// TestVersion2Example: traces/testdata's example of every form of
// version 2 is linearizable, and without c2's wake of unknown outcome,
// c1's second wait has nothing to return for.
func TestVersion2Example(t *testing.T) {
	data, err := os.ReadFile("../traces/testdata/v2-unknown-signal-died.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tr := readTrace(t, "v2-unknown-signal-died.jsonl", data)
	res, err := Check(tr, 10*time.Second)
	if err != nil || res.Verdict != Linearizable {
		t.Fatalf("%s %v (%+v)", res.Verdict, err, res.Partitions)
	}
	var without traces.Trace
	without.Header = tr.Header
	for _, op := range tr.Ops {
		if op.Outcome != traces.OutcomeUnknown {
			without.Ops = append(without.Ops, op)
		}
	}
	res, err = Check(without, 10*time.Second)
	if err != nil || res.Verdict != NotLinearizable {
		t.Fatalf("without the wake: %s %v", res.Verdict, err)
	}
}

// TestUnknownOutcome2023: in umcg-2023, a worker's unregister of unknown
// outcome explains the EXIT its server reads (it took effect, with a
// result the trace never saw); a server's ctx_switch of unknown outcome
// leaves the worker's EXIT unread; without the unregister, the EXIT comes
// from nowhere.
func TestUnknownOutcome2023(t *testing.T) {
	data, err := os.ReadFile("testdata/umcg2023/block-wake-exit.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	base := readTrace(t, "block-wake-exit.jsonl", data)
	edit := func(f func(i int, op *traces.Op) bool) traces.Trace {
		out := traces.Trace{Header: base.Header}
		out.Header.Version = traces.Version2
		for i, op := range base.Ops {
			if f(i, &op) {
				out.Ops = append(out.Ops, op)
			}
		}
		return out
	}
	unregister := func(op *traces.Op) bool { return op.Thread == "w1" && op.Kind == "unregister" }
	for _, c := range []struct {
		name string
		tr   traces.Trace
		want Verdict
	}{
		{"unregister unknown", edit(func(_ int, op *traces.Op) bool {
			if unregister(op) {
				op.Outcome, op.Ret, op.Errno, op.Return = traces.OutcomeUnknown, traces.Ret{}, 0, op.Call
			}
			return true
		}), Linearizable},
		{"unregister missing", edit(func(_ int, op *traces.Op) bool { return !unregister(op) }), NotLinearizable},
		// The trace cut during s1's last ctx_switch: a one-line call of
		// unknown outcome, and nothing of s1 after it.
		{"cut in ctx_switch", edit(func(i int, op *traces.Op) bool {
			switch {
			case op.Thread == "s1" && op.Call >= 300:
				return false
			case op.Thread == "s1" && op.Kind == "ctx_switch" && op.Call == 240:
				op.Phase, op.Outcome, op.Return = traces.PhaseNone, traces.OutcomeUnknown, op.Call
			}
			return true
		}), Linearizable},
	} {
		var buf bytes.Buffer
		if err := traces.WriteAll(&buf, c.tr, Protocols()); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		res, err := Check(readTrace(t, c.name, buf.Bytes()), 10*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Verdict != c.want {
			t.Errorf("%s: %s, want %s (%+v)", c.name, res.Verdict, c.want, res.Partitions)
		}
	}
}

// TestVersion2ErrorLine: an error about an op names its line in the file,
// also when one-line calls (split in two) and deaths (dropped) come
// before it.
func TestVersion2ErrorLine(t *testing.T) {
	const trace = `{"format":"umcg-trace","version":2,"protocol":"umcg-2023","source":"hand","clock":"ns"}
{"thread":"s1","op":"register_server","args":{},"ret":0,"errno":0,"call":10,"return":20}
{"thread":"w1","op":"register_worker","args":{},"ret":0,"errno":0,"call":30,"return":130}
{"thread":"w2","op":"died","args":{},"ret":null,"errno":0,"call":30,"return":30}
{"thread":"s1","op":"wait","args":{"next":null},"ret":-1,"errno":4,"call":40,"return":50}
{"thread":"s1","op":"read_event","args":{"worker":"w1"},"ret":"WAKE","errno":0,"call":60,"return":60}
`
	tr, err := traces.ReadAll(strings.NewReader(trace), "t", Protocols())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(tr, time.Second)
	if err == nil || !strings.HasPrefix(err.Error(), "6: op: read_event must follow") {
		t.Fatalf("err = %v, want line 6's read_event refused", err)
	}
}

// TestOneRecordModelTraces: the fixed model's traces, and the same traces
// with one thing changed (the mutations of TestMutatedTracesAreRejected),
// in one-line form: every model trace stays linearizable, and the
// mutated ones are rejected as often as in split form, but for those
// whose rejection needs the moment a call went to sleep (counted).
func TestOneRecordModelTraces(t *testing.T) {
	check := func(tr traces.Trace) Verdict {
		t.Helper()
		var buf bytes.Buffer
		if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
			t.Fatalf("write: %v", err)
		}
		back, err := traces.ReadAll(&buf, "model.jsonl", model.Vocabulary())
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		res, err := Check(back, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return res.Verdict
	}
	traced, rejectedSplit, rejectedOne := 0, 0, 0
	for ci, c := range traceConfigs() {
		m, _ := model.New(c)
		for seed := uint64(0); seed < 20; seed++ {
			tr, err := m.Trace(walk(m, seed, 400), "model")
			if err != nil {
				t.Fatal(err)
			}
			if v := check(oneRecord(tr)); v != Linearizable {
				t.Fatalf("config %s seed %d: one-line form %s", c, seed, v)
			}
			for mi, mu := range mutations {
				mt := traces.Trace{Header: tr.Header, Ops: append([]traces.Op(nil), tr.Ops...)}
				rng := rand.New(rand.NewPCG(seed, uint64(ci*len(mutations)+mi)))
				if !mu.apply(&mt, func(n int) int { return rng.IntN(n) }) {
					continue
				}
				var buf bytes.Buffer
				if traces.WriteAll(&buf, mt, model.Vocabulary()) != nil {
					continue // the change broke the format
				}
				traced++
				split, one := check(mt), check(oneRecord(mt))
				if split == NotLinearizable {
					rejectedSplit++
				}
				if one == NotLinearizable {
					rejectedOne++
				}
				if split == Linearizable && one != Linearizable {
					t.Fatalf("config %s seed %d, %s: split form linearizable, one-line form %s", c, seed, mu.name, one)
				}
			}
		}
	}
	t.Logf("%d mutated traces: %d rejected in split form, %d in one-line form", traced, rejectedSplit, rejectedOne)
	if traced == 0 || rejectedOne*10 < rejectedSplit*9 {
		t.Errorf("the one-line form loses more than a tenth of the rejections")
	}
}
