package maze_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/sim"
)

// TestRandomSeedsDoNotOpenTheVault: a hundred random seeds reach the
// first gates, never a lock.
func TestRandomSeedsDoNotOpenTheVault(t *testing.T) {
	rep, err := orrery.Run(maze.Simulation(), orrery.Options{Seeds: 100, Bugs: []string{maze.BugVault}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 0 {
		t.Fatalf("a random seed opened the vault: %+v", rep.Failures[0])
	}
	for _, a := range rep.Asserts {
		if a.Message == "lock A gate reached" && a.Bucket == "1" && a.Passed == 0 {
			t.Errorf("no seed passed lock A's first gate: %+v", a)
		}
	}
}

// TestExploreOpensTheVault: the explorer finds the planted bug, and the
// timeline it reports replays to the same failure.
func TestExploreOpensTheVault(t *testing.T) {
	bug := []string{maze.BugVault}
	start := time.Now()
	rep, err := orrery.Explore(maze.Simulation(), orrery.Options{Seeds: 20_000, FailFast: true, Bugs: bug})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed == 0 {
		t.Fatalf("the explorer did not open the vault: %+v", rep.Explore)
	}
	f := rep.Failures[0]
	t.Logf("vault opened after %d timelines (%d branch points) in %v: %s", rep.Explore.Timelines,
		rep.Explore.BranchPoints, time.Since(start).Round(time.Millisecond), f.Replay)
	tl, err := sim.ParseTimeline(f.Timeline)
	if err != nil {
		t.Fatal(err)
	}
	again, err := orrery.Run(maze.Simulation(), orrery.Options{Replay: []uint64{f.Seed}, Timeline: tl, Bugs: bug})
	if err != nil || again.Failed != 1 || again.Failures[0].Message != f.Message || again.Failures[0].Seq != f.Seq {
		t.Fatalf("replay of timeline %s: %v %+v", f.Timeline, err, again.Failures)
	}
}
