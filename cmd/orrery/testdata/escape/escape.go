// Package escape is simulated code that waits on the wall clock, for the
// orrery vet test.
package escape

import (
	"time"

	"github.com/orrerysim/orrery/env"
)

// Wait waits outside the simulation.
func Wait(e env.Env) {
	time.Sleep(time.Millisecond)
}
