package raftkv_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/raftkv"
)

// BenchmarkSeeds runs seeds of the store under its standard faults, on
// every core, and reports seeds per second and how much faster than real
// time a seed runs.
func BenchmarkSeeds(b *testing.B) {
	s := raftkv.Simulation(raftkv.Options{})
	const seeds = 32
	var wall time.Duration
	var rep *orrery.Report
	for b.Loop() {
		start := time.Now()
		r, err := orrery.Run(s, orrery.Options{Seeds: seeds})
		if err != nil || !r.OK() {
			b.Fatalf("run: %v", err)
		}
		wall += time.Since(start)
		rep = r
	}
	b.ReportMetric(float64(seeds*b.N)/wall.Seconds(), "seeds/s")
	b.ReportMetric(rep.SpeedupPerCore(), "x-realtime")
	b.ReportMetric(0, "ns/op")
}
