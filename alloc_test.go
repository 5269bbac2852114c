package orrery_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// TestEnvCallsDoNotAllocate: what simulated code asks its env for on every
// request (the clock, the logger) costs no allocation.
func TestEnvCallsDoNotAllocate(t *testing.T) {
	var clock, log float64
	s := orrery.Simulation{Name: "allocs",
		Processes: []orrery.Process{{Name: "srv", Main: func(e env.Env) error {
			e.Clock().Sleep(e.Context(), time.Hour) // until the run ends
			return nil
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				clock = testing.AllocsPerRun(100, func() { _ = e.Clock() })
				log = testing.AllocsPerRun(100, func() { e.Log().Debug("unseen", "n", 1) })
				return nil
			}}
		}}}}
	if _, err := orrery.Run(s, orrery.Options{Seeds: 1}); err != nil {
		t.Fatal(err)
	}
	if clock != 0 || log != 0 {
		t.Errorf("allocations per call: Clock %v, a Debug record nobody shows %v", clock, log)
	}
}
