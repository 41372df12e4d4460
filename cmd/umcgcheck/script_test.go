package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/umcgcheck/umcgcheck/live"
)

// TestMain lets the scripts under testdata/script run umcgcheck as a
// program: `exec umcgcheck ARGS` exits as the command does, and
// `exec status N umcgcheck ARGS` succeeds when it exits with N.
//
// It also makes the test binary the child of an isolated live run
// (live.ChildEnv set): the live tests re-execute it as such.
func TestMain(m *testing.M) {
	if os.Getenv(live.ChildEnv) != "" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"umcgcheck": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
		"status": func() {
			want, err := strconv.Atoi(os.Args[1])
			if err != nil || len(os.Args) < 3 || os.Args[2] != "umcgcheck" {
				fmt.Fprintln(os.Stderr, "usage: status N umcgcheck ARGS...")
				os.Exit(2)
			}
			if got := run(os.Args[3:], os.Stdout, os.Stderr); got != want {
				fmt.Fprintf(os.Stderr, "umcgcheck exited %d, want %d\n", got, want)
				os.Exit(1)
			}
		},
	})
}

// TestScripts runs the end-to-end sessions in testdata/script, each a
// shell-like transcript a newcomer can read.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
