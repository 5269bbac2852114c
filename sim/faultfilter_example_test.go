package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// A fault filter lets only the faults it keeps happen: here the second of
// two clock steps. The first still leaves its record, marked suppressed.
func ExampleWorld_SetFaultFilter() {
	w := sim.New(sim.Config{Seed: 1})
	w.SetFaultFilter([]uint64{2})
	c := sim.NewHostClock(w, "h", 0, 0)
	w.Spawn("stepper", func(ctx context.Context) {
		c.Step(time.Second)
		c.Step(time.Minute)
	})
	if err := w.Run(); err != nil {
		panic(err)
	}
	for _, r := range w.InjectedFaults() {
		fmt.Println(r.Op, r.Detail, r.Attrs)
	}
	fmt.Println("wall clock ahead by", c.Now().Sub(sim.Epoch)-c.Mono())
	// Output:
	// ClockStep step=1s clock=1.000000000s [{fault 1} {suppressed true}]
	// ClockStep step=1m0s clock=60.000000000s [{fault 2}]
	// wall clock ahead by 1m0s
}
