package harness

import (
	"os"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// The simulation also calls what takes an *orrery.State (an invariant) or
// returns an orrery.Driver (a workload's New), and whatever those and the
// workloads call: all of it is simulated code. What only the test
// functions call is the harness.

type sim struct {
	Invariants []func(s *orrery.State) error
	New        func() orrery.Driver
}

type driver struct{ peers map[string]int }

func (d *driver) Run(e env.Env) error {
	_ = d.pick()
	return stamp()
}

// pick is called by a workload: its map order reaches the simulation.
func (d *driver) pick() string {
	for name := range d.peers { // want `range over a map visits entries in random order, and the loop returns a value that depends on which entry comes first`
		return name
	}
	return ""
}

func stamp() error {
	_ = time.Now() // want `time.Now reads the wall clock`
	go func() {}() // want `go statement starts a goroutine`
	return stamp()
}

func newDriver() orrery.Driver {
	return &driver{peers: map[string]int{"a": 1, "b": 2}}
}

func noneLost(s *orrery.State) error {
	m := map[string]error{}
	for _, err := range m { // want `range over a map visits entries in random order, and the loop returns a value that depends on which entry comes first`
		return err
	}
	return nil
}

// fixture is harness: only a test function calls it.
func fixture() []byte {
	data, _ := os.ReadFile("testdata/fixture")
	_ = time.Now()
	return data
}

func TestReach(t *testing.T) {
	_ = fixture()
	start := time.Now()
	s := sim{Invariants: []func(*orrery.State) error{noneLost}, New: newDriver}
	s.New = func() orrery.Driver {
		time.Sleep(time.Millisecond) // want `time.Sleep waits on the wall clock`
		return newDriver()
	}
	_ = s
	_ = time.Since(start)
}
