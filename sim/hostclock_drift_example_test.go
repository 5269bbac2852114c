package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// InjectDrift sets a clock's drift rate as a fault the fault filter may
// suppress: here the filter keeps no fault, so the clock keeps counting
// true time, and the record says the drift was suppressed.
func ExampleHostClock_InjectDrift() {
	w := sim.New(sim.Config{Seed: 1})
	w.SetFaultFilter([]sim.FaultID{})
	c := sim.NewHostClock(w, "h", 0, 0)
	w.Spawn("drifter", func(ctx context.Context) {
		fmt.Println("drifting:", c.InjectDrift(100_000))
		_ = sim.Sleep(ctx, time.Second)
	})
	if err := w.Run(); err != nil {
		panic(err)
	}
	fmt.Println("rate", c.DriftPPM(), "ppm; counted", c.Mono(), "in 1s")
	for _, r := range w.InjectedFaults() {
		fmt.Println(r.Op, r.Detail, r.Attrs)
	}
	// Output:
	// drifting: false
	// rate 0 ppm; counted 1s in 1s
	// ClockDrift ppm=100000 clock=0.000000000s [{fault ClockDrift:h#1} {suppressed true}]
}
