package lincheck

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/umcgcheck/umcgcheck/traces"
)

// TestUMCG2023Verdicts checks the hand-written umcg-2023 traces: one
// linearizable history per feature, and each broken on purpose in one
// place that the specification must reject.
func TestUMCG2023Verdicts(t *testing.T) {
	want := map[string]Verdict{
		"block-wake-exit.jsonl":           Linearizable,
		"two-servers-yield-preempt.jsonl": Linearizable,
		// w1's BLOCK read twice: exactly once.
		"block-delivered-twice.jsonl": NotLinearizable,
		// w1's syscall returns before any server switched to it again.
		"worker-runs-without-server.jsonl": NotLinearizable,
		// The CTX_SWITCH returns with no event: w1's EXIT is lost.
		"ctx-switch-without-event.jsonl": NotLinearizable,
		// A WAIT returns empty though nobody called UMCG_WAKE.
		"wait-empty-without-wake.jsonl": NotLinearizable,
		// s2's WAIT returns empty before s1's UMCG_WAKE was called.
		"wait-empty-before-wake.jsonl": NotLinearizable,
		// w1's WAIT event read as a BLOCK.
		"yield-read-as-block.jsonl": NotLinearizable,
		// s1's first wake releases s2 (which returns late, empty): the
		// second finds no waiter (Nanos, futex-2s3w-smp2).
		"wake-releases-waiter.jsonl": Linearizable,
		// The same with no release: EAGAIN while s2 waits.
		"wake-eagain-while-waiting.jsonl": NotLinearizable,
		// A system call that did not sleep sends no BLOCK.
		"syscall-not-slept.jsonl": Linearizable,
		// A BLOCK for a worker in no system call.
		"block-outside-syscall.jsonl": NotLinearizable,
		// w1's wait_until times out: the switch to it fails (EINVAL),
		// TIMEOUT is read, it runs again and returns ETIMEDOUT.
		"worker-timeout.jsonl": Linearizable,
		// The same with a plain wait: there was no timer.
		"worker-timeout-without-timer.jsonl": NotLinearizable,
		// Switched to in time, yet ETIMEDOUT.
		"worker-timedout-after-switch.jsonl": NotLinearizable,
		// s2's CTX_SWITCH collected w1's TIMEOUT in the kernel when w2
		// blocked, long before s2 returned; s1 switched to w1 in between
		// (Nanos, timeouts-2s3w-smp2): a followup may take effect any
		// time after its request.
		"collected-before-return.jsonl": Linearizable,
		// w1 switches to w2 (which runs under s1 and exits there), goes
		// on the idle list with WAIT, and runs again once s1 switches
		// to it.
		"worker-swap.jsonl": Linearizable,
		// The same, but w1's switch returns before anyone ran it again.
		"worker-swap-returns-unrun.jsonl": NotLinearizable,
		// s1 reads w1's BLOCK, WAITs for w1 to wake, then collects its
		// WAKE and runs it.
		"wait-for-worker.jsonl": Linearizable,
		// The same without collecting the WAKE: once WAIT(next) has
		// returned, w1 is on the idle list, and a switch to it must fail.
		"wait-for-then-switch-unqueued.jsonl": NotLinearizable,
	}
	ents, err := os.ReadDir(filepath.Join("testdata", "umcg2023"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("testdata/umcg2023/%s has no verdict in this test", e.Name())
		}
	}
	for name, v := range want {
		t.Run(name, func(t *testing.T) {
			res := check2023(t, filepath.Join("testdata", "umcg2023", name))
			if res.Verdict != v {
				t.Errorf("%s, want %s (%+v)", res.Verdict, v, res.Partitions)
			}
			if v == NotLinearizable && len(res.Partitions[0].Unplaced) == 0 {
				t.Errorf("no unplaced operations reported")
			}
		})
	}
}

func check2023(t *testing.T, path string) Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := traces.ReadAll(f, path, Protocols())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(tr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestUMCG2023ReadEventPlace: a read_event that follows no successful
// wait or ctx_switch followup of its thread is bad input, with its line.
func TestUMCG2023ReadEventPlace(t *testing.T) {
	const trace = `{"format":"umcg-trace","version":1,"protocol":"umcg-2023","source":"hand","clock":"ns","tasks":["s1","w1"],"groups":[]}
{"thread":"s1","op":"register_server","args":{},"ret":0,"errno":0,"call":10,"return":20}
{"thread":"s1","op":"read_event","args":{"worker":"w1"},"ret":"WAKE","errno":0,"call":30,"return":30}
`
	tr, err := traces.ReadAll(strings.NewReader(trace), "t", Protocols())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(tr, time.Second)
	if err == nil || !strings.Contains(err.Error(), "3: op: read_event must follow") {
		t.Fatalf("err = %v, want line 3's read_event refused", err)
	}
}

// TestUMCG2023UnknownToV01: a v0.1 reader refuses a 2023 trace by its
// protocol, and Protocols reads both.
func TestUMCG2023UnknownToV01(t *testing.T) {
	names := map[string]bool{}
	for _, v := range Protocols() {
		names[v.Protocol()] = true
	}
	if !names["umcg-v0.1"] || !names["umcg-2023"] || len(names) != 2 {
		t.Errorf("Protocols() = %v", names)
	}
}

// TestUMCG2023DocExample: the umcg-2023 example of docs/trace-format.md
// reads and is linearizable.
func TestUMCG2023DocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/trace-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```jsonl umcg-2023\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("no ```jsonl umcg-2023 block in docs/trace-format.md")
	}
	tr, err := traces.ReadAll(strings.NewReader(block), "example", Protocols())
	if err != nil {
		t.Fatal(err)
	}
	if res, err := Check(tr, 10*time.Second); err != nil || res.Verdict != Linearizable {
		t.Fatalf("%v %v %+v", err, res.Verdict, res.Partitions)
	}
}

// TestUMCG2023ErrnoAfterSuccess: as for v0.1 (TestErrnoAfterSuccess),
// errno is compared after a failure only: the doc's example with a stale
// errno on every successful call stays linearizable, and a failure's
// errno still counts.
func TestUMCG2023ErrnoAfterSuccess(t *testing.T) {
	doc, err := os.ReadFile("../docs/trace-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(doc), "```jsonl umcg-2023\n")
	block, _, _ = strings.Cut(block, "```")
	stale := strings.ReplaceAll(block, `"ret":0,"errno":0`, `"ret":0,"errno":22`)
	if stale == block {
		t.Fatal("the example has no successful call")
	}
	for _, c := range []struct {
		name, trace string
		want        Verdict
	}{
		{"stale errno after success", stale, Linearizable},
		{"EINVAL where the call cannot fail so", strings.Replace(block, `"op":"unregister","args":{},"ret":0,"errno":0`, `"op":"unregister","args":{},"ret":-1,"errno":22`, 1), NotLinearizable},
	} {
		tr, err := traces.ReadAll(strings.NewReader(c.trace), "example", Protocols())
		if err != nil {
			t.Fatal(err)
		}
		if res, err := Check(tr, 10*time.Second); err != nil || res.Verdict != c.want {
			t.Errorf("%s: %v %v, want %s", c.name, err, res.Verdict, c.want)
		}
	}
}

// TestUMCG2023CutsKeepVerdicts: the piece search gives porcupine's
// verdict on the 2023 traces (the hand-written ones and those recorded
// on Nanos), on each with one op removed (the ones still well formed),
// linearizable and not.
func TestUMCG2023CutsKeepVerdicts(t *testing.T) {
	var paths []string
	for _, dir := range []string{filepath.Join("testdata", "umcg2023"), filepath.Join("..", "cmd", "umcgcheck", "testdata", "nanos")} {
		ps, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		paths = append(paths, ps...)
	}
	counts := map[Verdict]int{}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := traces.ReadAll(f, path, Protocols())
		f.Close()
		if err != nil || tr.Header.Protocol != "umcg-2023" {
			continue
		}
		for drop := -1; drop < len(tr.Ops); drop += 1 + len(tr.Ops)/8 {
			c := tr
			if drop >= 0 {
				c.Ops = append(append([]traces.Op(nil), tr.Ops[:drop]...), tr.Ops[drop+1:]...)
				if traces.WriteAll(io.Discard, c, Protocols()) != nil {
					continue
				}
			}
			whole, err := CheckWith(c, Options{Timeout: 10 * time.Second, wholePartitions: true})
			if err != nil {
				continue // the drop broke an op pairing the 2023 conversion needs
			}
			cut, err := CheckWith(c, Options{Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if whole.Verdict != Unknown && whole.Verdict != cut.Verdict {
				t.Errorf("%s without op %d: whole %s, cut %s", path, drop, whole.Verdict, cut.Verdict)
			}
			counts[cut.Verdict]++
		}
	}
	t.Logf("verdicts compared: %v", counts)
	if counts[Linearizable] == 0 || counts[NotLinearizable] == 0 {
		t.Errorf("not both kinds: %v", counts)
	}
}
