package sim

import "math/rand/v2"

// Swarm verification (Holzmann, Joshi and Groce, "Swarm verification
// techniques", IEEE TSE 37(6), 2011): several bitstate searches of the same
// model, each with its own hash function and order of actions, lose
// different states, so that together they cover more than any one of them.
// Explorer.HashSeed selects the member of the swarm: SeededHash gives the
// fingerprints, seededOrder the order in which a state's actions are tried.

// seededOrder permutes actions, the actions a search expands in the state
// stored as id, by a permutation drawn from seed and id alone: the same for
// every run and every number of workers (ids are). In a bitstate search the
// order decides which of two states that take the same bits is stored
// first and which is lost; in an exact search it changes only which of
// several shortest counterexamples is found.
func seededOrder(actions []Action, seed uint64, id uint32) {
	if len(actions) < 2 {
		return
	}
	var r rand.PCG
	r.Seed(seed, Mix64(uint64(id)+1))
	for j := len(actions) - 1; j > 0; j-- {
		k := int(r.Uint64() % uint64(j+1)) // the bias is below 2^-50 for the few actions a state has
		actions[j], actions[k] = actions[k], actions[j]
	}
}
