package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Seeds run one after the other share the goroutines of their tasks: each
// World takes those the earlier ones left, and Close ends them once the
// sweep is over.
func ExampleWorld_ShareCoroutines() {
	var coros sim.Coroutines
	defer coros.Close()
	for seed := uint64(1); seed <= 3; seed++ {
		w := sim.New(sim.Config{Seed: seed})
		w.ShareCoroutines(&coros)
		for range 4 {
			w.Spawn("worker", func(ctx context.Context) { sim.Sleep(ctx, time.Second) })
		}
		if err := w.Run(); err != nil {
			fmt.Println(err)
		}
		fmt.Println(seed, w.Now())
	}
	// Output:
	// 1 1s
	// 2 1s
	// 3 1s
}
