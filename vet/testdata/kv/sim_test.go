package kv

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

func serve(e env.Env) error {
	go func() {}()
	return nil
}

// noneLost is an invariant: the simulation runs it after every step.
func noneLost(s *orrery.State) error {
	lost := map[string]error{}
	for _, err := range lost {
		return err
	}
	_ = time.Now()
	return nil
}

func TestKV(t *testing.T) {
	start := time.Now() // the harness may read the clock
	_ = orrery.Simulation{
		Name:       "kv",
		Processes:  []orrery.Process{{Name: "kv", Main: serve}},
		Invariants: []orrery.Invariant{{Name: "none lost", Check: noneLost}},
	}
	_ = time.Since(start)
}
