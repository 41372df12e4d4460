package spin_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// TestSameStatesAsSPIN checks that SPIN, on umcg.pml, stores exactly the
// states umcgcheck's explorer stores (symmetry and partial-order reduction
// off in both), and counts one transition more (the initial state), on
// small configurations of both variants. It needs spin and gcc, and is
// skipped without them (bench/spin/run.sh installs spin).
func TestSameStatesAsSPIN(t *testing.T) {
	for _, tool := range []string{"spin", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install spin)", tool)
		}
	}
	pml, err := filepath.Abs("umcg.pml")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []model.Variant{model.Seed, model.Fixed} {
		for _, c := range []struct{ n, b int }{{2, 1}, {3, 1}} {
			t.Run(fmt.Sprintf("%s/N=%d/B=%d", v, c.n, c.b), func(t *testing.T) {
				t.Parallel()
				cfg, _ := model.NamedConfig("single")
				cfg.Variant, cfg.Workers, cfg.Blocks = v, c.n, c.b
				m, err := model.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				r := m.Engine().Explore(sim.Explorer{NoLiveness: true, Workers: 1})
				if !r.Complete || len(r.Violations) > 0 {
					t.Fatalf("umcgcheck: complete=%v, %d violations; the comparison needs a clean, complete search", r.Complete, len(r.Violations))
				}
				states, trans := runPan(t, pml, v, c.n, c.b, "-DNOREDUCE")
				if states != r.States || trans != r.Transitions+1 {
					t.Errorf("SPIN stored %d states and counted %d transitions; umcgcheck %d states, %d transitions (want the same states and one transition more)",
						states, trans, r.States, r.Transitions)
				}
				// SPIN's partial-order reduction (on without
				// -DNOREDUCE) removes no state of this model: every
				// step reads or writes globals (README.md, run.sh's
				// partial-order rows).
				if por, _ := runPan(t, pml, v, c.n, c.b); por != states {
					t.Errorf("SPIN with its partial-order reduction stored %d states, without it %d", por, states)
				}
			})
		}
	}
}

var (
	storedRE = regexp.MustCompile(`(\d+) states, stored`)
	transRE  = regexp.MustCompile(`(\d+) transitions \(= stored\+matched\)`)
	errorsRE = regexp.MustCompile(`errors: 0\b`)
)

// runPan generates, compiles (with cflags added) and runs SPIN's verifier
// for one configuration, and returns its states stored and transitions.
func runPan(t *testing.T, pml string, v model.Variant, n, b int, cflags ...string) (uint64, uint64) {
	dir := t.TempDir()
	args := []string{"-o2", fmt.Sprintf("-DN=%d", n), fmt.Sprintf("-DB=%d", b)}
	if v == model.Fixed {
		args = append(args, "-DFIXED")
	}
	run := func(name string, args ...string) string {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run("spin", append(args, "-a", pml)...)
	run("gcc", append(append([]string{"-O0", "-w", "-DSAFETY"}, cflags...), "-o", "pan", "pan.c")...)
	out := run(filepath.Join(dir, "pan"), "-m100000", "-w18")
	if !errorsRE.MatchString(out) {
		t.Fatalf("pan found errors:\n%s", out)
	}
	num := func(re *regexp.Regexp) uint64 {
		mm := re.FindStringSubmatch(out)
		if mm == nil {
			t.Fatalf("no %q in pan's output:\n%s", re, out)
		}
		x, _ := strconv.ParseUint(mm[1], 10, 64)
		return x
	}
	return num(storedRE), num(transRE)
}
