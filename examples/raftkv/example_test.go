package raftkv_test

import (
	"fmt"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/raftkv"
)

// Three raft nodes under crashes and network faults, three clients: every
// seed's history is linearizable.
func ExampleSimulation() {
	rep, err := orrery.Run(raftkv.Simulation(raftkv.Options{}), orrery.Options{Seeds: 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Seeds, "seeds,", rep.Failed, "failed,", rep.Unknown, "unknown")
	// Output: 5 seeds, 0 failed, 0 unknown
}

// With the planted stale reads, a follower answers a get from its own
// store: one of the first seeds has a history no order of its operations
// explains.
func ExampleSimulation_staleReads() {
	rep, err := orrery.Run(raftkv.Simulation(raftkv.Options{}),
		orrery.Options{Seeds: 20, FailFast: true, Bugs: []string{raftkv.BugStaleReads}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.43s\n", rep.Failures[0].Message)
	// Output: check linearizable raftkv: not linearizable
}
