package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// A fault filter lets only the faults it keeps happen: here the second of
// two clock steps of host h. The first still leaves its record, marked
// suppressed.
func ExampleWorld_SetFaultFilter() {
	w := sim.New(sim.Config{Seed: 1})
	w.SetFaultFilter([]sim.FaultID{{Op: "ClockStep", Target: "h", N: 2}})
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
	// ClockStep step=1s clock=1.000000000s [{fault ClockStep:h#1} {suppressed true}]
	// ClockStep step=1m0s clock=60.000000000s [{fault ClockStep:h#2}]
	// wall clock ahead by 1m0s
}

// A fault is named by its name, its target and its ordinal among the
// faults of that name and target, or the time from which it is the first
// of them, or by its number among all the faults of the run.
func ExampleParseFaultID() {
	for _, s := range []string{"Reboot:db#2", "Clog:10.0.0.1->10.0.1.1@1.204000s", "7"} {
		id, err := sim.ParseFaultID(s)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: %q on %q, ordinal %d, at %v\n", id, id.Op, id.Target, id.N, id.At)
	}
	// Output:
	// Reboot:db#2: "Reboot" on "db", ordinal 2, at 0s
	// Clog:10.0.0.1->10.0.1.1@1.204000s: "Clog" on "10.0.0.1->10.0.1.1", ordinal 0, at 1.204s
	// 7: "" on "", ordinal 7, at 0s
}
