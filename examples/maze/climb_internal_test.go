package maze

import (
	"context"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
)

// climbWithoutWatermarks is the climbing maze with its height reported by
// a boolean Sometimes, which has no watermark: what the explorer sees of
// the climb when it climbs by first hits alone.
func climbWithoutWatermarks() orrery.Simulation {
	return climbing(func(ctx context.Context, height int) {
		assert.Sometimes(ctx, height >= Rungs, summitMsg)
	})
}

// TestClimbNeedsWatermarks: the explorer reaches the climbing maze's top,
// eight rare steps up, by its numeric watermark, within an energy in
// which it does not reach it when the same height is reported by a
// boolean Sometimes.
func TestClimbNeedsWatermarks(t *testing.T) {
	const energy = 4000
	opts := orrery.Options{Seeds: energy, FailFast: true, Bugs: []string{BugSummit}}
	with, err := orrery.Explore(Climb(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("with watermarks: %d failed after %d timelines in %v, %+v", with.Failed, with.Seeds, with.Wall, *with.Explore)
	if with.Failed == 0 || with.Explore.Watermarks < 2 {
		t.Errorf("with watermarks: the top not reached in %d timelines: %+v", with.Seeds, *with.Explore)
	}
	without, err := orrery.Explore(climbWithoutWatermarks(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("without: %d failed after %d timelines in %v, %+v", without.Failed, without.Seeds, without.Wall, *without.Explore)
	if without.Failed != 0 || without.Explore.BranchPoints != 0 {
		t.Errorf("without watermarks: %d failed, %d branch points: the climb is not the test it claims", without.Failed, without.Explore.BranchPoints)
	}
}

// TestClimbIsDeterministic: each seed of the climbing maze runs twice to
// the same trace hash, and, without its bug, none fails (the Sometimes at
// the top, which no seed reaches, is left to the run's verdict).
func TestClimbIsDeterministic(t *testing.T) {
	rep, err := orrery.Run(Climb(), orrery.Options{Seeds: 30, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 0 || rep.Seeds != 30 {
		t.Fatalf("%d of %d seeds failed: %+v", rep.Failed, rep.Seeds, rep.Failures)
	}
}

// BenchmarkClimb is the explorer's time and timelines to the climbing
// maze's top, with its watermark and without (a boolean Sometimes),
// each search bounded by 10 s.
func BenchmarkClimb(b *testing.B) {
	for _, tc := range []struct {
		name string
		sim  orrery.Simulation
	}{{"watermarks", Climb()}, {"without", climbWithoutWatermarks()}} {
		b.Run(tc.name, func(b *testing.B) {
			var n, finds int
			start := time.Now()
			for b.Loop() {
				rep, err := orrery.Explore(tc.sim, orrery.Options{Seeds: 1 << 30, Budget: 10 * time.Second, FailFast: true, Bugs: []string{BugSummit}})
				if err != nil {
					b.Fatal(err)
				}
				n, finds = n+rep.Seeds, finds+min(rep.Failed, 1)
			}
			secs := time.Since(start).Seconds()
			b.ReportMetric(float64(n)/secs, "timelines/s")
			b.ReportMetric(secs/float64(max(finds, 1)), "s/find")
			b.ReportMetric(float64(n)/float64(max(finds, 1)), "timelines/find")
			b.ReportMetric(float64(finds)/float64(b.N), "finds/op")
		})
	}
}
