package lincheck

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// describeRun replays a trace whose lines are one linearization (each op
// at its line) on its one partition's specification and returns the
// state's description after each op.
func describeRun(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := traces.ReadAll(strings.NewReader(string(data)), path, model.Vocabulary())
	if err != nil {
		t.Fatal(err)
	}
	parts, err := partitionTrace(expand(tr, model.Vocabulary()).t)
	if err != nil || len(parts) != 1 {
		t.Fatalf("%d partitions, %v", len(parts), err)
	}
	cv := parts[0]
	s := cv.spec.Init()
	var out []string
	for i, op := range cv.history(0) {
		if !cv.spec.Apply(&s, op.Input.(specInput).op) {
			t.Fatalf("%s: op %d is not allowed in order", path, i)
		}
		out = append(out, cv.describeState(&s))
	}
	return out
}

// TestStatesInDocumentationWords: check --html shows each state in the
// words of docs/trace-format.md and docs/semantics.md (state words, the
// server's worker, the group's queue, the call a task sleeps in), never
// the model's internal names (its sleep kinds idle and io, the kernel's
// waiters list, peer links).
func TestStatesInDocumentationWords(t *testing.T) {
	got := append(describeRun(t, "../traces/testdata/server-worker.jsonl"), describeRun(t, "../traces/testdata/core-swap.jsonl")...)
	want := []string{
		// server-worker.jsonl
		"queue of g1: empty",
		"s1 server PROCESSING; queue of g1: empty",
		"s1 server PROCESSING; w1 worker UNBLOCKED, asleep until a server runs it; queue of g1: workers w1",
		"s1 server PROCESSING, its worker w1; w1 worker RUNNABLE, its server s1, asleep until its server runs it; queue of g1: empty",
		"s1 server PROCESSING, its worker w1; w1 worker RUNNABLE, its server s1, asleep until its server runs it; queue of g1: empty",
		"s1 server SERVING, its worker w1, asleep in run_worker; w1 worker RUNNING, its server s1, asleep until its server runs it (woken, not yet returned); queue of g1: empty",
		"s1 server SERVING, its worker w1, asleep in run_worker; w1 worker RUNNING, its server s1; queue of g1: empty",
		"s1 server SERVING, asleep in run_worker (woken, not yet returned); w1 worker BLOCKED, blocked in a system call; queue of g1: empty",
		"s1 server PROCESSING; w1 worker BLOCKED, blocked in a system call; queue of g1: empty",
		"s1 server POLLING, asleep in poll_worker; w1 worker BLOCKED, blocked in a system call; queue of g1: polling servers s1",
		"s1 server POLLING, its worker w1, asleep in poll_worker (woken, not yet returned); w1 worker RUNNABLE, its server s1, asleep until its server runs it; queue of g1: empty",
		"s1 server PROCESSING, its worker w1; w1 worker RUNNABLE, its server s1, asleep until its server runs it; queue of g1: empty",
		"s1 server SERVING, its worker w1, asleep in run_worker; w1 worker RUNNING, its server s1, asleep until its server runs it (woken, not yet returned); queue of g1: empty",
		"s1 server SERVING, asleep in run_worker (woken, not yet returned); queue of g1: empty",
		"s1 server PROCESSING; queue of g1: empty",
		"queue of g1: empty",
		"nothing registered",
		// core-swap.jsonl
		"c1 core task RUNNING",
		"c1 core task RUNNING; c2 core task RUNNING",
		"c1 core task RUNNING; c2 core task RUNNABLE, asleep in wait",
		"c1 core task RUNNABLE, asleep in swap; c2 core task RUNNING, asleep in wait (woken, not yet returned)",
		"c1 core task RUNNABLE, asleep in swap; c2 core task RUNNING",
		"c1 core task RUNNING, asleep in swap (woken, not yet returned); c2 core task RUNNABLE, asleep in swap",
		"c1 core task RUNNING; c2 core task RUNNABLE, asleep in swap",
		"c1 core task RUNNING; c2 core task RUNNABLE, asleep in swap",
		"c1 core task RUNNING; c2 core task RUNNING, asleep in swap (woken, not yet returned)",
		"c1 core task RUNNING; c2 core task RUNNING",
		"c2 core task RUNNING",
		"nothing registered",
	}
	internal := regexp.MustCompile(`\b(idle|io|waiters|peer|Peer|Sleep|Wake|KindCore|none)\b|\[`)
	for i, d := range got {
		if m := internal.FindString(d); m != "" {
			t.Errorf("state %d names %q, a name of the model, not of the documentation: %s", i, m, d)
		}
		if i >= len(want) || d != want[i] {
			t.Errorf("state %d:\n got %s", i, d)
			if i < len(want) {
				t.Errorf("want %s", want[i])
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d states, want %d", len(got), len(want))
	}
}

// TestUnplacedUnknownEnd: an op of unknown outcome among the unplaced
// ones is shown with its end unknown, not as the time the search gives it
// (NoReturn), in v0.1's report and in umcg-2023's.
func TestUnplacedUnknownEnd(t *testing.T) {
	for _, c := range []struct{ name, trace, want string }{
		{"umcg-v0.1", `{"format":"umcg-trace","version":2,"source":"hand","clock":"ns","tasks":["c1","c2"]}
{"thread":"c1","op":"register_core_task","args":{},"ret":"c1","errno":0,"call":100,"return":150}
{"thread":"c2","op":"register_core_task","args":{},"ret":"c2","errno":0,"call":100,"return":150}
{"thread":"c1","op":"unregister_task","args":{},"ret":-1,"errno":22,"call":200,"return":250}
{"thread":"c2","op":"wake","args":{"next":"c1"},"outcome":"unknown","call":300}
`, "[300, unknown] c2: wake(c1) -> outcome unknown"},
		{"umcg-2023", `{"format":"umcg-trace","version":2,"protocol":"umcg-2023","source":"hand","clock":"ns","tasks":["s1","s2"]}
{"thread":"s1","op":"register_server","args":{},"ret":0,"errno":0,"call":10,"return":20}
{"thread":"s1","op":"unregister","args":{},"ret":-1,"errno":22,"call":30,"return":40}
{"thread":"s2","op":"register_server","args":{},"outcome":"unknown","call":50}
`, "[50, unknown] s2: register_server -> outcome unknown"},
	} {
		tr, err := traces.ReadAll(strings.NewReader(c.trace), c.name, Protocols())
		if err != nil {
			t.Fatal(err)
		}
		res, err := Check(tr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != NotLinearizable || len(res.Partitions) != 1 {
			t.Fatalf("%s: %s, %+v", c.name, res.Verdict, res.Partitions)
		}
		if u := res.Partitions[0].Unplaced; !slices.Contains(u, c.want) {
			t.Errorf("%s: unplaced %q, want %q among them", c.name, u, c.want)
		}
	}
}
