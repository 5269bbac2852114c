package bank_test

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/internal/cputime"
)

// BenchmarkTraceToFile runs bank seeds one at a time (replays) three ways
// in turn, seed by seed: untraced, with every record written as JSON Lines
// to a file (Options.Trace, as go test -orrery.trace and --trace do), and
// with the text trace of every event written to a file (ORRERY_LOG=trace).
// Taking the three in turn gives each the same share of a noisy machine.
// It reports seeds per second of each, the share of the untraced speed
// that each trace keeps (by the wall clock, and by the process's CPU
// time, which a busy machine moves less), the median over the seeds of
// each seed's own share (untraced time over traced time, the two runs
// made one after the other: a pause of the machine that falls on a few
// seeds moves it little), by the wall clock and in CPU time, and the MB
// of each trace per second.
func BenchmarkTraceToFile(b *testing.B) {
	s := bank.Simulation(bank.Options{})
	modes := []string{"none", "json", "text"}
	files := make([]*os.File, len(modes))
	for i, m := range modes {
		f, err := os.Create(filepath.Join(b.TempDir(), m))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		files[i] = f
	}
	var wall, cpu [3]time.Duration
	var shares, cpuShares [3][]float64 // each seed's untraced time over its traced time
	seed := uint64(0)
	for b.Loop() {
		seed++
		var took, used [3]time.Duration
		for i, m := range modes {
			o := orrery.Options{Replay: []uint64{orrery.SeedAt(seed)}}
			switch m {
			case "json":
				o.Trace = files[i]
			case "text":
				o.Log, o.LogFilter = files[i], "trace"
			}
			start, cpu0 := time.Now(), cputime.Process()
			if r, err := orrery.Run(s, o); err != nil || !r.OK() {
				b.Fatalf("run: %v", err)
			}
			took[i] = time.Since(start)
			wall[i] += took[i]
			used[i] = cputime.Process() - cpu0
			cpu[i] += used[i]
			shares[i] = append(shares[i], float64(took[0])/float64(took[i]))
			if used[i] > 0 {
				cpuShares[i] = append(cpuShares[i], float64(used[0])/float64(used[i]))
			}
		}
	}
	for i, m := range modes {
		b.ReportMetric(float64(b.N)/wall[i].Seconds(), m+"-seeds/s")
		if i > 0 {
			size, _ := files[i].Seek(0, io.SeekCurrent)
			b.ReportMetric(float64(wall[0])/float64(wall[i]), m+"-share")
			b.ReportMetric(median(shares[i]), m+"-medshare")
			if len(cpuShares[i]) > 0 {
				b.ReportMetric(median(cpuShares[i]), m+"-cpumedshare")
			}
			if cpu[i] > 0 {
				b.ReportMetric(float64(cpu[0])/float64(cpu[i]), m+"-cpushare")
			}
			b.ReportMetric(float64(size)/1e6/wall[i].Seconds(), m+"-MB/s")
		}
	}
	b.ReportMetric(0, "ns/op")
}

// median returns the middle of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// BenchmarkTraceMode runs bank seeds one at a time (replays) one way only,
// a sub-benchmark each: untraced, traced to a file as JSON Lines, and as
// text. It is for profiles: the difference of two of them in a profile is
// what a trace adds to a seed.
func BenchmarkTraceMode(b *testing.B) {
	s := bank.Simulation(bank.Options{})
	for _, m := range []string{"none", "json", "text"} {
		b.Run(m, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), m))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			seed := uint64(0)
			for b.Loop() {
				seed++
				o := orrery.Options{Replay: []uint64{orrery.SeedAt(seed)}}
				switch m {
				case "json":
					o.Trace = f
				case "text":
					o.Log, o.LogFilter = f, "trace"
				}
				if r, err := orrery.Run(s, o); err != nil || !r.OK() {
					b.Fatalf("run: %v", err)
				}
			}
		})
	}
}
