package sim_test

import (
	"context"
	"os"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// A host's logger adds its clock's reading to the records logged while the
// clock is skewed: here one host's clock reads five seconds ahead, the
// other's true time.
func ExampleWorld_HostLogger() {
	w := sim.New(sim.Config{Seed: 7, Log: os.Stdout, LogFilter: "info"})
	ahead := w.HostLogger(sim.NewHostClock(w, "ahead", 5*time.Second, 0))
	exact := w.HostLogger(sim.NewHostClock(w, "exact", 0, 0))
	w.Spawn("logger", func(ctx context.Context) {
		sim.Sleep(ctx, time.Second)
		ahead.WithGroup("req").Info("served", "id", 1)
		exact.Info("served", "id", 2)
	})
	w.Run()
	// Output:
	// t=0.000000s seq=0 rng=0 Start{} seed=0x7
	// t=1.000000s seq=1 rng=0 INFO [logger#1] served req.clock=6.000000000s req.id=1
	// t=1.000000s seq=1 rng=0 INFO [logger#1] served id=2
	// t=1.000000s seq=2 rng=1 End{} unseed=0x282085f6feca5bf4
}
