package bank_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
)

// BenchmarkTraceToFile runs bank seeds one at a time (replays), untraced,
// with every record written as JSON Lines to a file (Options.Trace, as
// go test -orrery.trace and --trace do), and with the text trace of
// every event written to a file (ORRERY_LOG=trace), side by side. It
// reports seeds per second of each, and the MB of trace per second.
func BenchmarkTraceToFile(b *testing.B) {
	s := bank.Simulation(bank.Options{})
	for _, out := range []string{"none", "json", "text"} {
		b.Run(out, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "trace"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			seed := uint64(0)
			for b.Loop() {
				seed++
				o := orrery.Options{Replay: []uint64{orrery.SeedAt(seed)}}
				switch out {
				case "json":
					o.Trace = f
				case "text":
					o.Log, o.LogFilter = f, "trace"
				}
				if r, err := orrery.Run(s, o); err != nil || !r.OK() {
					b.Fatalf("run: %v", err)
				}
			}
			size, _ := f.Seek(0, io.SeekCurrent)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
			b.ReportMetric(float64(size)/1e6/b.Elapsed().Seconds(), "MB/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
