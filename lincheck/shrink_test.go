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
