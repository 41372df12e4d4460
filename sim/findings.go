package sim

// Named is a system with the name of its configuration.
type Named struct {
	Name   string
	System System
}

// Finding is the shortest counterexample found for one property, with the
// configuration it was found on.
type Finding struct {
	Named
	Counterexample
	// Complete is false when a bound stopped the search of that
	// configuration: a shorter counterexample may exist beyond it.
	Complete bool
	// Also lists the other configurations that violate the property.
	Also []string
}

// Findings explores each system with e and keeps, for each violated
// property (in the order of the first system's properties, then in the
// order found), the shortest counterexample over all systems (the first
// wins ties). complete is false when a bound stopped any search. The
// result is deterministic.
func Findings(systems []Named, e Explorer) (found []Finding, complete bool) {
	best := map[string]Finding{}
	on := map[string][]string{}
	var order []string
	complete = true
	for _, n := range systems {
		if len(order) == 0 {
			for _, p := range n.System.Describe().Properties {
				order = append(order, p.ID)
			}
		}
		r := n.System.Explore(e)
		complete = complete && r.Complete
		for _, c := range r.Violations {
			on[c.Property] = append(on[c.Property], n.Name)
			if b, ok := best[c.Property]; !ok || len(c.Actions) < len(b.Actions) {
				if !ok && !contains1(order, c.Property) {
					order = append(order, c.Property)
				}
				best[c.Property] = Finding{Named: n, Counterexample: c, Complete: r.Complete}
			}
		}
	}
	for _, id := range order {
		if f, ok := best[id]; ok {
			for _, n := range on[id] {
				if n != f.Name {
					f.Also = append(f.Also, n)
				}
			}
			found = append(found, f)
		}
	}
	return found, complete
}

func contains1(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
