package assert_test

import (
	"context"
	"testing"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkOutsideSimulation is the cost that assertions add to production
// code: a context lookup, no allocation.
func BenchmarkOutsideSimulation(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		assert.Always(ctx, i >= 0, "always", "k", "v")
		assert.AlwaysLessThan(ctx, i, i+1, "less")
	}
}

// benchInSimulation runs body b.N times in one task of a World.
func benchInSimulation(b *testing.B, body func(ctx context.Context, i int)) {
	b.ReportAllocs()
	w := sim.New(sim.Config{Seed: 1, Watchdog: -1})
	w.Spawn("bench", func(ctx context.Context) {
		for i := 0; b.Loop(); i++ {
			body(ctx, i)
		}
	})
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAlwaysInSimulation is the cost of a passing Always in a run: the
// registry lookup and two counters.
func BenchmarkAlwaysInSimulation(b *testing.B) {
	benchInSimulation(b, func(ctx context.Context, i int) {
		assert.Always(ctx, i >= 0, "always", "k", "v")
	})
}

// BenchmarkSometimesEachInSimulation counts evaluations in eight buckets.
func BenchmarkSometimesEachInSimulation(b *testing.B) {
	benchInSimulation(b, func(ctx context.Context, i int) {
		assert.SometimesEach(ctx, "each", i%8)
	})
}

// BenchmarkNumericInSimulation is the cost of a passing AlwaysLessThan in
// a run, unwatched (a plain run) and with OnWatermark's function set (an
// explorer's run), whose scoring of each evaluation it adds.
func BenchmarkNumericInSimulation(b *testing.B) {
	for _, watch := range []bool{false, true} {
		b.Run(map[bool]string{false: "unwatched", true: "watched"}[watch], func(b *testing.B) {
			b.ReportAllocs()
			w := sim.New(sim.Config{Seed: 1, Watchdog: -1})
			if watch {
				assert.OnWatermark(w, func(string, float64) {})
			}
			w.Spawn("bench", func(ctx context.Context) {
				for i := 0; b.Loop(); i++ {
					assert.AlwaysLessThan(ctx, i&1023, 1024, "less")
				}
			})
			if err := w.Run(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
