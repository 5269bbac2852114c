package disksim_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkDiskWriteSync writes 4 KiB blocks with a sync every 16 to a
// file used as a 64 MiB ring (a log that wraps, so that the benchmark
// measures the disk rather than the machine's page faults), and reports
// simulated operations per wall second and the memory the disk holds per
// MiB stored.
func BenchmarkDiskWriteSync(b *testing.B) {
	const ringBlocks = 64 << 20 / 4096
	w := sim.New(sim.Config{Seed: 1})
	d := disksim.New(w, disksim.Config{}).Disk("db")
	block := make([]byte, 4096)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w.Spawn("writer", func(ctx context.Context) {
		f, err := d.Create(ctx, "data")
		if err != nil {
			b.Error(err)
			return
		}
		b.ResetTimer()
		for i := range b.N {
			if _, err := f.WriteAt(block, int64(i%ringBlocks)*4096); err != nil {
				b.Error(err)
				return
			}
			if i%16 == 15 {
				if err := f.Sync(); err != nil {
					b.Error(err)
					return
				}
			}
		}
		b.StopTimer()
	})
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	ops := float64(b.N + b.N/16)
	b.ReportMetric(ops/b.Elapsed().Seconds(), "ops/s")
	mib := float64(min(b.N, ringBlocks)) * 4096 / (1 << 20)
	b.ReportMetric(float64(after.HeapAlloc-min(after.HeapAlloc, before.HeapAlloc))/mib, "B/MiB-stored")
	runtime.KeepAlive(d)
}
