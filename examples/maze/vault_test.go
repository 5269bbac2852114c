package maze_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/sim"
)

// TestNetworkedPasses: without its bug, the networked maze passes its
// seeds, and its own --swarm, which draws no fault it does not declare.
func TestNetworkedPasses(t *testing.T) {
	for _, swarm := range []bool{false, true} {
		s := maze.Networked()
		s.Chaos.Swarm = swarm
		rep, err := orrery.Run(s, orrery.Options{Seeds: 200})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Failed != 0 {
			t.Fatalf("swarm %v: %d failed: %+v", swarm, rep.Failed, rep.Failures[0])
		}
	}
}

// TestExploreFindsTheSkippedCheck: the explorer finds the networked
// maze's bug, two rare steps deep (one seed in some 25,000), and its
// timeline replays to the same failure.
func TestExploreFindsTheSkippedCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of exploring")
	}
	bug := []string{maze.BugSkipCheck}
	rep, err := orrery.Explore(maze.Networked(), orrery.Options{Seeds: 100_000, Budget: 60 * time.Second, FailFast: true, Bugs: bug})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed == 0 {
		t.Fatalf("not found: %+v", rep.Explore)
	}
	f := rep.Failures[0]
	t.Logf("found after %d timelines (%d roots) in %v", rep.Explore.Timelines, rep.Explore.Roots, rep.Wall)
	tl, err := sim.ParseTimeline(f.Timeline)
	if err != nil {
		t.Fatal(err)
	}
	again, err := orrery.Run(maze.Networked(), orrery.Options{Replay: []uint64{f.Seed}, Timeline: tl, Bugs: bug})
	if err != nil || again.Failed != 1 || again.Failures[0].Message != f.Message {
		t.Fatalf("replay of %s: %v %+v", f.Replay, err, again.Failures)
	}
}
