// Command umcgcheck model-checks UMCG, the user-mode scheduling interface
// of the 2021 Linux RFC: it simulates and explores a model of libumcg and
// the kernel, and checks the properties of the protocol.
//
// Exit codes: 0 when every property holds, 1 when a violation was found,
// 2 for bad usage or input (with one line on stderr saying what and where),
// 3 for no answer (a search left incomplete, a check timed out), which is
// never a pass.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK        = 0
	exitViolation = 1
	exitUsage     = 2
	// exitIncomplete (3): no answer; see explore.go.
)

// usageError is bad usage or input: reported in one line, exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) (int, error)
}

var commands = []command{
	{"explore", "explore every reachable state of a configuration and print shortest counterexamples", runExplore},
	{"replay", "re-execute saved counterexamples step by step and confirm them", runReplay},
	{"check", "check traces for linearizability against the model", runCheck},
	{"live", "record a trace of real threads doing real syscalls through a UMCG backend", runLive},
	{"merge", "combine the --json results of the shards of a swarm job", runMerge},
	{"sim", "run seeded random walks of a configuration and check every property", runSim},
	{"findings", "search every shipped configuration for violations and print them as Markdown", runFindings},
	{"props", "list the properties umcgcheck checks", runProps},
}

const mainUsage = `umcgcheck model-checks UMCG (User Managed Concurrency Groups), the Linux
user-mode scheduling interface of the 2021 RFC patch series (v0.1).

Usage:
  umcgcheck <command> [flags]

Commands:
%s
Run 'umcgcheck <command> -h' for a command's flags.

Exit codes, the same for every command:
  0  every property holds (replay: no counterexample reproduces)
  1  a violation was found (replay: at least one counterexample is confirmed)
  2  bad usage or input, said in one line on stderr
  3  no answer, which is never a pass: a bound, --max-memory, a signal or
     --bitstate left a search incomplete and nothing was found; check: the
     --timeout ran out; merge: shards are missing
`

func printMainUsage(w io.Writer) {
	var list string
	for _, c := range commands {
		list += fmt.Sprintf("  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, list)
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printMainUsage(stderr)
		return exitUsage
	}
	if a := args[0]; a == "-h" || a == "-help" || a == "--help" || a == "help" {
		printMainUsage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		code, err := c.run(args[1:], stdout, stderr)
		if err != nil {
			var ue usageError
			if errors.As(err, &ue) {
				fmt.Fprintf(stderr, "umcgcheck %s: %s\n", c.name, ue.msg)
				return exitUsage
			}
			fmt.Fprintf(stderr, "umcgcheck %s: %v\n", c.name, err)
			return exitUsage
		}
		return code
	}
	fmt.Fprintf(stderr, "umcgcheck: unknown command %q (run 'umcgcheck -h' for the list)\n", args[0])
	return exitUsage
}
