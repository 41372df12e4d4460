package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/umcgcheck/umcgcheck/lincheck"
	"github.com/umcgcheck/umcgcheck/live/nanos"
	"github.com/umcgcheck/umcgcheck/model/umcg2023"
	"github.com/umcgcheck/umcgcheck/traces"
)

// nanosRun is what `live --backend nanos` was asked.
type nanosRun struct {
	cmd, console, out string
	check             bool
	timeout           time.Duration
	checkTimeout      time.Duration
}

// nanosFlags are the live flags the nanos backend takes; the workload's
// are the guest program's arguments, in the user's image.
var nanosFlags = []string{"backend", "run-cmd", "console", "out", "check", "timeout", "check-timeout"}

// runLiveNanos reads the trace of a run of our guest program in Nanos:
// from the console of --run-cmd (killed after --timeout) or of a file.
func runLiveNanos(fs *flag.FlagSet, r nanosRun, stdout, stderr io.Writer) (int, error) {
	var bad error
	fs.Visit(func(f *flag.Flag) {
		if bad == nil && !slices.Contains(nanosFlags, f.Name) {
			bad = usagef("--%s: not for the nanos backend (the workload is the guest program's arguments, in your image)", f.Name)
		}
		if bad == nil && f.Name == "backend" && f.Value.String() != "nanos" {
			bad = usagef("--run-cmd and --console are for --backend nanos")
		}
	})
	switch {
	case bad != nil:
		return exitUsage, bad
	case (r.cmd == "") == (r.console == ""):
		return exitUsage, usagef("--backend nanos: want exactly one of --run-cmd CMD and --console FILE")
	case r.timeout <= 0:
		return exitUsage, usagef("--timeout: %v is not a duration above 0", r.timeout)
	case r.checkTimeout < 0:
		return exitUsage, usagef("--check-timeout: %v is negative (0: no limit)", r.checkTimeout)
	}
	if r.out == "" {
		r.out = firstFreeName("live-nanos")
	}
	if err := checkNewFile("out", r.out); err != nil {
		return exitUsage, err
	}
	var console []byte
	name := r.console
	if r.cmd != "" {
		name = "the console of --run-cmd"
		ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "sh", "-c", r.cmd)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, stderr
		err := cmd.Run()
		console = buf.Bytes()
		var ee *exec.ExitError
		switch {
		case ctx.Err() != nil:
			fmt.Fprintf(stdout, "--run-cmd: killed after --timeout %v\n", r.timeout)
		case errors.As(err, &ee):
			// QEMU's isa-debug-exit makes a clean exit status 1: the
			// status says nothing, the console's end line does.
			fmt.Fprintf(stdout, "--run-cmd: %v\n", err)
		case err != nil:
			return exitUsage, usagef("--run-cmd: %v", err)
		}
	} else {
		b, err := os.ReadFile(r.console)
		if err != nil {
			return exitUsage, usagef("--console: %v", err)
		}
		console = b
	}
	tr, hung, err := nanos.ReadConsole(bytes.NewReader(console), name)
	if err != nil {
		fmt.Fprintf(stdout, "FAILED: %v\n", err)
		return exitViolation, nil
	}
	var buf bytes.Buffer
	if err := traces.WriteAll(&buf, tr, umcg2023.Vocabulary()); err != nil {
		return exitUsage, usagef("the recorded trace is not well formed: %v", err)
	}
	if err := writeNew(r.out, buf.Bytes()); err != nil {
		return exitUsage, usagef("--out: %v", err)
	}
	fmt.Fprintf(stdout, "%s: %d operations recorded by backend nanos (%s)\n", r.out, len(tr.Ops), tr.Header.Source)
	code := exitOK
	if hung != "" {
		fmt.Fprintf(stdout, "HUNG: the guest gave up %s (the partial trace is written)\n", hung)
		code = exitViolation
	}
	if !r.check {
		return code, nil
	}
	res, err := lincheck.Check(tr, r.checkTimeout)
	if err != nil {
		return exitUsage, usagef("%s: %v", r.out, err)
	}
	writeCheck(stdout, r.out, len(tr.Ops), res)
	return withVerdict(code, res.Verdict), nil
}
