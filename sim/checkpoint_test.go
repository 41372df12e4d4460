package sim_test

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/umcgcheck/umcgcheck/sim"
)

// stopAfter is an Explorer.Stop that answers "signal" from its n+1-th
// call on. Stop is called from several goroutines: calls is guarded.
type stopAfter struct {
	mu       sync.Mutex
	n, calls int
}

func (s *stopAfter) stop() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.calls > s.n {
		return "signal"
	}
	return ""
}

// comparable strips what differs between two runs of one search: time.
func same(r sim.Report) sim.Report {
	r.Elapsed = 0
	if len(r.Violations) == 0 {
		r.Violations = nil
	}
	for i := range r.Violations {
		if len(r.Violations[i].Actions) == 0 {
			r.Violations[i].Actions = nil
		}
	}
	r.Sometimes = slices.Clone(r.Sometimes)
	for i := range r.Sometimes {
		if len(r.Sometimes[i].Actions) == 0 {
			r.Sometimes[i].Actions = nil
		}
	}
	return r
}

// interruptAndResume runs e with a Stop that answers after n calls,
// writes the checkpoint the stop leaves, reads it back and resumes; a
// resumed search is interrupted again the same way until one completes.
// It returns the final report and how many times the search was cut.
func interruptAndResume[S, O any](t *testing.T, m *sim.Model[S, O], e sim.Explorer, n int) (sim.Report, int) {
	t.Helper()
	var snap *sim.Snapshot
	for cuts := 0; ; cuts++ {
		// Each resumed run goes further before it is stopped (twice as
		// many calls): a level too wide to expand, or a lasso search too
		// long to end, between two answers would otherwise be cut
		// forever.
		st := &stopAfter{n: n << min(cuts, 20)}
		var file bytes.Buffer
		x := e
		x.Stop, x.Resume = st.stop, snap
		x.Checkpoint = func(s *sim.Snapshot) {
			file.Reset()
			if err := s.Write(&file); err != nil {
				t.Fatal(err)
			}
		}
		x.CheckpointEvery = 1 << 62 // only when stopped
		r := m.Explore(x)
		if r.Complete {
			return r, cuts
		}
		if r.Stopped != "signal" || file.Len() == 0 {
			t.Fatalf("stopped by %q, checkpoint of %d bytes", r.Stopped, file.Len())
		}
		var err error
		if snap, err = sim.ReadSnapshot(&file); err != nil {
			t.Fatal(err)
		}
		if cuts > 1000 {
			t.Fatal("no progress across resumes")
		}
	}
}

// TestCheckpointResume: a search stopped (at level boundaries and inside
// levels), saved, read back and resumed, again and again, ends with the
// report of a search never interrupted: the same states, transitions,
// violations with the same counterexamples and counts, lassos,
// reachability examples and coverage counts, for exact and bitstate sets,
// with and without symmetry and liveness.
func TestCheckpointResume(t *testing.T) {
	type run struct {
		name string
		e    sim.Explorer
	}
	runs := []run{
		{"liveness", sim.Explorer{Workers: 1, Coverage: true}},
		{"workers-3", sim.Explorer{Workers: 3, Coverage: true}},
		{"symmetry", sim.Explorer{Workers: 2, Symmetry: true, NoLiveness: true, Coverage: true}},
		{"bitstate", sim.Explorer{Workers: 1, BitstateBits: 1 << 16}},
		{"bitstate-seed", sim.Explorer{Workers: 2, BitstateBits: 1 << 16, HashSeed: 9}},
	}
	for _, r := range runs {
		for _, n := range []int{1, 4, 25} {
			tp := twophaseModel(t, 5, "eager-commit") // violations to carry over
			full := tp.Explore(r.e)
			if len(full.Violations) == 0 {
				t.Fatal("eager-commit: no violation to carry over")
			}
			got, cuts := interruptAndResume(t, tp, r.e, n)
			if cuts == 0 {
				t.Errorf("%s, stop after %d calls: never cut", r.name, n)
			}
			if !reflect.DeepEqual(same(got), same(full)) {
				t.Errorf("%s, stop after %d calls, %d cuts: resumed report differs:\n got %+v\nwant %+v", r.name, n, cuts, same(got), same(full))
			}
			mx := mutexModel(t, 3, "spin", "")
			mx.Properties = append(mx.Properties, sometimesProps()...)
			full = mx.Explore(r.e)
			got, _ = interruptAndResume(t, mx, r.e, n)
			if !reflect.DeepEqual(same(got), same(full)) {
				t.Errorf("mutex %s, stop after %d calls: resumed report differs:\n got %+v\nwant %+v", r.name, n, same(got), same(full))
			}
		}
	}
}

// TestStopInsideALevel: a search stopped inside a level drops the level
// whole: its report equals that of a search bounded just before the
// level (the Explorer.Stop contract; it was untested).
func TestStopInsideALevel(t *testing.T) {
	m := twophaseModel(t, 5, "")
	// With one worker, Stop is asked every 256 states of a level; the
	// widest levels of two-phase commit with 5 resource managers have
	// more than that.
	st := &stopAfter{}
	var boundary int
	for st.n = 1; ; st.n++ {
		levels := 0
		st.calls = 0
		r := m.Explore(sim.Explorer{Workers: 1, NoLiveness: true, Stop: st.stop, Progress: func(sim.Progress) { levels++ }})
		if r.Complete {
			t.Fatal("no level large enough to be stopped inside")
		}
		// Stop is asked once per level boundary: more calls than
		// boundaries reached means the last came inside a level.
		boundary = r.Depth + 1 // the level whose expansion was cut, or the boundary where it stopped
		if st.calls > levels+1 {
			bounded := m.Explore(sim.Explorer{Workers: 1, NoLiveness: true, MaxDepth: boundary})
			if r.States != bounded.States || r.Transitions != bounded.Transitions || r.Depth != bounded.Depth {
				t.Errorf("stopped inside level %d: %d states, %d transitions, depth %d; bounded at that depth: %d, %d, %d",
					boundary, r.States, r.Transitions, r.Depth, bounded.States, bounded.Transitions, bounded.Depth)
			}
			return
		}
	}
}

// TestCheckpointRefused: a damaged, cut or foreign file is refused when
// read; a snapshot of another configuration or with other options is
// refused by Check, naming what differs.
func TestCheckpointRefused(t *testing.T) {
	m := twophaseModel(t, 3, "")
	e := sim.Explorer{Workers: 1, Coverage: true}
	var file bytes.Buffer
	x := e
	x.Stop = (&stopAfter{n: 3}).stop
	x.Checkpoint = func(s *sim.Snapshot) { file.Reset(); s.Write(&file) }
	m.Explore(x)
	data := file.Bytes()
	for name, bad := range map[string][]byte{
		"flipped": func() []byte { b := bytes.Clone(data); b[len(b)/2] ^= 1; return b }(),
		"cut":     data[:len(data)-10],
		"foreign": []byte("{\"format\": \"umcgcheck-counterexamples\"}\n"),
		"empty":   nil,
	} {
		if _, err := sim.ReadSnapshot(bytes.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	snap, err := sim.ReadSnapshot(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.Check(m.Describe(), e); err != nil {
		t.Errorf("the same search: %v", err)
	}
	if err := snap.Check(m.Describe(), sim.Explorer{Workers: 4, Coverage: true}); err != nil {
		t.Errorf("more workers change nothing: %v", err)
	}
	for name, c := range map[string]struct {
		d    sim.Description
		e    sim.Explorer
		want string
	}{
		"config":    {twophaseModel(t, 4, "").Describe(), e, "configuration"},
		"protocol":  {mutexModel(t, 2, "spin", "").Describe(), e, "protocol"},
		"max-depth": {m.Describe(), sim.Explorer{Coverage: true, MaxDepth: 5}, "max-depth"},
		"coverage":  {m.Describe(), sim.Explorer{}, "coverage"},
		"liveness":  {m.Describe(), sim.Explorer{Coverage: true, NoLiveness: true}, "no-liveness"},
		"seed":      {m.Describe(), sim.Explorer{Coverage: true, HashSeed: 7}, "hash seed"},
	} {
		if err := snap.Check(c.d, c.e); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %s", name, err, c.want)
		}
	}
}

// TestStopInTheLassoSearch: Stop is asked while the lasso search runs
// (it was not: a signal there waited for the search to end). A search
// stopped there is incomplete, keeps the lassos it confirmed, and its
// checkpoint resumes to the report of a search never stopped.
func TestStopInTheLassoSearch(t *testing.T) {
	m := mutexModel(t, 3, "spin", "")
	full := m.Explore(sim.Explorer{Workers: 1})
	if !full.Complete || len(full.Violations) == 0 {
		t.Fatalf("the full search: complete=%v, %d violations", full.Complete, len(full.Violations))
	}
	var expanded bool // every state expanded: the lasso search runs
	var file bytes.Buffer
	r := m.Explore(sim.Explorer{Workers: 1,
		Progress: func(p sim.Progress) { expanded = expanded || p.Queue == 0 },
		Stop: func() string {
			if expanded {
				return "signal"
			}
			return ""
		},
		Checkpoint:      func(s *sim.Snapshot) { file.Reset(); s.Write(&file) },
		CheckpointEvery: 1 << 62,
	})
	if r.Complete || r.Stopped != "signal" || r.States != full.States || !strings.Contains(r.Liveness, "in part") {
		t.Errorf("stopped in the lasso search: complete=%v stopped=%q states %d of %d, liveness %q", r.Complete, r.Stopped, r.States, full.States, r.Liveness)
	}
	for _, c := range r.Violations {
		if _, err := m.Confirm(c); err != nil {
			t.Errorf("%s: not confirmed: %v", c.Property, err)
		}
	}
	snap, err := sim.ReadSnapshot(&file)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Explore(sim.Explorer{Workers: 1, Resume: snap}); !reflect.DeepEqual(same(got), same(full)) {
		t.Errorf("resumed:\n got %+v\nwant %+v", same(got), same(full))
	}
}
