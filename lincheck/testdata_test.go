package lincheck

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
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

// corePairs writes a trace of n pairs of core tasks; in each, the second
// waits and the first wakes it. With bad, the first pair's wait returns
// before anybody woke it. Extra tasks, named x1, x2, ..., each read the
// state of the next, so that they all depend on one another.
func corePairs(n, chain int, bad bool) string {
	var tasks []string
	for i := 1; i <= n; i++ {
		tasks = append(tasks, fmt.Sprintf("%q,%q", fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)))
	}
	for i := 1; i <= chain; i++ {
		tasks = append(tasks, fmt.Sprintf("%q", fmt.Sprintf("x%d", i)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `{"format":"umcg-trace","version":1,"source":"test","clock":"ns","tasks":[%s],"groups":[]}`+"\n", strings.Join(tasks, ","))
	op := func(th, rest string) { fmt.Fprintf(&b, `{"thread":%q,%s}`+"\n", th, rest) }
	for i := 1; i <= n; i++ {
		a, w := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
		op(a, fmt.Sprintf(`"op":"register_core_task","args":{},"ret":%q,"errno":0,"call":100,"return":150`, a))
		op(w, fmt.Sprintf(`"op":"register_core_task","args":{},"ret":%q,"errno":0,"call":100,"return":150`, w))
		op(w, `"op":"wait","phase":"request","args":{},"ret":null,"errno":0,"call":200,"return":250`)
		wake := 300
		if bad && i == 1 {
			wake = 410 // after the wait returned
		}
		op(a, fmt.Sprintf(`"op":"wake","args":{"next":%q},"ret":0,"errno":0,"call":%d,"return":450`, w, wake))
		op(w, `"op":"wait","phase":"followup","ret":0,"errno":0,"call":360,"return":400`)
		op(a, `"op":"unregister_task","args":{},"ret":0,"errno":0,"call":500,"return":550`)
		op(w, `"op":"unregister_task","args":{},"ret":0,"errno":0,"call":500,"return":550`)
	}
	for i := 1; i <= chain; i++ {
		x := fmt.Sprintf("x%d", i)
		op(x, fmt.Sprintf(`"op":"register_core_task","args":{},"ret":%q,"errno":0,"call":100,"return":150`, x))
		op(x, fmt.Sprintf(`"op":"get_task_state","args":{"task":"x%d"},"ret":"RUNNING","errno":0,"call":200,"return":250`, i%chain+1))
	}
	return b.String()
}

func checkString(t *testing.T, s string) (Result, error) {
	t.Helper()
	tr, err := traces.ReadAll(strings.NewReader(s), "test.jsonl", model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	return Check(tr, 10*time.Second)
}

// TestManyIndependentCoreTasks: 40 core tasks in 20 pairs that never name
// one another are checked pair by pair, so the trace is not refused for
// holding more tasks than a specification state (model.MaxThreads); a
// pair that misbehaves is still found, and named.
func TestManyIndependentCoreTasks(t *testing.T) {
	res, err := checkString(t, corePairs(20, 0, false))
	if err != nil {
		t.Fatalf("40 independent core tasks refused: %v", err)
	}
	if res.Verdict != Linearizable || len(res.Partitions) != 20 {
		t.Fatalf("%s in %d partitions, want linearizable in 20: %+v", res.Verdict, len(res.Partitions), res.Partitions)
	}
	if got := res.Partitions[0].Name; got != "core tasks a1,b1" {
		t.Errorf("first partition named %q", got)
	}
	res, err = checkString(t, corePairs(20, 0, true))
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, p := range res.Partitions {
		if p.Verdict != Linearizable {
			bad = append(bad, p.Name+": "+string(p.Verdict))
		}
	}
	if res.Verdict != NotLinearizable || len(bad) != 1 || bad[0] != "core tasks a1,b1: not linearizable" {
		t.Errorf("a wait nobody woke: %s, failing partitions %q", res.Verdict, bad)
	}
}

// TestTooManyDependentTasks: a set of tasks that depend on one another and
// is larger than model.MaxThreads is refused with one error naming the
// limit; the independent pairs beside it do not count.
func TestTooManyDependentTasks(t *testing.T) {
	if _, err := checkString(t, corePairs(10, model.MaxThreads, false)); err != nil {
		t.Fatalf("%d dependent tasks (the limit) refused: %v", model.MaxThreads, err)
	}
	_, err := checkString(t, corePairs(10, model.MaxThreads+1, false))
	want := fmt.Sprintf("1: tasks: core tasks x1,x2,x3,... (%d tasks): %d tasks and 0 groups depend on one another (they name one another or share a group), and the checker handles at most %d tasks and %d groups that do",
		model.MaxThreads+1, model.MaxThreads+1, model.MaxThreads, model.MaxGroups)
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

// TestEINTR: a followup that reports EINTR is accepted where a signal
// could have ended the sleep of its request (a core task's wait or swap,
// poll_worker), and rejected where the request did not sleep, where the
// fixed library sleeps on after a signal (run_worker, fix run-sleeps-on),
// and where a signal does not end the sleep (a worker's).
func TestEINTR(t *testing.T) {
	verdicts(t, map[string]Verdict{
		"eintr-core-wait.jsonl": Linearizable,
		"eintr-core-swap.jsonl": Linearizable,
		"eintr-poll.jsonl":      Linearizable,
		// A wakeup was queued: the wait did not sleep.
		"eintr-core-wait-not-slept.jsonl": NotLinearizable,
		// A worker was queued: poll_worker took it without sleeping.
		"eintr-poll-worker-queued.jsonl": NotLinearizable,
		"eintr-run.jsonl":                NotLinearizable,
		"eintr-register-worker.jsonl":    NotLinearizable,
	})
}

// TestModelTracesWithSignals: runs of the fixed model in which signals
// interrupt sleeps (fault eintr, which leaves no op in a trace) give
// traces the specification accepts.
func TestModelTracesWithSignals(t *testing.T) {
	base := model.Config{Variant: model.Fixed, Groups: 1, Servers: 1, Workers: 2, Blocks: 1, Faults: model.FaultEINTR, MaxFaults: 2}
	core := model.Config{Variant: model.Fixed, CorePairs: 1, Swaps: 2, Faults: model.FaultEINTR, MaxFaults: 2}
	signalled := 0
	for _, c := range []model.Config{base, core} {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(0); seed < 60; seed++ {
			tr, err := m.Trace(walk(m, seed, 400), "model")
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range tr.Ops {
				if op.Phase == traces.PhaseFollowup && op.Errno == 4 {
					signalled++
				}
			}
			res, err := Check(tr, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != Linearizable {
				var out strings.Builder
				traces.WriteAll(&out, tr, model.Vocabulary())
				t.Fatalf("config %s seed %d: %s: %+v\n%s", c, seed, res.Verdict, res.Partitions, out.String())
			}
		}
	}
	if signalled == 0 {
		t.Error("no run returned EINTR: the test tests nothing")
	}
	t.Logf("%d followups returned EINTR", signalled)
}

// registrations writes a trace in which n workers register in g1 at once
// and server s1 then polls them in the order given (indices from 0); with
// a repeated index, a worker is polled twice.
func registrations(order []int) string {
	var b strings.Builder
	tasks := []string{`"s1"`}
	for i := range order {
		tasks = append(tasks, fmt.Sprintf(`"w%d"`, i))
	}
	fmt.Fprintf(&b, `{"format":"umcg-trace","version":1,"source":"test","clock":"ns","tasks":[%s],"groups":["g1"]}`+"\n", strings.Join(tasks, ","))
	b.WriteString(`{"thread":"s1","op":"register_server","args":{"group":"g1"},"ret":"s1","errno":0,"call":100,"return":150}` + "\n")
	for i := range order {
		fmt.Fprintf(&b, `{"thread":"w%d","op":"register_worker","phase":"request","args":{"group":"g1"},"ret":null,"errno":0,"call":200,"return":300}`+"\n", i)
	}
	for k, w := range order {
		t := 400 + 100*k
		fmt.Fprintf(&b, `{"thread":"s1","op":"poll_worker","phase":"request","args":{},"ret":null,"errno":0,"call":%d,"return":%d}`+"\n", t, t+10)
		fmt.Fprintf(&b, `{"thread":"s1","op":"poll_worker","phase":"followup","ret":"w%d","errno":0,"call":%d,"return":%d}`+"\n", w, t+20, t+30)
	}
	return b.String()
}

// TestSimultaneousRegistrations: workers that register at the same time
// may be queued in any order, which a search tries one order after the
// other (n! of them); the checker tries first the order in which the
// server gets them, so that a pool of 64 workers checks at once, whatever
// that order.
func TestSimultaneousRegistrations(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	for try := 0; try < 5; try++ {
		order := rng.Perm(64)
		start := time.Now()
		res, err := checkString(t, registrations(order))
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != Linearizable {
			t.Fatalf("order %v: %s", order, res.Verdict)
		}
		if d := time.Since(start); d > 2*time.Second && !raceEnabled {
			t.Errorf("order %v: %v", order, d)
		}
	}
	// A worker polled twice is still found (a full pool:
	// TestFailingPoolIsQuick).
	res, err := checkString(t, registrations([]int{2, 0, 1, 3, 0}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != NotLinearizable {
		t.Errorf("a worker polled twice: %s", res.Verdict)
	}
}

// TestCoarseClocks: a coarse clock (here a tick of five model steps) turns
// many ops into ties, of one thread's successive ops and of ops of
// different threads; traces of the fixed model stay linearizable, since
// ties keep each thread's program order and leave other threads' ops
// concurrent.
func TestCoarseClocks(t *testing.T) {
	ties := 0
	for ci, c := range traceConfigs() {
		m, err := model.New(c)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(0); seed < 20; seed++ {
			tr, err := m.Trace(walk(m, seed, 400), "model")
			if err != nil {
				t.Fatal(err)
			}
			last := map[string]int64{}
			for i := range tr.Ops {
				op := &tr.Ops[i]
				op.Call, op.Return = op.Call/50, op.Return/50
				if r, ok := last[op.Thread]; ok && r == op.Call {
					ties++
				}
				last[op.Thread] = op.Return
			}
			res, err := Check(tr, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != Linearizable {
				t.Fatalf("config %d seed %d: %s: %+v", ci, seed, res.Verdict, res.Partitions)
			}
		}
	}
	if ties == 0 {
		t.Fatal("no ties: the test tests nothing")
	}
	t.Logf("%d ops start at the tick their thread's previous op returned", ties)
}
