package orrery_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/wal"
)

func swarmBank() orrery.Simulation {
	s := bank.Simulation(bank.Options{})
	s.Chaos.Swarm = true
	return s
}

// replayFaults replays seed with only faults and returns its failure
// message, "" if it passed.
func replayFaults(t *testing.T, s orrery.Simulation, bug string, seed uint64, faults []uint64) string {
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

func TestShrinkPlantedFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		s        orrery.Simulation
		bug      string
		seed     uint64
		injected int
		want     []uint64
	}{
		// The lost update is a race of two transfers: no fault is needed.
		{"bank", swarmBank(), bank.BugLostUpdate, 0x6ca0a95b7e825c7, 31, []uint64{}},
		{"bank one fault", swarmBank(), bank.BugLostUpdate, 0x1d0b14e4db018fed, 1, []uint64{}},
		// An acknowledged record lost needs the crashes before the check.
		{"wal", wal.Simulation(), wal.BugAckBeforeSync, 0x875b9307abf55005, 4, []uint64{1, 3}},
		{"wal one crash", wal.Simulation(), wal.BugAckBeforeSync, 0x88712be8a582fca, 1, []uint64{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := orrery.Shrink(tc.s, tc.seed, orrery.ShrinkOptions{Bugs: []string{tc.bug}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Injected != tc.injected || !slices.Equal(r.Numbers(), tc.want) {
				t.Fatalf("shrunk %d faults to %v, want %d to %v\n%s", r.Injected, r.Numbers(), tc.injected, tc.want, r)
			}
			if got := replayFaults(t, tc.s, tc.bug, tc.seed, r.Numbers()); !sameShape(got, r.Failure) {
				t.Errorf("replay with faults %v: failure %q, want %q", r.Numbers(), got, r.Failure)
			}
			for i := range r.Numbers() { // each fault kept is needed
				less := slices.Delete(slices.Clone(r.Numbers()), i, i+1)
				if got := replayFaults(t, tc.s, tc.bug, tc.seed, less); sameShape(got, r.Failure) {
					t.Errorf("faults %v without fault %d still fail: %q", r.Numbers(), r.Numbers()[i], got)
				}
			}
		})
	}
}

// sameShape compares failure messages with their digits ignored.
func sameShape(a, b string) bool {
	strip := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return 'N'
			}
			return r
		}, s)
	}
	return a != "" && strip(a) == strip(b)
}

func TestShrinkDescribesFaults(t *testing.T) {
	r, err := orrery.Shrink(wal.Simulation(), 0x875b9307abf55005, orrery.ShrinkOptions{Bugs: []string{wal.BugAckBeforeSync}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1: Reboot of db at t=0.943623s: kind=crash", "3: Reboot of db at t=3.104793s: kind=crash"}
	var got []string
	for _, f := range r.Faults {
		got = append(got, f.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("faults %q, want %q", got, want)
	}
	wantReplay := `orrery.Run(sim, orrery.Options{Replay: []uint64{0x875b9307abf55005}, Faults: []uint64{1, 3}, Bugs: []string{"ack-before-sync"}})`
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
			Faults: []uint64{1, 3}, Bugs: []string{wal.BugAckBeforeSync}, CheckDeterminism: true})
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
	_, err := orrery.Run(wal.Simulation(), orrery.Options{Seeds: 1, Faults: []uint64{1}})
	if err == nil || !strings.Contains(err.Error(), "faults: 1 without a seed to replay") {
		t.Errorf("Faults without Replay: %v, want an error", err)
	}
}

func ExampleShrink() {
	r, err := orrery.Shrink(wal.Simulation(), 0x88712be8a582fca, orrery.ShrinkOptions{Bugs: []string{wal.BugAckBeforeSync}})
	if err != nil {
		panic(err)
	}
	fmt.Print(r)
	// Output:
	// seed 0x88712be8a582fca: Always "every acknowledged record survives a crash" failed at wal/sim.go:69: acked=11 missing=10-10 recovered=10
	// shrunk from 1 faults to 1 in 3 runs
	//   1: Reboot of db at t=0.426765s: kind=crash
	// replay: orrery.Run(sim, orrery.Options{Replay: []uint64{0x88712be8a582fca}, Faults: []uint64{1}, Bugs: []string{"ack-before-sync"}})
}

func TestFaultsParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []uint64
		err  bool
	}{
		{"3,17", []uint64{3, 17}, false},
		{"none", []uint64{}, false},
		{"1, 2", []uint64{1, 2}, false},
		{"0", nil, true},
		{"x", nil, true},
	} {
		got, err := orrery.ParseFaults(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("ParseFaults(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
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
	if got := replayFaults(t, s, bug, seed, r.Numbers()); !sameShape(got, r.Failure) {
		t.Errorf("replay with faults %v: failure %q, want %q", r.Numbers(), got, r.Failure)
	}
	full, err := orrery.Shrink(s, seed, orrery.ShrinkOptions{Bugs: []string{bug}, Budget: time.Minute})
	if err != nil || full.Partial {
		t.Errorf("a search within its budget: %v, partial %v", err, full != nil && full.Partial)
	}
}
