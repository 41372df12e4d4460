package sim

// Partial-order reduction: an ample-set reduction of the breadth-first
// search (Clarke, Grumberg, Minea and Peled, "State space reduction using
// partial order techniques", STTT 2(3), 1999: conditions C0-C3), with the
// cycle proviso for breadth-first search of Bošnački and Holzmann
// ("Improving SPIN's partial-order reduction for breadth-first search",
// SPIN 2005) in its conservative form: a state is expanded in full when
// any successor through the candidate ample set is already stored.
//
// The protocol says which steps are local (Model.Local); the engine takes
// the enabled actions of one thread as the ample set of a state when
//
//	C0 the set is not empty (a thread with an enabled action), and is a
//	   proper subset of the enabled actions (else nothing is saved);
//	C1 every action of it is local: no step of another thread, from here
//	   on, can disable it, enable another action of its thread, or fail
//	   to commute with it; so along any path that takes none of the set,
//	   no action dependent on it is taken (the set is persistent);
//	C2 every action of it is invisible (also part of Model.Local);
//	C3 no successor through the set is a state stored before the level
//	   was expanded (states stored earlier are exactly those at a depth no
//	   greater than the state's, so every cycle of the reduced graph closes
//	   through a fully expanded state, and no action is ignored forever).
//
// The threads are tried in index order and the first whose actions
// qualify is taken; C3 reads the set of stored states as it stood when the
// level began (it is not written while a level is expanded), so the
// reduced graph is the same for any number of workers. A state with no
// enabled action keeps none: deadlocks are found exactly as without the
// reduction. The reduction preserves the reachable deadlocks, invariant
// and step-property violations and reachability examples (Model.Local's
// contract), not the state graph's fair cycles: liveness searches run
// unreduced and say so (Report.PartialOrderOff), as for symmetry.

// PartialOrderLiveness is Report.PartialOrderOff when a search that checks
// liveness was asked to reduce by partial order.
const PartialOrderLiveness = "liveness is checked on the unreduced state graph"

// partialOrder decides whether a search applies the reduction, and says
// why not in r when it was asked for and cannot be.
func (m *Model[S, O]) partialOrder(e Explorer, wantGraph bool, r *Report) bool {
	if !e.PartialOrder {
		return false
	}
	switch {
	case m.Local == nil:
		r.PartialOrderOff = "the model says no step is local"
	case wantGraph:
		// A fair cycle of the full graph may run through states the
		// reduced graph leaves out; the strong proviso and fairness that
		// liveness would need are not implemented.
		r.PartialOrderOff = PartialOrderLiveness
	default:
		r.PartialOrder = true
	}
	return r.PartialOrder
}

// ampleSets chooses ample sets for one worker: it holds the worker's
// scratch state and fingerprinter, so that a choice allocates nothing.
type ampleSets[S, O any] struct {
	m        *Model[S, O]
	seen     visited
	symmetry bool
	fp       fingerprinter[S, O] // the search's, seeded with Explorer.HashSeed
	next     S
	picked   []Action
}

func (m *Model[S, O]) newAmpleSets(seen visited, symmetry bool, seed uint64) *ampleSets[S, O] {
	return &ampleSets[S, O]{m: m, seen: seen, symmetry: symmetry, fp: m.fingerprinter(seed)}
}

// reduce returns the actions to expand in s, given enabled, every action
// enabled in s: the enabled actions of the first thread that meets C0-C3,
// in their order, written over the start of enabled; else enabled itself.
func (a *ampleSets[S, O]) reduce(s *S, enabled []Action) []Action {
	var tried uint32 // threads already considered
	for _, first := range enabled {
		t := first.Thread
		if tried&(1<<uint(t)) != 0 {
			continue
		}
		tried |= 1 << uint(t)
		a.picked = a.picked[:0]
		ok := true
		for _, x := range enabled {
			if x.Thread != t {
				continue
			}
			if !a.m.Local(s, x) {
				ok = false
				break
			}
			a.picked = append(a.picked, x)
		}
		if !ok || len(a.picked) == len(enabled) {
			continue
		}
		if a.anyStored(s) {
			continue // C3: this thread's steps may close a cycle
		}
		return append(enabled[:0], a.picked...)
	}
	return enabled
}

// anyStored reports whether a successor of s through a.picked is already
// stored (its representative, under symmetry).
func (a *ampleSets[S, O]) anyStored(s *S) bool {
	for _, x := range a.picked {
		a.m.copyState(&a.next, s)
		a.m.Step(&a.next, x)
		if a.symmetry {
			a.m.Canonical(&a.next)
		}
		if _, old := a.seen.lookup(a.fp.of(&a.next)); old {
			return true
		}
	}
	return false
}
