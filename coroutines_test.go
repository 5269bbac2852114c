package orrery_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// sleepySim is a simulation of a few tasks that sleep for random times.
func sleepySim() orrery.Simulation {
	sleep := func(e env.Env) error {
		return e.Clock().Sleep(e.Context(), time.Duration(1+e.Rand().IntN(1000))*time.Millisecond)
	}
	return orrery.Simulation{
		Name:      "sleepy",
		Processes: []orrery.Process{{Name: "srv", Main: sleep}},
		Workloads: []orrery.Workload{{Name: "client", Count: 3, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: sleep}
		}}},
	}
}

// TestRunLeavesNoGoroutine: the seeds of a run share the goroutines of
// their tasks (each pair of a determinism check as well, and agrees), and
// none is left once Run returns.
func TestRunLeavesNoGoroutine(t *testing.T) {
	tests := []struct {
		name     string
		parallel int
	}{
		{"one worker", 1},
		{"two workers", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			r, err := orrery.Run(sleepySim(), orrery.Options{Seeds: 20, Parallel: tt.parallel, CheckDeterminism: true})
			if err != nil || !r.OK() {
				t.Fatalf("run: %v, %+v", err, r.Failures)
			}
			for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
				if time.Now().After(deadline) {
					t.Fatalf("%d goroutines after the run, %d before", runtime.NumGoroutine(), before)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}
