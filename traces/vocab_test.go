package traces

import "strings"

// testVocab is UMCG v0.1's vocabulary as this package's tests know it: the
// package itself knows no protocol. TestVocabularyIsUMCG01 (in an external
// test package) pins it to umcg01.Vocabulary, which is built from the
// model's calls table.
var testVocab = mustVocab(DefaultProtocol, []OpSpec{
	{Name: "register_core_task", Ret: RetsNull | RetsTask},
	{Name: "register_worker", Sleeps: true, Arg: "group", Ret: RetsNull | RetsTask},
	{Name: "register_server", Arg: "group", Ret: RetsNull | RetsTask},
	{Name: "unregister_task", Ret: RetsInt},
	{Name: "wait", Sleeps: true, Ret: RetsInt},
	{Name: "wake", Arg: "next", Ret: RetsInt},
	{Name: "swap", Sleeps: true, Arg: "next", Ret: RetsInt},
	{Name: "create_group", Ret: RetsNull | RetsGroup | RetsInt},
	{Name: "destroy_group", Arg: "group", Ret: RetsInt},
	{Name: "poll_worker", Sleeps: true, Ret: RetsNull | RetsTask},
	{Name: "run_worker", Sleeps: true, Arg: "worker", Ret: RetsNull | RetsTask},
	{Name: "get_task_state", Arg: "task", Ret: RetsState},
	{Name: "block", Event: true, Ret: RetsNull},
	{Name: "unblock", Event: true, Ret: RetsNull},
	{Name: "preempt", Event: true, Ret: RetsNull},
}, States{
	Names: strings.Fields("NONE POLLING SERVING PROCESSING RUNNABLE RUNNING BLOCKED UNBLOCKED"),
	Flags: []string{"WAKEUP_QUEUED"},
	Hint:  `a v0.1 state name such as "RUNNABLE", optionally with "|WAKEUP_QUEUED"`,
})

func mustVocab(p string, ops []OpSpec, st States) *Vocabulary {
	v, err := NewVocabulary(p, ops, st)
	if err != nil {
		panic(err)
	}
	return v
}

// kinds returns the op kinds of testVocab, in order.
func kinds() []OpKind {
	var ks []OpKind
	for _, o := range testVocab.Ops() {
		ks = append(ks, OpKind(o.Name))
	}
	return ks
}

// specOf returns testVocab's compiled spec of k.
func specOf(k OpKind) *kindSpec { return testVocab.spec(k) }

// TestVocab is testVocab, for the external tests.
var TestVocab = testVocab
