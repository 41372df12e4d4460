package sim

import (
	"math/rand/v2"

	"github.com/umcgcheck/umcgcheck/model"
	"github.com/umcgcheck/umcgcheck/props"
)

// Walks configures seeded random walks.
type Walks struct {
	Runs  int    // number of walks
	Depth int    // at most this many steps per walk
	Seed  uint64 // walk r uses the PCG stream (Seed, r)
	First int    // index of the first walk (to replay walk k: First=k, Runs=1)
}

// WalkResult is the outcome of a batch of walks.
type WalkResult struct {
	Runs, Steps int
	// Violation is the first violation found, with the walk that found it.
	Violation *Counterexample
	Run       int
	// Deepest is set when some walk stopped at Depth before reaching a
	// terminal state: its end was not checked for deadlock.
	Truncated int
}

// Walk runs random walks of m and stops at the first violation. Each step
// picks uniformly among the enabled actions. The same Walks give the same
// result, step for step.
func Walk(m *model.Model, w Walks) WalkResult {
	var res WalkResult
	var buf []model.Action
	var vs []props.Violation
	var path []model.Action
	for r := w.First; r < w.First+w.Runs; r++ {
		rng := rand.New(rand.NewPCG(w.Seed, uint64(r)))
		s := m.Init()
		path = path[:0]
		res.Runs++
		buf = m.Enabled(&s, buf[:0])
		for d := 0; ; d++ {
			if len(buf) == 0 {
				break
			}
			if d >= w.Depth {
				res.Truncated++
				break
			}
			a := buf[rng.IntN(len(buf))]
			before := s
			o := m.Step(&s, a)
			path = append(path, a)
			res.Steps++
			buf = m.Enabled(&s, buf[:0])
			vs = props.CheckStep(m, &before, &s, &o, vs[:0])
			vs = props.CheckState(m, &s, len(buf) == 0, vs)
			if len(vs) > 0 {
				res.Violation = &Counterexample{
					Config:   m.Config(),
					Property: vs[0].Property.ID,
					Message:  vs[0].Message,
					Actions:  append([]model.Action(nil), path...),
				}
				res.Run = r
				return res
			}
		}
	}
	return res
}
