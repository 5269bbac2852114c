package disksim

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Config is the disk model. The zero value is the default device (25,000
// IOPS, 150 MB/s, reads 50-200 µs, writes 100-500 µs, syncs 1-5 ms,
// 512-byte sectors), no capacity limit and no faults.
type Config struct {
	IOPS               int   // operations per second the device sustains
	Bandwidth          int64 // bytes per second
	ReadMin, ReadMax   time.Duration
	WriteMin, WriteMax time.Duration
	SyncMin, SyncMax   time.Duration
	Capacity           int64 // bytes per disk; zero means unlimited
	// SectorSize is the device's atomic unit, a power of two (512 when
	// zero; 4096 for an Advanced Format drive). A crash tears a write at
	// the sector boundaries of the file, counted from its offset 0: a
	// write inside one sector is kept or lost whole, and a write that
	// straddles a boundary may keep one side only. Misdirected I/O lands
	// whole sectors away.
	SectorSize int
	Faults     Faults
}

// Validate reports the first field that makes no sense.
func (c Config) Validate() error {
	if c.IOPS < 0 || c.Bandwidth < 0 || c.Capacity < 0 {
		return fmt.Errorf("disksim: negative IOPS, bandwidth or capacity")
	}
	if c.SectorSize < 0 || c.SectorSize&(c.SectorSize-1) != 0 {
		return fmt.Errorf("disksim: sector size %d: want a power of two", c.SectorSize)
	}
	for _, d := range []time.Duration{c.ReadMin, c.ReadMax, c.WriteMin, c.WriteMax, c.SyncMin, c.SyncMax} {
		if d < 0 {
			return fmt.Errorf("disksim: negative latency %v", d)
		}
	}
	return c.Faults.Validate()
}

func pick(lo, hi, dlo, dhi time.Duration) (time.Duration, time.Duration) {
	if lo == 0 && hi == 0 {
		return dlo, dhi
	}
	return lo, max(hi, lo)
}

func (c Config) iops() int {
	if c.IOPS == 0 {
		return 25_000
	}
	return c.IOPS
}

func (c Config) sector() int64 {
	if c.SectorSize == 0 {
		return 512
	}
	return int64(c.SectorSize)
}

func (c Config) bandwidth() int64 {
	if c.Bandwidth == 0 {
		return 150_000_000
	}
	return c.Bandwidth
}

// Faults are the disk's injected faults, each a probability per operation
// (zero is off).
//
// Each fault injected asks the fault filter (sim.World.InjectFault), which
// may suppress it for shrinking: a suppressed fault makes its random draws
// and leaves its record (suppressed=true), but does not happen. A
// suppressed SyncFail lets the sync succeed. The crash model's faults are
// the crash's own (see Disk.Crash and Disk.Wipe). While a filter is set,
// each write a SyncFail or a crash tears (some of its sector pieces kept,
// some lost) is a TornWrite fault of its own, after theirs, which,
// suppressed, applies the write whole. Without a filter no TornWrite
// record is written, so that traces stay what they were.
type Faults struct {
	ReadCorruptP      float64 // a read returns data with a bit flipped
	WriteCorruptP     float64 // a write stores data with a bit flipped
	PhantomWriteP     float64 // a write is acknowledged and never happens
	MisdirectedWriteP float64 // a write lands some sectors away
	MisdirectedReadP  float64 // a read comes from some sectors away
	SyncFailP         float64 // a Sync fails with EIO; its pending data is in an unknown state
	// UnwrittenGarbage makes sectors never written (a hole left by a
	// write past the end) read as seeded garbage instead of zeros.
	UnwrittenGarbage bool
	// StallP is the chance per operation that the disk stalls: every
	// operation waits StallMin-StallMax (default 50-500 ms) more.
	StallP             float64
	StallMin, StallMax time.Duration
	// ThrottleP is the chance per operation of a throttling episode of
	// ThrottleFor (default 1 s) during which latencies are ten times longer.
	ThrottleP   float64
	ThrottleFor time.Duration
}

// Validate reports the first probability outside [0, 1].
func (f Faults) Validate() error {
	probs := []struct {
		name string
		p    float64
	}{{"ReadCorruptP", f.ReadCorruptP}, {"WriteCorruptP", f.WriteCorruptP}, {"PhantomWriteP", f.PhantomWriteP},
		{"MisdirectedWriteP", f.MisdirectedWriteP}, {"MisdirectedReadP", f.MisdirectedReadP},
		{"SyncFailP", f.SyncFailP}, {"StallP", f.StallP}, {"ThrottleP", f.ThrottleP}}
	for _, x := range probs {
		if x.p < 0 || x.p > 1 || math.IsNaN(x.p) {
			return fmt.Errorf("disksim: %s %v outside [0, 1]", x.name, x.p)
		}
	}
	if f.StallMin < 0 || f.StallMax < 0 || f.ThrottleFor < 0 {
		return fmt.Errorf("disksim: negative fault duration")
	}
	return nil
}

// StandardFaults are the default levels for chaos: rare sync failures and
// corruption, occasional stalls.
func StandardFaults() Faults {
	return Faults{SyncFailP: 0.001, ReadCorruptP: 0.0001, WriteCorruptP: 0.0001, StallP: 0.0005,
		ThrottleP: 0.0005, UnwrittenGarbage: true}
}

// SwarmFaults draws a fault mix for one seed: each family on or off, its
// level drawn.
func SwarmFaults(r *sim.Rand) Faults {
	var f Faults
	on := func() bool { return r.Bool(0.5) }
	if on() {
		f.SyncFailP = r.Float64() * 0.01
	}
	if on() {
		f.ReadCorruptP, f.WriteCorruptP = r.Float64()*0.001, r.Float64()*0.001
	}
	if on() {
		f.PhantomWriteP = r.Float64() * 0.001
	}
	if on() {
		f.MisdirectedWriteP, f.MisdirectedReadP = r.Float64()*0.001, r.Float64()*0.001
	}
	if on() {
		f.StallP, f.ThrottleP = r.Float64()*0.002, r.Float64()*0.002
	}
	f.UnwrittenGarbage = on()
	return f
}

// String prints the faults that are on, on one line, or "none".
func (f Faults) String() string {
	var parts []string
	for _, x := range []struct {
		name string
		p    float64
	}{{"sync-fail", f.SyncFailP}, {"read-corrupt", f.ReadCorruptP}, {"write-corrupt", f.WriteCorruptP},
		{"phantom-write", f.PhantomWriteP}, {"misdirected-write", f.MisdirectedWriteP},
		{"misdirected-read", f.MisdirectedReadP}, {"stall", f.StallP}, {"throttle", f.ThrottleP}} {
		if x.p > 0 {
			parts = append(parts, fmt.Sprintf("%s=%.3g", x.name, x.p))
		}
	}
	if f.UnwrittenGarbage {
		parts = append(parts, "garbage")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
