package maze_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/maze"
)

// BenchmarkMaze compares, on every core, how fast random seeds and the
// explorer's timelines run (timelines/s: a root seed or a child replayed
// to its branch point and beyond) and how long the explorer takes to open
// the vault (s/find, timelines/find).
func BenchmarkMaze(b *testing.B) {
	b.Run("seeds", func(b *testing.B) {
		var n int
		start := time.Now()
		for b.Loop() {
			rep, err := orrery.Run(maze.Simulation(), orrery.Options{Seeds: 1000})
			if err != nil {
				b.Fatal(err)
			}
			n += rep.Seeds
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "timelines/s")
	})
	b.Run("explore", func(b *testing.B) {
		var n, finds int
		start := time.Now()
		for b.Loop() {
			rep, err := orrery.Explore(maze.Simulation(), orrery.Options{Seeds: 20_000, FailFast: true, Bugs: []string{maze.BugVault}})
			if err != nil {
				b.Fatal(err)
			}
			n += rep.Seeds
			finds += min(rep.Failed, 1)
		}
		secs := time.Since(start).Seconds()
		b.ReportMetric(float64(n)/secs, "timelines/s")
		b.ReportMetric(secs/float64(max(finds, 1)), "s/find")
		b.ReportMetric(float64(n)/float64(max(finds, 1)), "timelines/find")
		b.ReportMetric(float64(finds)/float64(b.N), "finds/op")
	})
}

// BenchmarkVault compares random seeds and the explorer on the networked
// maze: how fast each runs, and the explorer's time to the bug.
func BenchmarkVault(b *testing.B) {
	bug := []string{maze.BugSkipCheck}
	b.Run("seeds", func(b *testing.B) {
		var n, failed int
		start := time.Now()
		for b.Loop() {
			rep, err := orrery.Run(maze.Networked(), orrery.Options{Seeds: 200, Bugs: bug})
			if err != nil {
				b.Fatal(err)
			}
			n, failed = n+rep.Seeds, failed+rep.Failed
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "timelines/s")
		b.ReportMetric(float64(failed), "finds")
	})
	b.Run("explore", func(b *testing.B) {
		var n, finds int
		start := time.Now()
		for b.Loop() {
			rep, err := orrery.Explore(maze.Networked(), orrery.Options{Seeds: 100_000, FailFast: true, Bugs: bug})
			if err != nil {
				b.Fatal(err)
			}
			n, finds = n+rep.Seeds, finds+min(rep.Failed, 1)
		}
		secs := time.Since(start).Seconds()
		b.ReportMetric(float64(n)/secs, "timelines/s")
		b.ReportMetric(secs/float64(max(finds, 1)), "s/find")
		b.ReportMetric(float64(finds)/float64(b.N), "finds/op")
	})
}
