package raftkv_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/raftkv"
)

// failures prints the first failures of a report.
func failures(rep *orrery.Report) string {
	var b strings.Builder
	for _, f := range rep.Failures[:min(3, len(rep.Failures))] {
		b.WriteString(f.Kind + ": " + f.Message + "\n" + f.Chaos + "\n")
	}
	for _, f := range rep.Unknowns[:min(3, len(rep.Unknowns))] {
		b.WriteString("unknown: " + f.Message + "\n")
	}
	return b.String()
}

// TestCorrectStorePasses runs the store under its standard faults and
// under swarm: no seed may fail or stay unknown.
func TestCorrectStorePasses(t *testing.T) {
	tests := []struct {
		name  string
		swarm bool
		opts  raftkv.Options
		seeds int
	}{
		{"standard", false, raftkv.Options{}, 60},
		{"swarm", true, raftkv.Options{}, 40},
		{"five nodes", false, raftkv.Options{Nodes: 5}, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := raftkv.Simulation(tt.opts)
			s.Chaos.Swarm = tt.swarm
			seeds := tt.seeds
			if testing.Short() {
				seeds /= 4
			}
			rep, err := orrery.Run(s, orrery.Options{Seeds: seeds})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed+rep.Unknown > 0 {
				t.Fatalf("%d of %d seeds failed, %d unknown:\n%s", rep.Failed, seeds, rep.Unknown, failures(rep))
			}
			// A few seeds may not reach every Sometimes; the full count does.
			if m := rep.Missing(); len(m) > 0 && !testing.Short() {
				t.Fatalf("never reached in %d seeds: %v", seeds, m)
			}
		})
	}
}

// TestPlantedBugsAreFound: each planted bug fails one of the first few
// seeds, and replaying that seed fails it the same way.
func TestPlantedBugsAreFound(t *testing.T) {
	tests := []struct {
		bug    string
		within uint64 // seeds
		want   string // in the failure
	}{
		{raftkv.BugStaleReads, 12, "not linearizable"},
		{raftkv.BugAckOnPropose, 12, "not linearizable"},
		{raftkv.BugDoubleApply, 15, "not linearizable"},
	}
	for _, tt := range tests {
		t.Run(tt.bug, func(t *testing.T) {
			s := raftkv.Simulation(raftkv.Options{})
			start := time.Now()
			f, n := firstFailure(t, s, tt.bug, tt.within)
			if f == nil {
				t.Fatalf("none of the first %d seeds failed", tt.within)
			}
			if !strings.Contains(f.Message, tt.want) {
				t.Errorf("seed %#x failed with %q, want %q", f.Seed, f.Message, tt.want)
			}
			t.Logf("found at seed %d (%#x) in %v: %s", n, f.Seed, time.Since(start), f.Message[:min(len(f.Message), 120)])
			rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{f.Seed}, Bugs: []string{tt.bug}})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed != 1 || rep.Failures[0].Message != f.Message {
				t.Fatalf("replaying seed %#x: %d failed, want the same failure:\n%s", f.Seed, rep.Failed, failures(rep))
			}
		})
	}
}

// firstFailure runs the seeds in order, one at a time, until one fails,
// and returns it with how many seeds it took.
func firstFailure(t *testing.T, s orrery.Simulation, bug string, within uint64) (*orrery.SeedFailure, uint64) {
	for i := range within {
		rep, err := orrery.Run(s, orrery.Options{FirstSeed: i, Seeds: 1, Bugs: []string{bug}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed > 0 {
			return &rep.Failures[0], i + 1
		}
	}
	return nil, within
}

// TestReplaysAreExact runs seeds twice and compares their traces: raft's
// randomized election timeouts, which it draws from crypto/rand, follow
// the seed.
func TestReplaysAreExact(t *testing.T) {
	rep, err := orrery.Run(raftkv.Simulation(raftkv.Options{}), orrery.Options{Seeds: 8, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 0 {
		t.Fatalf("%s", failures(rep))
	}
}
