package sim_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// TestLoopLetsGoroutinesRun: on one processor, a goroutine outside the
// simulation (such as the garbage collector's worker) gets to run while a
// run goes on, not only when Go's scheduler preempts the loop: tasks
// switch as coroutines, which the scheduler does not see.
func TestLoopLetsGoroutinesRun(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tests := []struct {
		name string
		step func(ctx context.Context)
	}{
		{"events", func(ctx context.Context) { sim.Sleep(ctx, time.Millisecond) }},
		{"task slices", func(ctx context.Context) { sim.Yield(ctx) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ran atomic.Bool
			var seen bool
			w := sim.New(sim.Config{LivelockPolls: 1 << 20})
			w.Spawn("worker", func(ctx context.Context) {
				go ran.Store(true)
				for range 4096 {
					tt.step(ctx)
				}
				seen = ran.Load()
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if !seen {
				t.Error("a goroutine started by the run did not run during 4096 steps")
			}
		})
	}
}
