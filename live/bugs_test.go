package live

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/umcgcheck/umcgcheck/lincheck"
)

// maxRunsToCatch bounds the runs a seeded bug may survive.
const maxRunsToCatch = 200

// catch runs workload name on the emu backend with bug, seeds from
// seed on, until the trace check rejects a trace or the run hangs; it
// returns the number of runs and how the bug was caught.
func catch(t testing.TB, bug Bug, name string, seed uint64) (int, string) {
	for i := 0; i < maxRunsToCatch; i++ {
		w := DefaultWorkload(name, seed+uint64(i))
		tr, err := Run(NewEmu(bug), w, 200*time.Millisecond)
		var h *HangError
		switch {
		case errors.As(err, &h):
			// The trace of a hang is checked too: it may show the bug.
			if res, err := lincheck.Check(tr, 10*time.Second); err == nil && res.Verdict == lincheck.NotLinearizable {
				return i + 1, "hang+check"
			}
			return i + 1, "hang"
		case err != nil:
			t.Fatalf("%s %s: %v", bug, name, err)
		}
		res, err := lincheck.Check(tr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict == lincheck.NotLinearizable {
			return i + 1, "check"
		}
	}
	return 0, ""
}

// TestBugsCaught: every seeded bug is caught, by lincheck.Check or as a
// hang, within maxRunsToCatch runs, in each of several trials; the log
// gives the kill rate (runs until caught).
func TestBugsCaught(t *testing.T) {
	trials := 5
	if testing.Short() {
		trials = 2
	}
	if n, err := strconv.Atoi(os.Getenv("LIVE_BUG_TRIALS")); err == nil && n > 0 {
		trials = n // for measuring the kill rate (docs/live.md)
	}
	for _, bug := range Bugs() {
		for _, name := range Workloads() {
			total, worst := 0, 0
			how := map[string]int{}
			for k := 0; k < trials; k++ {
				n, h := catch(t, bug, name, uint64(k)*1000)
				if n == 0 {
					t.Fatalf("%s on %s survived %d runs (trial %d)", bug, name, maxRunsToCatch, k)
				}
				total += n
				worst = max(worst, n)
				how[h]++
			}
			t.Logf("%-14s %-6s runs until caught: mean %.1f, max %d over %d trials (%s)",
				bug, name, float64(total)/float64(trials), worst, trials, fmt.Sprint(how))
		}
	}
}
