package sim_test

import (
	"testing"

	"github.com/umcgcheck/umcgcheck/model/toy/twophase"
	"github.com/umcgcheck/umcgcheck/sim"
)

// BenchmarkExplore reports states/s of complete searches of two-phase
// commit with 7 resource managers: exact set without liveness,
// as --no-liveness runs; with coverage counted; with checkpoints enabled
// but never due (what supporting them costs).
func BenchmarkExplore(b *testing.B) {
	m, _ := twophase.New(twophase.Config{RMs: 7})
	e := m.Engine()
	for _, c := range []struct {
		name string
		x    sim.Explorer
	}{
		{"exact", sim.Explorer{NoLiveness: true}},
		{"coverage", sim.Explorer{NoLiveness: true, Coverage: true}},
		{"checkpoint-armed", sim.Explorer{NoLiveness: true, Checkpoint: func(*sim.Snapshot) {}, CheckpointEvery: 1 << 62}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var states uint64
			for i := 0; i < b.N; i++ {
				states += e.Explore(c.x).States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(states)/float64(b.N), "states")
		})
	}
}
