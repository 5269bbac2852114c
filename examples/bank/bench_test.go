package bank_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/internal/cputime"
)

// BenchmarkSeeds runs the bank's seeds on one core (GOMAXPROCS=1, one
// worker) and on every core side by side, and reports seeds per second for
// each, the speed-up of the cores over one, and how much faster than real
// time a seed runs on one core (the logical time of every one-core run's
// seeds over their real time), and over the CPU time of those runs (the
// process's, garbage collection included), which a busy machine moves less.
func BenchmarkSeeds(b *testing.B) {
	s := bank.Simulation(bank.Options{})
	const seeds = 64
	var wall [2]time.Duration
	var simTime, seedTime, cpu time.Duration // of the one-core runs
	cores := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(cores)
	for b.Loop() {
		for i, par := range []int{1, cores} {
			runtime.GOMAXPROCS(par)
			start, cpu0 := time.Now(), cputime.Process()
			r, err := orrery.Run(s, orrery.Options{Seeds: seeds, Parallel: par})
			if err != nil || !r.OK() {
				b.Fatalf("run: %v", err)
			}
			wall[i] += time.Since(start)
			if i == 0 {
				simTime, seedTime = simTime+r.SimTime, seedTime+r.CPU
				cpu += cputime.Process() - cpu0
			}
		}
	}
	one := float64(seeds*b.N) / wall[0].Seconds()
	all := float64(seeds*b.N) / wall[1].Seconds()
	b.ReportMetric(one, "seeds/s-1core")
	b.ReportMetric(all, "seeds/s-allcores")
	b.ReportMetric(all/one, "speedup")
	b.ReportMetric(float64(simTime)/float64(seedTime), "x-realtime")
	if cpu > 0 {
		b.ReportMetric(float64(simTime)/float64(cpu), "x-cputime")
	}
	b.ReportMetric(0, "ns/op")
}
