package sim

import (
	"github.com/umcgcheck/umcgcheck/model"
	"github.com/umcgcheck/umcgcheck/props"
)

// Finding is the shortest counterexample found for one property, with the
// shipped configuration it was found on.
type Finding struct {
	ConfigName string
	Counterexample
	Walk int
}

// Findings looks, for every property in turn, for violations in each named
// shipped configuration of variant v (walks w, stopping only at that
// property), and keeps the shortest shrunk counterexample per property.
// Properties never violated are absent. The result is deterministic.
func Findings(v model.Variant, names []string, w Walks) []Finding {
	var out []Finding
	for _, p := range props.All() {
		var best *Finding
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
			ww := w
			ww.Only = p.ID
			r := Walk(m, ww)
			if r.Violation == nil {
				continue
			}
			ce := Shrink(m, *r.Violation)
			if best == nil || len(ce.Actions) < len(best.Actions) {
				best = &Finding{ConfigName: n, Counterexample: ce, Walk: r.Run}
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	return out
}
