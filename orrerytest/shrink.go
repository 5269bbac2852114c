package orrerytest

import (
	"flag"
	"strings"
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
	logShrunk(t, f.Seed, r, err)
}

// shrinkInput shrinks the faults of a failing fuzz input's run (see
// orrery.ShrinkOptions.Entropy), within the shrink setting, and logs those
// it needs, when go test runs the input as a test (go test -run), not
// while it fuzzes: the fuzzer runs a failing input many times over as it
// minimizes it. A replay that names its faults is not shrunk again.
func shrinkInput(t testing.TB, s orrery.Simulation, set settings, data []byte, kind string) {
	t.Helper()
	if set.shrink <= 0 || set.faults != nil || set.cryptoFromOS || fuzzing() || kind == "nondeterminism" || kind == "blocked" {
		return
	}
	seed := sim.EntropySeed(data)
	r, err := orrery.Shrink(s, seed, orrery.ShrinkOptions{Bugs: set.bugs, Watchdog: set.watchdog, Budget: set.shrink,
		Entropy: data, ReplayCommand: fuzzReplayFaults(t.Name(), set)})
	logShrunk(t, seed, r, err)
}

// fuzzing reports whether go test is fuzzing (-fuzz), rather than running
// the fuzz test's inputs as tests.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// logShrunk logs what Shrink found for seed, as orrery run prints it.
func logShrunk(t testing.TB, seed uint64, r *orrery.ShrinkResult, err error) {
	t.Helper()
	switch {
	case err != nil:
		t.Logf("orrery: %v", err)
	case r.Injected == 0: // nothing to say
	case len(r.Faults) == 0:
		t.Logf("seed %#x fails without any of its %d faults (shrunk; ORRERY_SHRINK=0 skips this): the code alone is at fault", seed, r.Injected)
	default:
		t.Logf("the faults seed %#x needs (shrunk; ORRERY_SHRINK=0 skips this):\n%s", seed, r)
	}
}

// fuzzReplayFaults returns the command that replays the input of the fuzz
// test called name with only the given faults: fuzzReplay's, with
// ORRERY_FAULTS.
func fuzzReplayFaults(name string, set settings) func(uint64, []sim.FaultID) string {
	return func(_ uint64, faults []sim.FaultID) string {
		set.faults = faults
		return strings.TrimPrefix(replayEnv(set), " ") + " " + fuzzReplay(name)
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
