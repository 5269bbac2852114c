package orrery_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
	counterex "github.com/orrerysim/orrery/examples/counter"
	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/examples/raftkv"
	"github.com/orrerysim/orrery/examples/wal"
	"github.com/orrerysim/orrery/sim"
)

// TestTimelineReplaysEveryExample: a timeline of each example, branched
// twice, runs the same (trace hash, failure) traced and untraced and twice
// over, differs from its root seed's run, and marks its branch points in
// the trace.
func TestTimelineReplaysEveryExample(t *testing.T) {
	sims := []orrery.Simulation{bank.Simulation(bank.Options{}), wal.Simulation(), counterex.Simulation(),
		raftkv.Simulation(raftkv.Options{}), maze.Simulation(), maze.Networked(), maze.Climb()}
	for _, s := range sims {
		t.Run(s.Name, func(t *testing.T) {
			seed := orrery.SeedAt(3)
			rootHash, calls, _ := orrery.TimelineRun(s, seed, nil, nil, nil)
			if calls < 4 {
				t.Skipf("the root run drew %d times: nothing to branch", calls)
			}
			tl := sim.Timeline{{At: calls / 2, Seed: 0x5eed}, {At: 1, Seed: 0xf00d}}
			h1, _, f1 := orrery.TimelineRun(s, seed, tl, nil, nil)
			var buf bytes.Buffer
			h2, _, f2 := orrery.TimelineRun(s, seed, tl, nil, &buf)
			h3, _, f3 := orrery.TimelineRun(s, seed, tl, nil, nil)
			if h1 != h2 || h1 != h3 || f1 != f2 || f1 != f3 {
				t.Errorf("timeline %v: hashes %#x (untraced) %#x (traced) %#x (again), failures %q %q %q",
					tl, h1, h2, h3, f1, f2, f3)
			}
			if h1 == rootHash {
				t.Errorf("timeline %v runs as its root seed (hash %#x)", tl, h1)
			}
			for _, b := range tl {
				if mark := fmt.Sprintf(`"detail":%q`, b.String()); !strings.Contains(buf.String(), mark) {
					t.Errorf("trace lacks the branch point %s", b)
				}
			}
		})
	}
}

// TestOptionsTimeline: Run replays a timeline with Replay, names it in the
// replay command of a failure, and refuses one without a seed.
func TestOptionsTimeline(t *testing.T) {
	s := bank.Simulation(bank.Options{})
	bug := []string{bank.BugLostUpdate}
	if _, err := orrery.Run(s, orrery.Options{Seeds: 1, Timeline: sim.Timeline{{At: 1, Seed: 1}}}); err == nil {
		t.Error("a timeline without Replay: no error")
	}
	root, err := orrery.Run(s, orrery.Options{Seeds: 8, Bugs: bug})
	if err != nil || root.Failed == 0 {
		t.Fatalf("no failing seed to branch from: %v", err)
	}
	seed := root.Failures[0].Seed
	tl := sim.Timeline{{At: 0, Seed: seed}} // reseeding with the seed itself changes nothing
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{seed}, Timeline: tl, Bugs: bug, CheckDeterminism: true})
	if err != nil || rep.Failed != 1 {
		t.Fatalf("replay of %v: %v, %+v", tl, err, rep)
	}
	if got, want := rep.Failures[0], root.Failures[0]; got.Message != want.Message || got.At != want.At || got.Seq != want.Seq {
		t.Errorf("timeline %v of seed %#x failed as %q at seq %d, its seed as %q at seq %d", tl, seed, got.Message, got.Seq, want.Message, want.Seq)
	}
	if r := rep.Failures[0].Replay; !strings.Contains(r, "Timeline: sim.Timeline{{At: 0, Seed: ") {
		t.Errorf("replay command %q does not name the timeline", r)
	}
}
