package counter_test

import (
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/examples/counter"
)

// TestPlantedBug: the bug fails seeds under the standard faults, and a
// failing seed replays with the same failure; without faults no seed
// fails, since only a write lost on the network shows it.
func TestPlantedBug(t *testing.T) {
	bug := []string{counter.BugOptimisticWrite}
	rep, err := orrery.Run(counter.Simulation(), orrery.Options{Seeds: 20, Bugs: bug})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed == 0 {
		t.Fatalf("no seed of 20 found the bug: %+v", rep)
	}
	first := rep.Failures[0]
	again, err := orrery.Run(counter.Simulation(), orrery.Options{Replay: []uint64{first.Seed}, Bugs: bug})
	if err != nil {
		t.Fatal(err)
	}
	if again.Failed != 1 || again.Failures[0].Message != first.Message || again.Failures[0].Seq != first.Seq {
		t.Fatalf("replay of %#x: %+v, want %q at seq %d", first.Seed, again.Failures, first.Message, first.Seq)
	}
	calm := counter.Simulation()
	calm.Chaos = chaos.Config{}
	if rep, err := orrery.Run(calm, orrery.Options{Seeds: 20, Bugs: bug}); err != nil || rep.Failed != 0 {
		t.Fatalf("without faults: %v %+v", err, rep.Failures)
	}
}

// TestSwarm: without the bug, the service survives every mix of its
// declared faults, and each seed runs twice with the same trace hash.
func TestSwarm(t *testing.T) {
	s := counter.Simulation()
	s.Chaos.Swarm = true
	rep, err := orrery.Run(s, orrery.Options{Seeds: 30, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("swarm: %d failed: %+v", rep.Failed, rep.Failures[0])
	}
}
