package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/umcgcheck/umcgcheck/lincheck"
	"github.com/umcgcheck/umcgcheck/live"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

const liveUsage = `Usage: umcgcheck live [flags]

Runs a workload of UMCG servers and workers on real OS threads doing real
blocking syscalls, through a backend, and records what they did as a trace
(docs/trace-format.md). Backends: emu (UMCG in user space on stock Linux;
--bug seeds a defect), kernel (the RFC's syscalls by number, from
--syscall-base; on a kernel without UMCG it fails at once, in one line,
exit 2). With --check the trace is checked at once, as 'umcgcheck check'
would. Without --out the trace goes to live-BACKEND-WORKLOAD-SEED.jsonl
(or -2, -3, ... when that exists), named on stdout; no file is overwritten.

With --isolate (the default for the kernel backend) the run happens in a
child process with garbage collection and asynchronous preemption off,
whose ops reach this process as they are recorded (a shared file
mapping): a kernel that kills a task with SIGSEGV, or a run that never
ends (it is killed after --kill-after), loses no op, and what died, where
and when is reported (docs/live.md).

Backend nanos runs the 2023 API inside the Nanos unikernel: --run-cmd
runs a command of yours that boots a Nanos image whose program is our
guest program (live/nanos/guest/umcgtrace.c, which picks the workload
from its own arguments), and reads the trace from its console
(docs/nanos.md); --console reads a console saved before. umcgcheck never
builds Nanos or its image.

Example:
  umcgcheck live --backend emu --workload pipes --check
  umcgcheck live --backend kernel --syscall-base 451 --groups 1 --check
  umcgcheck live --backend nanos --run-cmd ./boot-my-image.sh --check

Exit codes: 0 recorded (and linearizable, with --check), 1 not linearizable,
the run hung, or the child died or failed (its partial trace is still
written), 2 bad usage or a backend that cannot run here, 3 the check timed
out.

Flags:
`

func runLive(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("live", liveUsage, stdout)
	backend := fs.String("backend", "emu", "backend: "+strings.Join(live.Backends(), ", ")+", nanos (the 2023 API in Nanos: --run-cmd or --console)")
	workload := fs.String("workload", "pipes", "workload: "+strings.Join(live.Workloads(), ", "))
	out := fs.String("out", "", "write the trace to this file, which must not exist (default live-BACKEND-WORKLOAD-SEED.jsonl)")
	check := fs.Bool("check", false, "check the trace for linearizability at once")
	var bugNames []string
	for _, b := range live.Bugs() {
		if b != live.BugNone {
			bugNames = append(bugNames, string(b))
		}
	}
	bug := fs.String("bug", "", "emu only: a seeded defect: "+strings.Join(bugNames, ", "))
	base := fs.Uint("syscall-base", 447, "kernel only: the number of umcg_api_version; the other ten calls follow in v0.1's order (447: the RFC's x86_64 numbers; 451: free on Linux 6.1)")
	isolate := fs.Bool("isolate", false, "run in a child process that may die without losing the trace (default true for the kernel backend)")
	killAfter := fs.Duration("kill-after", 0, "with --isolate: kill the child after this long (0: 3 x --timeout + 10s)")
	seed := fs.Uint64("seed", 1, "seed of the workload's random choices")
	groups := fs.Int("groups", 0, "groups (0: the workload's default)")
	servers := fs.Int("servers", 0, "servers per group (0: default)")
	workers := fs.Int("workers", 0, "workers per group (0: default)")
	blocks := fs.Int("blocks", 0, "blocking syscalls per worker (default: the workload's; given, 0 is none)")
	timeout := fs.Duration("timeout", 30*time.Second, "a run that takes longer is reported as hung (more than 0)")
	checkTimeout := fs.Duration("check-timeout", time.Minute, "with --check: give up on a partition after this long (0: no limit)")
	runCmd := fs.String("run-cmd", "", "nanos only: a shell command that boots your Nanos image running our guest program (live/nanos/guest) and prints its console on stdout")
	console := fs.String("console", "", "nanos only: read a console output saved from such a run, instead of --run-cmd")
	if help, err := parse(fs, args); help || err != nil {
		return exitOK, err
	}
	if *backend == "nanos" || *runCmd != "" || *console != "" {
		return runLiveNanos(fs, nanosRun{cmd: *runCmd, console: *console, out: *out, check: *check, timeout: *timeout, checkTimeout: *checkTimeout}, stdout, stderr)
	}
	if *timeout <= 0 {
		return exitUsage, usagef("--timeout: %v is not a duration above 0", *timeout)
	}
	if *checkTimeout < 0 {
		return exitUsage, usagef("--check-timeout: %v is negative (0: no limit)", *checkTimeout)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *base > 1<<20 {
		return exitUsage, usagef("--syscall-base: %d is not a syscall number", *base)
	}
	w := live.DefaultWorkload(*workload, *seed)
	for _, f := range []struct {
		name string
		v    int
		dst  *int
	}{{"groups", *groups, &w.Groups}, {"servers", *servers, &w.Servers}, {"workers", *workers, &w.Workers}, {"blocks", *blocks, &w.Blocks}} {
		switch {
		case f.v < 0:
			return exitUsage, usagef("--%s: %d is negative", f.name, f.v)
		case f.v == 0 && f.name != "blocks":
			// 0 is the workload's default, as -h says
		case set[f.name]:
			*f.dst = f.v
		}
	}
	if err := w.Validate(); err != nil {
		return exitUsage, usagef("%v", err)
	}
	// The backend first: a kernel without UMCG says so in one line,
	// whatever else the command line says.
	b, err := newLiveBackend(*backend, *bug, uintptr(*base), set["syscall-base"])
	if err != nil {
		return exitUsage, usagef("%v", err)
	}
	if path := os.Getenv(live.ChildEnv); path != "" {
		// The child of an isolated run: its ops go to the journal.
		if err := live.RunChild(b, w, *timeout, path, stdout); err != nil {
			return exitUsage, usagef("%v", err)
		}
		return exitOK, nil
	}
	if !set["isolate"] {
		*isolate = *backend == "kernel"
	}
	if *out == "" {
		*out = defaultLiveOut(*backend, w)
	}
	if err := checkNewFile("out", *out); err != nil {
		return exitUsage, err
	}
	var (
		tr     traces.Trace
		hang   string
		failed string
		gaps   string
	)
	if *isolate {
		exe, err := os.Executable()
		if err != nil {
			return exitUsage, usagef("--isolate: %v", err)
		}
		kill := *killAfter
		if kill <= 0 {
			kill = 3**timeout + 10*time.Second
		}
		cmd := exec.Command(exe, append([]string{"live"}, args...)...)
		res, err := live.RunIsolated(cmd, w, live.IsolateOptions{Source: b.Name(), KillAfter: kill})
		if err != nil {
			return exitUsage, usagef("%v", err)
		}
		tr = res.Trace
		for _, n := range res.Notes {
			gaps += "note: " + n + "\n"
		}
		if res.Gaps >= 0 {
			gaps += fmt.Sprintf("gaps: the workers' threads slept %d times between their calls, and %d blocking syscalls slept more than a block and an unblock explain (%s)\n", res.Gaps, res.Extra, live.GapsEnv)
		}
		switch {
		case res.Died():
			failed = "DIED: " + res.Report()
		case strings.HasPrefix(res.Result, "hang: "):
			hang = res.Result
		case strings.HasPrefix(res.Result, "error: "):
			failed = "FAILED: " + strings.TrimPrefix(res.Result, "error: ")
		}
	} else {
		var runErr error
		tr, runErr = live.Run(b, w, *timeout)
		var he *live.HangError
		if runErr != nil && !errors.As(runErr, &he) {
			return exitUsage, usagef("%v", runErr)
		}
		if he != nil {
			hang = he.Error()
		}
	}
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
		return exitUsage, usagef("the recorded trace is not well formed: %v", err)
	}
	if err := writeNew(*out, buf.Bytes()); err != nil {
		return exitUsage, usagef("--out: %v", err)
	}
	where := ""
	if *isolate {
		where = ", in a child process"
	}
	fmt.Fprintf(stdout, "%s: %d operations recorded by backend %s, workload %s (%d groups, %d servers and %d workers each, %d blocking calls per worker, seed %d)%s\n",
		*out, len(tr.Ops), b.Name(), w.Name, w.Groups, w.Servers, w.Workers, w.Blocks, w.Seed, where)
	fmt.Fprint(stdout, gaps)
	code := exitOK
	if hang != "" {
		fmt.Fprintf(stdout, "HUNG: %v (the partial trace is written)\n", hang)
		code = exitViolation
	}
	if failed != "" {
		fmt.Fprintf(stdout, "%s (the partial trace is written)\n", failed)
		code = exitViolation
	}
	if *check {
		res, err := lincheck.Check(tr, *checkTimeout)
		if err != nil {
			return exitUsage, usagef("%s: %v", *out, err)
		}
		writeCheck(stdout, *out, len(tr.Ops), res)
		code = withVerdict(code, res.Verdict)
	}
	return code, nil
}

// newLiveBackend is live.NewBackend, with the kernel's syscalls numbered
// from base.
func newLiveBackend(name, bug string, base uintptr, baseSet bool) (live.Backend, error) {
	if name != "kernel" {
		if baseSet {
			return nil, errors.New("--syscall-base: only the kernel backend issues syscalls by number")
		}
		return live.NewBackend(name, bug)
	}
	if bug != "" {
		return nil, errors.New("--bug: only the emu backend has seeded bugs")
	}
	k, err := live.NewKernel(live.SyscallsFrom(base))
	if err != nil {
		return nil, err
	}
	return k, nil
}

// defaultLiveOut is live-BACKEND-WORKLOAD-SEED.jsonl, or the first of
// ...-2.jsonl, ...-3.jsonl, ... that does not exist.
func defaultLiveOut(backend string, w live.Workload) string {
	return firstFreeName(fmt.Sprintf("live-%s-%s-%d", backend, w.Name, w.Seed))
}

// firstFreeName is STEM.jsonl, or the first of STEM-2.jsonl, STEM-3.jsonl,
// ... that does not exist.
func firstFreeName(stem string) string {
	name := stem + ".jsonl"
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			return name
		}
		name = fmt.Sprintf("%s-%d.jsonl", stem, i)
	}
}
