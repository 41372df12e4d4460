package lincheck

import (
	"bytes"
	"errors"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// TestShrink: a long trace of four groups with one wrong result shrinks
// to a few ops of one group that still fail, well formed, the same every
// time; a linearizable trace is refused.
func TestShrink(t *testing.T) {
	tr := groupTrace(t, 3000, 4)
	// A poll after the 2000th op returns the other worker.
	bad := -1
	for i := 2000; i < len(tr.Ops); i++ {
		op := &tr.Ops[i]
		if op.Kind == "poll_worker" && op.Phase == traces.PhaseFollowup && op.Ret.Kind == traces.RetName {
			other := map[byte]string{'a': "wb", 'b': "wa"}[op.Ret.Name[1]]
			op.Ret.Name = other + op.Ret.Name[2:]
			bad = i
			break
		}
	}
	if bad < 0 {
		t.Fatal("no poll to break")
	}
	o := Options{Timeout: 10 * time.Second}
	if res, _ := CheckWith(tr, o); res.Verdict != NotLinearizable {
		t.Fatalf("the broken trace is %s", res.Verdict)
	}
	start := time.Now()
	small, err := Shrink(tr, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d ops shrunk to %d (%d tasks) in %v", len(tr.Ops), len(small.Ops), len(small.Header.Tasks), time.Since(start))
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, small, model.Vocabulary()); err != nil {
		t.Fatalf("the shrunk trace is not well formed: %v", err)
	}
	if res, _ := CheckWith(small, o); res.Verdict != NotLinearizable {
		t.Fatalf("the shrunk trace is %s", res.Verdict)
	}
	if testing.Verbose() {
		t.Logf("\n%s", buf.String())
	}
	if len(small.Ops) > 30 || len(small.Header.Groups) != 1 {
		t.Errorf("still %d ops:\n%s", len(small.Ops), buf.String())
	}
	again, _ := Shrink(tr, o)
	var buf2 bytes.Buffer
	traces.WriteAll(&buf2, again, model.Vocabulary())
	if buf.String() != buf2.String() {
		t.Error("two shrinks of one trace differ")
	}
	if _, err := Shrink(poolTrace(t, 200, 2, 20, 1), o); !errors.Is(err, ErrNotFailing) {
		t.Errorf("a linearizable trace: %v", err)
	}
}

// TestShrinkVersion2: a trace in version 2's one-line form (names
// declared where they appear) shrinks as well, and stays in that form.
func TestShrinkVersion2(t *testing.T) {
	tr := groupTrace(t, 3000, 4)
	for i := 2000; i < len(tr.Ops); i++ {
		op := &tr.Ops[i]
		if op.Kind == "poll_worker" && op.Phase == traces.PhaseFollowup && op.Ret.Kind == traces.RetName {
			op.Ret.Name = map[byte]string{'a': "wb", 'b': "wa"}[op.Ret.Name[1]] + op.Ret.Name[2:]
			break
		}
	}
	v2 := oneRecord(tr)
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, v2, model.Vocabulary()); err != nil {
		t.Fatal(err)
	}
	v2 = readTrace(t, "v2.jsonl", buf.Bytes())
	o := Options{Timeout: 10 * time.Second}
	small, err := Shrink(v2, o)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := traces.WriteAll(&buf, small, model.Vocabulary()); err != nil {
		t.Fatalf("not well formed: %v", err)
	}
	if res, _ := CheckWith(small, o); res.Verdict != NotLinearizable || small.Header.Version != traces.Version2 {
		t.Fatalf("%s, version %d", res.Verdict, small.Header.Version)
	}
	t.Logf("%d ops shrunk to %d", len(v2.Ops), len(small.Ops))
	if len(small.Ops) > 30 {
		t.Errorf("still %d ops:\n%s", len(small.Ops), buf.String())
	}
}
