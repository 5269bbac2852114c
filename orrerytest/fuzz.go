package orrerytest

import (
	"os"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/sim"
)

// Fuzz runs s under Go's coverage-guided fuzzer: the fuzz input is the
// entropy of each run's main random stream (see sim.World.SetEntropy),
// one byte per decision, then a stream seeded from the input's hash, which
// also names the run's seed (sim.EntropySeed). Go's fuzzer mutates the
// decisions and keeps the inputs that reach new code, in the system under
// test and in Orrery alike, so that it climbs towards rare paths that no
// assertion names. Call it from a fuzz test:
//
//	func FuzzBank(f *testing.F) { orrerytest.Fuzz(f, bank.Simulation(bank.Options{})) }
//
// and run go test -fuzz=FuzzBank. A failing input is saved by go test
// under testdata/fuzz/FuzzBank and replays with go test -run
// 'FuzzBank/<file>'; the settings of Test that shape a seed apply
// (ORRERY_BUG, ORRERY_SWARM, ORRERY_WATCHDOG), ORRERY_TRACE writes the
// trace of each input run (use it with -run on one input) and ORRERY_LOG
// prints it. Only failures fail an input: assertions never reached are
// the business of Test, whose seeds cover them. An input that fails when
// go test runs it as a test (not while fuzzing) has its faults shrunk as
// Test shrinks its first failing seed's (ORRERY_SHRINK), and the log gives
// the command that replays it with only those (ORRERY_FAULTS).
func Fuzz(f *testing.F, s orrery.Simulation) {
	f.Helper()
	set, err := cmdline.resolve(os.Getenv)
	if err != nil {
		f.Fatalf("orrery: %v", err)
	}
	if set.swarm {
		s.Chaos.Swarm = true
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) { fuzzOne(t, s, set, data) })
}

// fuzzOne runs the seed of one fuzz input.
func fuzzOne(t testing.TB, s orrery.Simulation, set settings, data []byte) {
	t.Helper()
	set.replay, set.seed = true, sim.EntropySeed(data)
	set.timeline, set.determinism, set.catalog, set.parallel = nil, false, "", 1
	opts, closeTrace, err := options(t, set)
	if err != nil {
		t.Fatalf("orrery: %v", err)
	}
	opts.Entropy = data
	opts.ReplayCommand = func(uint64) string { return fuzzReplay(t.Name()) }
	rep, err := orrery.Run(s, opts)
	if cerr := closeTrace(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("orrery: %v", err)
	}
	if rep.Failed > 0 {
		f := rep.Failures[0]
		shrinkInput(t, s, set, data, f.Kind)
		t.Fatalf("orrery: %s failed at t=%v: %s\nreplay: %s (ORRERY_TRACE=trace.jsonl for its trace)", s.Name, f.At, f.Message, f.Replay)
	}
}

// fuzzReplay is the command that replays the input of the fuzz test
// called name: while fuzzing, go test names the input's file after the
// failure.
func fuzzReplay(name string) string {
	if !strings.Contains(name, "/") {
		name += "/<the input file go test names below>"
	}
	return "go test -run '" + name + "' " + packageDir()
}

// goTestReplayTimeline returns the go test command that replays a timeline
// of a seed: replay's, with ORRERY_TIMELINE.
func goTestReplayTimeline(replay func(uint64) string) func(uint64, sim.Timeline) string {
	return func(seed uint64, t sim.Timeline) string {
		if len(t) == 0 {
			return replay(seed)
		}
		return "ORRERY_TIMELINE=" + t.String() + " " + replay(seed)
	}
}
