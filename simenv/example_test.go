package simenv_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/simenv"
)

// The simulation's clock reads logical time: an hour of sleeping takes no
// real time, and Now is the same on every run.
func ExampleClock() {
	w := sim.New(sim.Config{Seed: 1})
	clock := simenv.Clock{W: w}
	w.Spawn("sleeper", func(ctx context.Context) {
		clock.Sleep(ctx, time.Hour)
		fmt.Println(clock.Now().Format(time.RFC3339))
	})
	w.Run()
	// Output: 2000-01-01T01:00:00Z
}
