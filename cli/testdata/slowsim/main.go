// Command slowsim is a simulation binary whose seeds take real time
// (SLOWSIM_SEED, default 50ms), for the tests that interrupt a run. When a
// seed starts, it creates the file SLOWSIM_READY names (if set): by then
// the command line catches signals, so a test signals it no sooner.
package main

import (
	"os"
	"runtime"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/env"
)

func main() {
	pause := 50 * time.Millisecond
	if d, err := time.ParseDuration(os.Getenv("SLOWSIM_SEED")); err == nil {
		pause = d
	}
	cli.Main(orrery.Simulation{
		Name: "slow",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error {
			return env.WaitDone(e.Context(), e)
		}}},
		Workloads: []orrery.Workload{{Name: "pause", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(env.Env) error {
				if ready := os.Getenv("SLOWSIM_READY"); ready != "" {
					_ = os.WriteFile(ready, nil, 0o644) //orrery:allow a signal to the test, outside the simulated state
				}
				// Real time: the seed is slow, not the simulation. It
				// computes, as a slow step would: a task parked in
				// time.Sleep for long fails as blocked.
				for start := time.Now(); time.Since(start) < pause; {
					runtime.Gosched()
				}
				return nil
			}}
		}}},
	})
}
