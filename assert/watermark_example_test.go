package assert_test

import (
	"context"
	"fmt"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// A queue must sometimes fill up to its limit of 8. This run never gets
// there, but OnWatermark tells how close it came, each time it came
// closer: the highest depth so far, as depth - 8.
func ExampleOnWatermark() {
	w := sim.New(sim.Config{Seed: 1})
	assert.OnWatermark(w, func(msg string, score float64) { fmt.Printf("%s: %v\n", msg, score) })
	w.Spawn("queue", func(ctx context.Context) {
		for _, depth := range []int{1, 3, 2, 5, 4, 5, 6} {
			assert.SometimesGreaterThanOrEqualTo(ctx, depth, 8, "the queue fills up")
		}
	})
	if err := w.Run(); err != nil {
		panic(err)
	}
	// Output:
	// the queue fills up: -7
	// the queue fills up: -5
	// the queue fills up: -3
	// the queue fills up: -2
}
