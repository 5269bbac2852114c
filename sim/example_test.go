package sim_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// A producer and a consumer exchange values over a channel while the
// producer sleeps in logical time. The run takes no real time to speak of.
func Example() {
	w := sim.New(sim.Config{Seed: 42})
	ch := sim.NewChan[int](0)
	w.Spawn("producer", func(ctx context.Context) {
		for i := range 3 {
			if err := sim.Sleep(ctx, time.Second); err != nil {
				return
			}
			ch.Send(ctx, i)
		}
		ch.Close()
	})
	w.Spawn("consumer", func(ctx context.Context) {
		for {
			v, ok, err := ch.Recv(ctx)
			if err != nil || !ok {
				return
			}
			fmt.Printf("t=%v got %d\n", w.Now(), v)
		}
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// t=1s got 0
	// t=2s got 1
	// t=3s got 2
}

// With a text trace, every processed event is one line, stamped with the
// logical time, its seq and the RNG call count.
func Example_trace() {
	w := sim.New(sim.Config{Seed: 7, Log: os.Stdout, LogFilter: "trace"})
	w.Spawn("sleeper", func(ctx context.Context) {
		sim.Sleep(ctx, 250*time.Millisecond)
		sim.Logger(ctx).Info("awake", "after", "250ms")
	})
	w.Run()
	// Output:
	// t=0.000000s seq=0 rng=0 Start{} seed=0x7
	// t=0.250000s seq=1 rng=0 Timer{task=1 "sleeper"} cause=0
	// t=0.250000s seq=1 rng=0 INFO [sleeper#1] awake after=250ms
	// t=0.250000s seq=2 rng=0 Shutdown{} cause=1
	// t=0.250000s seq=2 rng=1 End{} unseed=0x282085f6feca5bf4
}
