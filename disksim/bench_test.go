package disksim_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkDiskWriteSync appends 4 KiB writes with a sync every 16, and
// reports simulated operations per wall second and the memory the disk
// holds per MiB stored.
func BenchmarkDiskWriteSync(b *testing.B) {
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
			if _, err := f.Write(block); err != nil {
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
	mib := float64(b.N) * 4096 / (1 << 20)
	b.ReportMetric(float64(after.HeapAlloc-min(after.HeapAlloc, before.HeapAlloc))/mib, "B/MiB-stored")
	runtime.KeepAlive(d)
}
