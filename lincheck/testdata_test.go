package lincheck

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// checkFile reads and checks a trace of testdata.
func checkFile(t *testing.T, name string) Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := traces.ReadAll(f, name, model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(tr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// verdicts checks each trace and compares its verdict.
func verdicts(t *testing.T, want map[string]Verdict) {
	t.Helper()
	for name, v := range want {
		t.Run(name, func(t *testing.T) {
			if res := checkFile(t, name); res.Verdict != v {
				t.Errorf("%s: %s, want %s (%+v)", name, res.Verdict, v, res.Partitions)
			}
		})
	}
}

// TestProgramOrderOnTies: an op that starts at the nanosecond its
// thread's previous op returned still comes after it; ops of different
// threads at the same nanosecond stay concurrent.
func TestProgramOrderOnTies(t *testing.T) {
	verdicts(t, map[string]Verdict{
		// c1's wait returns at once (a wakeup was queued), then c1 queues
		// that wakeup: only a reordering of c1's own ops explains it.
		"tie-wakeup-consumed-before-queued.jsonl": NotLinearizable,
		// s1 leaves g1, then destroy_group(g1) says the group is busy.
		"tie-destroy-busy-after-last-left.jsonl": NotLinearizable,
		// The same histories in program order are fine.
		"tie-wakeup-queued-then-consumed.jsonl": Linearizable,
		"tie-destroy-after-last-left.jsonl":     Linearizable,
		// c2's wake at c1's wait's end may come first.
		"tie-other-thread-concurrent.jsonl": Linearizable,
	})
}

// TestCreatedGroupsInTimeOrder: groups made by create_group are bound to
// the specification's groups in the order of the calls' times, not of
// their lines: s2's create_group comes first in the file but second in
// time.
func TestCreatedGroupsInTimeOrder(t *testing.T) {
	verdicts(t, map[string]Verdict{
		"groups-created-out-of-file-order.jsonl": Linearizable,
	})
}
