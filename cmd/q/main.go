package main

import (
	"fmt"
	"github.com/umcgcheck/umcgcheck/model"
	"github.com/umcgcheck/umcgcheck/sim"
	"time"
)

func main() {
	for _, n := range sim.ConfigNames() {
		for _, v := range []model.Variant{model.Seed, model.Fixed} {
			c, _ := sim.NamedConfig(n)
			c.Variant = v
			m, _ := model.New(c)
			r := sim.Explorer{TimeLimit: 60 * time.Second}.Explore(m)
			fmt.Printf("%-8s %-5s states=%d trans=%d depth=%d complete=%v %s %.2fs (%.0f states/s)\n", n, v, r.States, r.Transitions, r.Depth, r.Complete, r.Stopped, r.Elapsed.Seconds(), float64(r.States)/r.Elapsed.Seconds())
			for _, ce := range r.Violations {
				fmt.Printf("    %s (%d steps): %s\n", ce.Property, len(ce.Actions), ce.Message)
			}
		}
	}
}
