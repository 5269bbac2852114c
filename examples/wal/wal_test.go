package wal_test

import (
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/wal"
	"github.com/orrerysim/orrery/orrerytest"
)

// TestWAL is the simulation as a go test: ORRERY_SEEDS=2000 for the full
// sweep, ORRERY_BUG=ack-before-sync to see the planted bug found.
func TestWAL(t *testing.T) {
	orrerytest.Test(t, wal.Simulation())
}

func TestAckBeforeSyncIsFoundWithin200Seeds(t *testing.T) {
	rep, err := orrery.Run(wal.Simulation(), orrery.Options{Seeds: 200, Bugs: []string{wal.BugAckBeforeSync}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed == 0 {
		t.Fatal("200 seeds did not find the record acknowledged before its sync")
	}
	t.Logf("%d of 200 seeds failed; first: %s", rep.Failed, rep.Failures[0].Message)
}

func TestCorrectLogSurvives2000Seeds(t *testing.T) {
	seeds := 2000
	if testing.Short() {
		seeds = 200
	}
	rep, err := orrery.Run(wal.Simulation(), orrery.Options{Seeds: seeds})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		for _, f := range rep.Failures[:min(3, len(rep.Failures))] {
			t.Errorf("seed %#x: %s: %s", f.Seed, f.Kind, f.Message)
		}
		t.Fatalf("%d of %d seeds failed; missing: %v", rep.Failed, seeds, rep.Missing())
	}
	t.Logf("%d seeds, faults %v", rep.Seeds, rep.Faults)
}

// TestSwarmPasses runs the simulation as "orrery run wal --swarm" does:
// each seed draws its own mix of the faults of wal.Model, among them
// corrupted and lost writes, which the log must survive.
func TestSwarmPasses(t *testing.T) {
	s := wal.Simulation()
	s.Chaos.Swarm = true
	seeds := 500
	if testing.Short() {
		seeds = 100
	}
	rep, err := orrery.Run(s, orrery.Options{Seeds: seeds})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		for _, f := range rep.Failures[:min(3, len(rep.Failures))] {
			t.Errorf("seed %#x: %s: %s\n%s", f.Seed, f.Kind, f.Message, f.Chaos)
		}
		t.Fatalf("%d of %d swarm seeds failed", rep.Failed, seeds)
	}
}

func TestReplaysAcrossRebootsAreExact(t *testing.T) {
	rep, err := orrery.Run(wal.Simulation(), orrery.Options{Seeds: 30, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 0 {
		t.Fatalf("%+v", rep.Failures[0])
	}
}
