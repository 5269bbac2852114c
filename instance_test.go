package orrery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// TestInstance: every host learns its instance number from its context,
// counting from 0 among its Process's or Workload's instances, in its Main
// or Driver and in the tasks it starts, after a reboot too.
func TestInstance(t *testing.T) {
	got := map[string]int{}
	record := func(where string, ctx context.Context) { got[where] = orrery.Instance(ctx) }
	s := orrery.Simulation{
		Name: "instances",
		Processes: []orrery.Process{{Name: "kv", Count: 3, Main: func(e env.Env) error {
			record(e.Name(), e.Context())
			return env.WaitDone(e.Context(), e)
		}}},
		Workloads: []orrery.Workload{
			{Name: "load", Count: 2, New: func() orrery.Driver {
				return orrery.Funcs{RunFunc: func(e env.Env) error {
					done := env.NewWaitGroup(e)
					done.Add(1)
					e.Go("task", func(ctx context.Context) { record(e.Name()+"/task", ctx); done.Done() })
					return done.Wait(e.Context())
				}}
			}},
			{Name: "solo", New: func() orrery.Driver {
				return orrery.Funcs{RunFunc: func(e env.Env) error {
					record(e.Name(), e.Context())
					delete(got, "kv-3")
					if err := orrery.Reboot(e.Context(), "kv-3", orrery.Crash); err != nil {
						return err
					}
					return e.Clock().Sleep(e.Context(), 30*time.Second) // past the reboot
				}}
			}},
		},
	}
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
	if err != nil || len(rep.Failures) > 0 {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	want := map[string]int{"kv-1": 0, "kv-2": 1, "kv-3": 2, "load-1/task": 0, "load-2/task": 1, "solo": 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("instances %v, want %v", got, want)
	}
	if n := orrery.Instance(context.Background()); n != 0 {
		t.Errorf("Instance outside a simulation = %d, want 0", n)
	}
}
