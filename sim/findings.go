package sim

import "slices"

// Named is a system with the name of its configuration.
type Named struct {
	Name   string
	System System
}

// Finding is the shortest counterexample found for one distinct violation
// (a property at a place), with the configuration it was found on; its
// Hits add up the transitions that reached it in every configuration.
type Finding struct {
	Named
	Counterexample
	// Complete is false when a bound stopped the search of that
	// configuration: a shorter counterexample may exist beyond it.
	Complete bool
	// Also lists the other configurations where it happens.
	Also []string
}

// Findings explores each system with e and keeps, for each distinct
// violation (grouped by property, in the order of the first system's
// properties, then in the order found), the shortest counterexample over
// all systems (the first wins ties). complete is false when a bound
// stopped any search. The result is deterministic.
func Findings(systems []Named, e Explorer) (found []Finding, complete bool) {
	best := map[string]Finding{}
	hits := map[string]int{}
	on := map[string][]string{}
	var props []string
	places := map[string][]string{} // property -> its keys, in the order found
	complete = true
	for _, n := range systems {
		if len(props) == 0 {
			for _, p := range n.System.Describe().Properties {
				props = append(props, p.ID)
			}
		}
		r := n.System.Explore(e)
		complete = complete && r.Complete
		for _, c := range r.Violations {
			k := key(c.Property, c.Place)
			on[k] = append(on[k], n.Name)
			hits[k] += c.Hits
			b, ok := best[k]
			if !ok {
				if !slices.Contains(props, c.Property) {
					props = append(props, c.Property)
				}
				places[c.Property] = append(places[c.Property], k)
			}
			if !ok || len(c.Actions) < len(b.Actions) {
				best[k] = Finding{Named: n, Counterexample: c, Complete: r.Complete}
			}
		}
	}
	for _, p := range props {
		for _, k := range places[p] {
			f := best[k]
			f.Hits = hits[k]
			for _, n := range on[k] {
				if n != f.Name {
					f.Also = append(f.Also, n)
				}
			}
			found = append(found, f)
		}
	}
	return found, complete
}
