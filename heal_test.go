package orrery_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
)

// TestHealEndsDiskThrottling: the heal phase ends a disk's throttling
// episode at once, so that the workloads' Check sees disks at their usual
// speed even when an episode begun in the chaos phase would outlast it.
func TestHealEndsDiskThrottling(t *testing.T) {
	var run, check time.Duration
	sync := func(e env.Env, took *time.Duration) error {
		f, err := e.Disk().Create(e.Context(), "f")
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.WriteAt([]byte("x"), 0); err != nil {
			return err
		}
		start := e.Clock().Now()
		err = f.Sync()
		*took = e.Clock().Now().Sub(start)
		return err
	}
	s := tiny()
	s.Chaos = chaos.Config{Disk: disksim.Faults{ThrottleP: 1, ThrottleFor: time.Hour}}
	s.Workloads = []orrery.Workload{{Name: "writer", New: func() orrery.Driver {
		return orrery.Funcs{
			RunFunc:   func(e env.Env) error { return sync(e, &run) },
			CheckFunc: func(e env.Env) error { return sync(e, &check) },
		}
	}}}
	for seed := range uint64(5) {
		rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{seed}})
		if err != nil || len(rep.Failures) > 0 {
			t.Fatalf("seed %d: %v %+v", seed, err, rep.Failures)
		}
		if run == 0 || check >= run {
			t.Errorf("seed %d: a sync took %v in the chaos phase (throttled) and %v after the heal", seed, run, check)
		}
	}
}
