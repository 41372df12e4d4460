package sim

import "slices"

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
//
// Merging. When the ample set of a state is a single local action, its
// successor is not stored: the search follows the chain (as SPIN's
// statement merging does) through every successor whose ample set, chosen
// by the same rules, is again a single local action, and stores only the
// chain's end, the first state whose ample set is anything else (several
// actions, the full set, or none: a terminal state is stored and checked
// as before). A chain also ends after maxChain steps, or at a state met
// earlier on it (a cycle of local steps: the end is stored, and when it is
// expanded, C3 finds it on the way round and expands the state before it
// in full). Every step of a chain is still a transition of the search:
// its step and the invariants of the state it reaches are checked (Local
// promises they find nothing new; the checks cost little and catch a
// broken promise), coverage counts it, and a counterexample lists it,
// since each intermediate state gets an id, a parent and an action like a
// stored one, but no place in the set of stored states nor in the
// frontier. Reachability (Sometimes) is checked on a chain's first step
// only: by Local's contract the later states give the same verdict and
// the later steps report nothing. Under symmetry each intermediate state
// is replaced by its representative, as a stored one is, so that
// counterexamples translate back step by step.
//
// Why C3 still holds: each step of a chain from a state expanded at depth
// d goes to a state not stored when the level began (C3 is checked at
// every intermediate state against the same set), so the chain's end is
// stored at depth d+1, as a reduced successor is without merging; every
// cycle of stored states therefore still closes through a state expanded
// in full, and a chain, being bounded, always reaches a stored state.
// From an intermediate state the search takes one persistent set, so any
// action of another thread enabled there stays enabled and is taken at
// the latest where the following stored states are expanded in full.

// maxChain bounds a merged chain of local steps (see Merging above).
const maxChain = 64

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
// scratch state and encoding, so that a choice allocates nothing.
type ampleSets[S, O any] struct {
	m        *Model[S, O]
	seen     visited
	symmetry bool
	next     S
	enc      []byte
	picked   []Action
	// reduced: the last reduce returned an ample set, not every enabled
	// action. chain holds the fingerprints of the intermediate states of
	// the chain being followed; actions is follow's buffer.
	reduced bool
	chain   []uint64
	actions []Action
}

func (m *Model[S, O]) newAmpleSets(seen visited, symmetry bool) *ampleSets[S, O] {
	return &ampleSets[S, O]{m: m, seen: seen, symmetry: symmetry, enc: make([]byte, 0, m.MaxEncoded)}
}

// reduce returns the actions to expand in s, given enabled, every action
// enabled in s: the enabled actions of the first thread that meets C0-C3,
// in their order, written over the start of enabled; else enabled itself.
func (a *ampleSets[S, O]) reduce(s *S, enabled []Action) []Action {
	a.reduced = false
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
		a.reduced = true
		return append(enabled[:0], a.picked...)
	}
	return enabled
}

// merges reports whether ample, what reduce just returned, is a single
// local action, whose successor starts a chain of merged steps, and then
// starts the chain.
func (a *ampleSets[S, O]) merges(ample []Action) bool {
	a.chain = a.chain[:0]
	return a.reduced && len(ample) == 1
}

// follow decides whether next, the state a step of the chain reached
// (a representative under symmetry; fp its fingerprint), is an
// intermediate state of the chain, and if so returns the action to take
// from it: its ample set's only action. Otherwise next is the chain's end,
// to be stored.
func (a *ampleSets[S, O]) follow(next *S, fp uint64) (Action, bool) {
	if len(a.chain) >= maxChain || slices.Contains(a.chain, fp) {
		return Action{}, false
	}
	a.actions = a.reduce(next, a.m.Enabled(next, a.actions[:0]))
	if !a.reduced || len(a.actions) != 1 {
		return Action{}, false
	}
	a.chain = append(a.chain, fp)
	return a.actions[0], true
}

// anyStored reports whether a successor of s through a.picked is already
// stored (its representative, under symmetry).
func (a *ampleSets[S, O]) anyStored(s *S) bool {
	for _, x := range a.picked {
		a.next = *s
		a.m.Step(&a.next, x)
		if a.symmetry {
			a.next, _ = a.m.Canonical(&a.next)
		}
		a.enc = a.m.Encode(a.enc[:0], &a.next)
		if _, old := a.seen.lookup(Hash(a.enc)); old {
			return true
		}
	}
	return false
}
