package maze_test

import (
	"os"
	"strconv"
	"strings"
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

// TestFuzzInputReplays: the input with which go test -fuzz=FuzzMaze found
// the vault, saved under testdata/fuzz, fails the same way each time it
// runs with the bug, and passes without it.
func TestFuzzInputReplays(t *testing.T) {
	data := fuzzInput(t, "testdata/fuzz/FuzzMaze/bcf21c15fa836a01")
	run := func(bugs []string) *orrery.Report {
		rep, err := orrery.Run(maze.Simulation(), orrery.Options{Replay: []uint64{sim.EntropySeed(data)}, Entropy: data, Bugs: bugs})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	one, two := run([]string{maze.BugVault}), run([]string{maze.BugVault})
	if one.Failed != 1 || two.Failed != 1 || one.Failures[0].Seq != two.Failures[0].Seq {
		t.Fatalf("with the bug: %+v, then %+v", one.Failures, two.Failures)
	}
	if rep := run(nil); rep.Failed != 0 || len(rep.Missing()) != 0 {
		t.Errorf("without the bug: %d failed, missing %v", rep.Failed, rep.Missing())
	}
}

// fuzzInput reads a []byte corpus file of go test's fuzzer.
func fuzzInput(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, lit, _ := strings.Cut(strings.TrimSpace(string(b)), "[]byte(")
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
