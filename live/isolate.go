package live

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/umcgcheck/umcgcheck/traces"
	"golang.org/x/sys/unix"
)

// ChildEnv is the environment variable that makes a process the child of
// an isolated run: its value is the path of the run's journal.
const ChildEnv = "UMCGCHECK_LIVE_JOURNAL"

// The child's settings of the Go runtime, which must be in its
// environment when it starts (GODEBUG's asyncpreemptoff is read once, at
// start).
var childRuntimeEnv = []string{"GOGC=off", "GOTRACEBACK=single"}

const childGODEBUG = "asyncpreemptoff=1"

// The line the child writes on its stdout when its run ended, and the
// one with its count of gaps.
const (
	childResult = "umcgcheck-live-result: "
	childGaps   = "umcgcheck-live-gaps: "
	childNote   = "umcgcheck-live-note: "
)

// GapsEnv, set to anything in a child's environment, makes it count the
// voluntary context switches of its workers between their calls
// (Options.Gaps; Isolated.Gaps).
const GapsEnv = "UMCGCHECK_LIVE_GAPS"

// RunChild is the child's side of an isolated run (RunIsolated): it runs
// w on b with the journal at journalPath (ChildEnv), with the Go runtime
// kept away from the workers (garbage collection off, asynchronous
// preemption off, more Ps than tasks: docs/live.md), and writes one
// result line to out. It returns an error only when it could not run.
func RunChild(b Backend, w Workload, timeout time.Duration, journalPath string, out io.Writer) error {
	if !strings.Contains(os.Getenv("GODEBUG"), childGODEBUG) {
		return fmt.Errorf("live child: GODEBUG must contain %s when the process starts", childGODEBUG)
	}
	j, err := OpenJournal(journalPath, w)
	if err != nil {
		return err
	}
	defer j.Close()
	debug.SetGCPercent(-1)
	// A worker must not take a page fault either: a fault that sleeps
	// (on the mmap lock, which the runtime's other threads take to map
	// memory, or for a page) is a block the trace does not show. Touch
	// the journal, and lock every page, present and future, in memory.
	for i := 0; i < len(j.mem); i += os.Getpagesize() {
		atomic.AddInt32(p32(j.mem, i), 0) // a write fault now, not during the run
	}
	if err := unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE); err != nil {
		fmt.Fprintf(out, "%smlockall: %v (page faults may block workers)\n", childNote, err)
	}
	names, _, _ := taskNames(w)
	// Every locked task thread, the producer, the main goroutine and
	// Run's timers each find an idle P: a worker returning from a
	// syscall never waits for one (stoplockedm would park its thread in
	// a futex, a block the trace does not show).
	runtime.GOMAXPROCS(len(names) + 8)
	opt := Options{Timeout: timeout, Journal: j}
	if os.Getenv(GapsEnv) != "" {
		opt.Gaps, opt.Extra = new(atomic.Int64), new(atomic.Int64)
	}
	_, err = RunWith(b, w, opt)
	if opt.Gaps != nil {
		fmt.Fprintf(out, "%s%d %d\n", childGaps, opt.Gaps.Load(), opt.Extra.Load())
	}
	var hang *HangError
	switch {
	case err == nil:
		fmt.Fprintln(out, childResult+"ok")
	case errors.As(err, &hang):
		fmt.Fprintln(out, childResult+"hang: "+oneLine(err.Error()))
	default:
		fmt.Fprintln(out, childResult+"error: "+oneLine(err.Error()))
	}
	return nil
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// Isolated is the outcome of a run in a child process.
type Isolated struct {
	// Trace is the trace read from the journal: every op the child
	// published, and, for a task that was in a sleeping call when the
	// child ended, that call's request, pending.
	Trace traces.Trace
	// Tasks is what the journal says of each task.
	Tasks []JournalTask
	// Result is the child's result line ("ok", "hang: ...", "error:
	// ..."), "" when it wrote none (it died).
	Result string
	// ExitCode is the child's exit status (-1 when a signal ended it),
	// Signal the signal that ended it ("" none).
	ExitCode int
	Signal   string
	// TimedOut: the parent killed the child after Options.KillAfter.
	TimedOut bool
	// Crash is the child's fatal-error and signal lines ("fatal error:
	// unexpected signal during runtime execution; [signal SIGSEGV:
	// segmentation violation code=0x80 ...]"), "" when it did not crash.
	Crash string
	// Killed names the task whose goroutine the crash report names first
	// (the thread that received the fatal signal), "" when none or
	// unknown.
	Killed string
	// EndedAt is CLOCK_MONOTONIC (ns) when the parent saw the child end;
	// Elapsed is the child's wall time.
	EndedAt int64
	Elapsed time.Duration
	// Stderr is the start of the child's stderr (at most 64 KiB).
	Stderr string
	// Notes are the child's warnings (mlockall failed, ...).
	Notes []string
	// Gaps is the child's count of voluntary context switches of its
	// workers between their calls (GapsEnv), -1 when not counted; Extra
	// its count of blocking syscalls with a sleep more than the kernel's
	// block and unblock explain (Options.Extra).
	Gaps, Extra int64
}

// Died reports whether the child did not end normally: no result line,
// a crash, a signal, a timeout or a non-zero exit status (a task that
// panics can let the run finish and print its result before the panic
// ends the process).
func (r *Isolated) Died() bool {
	return r.Result == "" || r.TimedOut || r.Signal != "" || r.ExitCode != 0 || r.Crash != ""
}

// Report says in a few lines what happened to the child: how it ended,
// which task died in which call and when, what each task was doing.
func (r *Isolated) Report() string {
	var b strings.Builder
	switch {
	case r.TimedOut:
		fmt.Fprintf(&b, "child timed out after %v and was killed", r.Elapsed.Round(time.Millisecond))
	case r.Signal != "":
		fmt.Fprintf(&b, "child killed by %s after %v", r.Signal, r.Elapsed.Round(time.Millisecond))
	case r.Died():
		fmt.Fprintf(&b, "child died (exit %d) after %v", r.ExitCode, r.Elapsed.Round(time.Millisecond))
	default:
		fmt.Fprintf(&b, "child ended (%s) after %v", r.Result, r.Elapsed.Round(time.Millisecond))
	}
	if r.Crash != "" {
		fmt.Fprintf(&b, ": %s", r.Crash)
	} else if r.Died() && strings.TrimSpace(r.Stderr) != "" {
		lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
		fmt.Fprintf(&b, ": stderr: %s", strings.Join(lines[:min(len(lines), 3)], "; "))
	}
	if r.Killed != "" {
		for _, t := range r.Tasks {
			if t.Name != r.Killed {
				continue
			}
			fmt.Fprintf(&b, "; the signal hit %s (tid %d)", t.Name, t.Tid)
			if t.InCall != "" {
				fmt.Fprintf(&b, " in %s, called at %d ns", t.InCall, t.InCallAt)
			}
			if t.Doing != "" {
				fmt.Fprintf(&b, ", %s", t.Doing)
			}
			if n := len(t.Ops); n > 0 {
				fmt.Fprintf(&b, ", after %d ops (last: %s at %d ns)", n, t.Ops[n-1].Kind, t.Ops[n-1].Return)
			}
		}
	}
	if r.Died() {
		var busy []string
		for _, t := range r.Tasks {
			if t.Doing != "" && t.Doing != "done" {
				s := t.Name + " " + t.Doing
				if t.InCall != "" {
					s += fmt.Sprintf(" (%s since %d ns)", t.InCall, t.InCallAt)
				}
				busy = append(busy, s)
			}
		}
		if len(busy) > 0 {
			fmt.Fprintf(&b, "; when it ended (%d ns): %s", r.EndedAt, strings.Join(busy, ", "))
		}
	}
	return b.String()
}

// IsolateOptions are RunIsolated's settings.
type IsolateOptions struct {
	// Source is the trace header's source (the backend's name).
	Source string
	// KillAfter: the child is killed (SIGKILL) if it runs longer.
	KillAfter time.Duration
	// Dir holds the journal file while the run lasts ("": os.TempDir()).
	Dir string
}

var (
	goroutineRe = regexp.MustCompile(`^goroutine (\d+)`)
	signalRe    = regexp.MustCompile(`^\[signal `)
)

// RunIsolated runs workload w in the child process cmd (not started; the
// caller sets its program and arguments so that it calls RunChild with
// the same workload), with the journal in a fresh file named in its
// environment (ChildEnv) and the Go runtime settings RunChild needs.
// The child's death does not lose the trace: RunIsolated reads it from
// the journal whatever the child's end.
func RunIsolated(cmd *exec.Cmd, w Workload, opt IsolateOptions) (*Isolated, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(opt.Dir, "umcgcheck-live-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "journal")
	if err := CreateJournal(path, w); err != nil {
		return nil, err
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	godebug := childGODEBUG
	var kept []string
	for _, e := range env {
		switch {
		case strings.HasPrefix(e, "GODEBUG="):
			godebug = strings.TrimPrefix(e, "GODEBUG=") + "," + childGODEBUG
		case strings.HasPrefix(e, "GOGC="), strings.HasPrefix(e, "GOTRACEBACK="), strings.HasPrefix(e, ChildEnv+"="):
		default:
			kept = append(kept, e)
		}
	}
	cmd.Env = append(append(kept, childRuntimeEnv...), "GODEBUG="+godebug, ChildEnv+"="+path)
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = 64<<10, 64<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	res := &Isolated{Gaps: -1}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("live: starting the child: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	kill := opt.KillAfter
	if kill <= 0 {
		kill = time.Minute
	}
	var werr error
	select {
	case werr = <-done:
	case <-time.After(kill):
		res.TimedOut = true
		cmd.Process.Kill()
		werr = <-done
	}
	res.EndedAt = now()
	res.Elapsed = time.Since(start)
	res.ExitCode = cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Signal = ws.Signal().String()
		res.ExitCode = -1
	}
	var exitErr *exec.ExitError
	if werr != nil && !errors.As(werr, &exitErr) {
		return nil, fmt.Errorf("live: waiting for the child: %w", werr)
	}
	res.Stderr = stderr.String()
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, childResult) {
			res.Result = strings.TrimPrefix(line, childResult)
		}
		if strings.HasPrefix(line, childNote) {
			res.Notes = append(res.Notes, strings.TrimPrefix(line, childNote))
		}
		if strings.HasPrefix(line, childGaps) {
			f := strings.Fields(strings.TrimPrefix(line, childGaps))
			if len(f) == 2 {
				res.Gaps, _ = strconv.ParseInt(f[0], 10, 64)
				res.Extra, _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	tasks, err := ReadJournal(path, w)
	if err != nil {
		return nil, err
	}
	res.Tasks = tasks
	res.Crash, res.Killed = crashOf(res.Stderr, tasks)
	names, gnames, _ := taskNames(w)
	tr := traces.Trace{Header: traces.Header{Version: traces.Version, Source: opt.Source, Clock: traces.ClockNS, Tasks: names, Groups: gnames}}
	for _, t := range tasks {
		tr.Ops = append(tr.Ops, t.Ops...)
		// A sleeping call the child never came back from: its request,
		// pending, bounded by the end of the child.
		switch t.InCall {
		case "register_worker", "poll_worker", "run_worker":
			args := t.InCallArgs
			if t.InCall == "poll_worker" {
				args = traces.Args{}
			}
			tr.Ops = append(tr.Ops, traces.Op{Thread: t.Name, Kind: t.InCall, Phase: traces.PhaseRequest, Args: args, Call: t.InCallAt, Return: max(res.EndedAt, t.InCallAt)})
		}
	}
	sort.SliceStable(tr.Ops, func(i, j int) bool { return tr.Ops[i].Call < tr.Ops[j].Call })
	res.Trace = tr
	return res, nil
}

// crashOf finds, in a Go crash report, its fatal-error and signal lines
// and the task whose goroutine it names first.
func crashOf(stderr string, tasks []JournalTask) (crash, killed string) {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for i, l := range lines {
		if !signalRe.MatchString(l) && !strings.HasPrefix(l, "fatal error: ") && !strings.HasPrefix(l, "panic: ") {
			continue
		}
		var parts []string
		for _, m := range lines[i:] {
			if m == "" {
				break
			}
			parts = append(parts, m)
		}
		crash = strings.Join(parts, "; ")
		for _, m := range lines[i:] {
			g := goroutineRe.FindStringSubmatch(m)
			if g == nil {
				continue
			}
			id, _ := strconv.ParseInt(g[1], 10, 64)
			for _, t := range tasks {
				if t.Goid == id {
					killed = t.Name
				}
			}
			break
		}
		break
	}
	return crash, killed
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}
