package maze

import (
	"context"
	"errors"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// BugSummit is the planted bug of the climbing maze: reaching the top
// rung fails the seed.
const BugSummit = "summit"

// Rungs is how high the climbing maze's climber must go.
const Rungs = 8

// summitMsg is the climb's only assertion: a numeric Sometimes.
const summitMsg = "the climber reaches the top"

// Climb returns the climbing maze, "maze-climb": a climber makes Steps
// attempts, one a millisecond; each takes it one rung up with
// probability P, and a miss sends it back to the ground. The bug waits at
// the top, Rungs rungs up: Rungs hits in a row, P^Rungs (4 × 10^-11) an
// attempt, one seed in some 25 million. Its one assertion is numeric,
// SometimesGreaterThanOrEqualTo(height, Rungs): it holds only at the top,
// so that no first hit marks the way, but each height higher than any
// before is a better watermark, from which the explorer climbs.
func Climb() orrery.Simulation { return climbing(reportHeight) }

// reportHeight is the climb's assertion.
func reportHeight(ctx context.Context, height int) {
	assert.SometimesGreaterThanOrEqualTo(ctx, height, Rungs, summitMsg)
}

// climbing returns the climbing maze with its height reported by report.
func climbing(report func(ctx context.Context, height int)) orrery.Simulation {
	return orrery.Simulation{
		Name:      "maze-climb",
		Processes: []orrery.Process{{Name: "idle", Main: idle}},
		Workloads: []orrery.Workload{{Name: "climber", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return climb(e, report) }}
		}}},
		Bugs: []string{BugSummit},
	}
}

// errSummit is the climbing maze's planted failure.
var errSummit = errors.New("maze: the climber reached the top")

// climb makes the attempts, reporting the height after each.
func climb(e env.Env, report func(ctx context.Context, height int)) error {
	ctx, height := e.Context(), 0
	for range Steps {
		height++
		if e.Rand().Float64() >= P {
			height = 0
		}
		report(ctx, height)
		if height == Rungs {
			if orrery.Planted(ctx, BugSummit) {
				return errSummit
			}
			height = 0
		}
		if err := e.Clock().Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}
