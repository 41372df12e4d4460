package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/umcgcheck/umcgcheck/lincheck"
	"github.com/umcgcheck/umcgcheck/live"
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/traces"
)

const liveUsage = `Usage: umcgcheck live [flags] --out FILE

Runs a workload of UMCG servers and workers on real OS threads doing real
blocking syscalls, through a backend, and records what they did as a trace
(docs/trace-format.md). Backends: emu (UMCG in user space on stock Linux;
--bug seeds a defect), kernel (the RFC's syscalls by number; on a kernel
without UMCG it fails at once, in one line, exit 2). With --check the trace
is checked at once, as 'umcgcheck check' would.

Example:
  umcgcheck live --backend emu --workload pipes --out run.jsonl --check

Exit codes: 0 recorded (and linearizable, with --check), 1 not linearizable
or the run hung (its partial trace is still written), 2 bad usage or a
backend that cannot run here, 3 the check timed out.

Flags:
`

func runLive(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("live", liveUsage, stdout)
	backend := fs.String("backend", "emu", "backend: "+strings.Join(live.Backends(), ", "))
	workload := fs.String("workload", "pipes", "workload: "+strings.Join(live.Workloads(), ", "))
	out := fs.String("out", "", "write the trace to this file (required); it must not exist")
	check := fs.Bool("check", false, "check the trace for linearizability at once")
	var bugNames []string
	for _, b := range live.Bugs() {
		if b != live.BugNone {
			bugNames = append(bugNames, string(b))
		}
	}
	bug := fs.String("bug", "", "emu only: a seeded defect: "+strings.Join(bugNames, ", "))
	seed := fs.Uint64("seed", 1, "seed of the workload's random choices")
	groups := fs.Int("groups", 0, "groups (0: the workload's default)")
	servers := fs.Int("servers", 0, "servers per group (0: default)")
	workers := fs.Int("workers", 0, "workers per group (0: default)")
	blocks := fs.Int("blocks", 0, "blocking syscalls per worker (default: the workload's; given, 0 is none)")
	timeout := fs.Duration("timeout", 30*time.Second, "a run that takes longer is reported as hung (more than 0)")
	checkTimeout := fs.Duration("check-timeout", time.Minute, "with --check: give up on a partition after this long (0: no limit)")
	if help, err := parse(fs, args); help || err != nil {
		return exitOK, err
	}
	if *out == "" {
		return exitUsage, usagef("--out FILE is required (run 'umcgcheck live -h')")
	}
	if err := checkNewFile("out", *out); err != nil {
		return exitUsage, err
	}
	if *timeout <= 0 {
		return exitUsage, usagef("--timeout: %v is not a duration above 0", *timeout)
	}
	if *checkTimeout < 0 {
		return exitUsage, usagef("--check-timeout: %v is negative (0: no limit)", *checkTimeout)
	}
	b, err := live.NewBackend(*backend, *bug)
	if err != nil {
		return exitUsage, usagef("%v", err)
	}
	w := live.DefaultWorkload(*workload, *seed)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
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
	tr, runErr := live.Run(b, w, *timeout)
	var hang *live.HangError
	if runErr != nil && !errors.As(runErr, &hang) {
		return exitUsage, usagef("%v", runErr)
	}
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, tr, model.Vocabulary()); err != nil {
		return exitUsage, usagef("the recorded trace is not well formed: %v", err)
	}
	if err := writeNew(*out, buf.Bytes()); err != nil {
		return exitUsage, usagef("--out: %v", err)
	}
	fmt.Fprintf(stdout, "%s: %d operations recorded by backend %s, workload %s (%d groups, %d servers and %d workers each, %d blocking calls per worker, seed %d)\n",
		*out, len(tr.Ops), *backend, w.Name, w.Groups, w.Servers, w.Workers, w.Blocks, w.Seed)
	code := exitOK
	if hang != nil {
		fmt.Fprintf(stdout, "HUNG: %v (the partial trace is written)\n", hang)
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
