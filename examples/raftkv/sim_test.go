package raftkv_test

import (
	"testing"

	"github.com/orrerysim/orrery/examples/raftkv"
	"github.com/orrerysim/orrery/orrerytest"
)

// TestRaftKV is the simulation as a go test: ORRERY_SEEDS=N for more
// seeds, ORRERY_SWARM=1 for swarm, ORRERY_BUG=stale-reads (or
// ack-on-propose, double-apply) to see a planted bug found.
func TestRaftKV(t *testing.T) {
	orrerytest.Test(t, raftkv.Simulation(raftkv.Options{}))
}
