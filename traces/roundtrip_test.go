package traces

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// genName draws a task or group name: mostly short ASCII, sometimes any
// valid UTF-8 (quotes, backslashes, control characters, non-ASCII).
func genName() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.StringMatching(`[a-z][a-z0-9]{0,3}`),
		rapid.StringN(1, 6, -1),
	)
}

// genTrace draws a valid trace: a header, then ops that follow every rule
// (pairing, time order per thread, names from the header), interleaved
// across threads, with requests left pending at the end.
func genTrace(t *rapid.T) Trace {
	tasks := rapid.SliceOfNDistinct(genName(), 1, 5, rapid.ID[string]).Draw(t, "tasks")
	groups := rapid.SliceOfNDistinct(genName(), 0, 3, rapid.ID[string]).Draw(t, "groups")
	version := rapid.IntRange(Version1, LatestVersion).Draw(t, "version")
	tr := Trace{Header: Header{
		Version: version,
		Source:  rapid.SampledFrom([]string{"emu", "kernel", "model", "ünï\"\\\n"}).Draw(t, "source"),
		Clock:   ClockNS,
		Tasks:   tasks,
		Groups:  groups,
	}}
	if version >= Version2 {
		// Version 2 may list only some names: the others are declared
		// where they first appear.
		tr.Header.Tasks = tasks[:rapid.IntRange(0, len(tasks)).Draw(t, "listed-tasks")]
		tr.Header.Groups = groups[:rapid.IntRange(0, len(groups)).Draw(t, "listed-groups")]
	}
	created := map[string]bool{} // version 2: a group name is created once
	type thread struct {
		now     int64
		pending OpKind
		done    bool // a request left pending, an unknown outcome: no more ops but a death
		dead    bool
	}
	ts := make(map[string]*thread, len(tasks))
	for _, n := range tasks {
		ts[n] = &thread{now: rapid.Int64Range(0, 1<<40).Draw(t, "start")}
	}
	name := func(list []string, label string) string {
		if len(list) == 0 || rapid.IntRange(0, 4).Draw(t, label+"-none") == 0 {
			return ""
		}
		return rapid.SampledFrom(list).Draw(t, label)
	}
	n := rapid.IntRange(0, 40).Draw(t, "n")
	for i := 0; i < n; i++ {
		tn := rapid.SampledFrom(tasks).Draw(t, "thread")
		th := ts[tn]
		if th.dead || th.done && version < Version2 {
			continue
		}
		op := Op{Thread: tn}
		if version >= Version2 && (th.done || rapid.IntRange(0, 19).Draw(t, "die") == 0) {
			op.Kind = Died
			op.Call = th.now + rapid.Int64Range(0, 1000).Draw(t, "gap")
			op.Return = op.Call + rapid.Int64Range(0, 1000).Draw(t, "duration")
			th.dead = true
			tr.Ops = append(tr.Ops, op)
			continue
		}
		if th.pending != "" {
			if rapid.IntRange(0, 9).Draw(t, "abandon") == 0 {
				th.done = true
				continue
			}
			op.Kind, op.Phase = th.pending, PhaseFollowup
			th.pending = ""
		} else {
			op.Kind = rapid.SampledFrom(kinds()).Draw(t, "kind")
			if specOf(op.Kind).sleeps && (version < Version2 || rapid.Bool().Draw(t, "split")) {
				op.Phase = PhaseRequest
				th.pending = op.Kind
			}
		}
		spec := specOf(op.Kind)
		unknown := version >= Version2 && op.Phase == PhaseNone && !spec.event && rapid.IntRange(0, 9).Draw(t, "unknown") == 0
		if op.Phase != PhaseFollowup && spec.arg != argNone {
			if spec.arg == argGroup {
				op.Args.set(spec.arg, name(groups, "arg"))
			} else {
				op.Args.set(spec.arg, name(tasks, "arg"))
			}
		}
		if op.Phase != PhaseRequest && !spec.event {
			var choices []Ret
			if spec.ret&RetsNull != 0 {
				choices = append(choices, Ret{})
			}
			if spec.ret&RetsInt != 0 {
				choices = append(choices, IntRet(rapid.SampledFrom([]int64{0, -1, 1, -1 << 63, 1<<63 - 1}).Draw(t, "int")))
			}
			if spec.ret&RetsTask != 0 {
				choices = append(choices, NameRet(rapid.SampledFrom(tasks).Draw(t, "task")))
			}
			if spec.ret&RetsGroup != 0 && len(groups) > 0 {
				if g := rapid.SampledFrom(groups).Draw(t, "group"); version < Version2 || !created[g] {
					choices = append(choices, NameRet(g))
				}
			}
			if spec.ret&RetsState != 0 {
				s := rapid.SampledFrom(testVocab.states.Names).Draw(t, "state")
				if rapid.Bool().Draw(t, "queued") {
					s += "|WAKEUP_QUEUED"
				}
				choices = append(choices, NameRet(s))
			}
			op.Ret = rapid.SampledFrom(choices).Draw(t, "ret")
			op.Errno = rapid.SampledFrom([]int{0, 0, 4, 11, 22, -1, MaxErrno, -MaxErrno}).Draw(t, "errno")
			if op.Ret.Kind == RetName && spec.ret&RetsGroup != 0 {
				created[op.Ret.Name] = true
			}
			if version >= Version2 && !spec.event && rapid.IntRange(0, 4).Draw(t, "signalled") == 0 {
				op.Signal = rapid.IntRange(1, MaxSignal).Draw(t, "signal")
			}
		}
		op.Call = th.now + rapid.Int64Range(0, 1000).Draw(t, "gap")
		op.Return = op.Call + rapid.Int64Range(0, 1000).Draw(t, "duration")
		if unknown {
			op.Outcome, op.Ret, op.Errno, op.Return = OutcomeUnknown, Ret{}, 0, op.Call
			th.done = true
		}
		th.now = op.Return
		tr.Ops = append(tr.Ops, op)
	}
	return tr
}

func equalTraces(a, b Trace) bool {
	ha, hb := a.Header, b.Header
	return ha.Version == hb.Version && ha.Protocol == hb.Protocol && ha.Source == hb.Source && ha.Clock == hb.Clock &&
		slices.Equal(ha.Tasks, hb.Tasks) && slices.Equal(ha.Groups, hb.Groups) &&
		slices.Equal(a.Ops, b.Ops)
}

// TestRoundTrip: for every valid trace x, Read(Write(x)) == x, Write is
// canonical (writing what was read gives the same bytes), every op is
// valid on its own, every line validates against schema.json, and the
// Reader and the Writer agree line by line.
func TestRoundTrip(t *testing.T) {
	s := loadSchema(t)
	rapid.Check(t, func(t *rapid.T) {
		x := genTrace(t)
		var buf bytes.Buffer
		if err := WriteAll(&buf, x, testVocab); err != nil {
			t.Fatalf("write: %v", err)
		}
		written := slices.Clone(buf.Bytes())
		y, err := ReadAll(bytes.NewReader(written), "gen.jsonl", testVocab)
		if err != nil {
			t.Fatalf("read: %v\n%s", err, written)
		}
		if !equalTraces(x, y) {
			t.Fatalf("read back differs:\nwrote %+v\nread  %+v", x, y)
		}
		buf.Reset()
		if err := WriteAll(&buf, y, testVocab); err != nil || !bytes.Equal(buf.Bytes(), written) {
			t.Fatalf("not canonical: %v\n%s\n%s", err, written, buf.Bytes())
		}
		for _, op := range x.Ops {
			if err := op.Validate(testVocab); err != nil {
				t.Fatalf("%+v: %v", op, err)
			}
		}
		checkSchemaLines(t, s, "gen.jsonl", written)
	})
}

// TestWriterRejects: the Writer rejects what the Reader would, names the
// line and field, writes nothing for a rejected op, and goes on.
func TestWriterRejects(t *testing.T) {
	h := Header{Version: 1, Source: "emu", Clock: ClockNS, Tasks: []string{"s1", "w1"}, Groups: []string{"g1"}}
	req := Op{Thread: "s1", Kind: "run_worker", Phase: PhaseRequest, Args: Args{Worker: "w1"}, Call: 1200, Return: 1250}
	fol := Op{Thread: "s1", Kind: "run_worker", Phase: PhaseFollowup, Ret: NameRet("w1"), Call: 1260, Return: 1900}

	var buf bytes.Buffer
	w := NewWriter(&buf, testVocab)
	if err := w.WriteOp(req); err == nil || err.Error() != "1: WriteOp before WriteHeader" {
		t.Fatalf("got %v", err)
	}
	for _, c := range []struct {
		h    Header
		want string
	}{
		{Header{Source: "emu", Clock: "ns"}, "1: version: unsupported version 0: this reader reads versions 1 and 2"},
		{Header{Version: 1, Source: "emu"}, `1: clock: unsupported clock "": the format has "ns" only`},
		{Header{Version: 1, Clock: "ns"}, "1: source: empty source: name the producer"},
		{Header{Version: 1, Source: "\xff", Clock: "ns"}, "1: source: not valid UTF-8"},
		{Header{Version: 1, Source: "e", Clock: "ns", Tasks: []string{"a", "\xffb"}}, "1: tasks[1]: name is not valid UTF-8"},
		{Header{Version: 1, Source: "e", Clock: "ns", Groups: []string{""}}, "1: groups[0]: empty name"},
	} {
		if err := w.WriteHeader(c.h); err == nil || err.Error() != c.want {
			t.Errorf("WriteHeader(%+v) = %v, want %s", c.h, err, c.want)
		}
		if err := c.h.Validate(); err == nil || err.Error() != c.want {
			t.Errorf("Validate(%+v) = %v, want %s", c.h, err, c.want)
		}
	}
	if buf.Len() != 0 {
		t.Fatalf("wrote %q", buf.String())
	}
	if err := w.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader(h); err == nil || err.Error() != "2: header already written" {
		t.Fatalf("got %v", err)
	}
	n := buf.Len()
	for _, c := range []struct {
		op   Op
		want string
	}{
		{Op{Thread: "s1", Kind: ""}, `2: op: unknown op ""`},
		{Op{Thread: "s1", Kind: "exit"}, `2: op: unknown op "exit"`},
		{Op{Kind: "wake"}, `2: thread: empty name`},
		{Op{Thread: "s1\xff", Kind: "wake"}, `2: thread: name is not valid UTF-8`},
		{Op{Thread: "s1", Kind: "wake", Phase: PhaseRequest}, `2: phase: wake cannot sleep: its line has no phase field`},
		{Op{Thread: "s1", Kind: "run_worker", Phase: 7}, `2: phase: unknown phase "Phase(7)"`},
		{Op{Thread: "s1", Kind: "wake", Args: Args{Worker: "w1"}, Ret: IntRet(0)}, `2: args.worker: unknown field: wake takes only "next"`},
		{Op{Thread: "s1", Kind: "wake", Args: Args{Next: "w1\xff"}, Ret: IntRet(0)}, `2: args.next: name is not valid UTF-8`},
		{Op{Thread: "s1", Kind: "run_worker", Phase: PhaseFollowup, Args: Args{Worker: "w1"}}, `2: args.worker: a followup has no args (they are on its request)`},
		{Op{Thread: "s1", Kind: "wake", Ret: Ret{Kind: RetNull, Int: 3}}, `2: ret: a null Ret has Int 0 and Name ""`},
		{Op{Thread: "s1", Kind: "wake", Ret: Ret{Kind: RetInt, Name: "x"}}, `2: ret: an integer Ret has Name ""`},
		{Op{Thread: "s1", Kind: "wake", Ret: Ret{Kind: RetName, Int: 1, Name: "x"}}, `2: ret: a name Ret has Int 0`},
		{Op{Thread: "s1", Kind: "wake", Ret: Ret{Kind: RetName}}, `2: ret: empty name (null is UMCG_NONE)`},
		{Op{Thread: "s1", Kind: "wake", Ret: Ret{Kind: 9}}, `2: ret: unknown RetKind 9`},
		{Op{Thread: "s1", Kind: "wake", Ret: IntRet(0), Errno: 5000}, `2: errno: out of range: 5000 is not in [-4095, 4095]`},
		{Op{Thread: "s1", Kind: "wake", Ret: IntRet(0), Return: -1, Call: -2}, `2: call: negative time -2`},
		{Op{Thread: "s1", Kind: "wake", Ret: IntRet(0), Return: -1}, `2: return: negative time -1`},
		{fol, `2: phase: followup without a request: thread "s1" has no pending run_worker request`},
		{Op{Thread: "s1", Kind: "wake", Args: Args{Next: "x"}, Ret: IntRet(0)}, `2: args.next: unknown thread "x": not in the header's tasks`},
	} {
		if err := w.WriteOp(c.op); err == nil || err.Error() != c.want {
			t.Errorf("WriteOp(%+v) = %v, want %s", c.op, err, c.want)
		}
		var e *Error
		if err := c.op.Validate(testVocab); errors.As(err, &e) && "2: "+e.Error() != c.want {
			t.Errorf("Validate(%+v) = %v, want the same as WriteOp: %s", c.op, err, c.want)
		}
	}
	if buf.Len() != n {
		t.Fatalf("rejected ops were written: %q", buf.String()[n:])
	}
	for _, op := range []Op{req, fol} {
		if err := w.WriteOp(op); err != nil {
			t.Fatal(err)
		}
	}
	want := hdr + "\n" + runReq + "\n" + runFol + "\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if err := w.WriteOp(Op{Thread: "s1", Kind: "wake", Ret: IntRet(0), Call: 1899, Return: 2000}); err == nil ||
		err.Error() != `4: call: times out of order: call 1899 is before return 1900 of the previous op of thread "s1" (line 3)` {
		t.Fatalf("got %v", err)
	}
}

type errWriter struct{ n int }

func (e *errWriter) Write(b []byte) (int, error) {
	if e.n == 0 {
		return 0, io.ErrClosedPipe
	}
	e.n--
	return len(b), nil
}

func TestWriterIOError(t *testing.T) {
	h := Header{Version: 1, Source: "emu", Clock: ClockNS, Tasks: []string{"s1"}}
	w := NewWriter(&errWriter{n: 1}, testVocab)
	if err := w.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	op := Op{Thread: "s1", Kind: "unregister_task", Ret: IntRet(0)}
	if err := w.WriteOp(op); err != io.ErrClosedPipe {
		t.Fatalf("got %v", err)
	}
	if err := w.WriteOp(op); err != io.ErrClosedPipe {
		t.Fatalf("not sticky: %v", err)
	}
}

// TestWriterLongLine: the Writer refuses a line the Reader would refuse.
func TestWriterLongLine(t *testing.T) {
	long := strings.Repeat("x", MaxLineBytes)
	var buf bytes.Buffer
	w := NewWriter(&buf, testVocab)
	err := w.WriteHeader(Header{Version: 1, Source: "emu", Clock: ClockNS, Tasks: []string{long}})
	if err == nil || err.Error() != "1: line longer than 1048576 bytes" {
		t.Fatalf("got %v", err)
	}
	if err := w.WriteHeader(Header{Version: 1, Source: "emu", Clock: ClockNS, Tasks: []string{"s1"}}); err != nil {
		t.Fatal(err)
	}
	op := Op{Thread: "s1", Kind: "get_task_state", Args: Args{Task: long}, Ret: NameRet("NONE")}
	if err := w.WriteOp(op); err == nil || err.Error() != "2: line longer than 1048576 bytes" {
		t.Fatalf("got %v", err)
	}
}

func TestRetString(t *testing.T) {
	for r, want := range map[Ret]string{{}: "null", IntRet(-1): "-1", NameRet(`a"b`): `"a\"b"`} {
		if r.String() != want {
			t.Errorf("%#v.String() = %s, want %s", r, r.String(), want)
		}
	}
	if PhaseNone.String() != "" || PhaseRequest.String() != "request" || PhaseFollowup.String() != "followup" {
		t.Error("Phase.String")
	}
}

// TestErrorFormat: parts that are empty are left out.
func TestErrorFormat(t *testing.T) {
	for e, want := range map[Error]string{
		{File: "f", Line: 3, Field: "ret", Msg: "m"}: "f:3: ret: m",
		{File: "f", Line: 3, Msg: "m"}:               "f:3: m",
		{Line: 3, Field: "ret", Msg: "m"}:            "3: ret: m",
		{Field: "ret", Msg: "m"}:                     "ret: m",
		{Msg: "m"}:                                   "m",
	} {
		if got := e.Error(); got != want {
			t.Errorf("%+v: %q, want %q", e, got, want)
		}
	}
}

// TestWriterVersions: a version 1 Writer refuses version 2's forms, as the
// Reader does; a version 2 Writer writes them, and leaves empty name lists
// out of the header.
func TestWriterVersions(t *testing.T) {
	reg := Op{Thread: "c1", Kind: "register_core_task", Ret: NameRet("c1"), Call: 1, Return: 2}
	unknown := Op{Thread: "c1", Kind: "wake", Args: Args{Next: "c2"}, Outcome: OutcomeUnknown, Call: 3, Return: 3}
	whole := Op{Thread: "c1", Kind: "wait", Ret: IntRet(-1), Errno: 4, Signal: 10, Call: 3, Return: 9}
	died := Op{Thread: "c1", Kind: Died, Call: 3, Return: 3}
	for _, c := range []struct {
		op   Op
		want string
	}{
		{unknown, "3: outcome: unknown field: version 1 has no outcome (write version 2)"},
		{whole, `3: phase: missing field: wait can sleep, so it is recorded as a "request" line and a "followup" line`},
		{Op{Thread: "c1", Kind: "wake", Args: Args{Next: "c2"}, Ret: IntRet(0), Signal: 10, Call: 3, Return: 3}, "3: signal: unknown field: version 1 has no signal (write version 2)"},
		{died, `3: op: unknown op "died"`},
	} {
		var buf bytes.Buffer
		w := NewWriter(&buf, testVocab)
		if err := w.WriteHeader(Header{Version: Version1, Source: "t", Clock: ClockNS, Tasks: []string{"c1", "c2"}}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteOp(reg); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteOp(c.op); err == nil || err.Error() != c.want {
			t.Errorf("version 1, %+v: %v, want %s", c.op, err, c.want)
		}
	}
	var buf bytes.Buffer
	tr := Trace{Header: Header{Version: Version2, Source: "t", Clock: ClockNS}, Ops: []Op{reg, whole,
		{Thread: "c2", Kind: "register_core_task", Ret: NameRet("c2"), Call: 1, Return: 2}, unknown, died}}
	tr.Ops[3].Thread, tr.Ops[3].Args.Next, tr.Ops[4].Thread = "c2", "c1", "c2"
	if err := WriteAll(&buf, tr, testVocab); err != nil {
		t.Fatal(err)
	}
	want := `{"format":"umcg-trace","version":2,"source":"t","clock":"ns"}
{"thread":"c1","op":"register_core_task","args":{},"ret":"c1","errno":0,"call":1,"return":2}
{"thread":"c1","op":"wait","args":{},"ret":-1,"errno":4,"signal":10,"call":3,"return":9}
{"thread":"c2","op":"register_core_task","args":{},"ret":"c2","errno":0,"call":1,"return":2}
{"thread":"c2","op":"wake","args":{"next":"c1"},"outcome":"unknown","call":3}
{"thread":"c2","op":"died","args":{},"ret":null,"errno":0,"call":3,"return":3}
`
	if buf.String() != want {
		t.Errorf("wrote\n%s\nwant\n%s", buf.String(), want)
	}
	back, err := ReadAll(strings.NewReader(want), "t", testVocab)
	if err != nil || !equalTraces(back, tr) {
		t.Errorf("read back %v:\n%+v", err, back)
	}
	if tasks, _ := testVocab.Names(back); !slices.Equal(tasks, []string{"c1", "c2"}) {
		t.Errorf("Names: tasks %v", tasks)
	}
	bad := unknown
	bad.Thread, bad.Return = "c1", 4
	w := NewWriter(&buf, testVocab)
	_ = w.WriteHeader(tr.Header)
	_ = w.WriteOp(reg)
	if err := w.WriteOp(bad); err == nil || err.Error() != "3: return: an op of unknown outcome has no return (its Return is its Call)" {
		t.Errorf("got %v", err)
	}
}
