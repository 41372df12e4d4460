package sim

import "math/rand/v2"

// pct is probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi
// and Nagarakatte, ASPLOS 2010) for one walk: every thread gets a distinct
// random priority above depth-1, and depth-1 change points are drawn among
// the walk's first k steps. Each step runs the enabled thread of highest
// priority; at the i-th change point that thread's priority drops to
// depth-1-i, below every initial one. For a bug that needs some d <= depth
// ordering constraints between the steps of n threads, in walks of at most
// k steps, each walk finds it with probability at least 1/(n*k^(d-1)).
//
// A thread with several actions enabled (a step, a fault, a kernel event)
// takes one of them uniformly at random: the guarantee counts threads'
// orderings, and faults are a choice of the environment.
type pct struct {
	prio   []int
	change map[int]int // step index -> which change point (1-based)
}

func newPCT(rng *rand.Rand, threads, depth, k int) *pct {
	p := &pct{prio: make([]int, threads), change: map[int]int{}}
	for i, j := range rng.Perm(threads) {
		p.prio[i] = depth + j
	}
	for i := 1; i < depth && k > 0; i++ {
		p.change[rng.IntN(k)] = i
	}
	return p
}

// choose picks the action of step d among the enabled ones. At a change
// point the thread that would run is lowered first, and the highest of
// the others runs (as Coyote's PCT strategy does).
func (p *pct) choose(rng *rand.Rand, d int, enabled []Action) Action {
	best := p.highest(enabled)
	if i, ok := p.change[d]; ok {
		p.prio[best] = -i // below every initial priority, lower for later points
		best = p.highest(enabled)
	}
	var mine []Action
	for _, a := range enabled {
		if int(a.Thread) == best {
			mine = append(mine, a)
		}
	}
	return mine[rng.IntN(len(mine))]
}

// highest is the thread of highest priority among those with an action
// enabled.
func (p *pct) highest(enabled []Action) int {
	best := -1
	for _, a := range enabled {
		if best < 0 || p.prio[a.Thread] > p.prio[best] {
			best = int(a.Thread)
		}
	}
	return best
}
