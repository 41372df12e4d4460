package umcg01_test

import (
	"testing"

	model "github.com/umcgcheck/umcgcheck/model/umcg01"
	"github.com/umcgcheck/umcgcheck/sim"
)

// BenchmarkExplore reports states/s of a complete search of the default
// configuration with one more worker, exact set, liveness on, symmetry off
// (the figure to compare with SPIN) and on.
func BenchmarkExplore(b *testing.B) {
	c := model.DefaultConfig()
	c.Variant = model.Fixed
	c.Workers = 3
	m, _ := model.New(c)
	for _, e := range []struct {
		name string
		x    sim.Explorer
	}{{"exact", sim.Explorer{NoLiveness: true}}, {"liveness", sim.Explorer{}}, {"symmetry", sim.Explorer{Symmetry: true}}} {
		b.Run(e.name, func(b *testing.B) {
			var states uint64
			for i := 0; i < b.N; i++ {
				states += m.Engine().Explore(e.x).States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(states)/float64(b.N), "states")
		})
	}
}
