package sim_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// BenchmarkTracedLog logs debug lines of five numbers, as the bank's
// server does, into a JSON trace: what a traced log line costs, slog's
// building of the record included. It reports the least time of a line
// over runs of 1,000, which a busy machine moves less than the mean.
func BenchmarkTracedLog(b *testing.B) {
	const lines = 1000
	best := time.Duration(1 << 62)
	for b.Loop() {
		w := sim.New(sim.Config{Seed: 1, Trace: io.Discard})
		w.Spawn("logger", func(ctx context.Context) {
			l := sim.Logger(ctx)
			start := time.Now()
			for i := range lines {
				l.LogAttrs(ctx, slog.LevelDebug, "transfer read", slog.Int("from", i%5), slog.Int("to", 4-i%5),
					slog.Int64("amount", int64(i%100)), slog.Int64("from_balance", int64(100+i)), slog.Int64("to_balance", int64(200-i%50)))
			}
			best = min(best, time.Since(start))
		})
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(best.Nanoseconds())/lines, "min-ns/line")
}
