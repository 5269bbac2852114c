package orrerytest

import (
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/sim"
)

// shrinkFirst shrinks the faults of the run's first failing seed, within
// the shrink setting, and logs the faults it needs with the command that
// replays them, as orrery run does. It leaves alone a replay (the seed is
// already the one being looked at), a nondeterministic seed and one found
// on a timeline (their faults do not replay from the seed), a seed that
// blocked outside the simulation (each run would wait out the watchdog)
// and a run whose crypto/rand came from the operating system.
func shrinkFirst(t testing.TB, s orrery.Simulation, rep *orrery.Report, set settings) {
	t.Helper()
	if set.shrink <= 0 || set.replay || set.cryptoFromOS || len(rep.Failures) == 0 {
		return
	}
	f := rep.Failures[0]
	if f.Kind == "nondeterminism" || f.Kind == "blocked" || f.Timeline != "" {
		return
	}
	r, err := orrery.Shrink(s, f.Seed, orrery.ShrinkOptions{Bugs: set.bugs, Parallel: set.parallel,
		Watchdog: set.watchdog, Budget: set.shrink, ReplayCommand: goTestReplayFaults(t.Name(), set)})
	switch {
	case err != nil:
		t.Logf("orrery: shrinking seed %#x: %v", f.Seed, err)
	case r.Injected == 0: // nothing to say
	case len(r.Faults) == 0:
		t.Logf("seed %#x fails without any of its %d faults (shrunk; ORRERY_SHRINK=0 skips this): the code alone is at fault", f.Seed, r.Injected)
	default:
		t.Logf("the faults seed %#x needs (shrunk; ORRERY_SHRINK=0 skips this):\n%s", f.Seed, r)
	}
}

// goTestReplayFaults returns the go test command that replays a seed of
// the test called name with only the given faults: goTestReplay's, with
// ORRERY_FAULTS.
func goTestReplayFaults(name string, set settings) func(uint64, []sim.FaultID) string {
	return func(seed uint64, faults []sim.FaultID) string {
		set.faults = faults
		return goTestReplay(packageDir(), name, set)(seed)
	}
}
