package sim_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/cputime"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkWithTimeout measures a context with a timeout made and
// cancelled before it expires, as a request with a per-request timeout
// does, on the World's clock and on a host's clock, beside a bare Yield
// (the loop without it). One op is one context and one yield; cpu-ns/op is
// the process's CPU time per op, which a shared machine moves less than
// the wall clock.
func BenchmarkWithTimeout(b *testing.B) {
	cases := []struct {
		name string
		with func(w *sim.World) func(ctx context.Context)
	}{
		{"none", func(*sim.World) func(context.Context) { return func(context.Context) {} }},
		{"world", func(*sim.World) func(context.Context) {
			return func(ctx context.Context) {
				_, cancel := sim.WithTimeout(ctx, time.Second)
				cancel()
			}
		}},
		{"hostclock", func(w *sim.World) func(context.Context) {
			c := sim.NewHostClock(w, "h", 0, 0)
			return func(ctx context.Context) {
				_, cancel := c.WithTimeout(ctx, time.Second)
				cancel()
			}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			w := sim.New(sim.Config{LivelockPolls: math.MaxInt})
			f := c.with(w)
			w.Spawn("requester", func(ctx context.Context) {
				for range b.N {
					f(ctx)
					sim.Yield(ctx)
				}
			})
			b.ResetTimer()
			cpu := cputime.Process()
			if err := w.Run(); err != nil {
				b.Fatal(err)
			}
			cpu = cputime.Process() - cpu
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
