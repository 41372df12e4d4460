package traces_test

import (
	"reflect"
	"testing"

	"github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// TestVocabularyIsUMCG01: the vocabulary this package's tests use is
// umcg01's, which umcg01 builds from its calls table, and umcg01's
// protocol is the one a header without "protocol" names.
func TestVocabularyIsUMCG01(t *testing.T) {
	got, want := traces.TestVocab, umcg01.Vocabulary()
	if got.Protocol() != want.Protocol() || want.Protocol() != traces.DefaultProtocol {
		t.Errorf("protocols %q, %q; default %q", got.Protocol(), want.Protocol(), traces.DefaultProtocol)
	}
	if !reflect.DeepEqual(got.Ops(), want.Ops()) {
		t.Errorf("ops\n test   %+v\n umcg01 %+v", got.Ops(), want.Ops())
	}
	if !reflect.DeepEqual(got.States(), want.States()) {
		t.Errorf("states\n test   %+v\n umcg01 %+v", got.States(), want.States())
	}
}

// TestStatesMatchModel: get_task_state's rets are umcg01.TaskState's names.
func TestStatesMatchModel(t *testing.T) {
	for s := umcg01.StateNone; s <= umcg01.StateUnblocked; s++ {
		for _, f := range []umcg01.TaskState{0, umcg01.FlagWakeupQueued} {
			op := traces.Op{Thread: "t", Kind: "get_task_state", Args: traces.Args{Task: "t"}, Ret: traces.NameRet((s | f).String())}
			if err := op.Validate(umcg01.Vocabulary()); err != nil {
				t.Errorf("%v: %v", s|f, err)
			}
		}
	}
}
