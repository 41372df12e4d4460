package sim

import (
	"math/rand/v2"

	"github.com/umcgcheck/umcgcheck/props"
)

// Walks configures seeded random walks.
type Walks struct {
	Runs  int    // number of walks
	Depth int    // at most this many steps per walk
	Seed  uint64 // walk r draws from the PCG stream (Seed, r)
	First int    // index of the first walk (to replay walk k alone: First=k, Runs=1)
	// Only, when set, is the one property to look for: violations of
	// others are ignored and the walk goes on.
	Only string
	// PCTDepth, when > 0, schedules each walk by probabilistic concurrency
	// testing of that depth (see pct) instead of picking every step
	// uniformly among the enabled actions.
	PCTDepth int
}

// WalkResult is the outcome of a batch of walks.
type WalkResult struct {
	Runs, Steps int
	// Violation is the first violation found, in walk Run.
	Violation *Counterexample
	Run       int
	// Truncated counts walks stopped at Depth before a terminal state:
	// their ends were not checked for deadlock or liveness.
	Truncated int
	// Last is the path of the last walk (of the one that found the
	// violation, if any).
	Last []Action
}

// Walk runs random walks of m and stops at the first violation. Each step
// picks uniformly among the enabled actions. Safety properties are checked
// at every step; liveness properties at terminal states and whenever a
// walk returns to a state it visited, which closes a lasso. The same Walks
// give the same result, step for step.
func (m *Model[S, O]) Walk(w Walks) WalkResult {
	m.mustBeValid()
	var res WalkResult
	var buf []Action
	var vs []props.Violation[S, O]
	chk := props.Prepare(m.Properties)
	var path []Action
	var trail []stepMark // per step of path: fair moves enabled before it, its actor, its cycle bits
	seen := map[uint64]int{}
	var live []*props.Property[S, O]
	for _, p := range m.Properties {
		if p.Live != nil && (w.Only == "" || w.Only == p.ID) {
			live = append(live, p)
		}
	}
	var cycles []*props.Property[S, O]
	for _, p := range live {
		if p.Live.Cycle != nil {
			cycles = append(cycles, p)
		}
	}
	pending := map[pendingKey[S, O]]bool{}
	fp := m.fingerprinter(0)
	fingerprint := fp.of
	found := func(r int, c Counterexample) WalkResult {
		c.Actions = append([]Action(nil), c.Actions...)
		res.Violation, res.Run = &c, r
		res.Last = c.Actions
		return res
	}
	var before S // the state before a step, copied through Model.Copy
	for r := w.First; r < w.First+w.Runs; r++ {
		rng := rand.New(rand.NewPCG(w.Seed, uint64(r)))
		var sched *pct
		if w.PCTDepth > 0 {
			sched = newPCT(rng, m.Threads(), w.PCTDepth, w.Depth)
		}
		s := m.Init()
		path = path[:0]
		trail = trail[:0]
		clear(seen)
		seen[fingerprint(&s)] = 0
		clear(pending)
		m.track(&s, live, pending)
		res.Runs++
		buf = m.Enabled(&s, buf[:0])
		for d := 0; ; d++ {
			if len(buf) == 0 {
				for _, p := range live {
					if !anyPending(pending, p) {
						continue
					}
					c := Counterexample{Property: p.ID, Actions: path, Loop: -1}
					if msg, err := m.Confirm(c); err == nil {
						c.Message = msg
						return found(r, c)
					}
				}
				break
			}
			if d >= w.Depth {
				res.Truncated++
				break
			}
			var a Action
			if sched != nil {
				a = sched.choose(rng, d, buf)
			} else {
				a = buf[rng.IntN(len(buf))]
			}
			m.copyState(&before, &s)
			mark := stepMark{enabled: m.fairMask(buf), actor: 1 << uint(a.Thread)}
			o := m.Step(&s, a)
			mark.cycle = cycleBits(cycles, &o)
			if !m.Fair(a) {
				mark.actor = 0
			}
			path = append(path, a)
			trail = append(trail, mark)
			res.Steps++
			buf = m.Enabled(&s, buf[:0])
			vs = chk.Step(&before, &s, &o, vs[:0])
			vs = chk.State(&s, len(buf) == 0, vs)
			for _, v := range vs {
				if w.Only == "" || w.Only == v.Property.ID {
					return found(r, Counterexample{Property: v.Property.ID, Message: v.Message, Actions: path, Loop: -1})
				}
			}
			m.track(&s, live, pending)
			fp := fingerprint(&s)
			if at, ok := seen[fp]; ok && fairCycle(trail[at:]) {
				var cyc uint8
				for _, mk := range trail[at:] {
					cyc |= mk.cycle
				}
				ci := 0
				for _, p := range live {
					if p.Live.Cycle != nil {
						ci++
						if cyc&(1<<uint(ci-1)) == 0 {
							continue // cannot violate p: no need to replay
						}
					} else if !anyPending(pending, p) {
						continue
					}
					c := Counterexample{Property: p.ID, Actions: path, Loop: at}
					if msg, err := m.Confirm(c); err == nil {
						c.Message = msg
						return found(r, c)
					}
				}
			}
			seen[fp] = len(path)
		}
	}
	res.Last = append([]Action(nil), path...)
	return res
}

type pendingKey[S, O any] struct {
	p *props.Property[S, O]
	t int
}

// track updates, for every leads-to property and thread, whether its
// trigger has held with no goal since.
func (m *Model[S, O]) track(s *S, live []*props.Property[S, O], pending map[pendingKey[S, O]]bool) {
	for _, p := range live {
		l := p.Live
		if l.Trigger == nil {
			continue
		}
		for t := 0; t < m.Threads(); t++ {
			k := pendingKey[S, O]{p, t}
			if l.Goal(s, t) {
				delete(pending, k)
			} else if l.Trigger(s, t) {
				pending[k] = true
			}
		}
	}
}

func anyPending[S, O any](pending map[pendingKey[S, O]]bool, p *props.Property[S, O]) bool {
	for k := range pending {
		if k.p == p {
			return true
		}
	}
	return false
}

// stepMark is what a walk remembers of each step to rule out lassos cheaply.
type stepMark struct {
	enabled uint32 // threads with a fair move enabled before the step
	actor   uint32 // the thread whose fair move the step was, if any
	cycle   uint8  // the fair-cycle properties that look for this step
}

// fairMask is the set of threads with a fair move among as.
func (m *Model[S, O]) fairMask(as []Action) uint32 {
	var mask uint32
	for _, a := range as {
		if m.Fair(a) {
			mask |= 1 << uint(a.Thread)
		}
	}
	return mask
}

// fairCycle reports whether no thread has a fair move enabled throughout
// the cycle without taking one in it (weak fairness).
func fairCycle(marks []stepMark) bool {
	always, moved := ^uint32(0), uint32(0)
	for _, mk := range marks {
		always &= mk.enabled
		moved |= mk.actor
	}
	return always&^moved == 0
}
