package counter_test

import (
	"testing"

	"github.com/orrerysim/orrery/examples/counter"
	"github.com/orrerysim/orrery/orrerytest"
)

// TestCounter runs the service's seeds: go test ./examples/counter, with
// ORRERY_SEEDS=N for more.
func TestCounter(t *testing.T) {
	orrerytest.Test(t, counter.Simulation())
}
