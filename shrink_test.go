package orrery_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/examples/bank"
	counterex "github.com/orrerysim/orrery/examples/counter"
	"github.com/orrerysim/orrery/examples/wal"
	"github.com/orrerysim/orrery/sim"
)

func swarmBank() orrery.Simulation {
	s := bank.Simulation(bank.Options{})
	s.Chaos.Swarm = true
	return s
}

// replayFaults replays seed with only faults and returns its failure
// message, "" if it passed.
func replayFaults(t *testing.T, s orrery.Simulation, bug string, seed uint64, faults []sim.FaultID) string {
	t.Helper()
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{seed}, Faults: faults, Bugs: []string{bug}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) == 0 {
		return ""
	}
	return rep.Failures[0].Message
}

// TestShrinkPlantedFailures: the faults a planted failure needs replay to
// the same failure, each of them is needed, and they are few: at most
// maxKept (the faults named by number alone keep more for the "wal by
// ordinal" seed: 3 of 16, where by ordinal 2 of them still fail).
func TestShrinkPlantedFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       orrery.Simulation
		bug     string
		seed    uint64
		maxKept int
		needs   string // a fault the failure needs, by ordinal ("" none)
	}{
		// The lost update is a race of two transfers: no fault is needed.
		{"bank", swarmBank(), bank.BugLostUpdate, 0x6ca0a95b7e825c7, 0, ""},
		{"bank one fault", swarmBank(), bank.BugLostUpdate, 0x1d0b14e4db018fed, 0, ""},
		// An acknowledged record lost needs a crash before the check.
		{"wal", wal.Simulation(), wal.BugAckBeforeSync, 0x875b9307abf55005, 2, "Reboot:db#"},
		{"wal one crash", wal.Simulation(), wal.BugAckBeforeSync, 0x88712be8a582fca, 2, "Reboot:db#1"},
		{"wal by ordinal", wal.Simulation(), wal.BugAckBeforeSync, 0x68b4754b9c83e91f, 2, "Reboot:db#"},
		// A write the cache took before the store did, lost in a reboot.
		{"counter", counterex.Simulation(), counterex.BugOptimisticWrite, 0x1d0b14e4db018fed, 1, "Reboot:store#1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := orrery.Shrink(tc.s, tc.seed, orrery.ShrinkOptions{Bugs: []string{tc.bug}})
			if err != nil {
				t.Fatal(err)
			}
			ids := r.IDs()
			if r.Injected == 0 || len(ids) > tc.maxKept || !strings.Contains(orrery.FormatFaults(ids), tc.needs) {
				t.Fatalf("shrunk %d faults to %v, want at most %d, with %s\n%s", r.Injected, ids, tc.maxKept, tc.needs, r)
			}
			if got := replayFaults(t, tc.s, tc.bug, tc.seed, ids); !sameShape(got, r.Failure) {
				t.Errorf("replay with faults %v: failure %q, want %q", ids, got, r.Failure)
			}
			for i := range ids { // each fault kept is needed
				less := slices.Delete(slices.Clone(ids), i, i+1)
				if got := replayFaults(t, tc.s, tc.bug, tc.seed, less); sameShape(got, r.Failure) {
					t.Errorf("faults %v without fault %s still fail: %q", ids, ids[i], got)
				}
			}
		})
	}
}

// sameShape compares failure messages with every number ignored, as
// Shrink does.
func sameShape(a, b string) bool {
	n := regexp.MustCompile(`[0-9]+`)
	return a != "" && n.ReplaceAllString(a, "N") == n.ReplaceAllString(b, "N")
}

func TestShrinkDescribesFaults(t *testing.T) {
	r, err := orrery.Shrink(counterex.Simulation(), 0x1d0b14e4db018fed, orrery.ShrinkOptions{Bugs: []string{counterex.BugOptimisticWrite}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Reboot:store#1  Reboot of store at t=3.642336s: kind=graceful"}
	var got []string
	for _, f := range r.Faults {
		got = append(got, f.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("faults %q, want %q", got, want)
	}
	wantReplay := `orrery.Run(sim, orrery.Options{Replay: []uint64{0x1d0b14e4db018fed}, Faults: []sim.FaultID{{Op: "Reboot", Target: "store", N: 1}}, Bugs: []string{"optimistic-write"}})`
	if r.Replay != wantReplay {
		t.Errorf("replay %q, want %q", r.Replay, wantReplay)
	}
}

func TestShrinkPassingSeed(t *testing.T) {
	_, err := orrery.Shrink(wal.Simulation(), 1, orrery.ShrinkOptions{})
	if err == nil || !strings.Contains(err.Error(), "does not fail") {
		t.Errorf("Shrink of a passing seed: %v, want an error saying it does not fail", err)
	}
}

func TestFilteredReplayDeterministic(t *testing.T) {
	run := func() string {
		rep, err := orrery.Run(wal.Simulation(), orrery.Options{Replay: []uint64{0x875b9307abf55005},
			Faults: []sim.FaultID{{Op: "Reboot", Target: "db", N: 1}, {Op: "Reboot", Target: "db", N: 3}},
			Bugs:   []string{wal.BugAckBeforeSync}, CheckDeterminism: true})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rep.Failures)
	}
	if a, b := run(), run(); a != b {
		t.Errorf("a filtered replay reported\n%s\nthen\n%s", a, b)
	}
}

func TestFaultsNeedReplay(t *testing.T) {
	_, err := orrery.Run(wal.Simulation(), orrery.Options{Seeds: 1, Faults: []sim.FaultID{{Op: "Reboot", Target: "db", N: 1}}})
	if err == nil || !strings.Contains(err.Error(), "faults: Reboot:db#1 without a seed to replay") {
		t.Errorf("Faults without Replay: %v, want an error", err)
	}
}

// Shrink finds the one fault of the counter's failing seed that it needs,
// and the statement that replays the seed with only that fault.
func ExampleShrink() {
	r, err := orrery.Shrink(counterex.Simulation(), 0x1d0b14e4db018fed, orrery.ShrinkOptions{Bugs: []string{counterex.BugOptimisticWrite}})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Failure)
	for _, f := range r.Faults {
		fmt.Println(f)
	}
	fmt.Println(r.Replay)
	// Output:
	// client-1: check: counter apples: the store holds 8, but a client read 12
	// Reboot:store#1  Reboot of store at t=3.642336s: kind=graceful
	// orrery.Run(sim, orrery.Options{Replay: []uint64{0x1d0b14e4db018fed}, Faults: []sim.FaultID{{Op: "Reboot", Target: "store", N: 1}}, Bugs: []string{"optimistic-write"}})
}

func TestFaultsParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []sim.FaultID
		err  string
	}{
		{"Reboot:db#3,SyncFail:db:wal.log#17", []sim.FaultID{{Op: "Reboot", Target: "db", N: 3}, {Op: "SyncFail", Target: "db:wal.log", N: 17}}, ""},
		{"none", []sim.FaultID{}, ""},
		{"Reboot:db#1, Clog:10.0.0.1->10.0.1.1@0.500000s", []sim.FaultID{{Op: "Reboot", Target: "db", N: 1}, {Op: "Clog", Target: "10.0.0.1->10.0.1.1", At: 500 * time.Millisecond}}, ""},
		{"3,17", []sim.FaultID{{N: 3}, {N: 17}}, ""}, // numbers, as earlier versions printed them
		{"0", nil, `faults "0": fault "0": not Op:Target#N`},
		{"Reboot:db", nil, `no target with an ordinal`},
		{"x", nil, `fault "x": not Op:Target#N`},
	} {
		got, err := orrery.ParseFaults(tc.in)
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) ||
			!slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("ParseFaults(%q) = %v, %v; want %v (error %q)", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && orrery.FormatFaults(got) != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("FormatFaults(%v) = %q, want %q", got, orrery.FormatFaults(got), tc.in)
		}
	}
}

// TestShrinkBudget: a search whose time runs out returns the set it had
// reached, which still fails the same way, and says it may not be minimal.
func TestShrinkBudget(t *testing.T) {
	s, bug, seed := wal.Simulation(), wal.BugAckBeforeSync, uint64(0x875b9307abf55005)
	r, err := orrery.Shrink(s, seed, orrery.ShrinkOptions{Bugs: []string{bug}, Budget: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Partial || !strings.Contains(r.String(), "its time ran out") {
		t.Errorf("a spent budget is not reported:\n%s", r)
	}
	if len(r.Faults) != r.Injected {
		t.Errorf("kept %d of %d faults with no time to search", len(r.Faults), r.Injected)
	}
	if got := replayFaults(t, s, bug, seed, r.IDs()); !sameShape(got, r.Failure) {
		t.Errorf("replay with faults %v: failure %q, want %q", r.IDs(), got, r.Failure)
	}
	full, err := orrery.Shrink(s, seed, orrery.ShrinkOptions{Bugs: []string{bug}, Budget: time.Minute})
	if err != nil || full.Partial {
		t.Errorf("a search within its budget: %v, partial %v", err, full != nil && full.Partial)
	}
}

// TestShrinkTimelineAndFuzzInput: a failure found on a timeline (Explore)
// or from a fuzz input's entropy (orrerytest.Fuzz), whose seed alone
// passes, shrinks on that timeline or with that entropy, and its replay
// command names them.
func TestShrinkTimelineAndFuzzInput(t *testing.T) {
	input := []byte("\xa0`\x03 \xc8")
	for _, tc := range []struct {
		name       string
		seed       uint64
		opts       orrery.ShrinkOptions
		say, field string
	}{
		{"timeline", 0x8, orrery.ShrinkOptions{Timeline: sim.Timeline{{At: 100, Seed: 0x7}}},
			"seed 0x8 on timeline 100@0x7: ", ", Timeline: sim.Timeline{{At: 100, Seed: 0x7}}, "},
		{"fuzz input", sim.EntropySeed(input), orrery.ShrinkOptions{Entropy: input},
			"seed 0xb08cefa7d3575dc2 from a fuzz input of 5 bytes: ", `, Entropy: []byte("\xa0` + "`" + `\x03 \xc8"), `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, bugs := wal.Simulation(), []string{wal.BugAckBeforeSync}
			if _, err := orrery.Shrink(s, tc.seed, orrery.ShrinkOptions{Bugs: bugs}); !errors.Is(err, orrery.ErrNoFailure) {
				t.Fatalf("the seed alone: %v, want it to pass", err)
			}
			tc.opts.Bugs = bugs
			r, err := orrery.Shrink(s, tc.seed, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.String(), tc.say) || !strings.Contains(r.Replay, tc.field) || len(r.Faults) == 0 {
				t.Errorf("result does not say %q or replay with %q:\n%s", tc.say, tc.field, r)
			}
			rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{tc.seed}, Timeline: tc.opts.Timeline, Entropy: tc.opts.Entropy,
				Faults: r.IDs(), Bugs: bugs})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) == 0 || !sameShape(rep.Failures[0].Message, r.Failure) {
				t.Errorf("replay with faults %v: %+v, want %q", r.IDs(), rep.Failures, r.Failure)
			}
		})
	}
}

// TestShrinkSharedState: a simulation whose outcome depends on state its
// runs share (here a count of runs kept outside New) fails its first run
// only; Shrink says that its result does not replay, rather than printing
// faults and a replay command that pass.
func TestShrinkSharedState(t *testing.T) {
	var runs atomic.Int64 // shared by every run: the mistake
	s := orrery.Simulation{
		Name:      "shared",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error { return env.WaitDone(e.Context(), e) }}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(env.Env) error {
				if runs.Add(1) == 1 {
					return errors.New("the first run fails")
				}
				return nil
			}}
		}}},
	}
	_, err := orrery.Shrink(s, 1, orrery.ShrinkOptions{})
	if !errors.Is(err, orrery.ErrNotReproducible) || !strings.Contains(err.Error(), "replayed alone with faults \"none\" it passed") {
		t.Errorf("Shrink of a seed whose outcome is shared: %v, want ErrNotReproducible saying the replay passed", err)
	}
}

// TestShrinkFailureThatDiffersOnTheSameTrace: a seed whose failure's
// message changes from run to run while its trace does not (here a letter
// counted outside the seed; map order does the same) does not shrink, and
// Shrink says why: a run of the same trace failed otherwise, the
// difference is in the failure itself, and what failed. It does not blame
// state shared between seeds.
func TestShrinkFailureThatDiffersOnTheSameTrace(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *orrery.Simulation)
		want   string
	}{
		{"invariant", func(s *orrery.Simulation) {
			s.Invariants = []orrery.Invariant{{Name: "lettered", Check: func(*orrery.State) error {
				return errors.New("letter " + runLetter())
			}}}
		}, `likely culprit: the invariant "lettered" failed with a different message in each run`},
		{"seed check", func(s *orrery.Simulation) {
			s.SeedChecks = []orrery.SeedCheck{{Name: "lettered", Check: func(context.Context) error {
				return errors.New("letter " + runLetter())
			}}}
		}, `likely culprit: the seed check "lettered" failed with a different message in each run`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := counter()
			tt.change(&s)
			_, err := orrery.Shrink(s, 1, orrery.ShrinkOptions{})
			if !errors.Is(err, orrery.ErrNotReproducible) {
				t.Fatalf("Shrink: %v, want ErrNotReproducible", err)
			}
			for _, w := range []string{`replayed alone with faults "none" it failed with: `, "where a run of the same trace (hash 0x",
				"the difference is in the failure itself", tt.want} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Shrink: %v\nwant it to say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "shared between seeds") {
				t.Errorf("Shrink blames state shared between seeds: %v", err)
			}
		})
	}
}
