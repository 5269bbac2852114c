package orrery_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/sim"
)

// TestExploreStopRules: the explorer stops on its energy, its budget and
// its first failure with FailFast, and refuses the options of Run alone.
func TestExploreStopRules(t *testing.T) {
	s := maze.Simulation()
	tests := []struct {
		name    string
		opts    orrery.Options
		stopped string
		check   func(*orrery.Report) bool
	}{
		{"energy", orrery.Options{Seeds: 50}, "seeds", func(r *orrery.Report) bool {
			return r.Seeds == 50 && r.Explore.Timelines == 50 && r.Explore.EnergyLeft == 0 && r.Explore.BranchPoints > 0
		}},
		{"first seed", orrery.Options{Seeds: 20, FirstSeed: 7}, "seeds", func(r *orrery.Report) bool {
			return r.Explore.FirstRoot == 7 && r.FirstSeed == 0
		}},
		{"budget", orrery.Options{Seeds: 1 << 30, Budget: 100 * time.Millisecond}, "budget", func(r *orrery.Report) bool {
			return r.Explore.EnergyLeft > 0 && r.Wall < 5*time.Second
		}},
		{"fail fast", orrery.Options{Seeds: 20_000, FailFast: true, Bugs: []string{maze.BugVault}}, "fail-fast", func(r *orrery.Report) bool {
			return r.Failed >= 1 && r.Explore.EnergyLeft > 0 && strings.Contains(r.Failures[0].Replay, "Timeline: sim.Timeline{{At: ")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := orrery.Explore(s, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Stopped != tc.stopped || !tc.check(rep) {
				t.Errorf("stopped %q (want %q), explore %+v, %d failed", rep.Stopped, tc.stopped, rep.Explore, rep.Failed)
			}
		})
	}
	stop := make(chan struct{})
	close(stop)
	if rep, err := orrery.Explore(s, orrery.Options{Stop: stop}); err != nil || rep.Stopped != "interrupted" || rep.Complete {
		t.Errorf("stopped before it starts: %v, %+v", err, rep)
	}
	if _, err := orrery.Explore(s, orrery.Options{Replay: []uint64{1}}); err == nil {
		t.Error("Explore with Replay: no error")
	}
}

// TestExploreReachesWhatSeedsDoNot: with the same number of timelines as
// random seeds, the explorer reaches more of the maze's gates.
func TestExploreReachesWhatSeedsDoNot(t *testing.T) {
	const n = 300
	run, err := orrery.Run(maze.Simulation(), orrery.Options{Seeds: n})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := orrery.Explore(maze.Simulation(), orrery.Options{Seeds: n})
	if err != nil {
		t.Fatal(err)
	}
	reached := func(r *orrery.Report) int {
		k := 0
		for _, a := range r.Asserts {
			if a.Passed > 0 {
				k++
			}
		}
		return k
	}
	if a, b := reached(run), reached(ex); b <= a+4 {
		t.Errorf("%d seeds reached %d assertions and buckets, %d timelines %d: want the explorer well ahead", n, a, n, b)
	}
}

// TestExploreClimbsWatermarks: the explorer branches where a timeline
// brings a numeric assertion closer to flipping than any before it, which
// takes it to the climbing maze's top, eight rare steps up, that no first
// hit marks; the report counts the watermarks, and the failing timeline
// replays.
func TestExploreClimbsWatermarks(t *testing.T) {
	bug := []string{maze.BugSummit}
	rep, err := orrery.Explore(maze.Climb(), orrery.Options{Seeds: 4000, FailFast: true, Bugs: bug})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed == 0 || rep.Explore.Watermarks < 2 || rep.Explore.BranchPoints < rep.Explore.Watermarks {
		t.Fatalf("the top not reached, or not by watermarks: %d failed, %+v", rep.Failed, *rep.Explore)
	}
	var out bytes.Buffer
	if err := rep.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(", %d numeric watermarks bettered,", rep.Explore.Watermarks); !strings.Contains(out.String(), want) {
		t.Errorf("the summary does not say %q:\n%s", want, out.String())
	}
	f := rep.Failures[0]
	tl, err := sim.ParseTimeline(f.Timeline)
	if err != nil {
		t.Fatal(err)
	}
	again, err := orrery.Run(maze.Climb(), orrery.Options{Replay: []uint64{f.Seed}, Timeline: tl, Bugs: bug})
	if err != nil || again.Failed != 1 || again.Failures[0].Message != f.Message {
		t.Fatalf("replay of %s: %v %+v", f.Replay, err, again.Failures)
	}
}

// TestExploreTracesItsFailure: Options.Trace receives the trace of the
// first failing timeline, with its branch points.
func TestExploreTracesItsFailure(t *testing.T) {
	var buf bytes.Buffer
	rep, err := orrery.Explore(bank.Simulation(bank.Options{}), orrery.Options{Seeds: 40, Parallel: 2, FailFast: true,
		Bugs: []string{bank.BugLostUpdate}, Trace: &buf})
	if err != nil || rep.Failed == 0 {
		t.Fatalf("%v, %+v", err, rep)
	}
	marked, branched := strings.Contains(buf.String(), `"kind":"Timeline"`), rep.Failures[0].Timeline != ""
	if !strings.Contains(buf.String(), "conservation") || marked != branched {
		t.Errorf("the trace (%d bytes) does not hold the failure %q of timeline %q", buf.Len(), rep.Failures[0].Message, rep.Failures[0].Timeline)
	}
}

// An explorer finds the maze's vault, behind four locks of five gates,
// which no number of random seeds opens.
func ExampleExplore() {
	rep, err := orrery.Explore(maze.Simulation(), orrery.Options{Seeds: 20_000, FailFast: true, Bugs: []string{maze.BugVault}})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Stopped, rep.Failures[0].Message)
	// Output: fail-fast walker: run: maze: the vault behind the four locks opened
}
