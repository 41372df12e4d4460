package live

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

// The test binary is also the child of the isolated runs below: with
// ChildEnv set, TestMain runs the backend that testBackendEnv names on
// the workload of testWorkloadEnv and exits.
const (
	testBackendEnv  = "UMCGCHECK_TEST_BACKEND"
	testWorkloadEnv = "UMCGCHECK_TEST_WORKLOAD" // name,seed,groups,servers,workers,blocks
	testTimeoutEnv  = "UMCGCHECK_TEST_TIMEOUT"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(ChildEnv); path != "" {
		os.Exit(testChild(path))
	}
	os.Exit(m.Run())
}

func testChild(path string) int {
	w, err := parseTestWorkload(os.Getenv(testWorkloadEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	timeout, _ := time.ParseDuration(os.Getenv(testTimeoutEnv))
	var b Backend
	switch name := os.Getenv(testBackendEnv); {
	case name == "segv":
		b = &segvBackend{Emu: NewEmu(BugNone), victim: w.Servers, at: 2}
	default:
		var err error
		bug := strings.TrimPrefix(strings.TrimPrefix(name, "emu"), "/")
		if b, err = NewBackend("emu", bug); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
	}
	if err := RunChild(b, w, timeout, path, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

func testWorkloadString(w Workload) string {
	return fmt.Sprintf("%s,%d,%d,%d,%d,%d", w.Name, w.Seed, w.Groups, w.Servers, w.Workers, w.Blocks)
}

func parseTestWorkload(s string) (Workload, error) {
	f := strings.Split(s, ",")
	if len(f) != 6 {
		return Workload{}, fmt.Errorf("bad %s %q", testWorkloadEnv, s)
	}
	var n [5]int
	for i := range n {
		v, err := strconv.Atoi(f[i+1])
		if err != nil {
			return Workload{}, err
		}
		n[i] = v
	}
	return Workload{Name: f[0], Seed: uint64(n[0]), Groups: n[1], Servers: n[2], Workers: n[3], Blocks: n[4]}, nil
}

// segvBackend is the emu, except that the worker with id victim
// dereferences nil in its at-th Unblock: the whole process dies of
// SIGSEGV in the middle of the run, as under a v0.1 kernel that
// force_sig(SIGSEGV)s a worker.
type segvBackend struct {
	*Emu
	victim, at int
	n          int // the victim's Unblock calls, on its own thread
}

var nilInt *int

func (b *segvBackend) Unblock(self Task, m Marker) error {
	if self.ID() == b.victim {
		b.n++
		if b.n == b.at {
			*nilInt = 1
		}
	}
	return b.Emu.Unblock(self, m)
}

// isolated runs w in a child (this test binary) on the named backend.
func isolated(t *testing.T, backend string, w Workload, timeout, kill time.Duration, extraEnv ...string) *Isolated {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), testBackendEnv+"="+backend, testWorkloadEnv+"="+testWorkloadString(w), testTimeoutEnv+"="+timeout.String())
	cmd.Env = append(cmd.Env, extraEnv...)
	res, err := RunIsolated(cmd, w, IsolateOptions{Source: backend, KillAfter: kill, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, res.Trace, umcg01.Vocabulary()); err != nil {
		t.Fatalf("the trace of an isolated run is not well formed: %v\n%s", err, res.Report())
	}
	if _, err := traces.ReadAll(bytes.NewReader(buf.Bytes()), "isolated", umcg01.Vocabulary()); err != nil {
		t.Fatalf("the trace of an isolated run does not read back: %v", err)
	}
	return res
}

// shape is a trace's ops without their times: what two runs of the same
// deterministic schedule have in common.
func opsOf(tr traces.Trace, thread string) []string {
	var out []string
	for _, op := range tr.Ops {
		if op.Thread == thread {
			out = append(out, fmt.Sprintf("%s/%d/%s/%s/%d", op.Kind, op.Phase, op.Args.Worker, op.Ret, op.Errno))
		}
	}
	return out
}

// TestIsolatedRun: a run in a child process gives the same ops as the
// same run in this process, for each workload, in table form: every op
// reaches the parent, and the worker threads of the child do not sleep
// between their calls (no unrecorded block).
func TestIsolatedRun(t *testing.T) {
	for _, c := range []struct {
		name string
		w    Workload
	}{
		{"pipes", DefaultWorkload("pipes", 3)},
		{"futex", DefaultWorkload("futex", 4)},
		{"sleep", DefaultWorkload("sleep", 5)},
		{"small", Workload{Name: "pipes", Groups: 1, Servers: 1, Workers: 2, Blocks: 1, Seed: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A sleep between calls is rare and comes from the machine
			// (another test binary on the same cores): a run with one is
			// tried again, and only three in a row fail the test.
			var res *Isolated
			for try := 0; try < 3; try++ {
				res = isolated(t, "emu", c.w, 5*time.Second, 30*time.Second, GapsEnv+"=1")
				if res.Died() || res.Result != "ok" {
					t.Fatalf("child: %s\n%s", res.Report(), res.Stderr)
				}
				if res.Gaps == 0 || raceEnabled {
					break
				}
				t.Logf("try %d: the workers' threads slept %d times between their calls", try+1, res.Gaps)
			}
			switch {
			case res.Gaps != 0 && raceEnabled:
				t.Logf("the workers' threads slept %d times between their calls (the race detector's runtime)", res.Gaps)
			case res.Gaps != 0:
				t.Errorf("the workers' threads slept %d times between their calls, in three runs out of three", res.Gaps)
			}
			in, err := Run(NewEmu(BugNone), c.w, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			names, _, _ := taskNames(c.w)
			for _, n := range names {
				if strings.Contains(n, ".w") && strings.Join(opsOf(in, n), " ") != strings.Join(opsOf(res.Trace, n), " ") {
					t.Errorf("%s: ops differ\nchild:   %v\nprocess: %v", n, opsOf(res.Trace, n), opsOf(in, n))
				}
			}
		})
	}
}

// TestIsolatedSIGSEGV: a child whose worker dies of SIGSEGV in the middle
// of the run loses no op that was recorded: the parent names the task
// that died, the call it was in, and the trace holds every op up to the
// death, well formed.
func TestIsolatedSIGSEGV(t *testing.T) {
	w := Workload{Name: "pipes", Groups: 1, Servers: 2, Workers: 3, Blocks: 3, Seed: 7}
	res := isolated(t, "segv", w, 5*time.Second, 30*time.Second)
	if !res.Died() || res.TimedOut {
		t.Fatalf("the child did not die: %s", res.Report())
	}
	if !strings.Contains(res.Crash, "SIGSEGV") || res.Killed != "g1.w1" {
		t.Fatalf("want a SIGSEGV of g1.w1, got crash %q, killed %q\n%s", res.Crash, res.Killed, res.Stderr)
	}
	rep := res.Report()
	for _, want := range []string{"SIGSEGV", "the signal hit g1.w1", "in unblock"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report %q lacks %q", rep, want)
		}
	}
	// The victim registered and blocked twice: register request and
	// followup, block, unblock, block.
	got := opsOf(res.Trace, "g1.w1")
	if len(got) != 5 || !strings.HasPrefix(got[4], "block/") {
		t.Errorf("g1.w1's ops: %v", got)
	}
	t.Log(rep)
}

// TestIsolatedTimeout: a child that never ends is killed after KillAfter;
// its trace so far is kept, with the sleeping calls of its tasks as
// pending requests.
func TestIsolatedTimeout(t *testing.T) {
	w := Workload{Name: "pipes", Groups: 1, Servers: 1, Workers: 2, Blocks: 1, Seed: 1}
	res := isolated(t, "emu/block-no-wake", w, time.Minute, 3*time.Second)
	if !res.TimedOut || !res.Died() {
		t.Fatalf("want a timeout: %s", res.Report())
	}
	pending := 0
	last := map[string]traces.Op{}
	for _, op := range res.Trace.Ops {
		last[op.Thread] = op
	}
	for _, op := range last {
		if op.Phase == traces.PhaseRequest {
			pending++
		}
	}
	if pending == 0 || !strings.Contains(res.Report(), "timed out") {
		t.Errorf("want pending requests and a timeout in the report: %d, %s", pending, res.Report())
	}
	t.Log(res.Report())
}

// TestGapsCounted: the gap count sees a worker that sleeps between its
// calls. A backend whose Block sleeps 1ms after it returns cannot do that
// (Block is a call); the worker's own code is what the gaps measure, so
// here a worker is made to sleep in its own code through the Go runtime:
// the in-process run, with a goroutine that keeps every P busy and
// GOMAXPROCS 1, parks locked worker threads when their syscalls return.
func TestGapsCounted(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	var gaps atomic.Int64
	w := DefaultWorkload("sleep", 1)
	w.Blocks = 20
	stop := make(chan struct{})
	defer close(stop)
	prev := setProcs(1)
	defer setProcs(prev)
	go func() {
		x := 0
		for {
			select {
			case <-stop:
				return
			default:
				for i := 0; i < 1e6; i++ {
					x += i
				}
				_ = make([]byte, 1<<16)
			}
		}
	}()
	// Whether the runtime parks a worker thread in a given run is up to
	// the scheduler (once in a clean-clone test run, none was): the
	// count must see a gap in one of three runs.
	for try := 1; ; try++ {
		if _, err := RunWith(NewEmu(BugNone), w, Options{Timeout: 20 * time.Second, Gaps: &gaps}); err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: %d voluntary switches between calls", try, gaps.Load())
		if gaps.Load() > 0 {
			return
		}
		if try == 3 {
			t.Fatalf("with GOMAXPROCS 1 and a busy goroutine, no worker thread slept between its calls in %d runs: the count sees nothing", try)
		}
	}
}

func setProcs(n int) int { return runtime.GOMAXPROCS(n) }
