package sim

import (
	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	props "github.com/umcgcheck/umcgcheck/model/umcg01"
)

// Finding is the shortest counterexample found for one property, with the
// shipped configuration it was found on.
type Finding struct {
	ConfigName string
	Counterexample
	// Complete is false when a bound stopped the search of that
	// configuration: a shorter counterexample may exist beyond it.
	Complete bool
	// Also lists the other configurations that violate the property.
	Also []string
}

// Findings explores each named shipped configuration of variant v with e
// and keeps, for each violated property (in props.All() order), the
// shortest counterexample over all configurations (the first
// configuration wins ties). The result is deterministic.
func Findings(v model.Variant, names []string, e Explorer) []Finding {
	best := map[string]Finding{}
	on := map[string][]string{}
	for _, n := range names {
		cfg, ok := NamedConfig(n)
		if !ok {
			continue
		}
		cfg.Variant = v
		m, err := model.New(cfg)
		if err != nil {
			continue
		}
		r := e.Explore(m)
		for _, c := range r.Violations {
			on[c.Property] = append(on[c.Property], n)
			if b, ok := best[c.Property]; !ok || len(c.Actions) < len(b.Actions) {
				best[c.Property] = Finding{ConfigName: n, Counterexample: c, Complete: r.Complete}
			}
		}
	}
	var out []Finding
	for _, p := range props.All() {
		if f, ok := best[p.ID]; ok {
			for _, n := range on[p.ID] {
				if n != f.ConfigName {
					f.Also = append(f.Also, n)
				}
			}
			out = append(out, f)
		}
	}
	return out
}
