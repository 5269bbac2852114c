package assert_test

import (
	"context"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/sim"
)

// This file holds the workload of the trace tests alone, because the
// golden traces name the line of its failing assertion.

// replicas is a small workload: three tasks sleep random times and check
// assertions of every family as they go. With failAt > 0, the replica that
// reaches step failAt first breaks an Always.
func replicas(w *sim.World, failAt int) {
	for _, name := range []string{"r1", "r2", "r3"} {
		w.Spawn(name, func(ctx context.Context) {
			for step := range 4 {
				d := w.Rand().Duration(time.Millisecond, 50*time.Millisecond)
				if sim.Sleep(ctx, d) != nil {
					return
				}
				assert.Always(ctx, failAt == 0 || step < failAt, "step within bounds", "replica", name, "step", step)
				assert.Sometimes(ctx, d > 40*time.Millisecond, "a slow step", "replica", name, "delay", d)
				assert.AlwaysLessThan(ctx, d, 50*time.Millisecond, "delay bounded")
				assert.SometimesEach(ctx, "replica took a step", name)
				if step == 3 {
					assert.Reachable(ctx, "replica finished", "replica", name)
				}
			}
		})
	}
}
