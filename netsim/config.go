package netsim

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Config is the network's model. The zero value is realistic latency and
// no faults.
type Config struct {
	// Latency is the one-way delay of each chunk of data, each datagram
	// and each FIN. The zero value is uniform 100-600 µs.
	Latency Latency
	// ConnectMin and ConnectMax bound the time a dial takes to connect
	// (default 1-11 ms).
	ConnectMin, ConnectMax time.Duration
	// Faults are the injected faults; the zero value is none.
	Faults Faults
}

// Validate reports the first field that makes no sense.
func (c Config) Validate() error {
	if c.ConnectMin < 0 || c.ConnectMax < 0 || (c.ConnectMax > 0 && c.ConnectMax < c.ConnectMin) {
		return fmt.Errorf("netsim: connect latency %v-%v", c.ConnectMin, c.ConnectMax)
	}
	if err := c.Latency.validate(); err != nil {
		return err
	}
	return c.Faults.Validate()
}

func (c Config) connectBounds() (time.Duration, time.Duration) {
	if c.ConnectMin == 0 && c.ConnectMax == 0 {
		return time.Millisecond, 11 * time.Millisecond
	}
	return c.ConnectMin, max(c.ConnectMax, c.ConnectMin)
}

// Shape is how latencies are distributed.
type Shape uint8

// The latency shapes.
const (
	// Uniform draws between Min and Max.
	Uniform Shape = iota
	// Exponential draws Min plus an exponential tail of mean Mean, capped
	// at Max (as TigerBeetle's simulator does).
	Exponential
	// Bimodal is Uniform, except that with probability SlowP a delay is
	// drawn between SlowMin and SlowMax instead (FoundationDB's rare slow
	// tail).
	Bimodal
)

var shapeNames = [...]string{"uniform", "exponential", "bimodal"}

// String returns the shape's name.
func (s Shape) String() string {
	if int(s) < len(shapeNames) {
		return shapeNames[s]
	}
	return fmt.Sprintf("Shape(%d)", uint8(s))
}

// Latency is a distribution of one-way delays.
type Latency struct {
	Shape    Shape
	Min, Max time.Duration // default 100 µs and 600 µs
	Mean     time.Duration // Exponential's mean above Min (default (Max-Min)/4)
	// SlowP, SlowMin and SlowMax are Bimodal's slow tail.
	SlowP            float64
	SlowMin, SlowMax time.Duration
}

func (l Latency) validate() error {
	switch {
	case l.Shape > Bimodal:
		return fmt.Errorf("netsim: unknown latency shape %v", l.Shape)
	case l.Min < 0 || l.Max < 0 || l.Mean < 0 || l.SlowMin < 0 || l.SlowMax < 0:
		return errors.New("netsim: negative latency")
	case l.Max > 0 && l.Max < l.Min:
		return fmt.Errorf("netsim: latency Max %v below Min %v", l.Max, l.Min)
	case l.SlowP < 0 || l.SlowP > 1:
		return fmt.Errorf("netsim: latency SlowP %v outside [0, 1]", l.SlowP)
	}
	return nil
}

// draw returns one delay.
func (l Latency) draw(r *sim.Rand) time.Duration {
	lo, hi := l.Min, l.Max
	if lo == 0 && hi == 0 {
		lo, hi = 100*time.Microsecond, 600*time.Microsecond
	}
	hi = max(hi, lo)
	switch l.Shape {
	case Exponential:
		mean := l.Mean
		if mean == 0 {
			mean = max((hi-lo)/4, time.Microsecond)
		}
		d := lo + time.Duration(-math.Log(1-r.Float64())*float64(mean))
		return min(d, hi)
	case Bimodal:
		if l.SlowP > 0 && r.Bool(l.SlowP) {
			return r.Duration(l.SlowMin, max(l.SlowMax, l.SlowMin))
		}
	}
	return r.Duration(lo, hi)
}

// Faults are the network's injected faults: each a named probability or
// duration, zero meaning off.
type Faults struct {
	// PairLatencyMax adds to every delay between two hosts an extra drawn
	// once per ordered pair, uniform in [0, PairLatencyMax].
	PairLatencyMax time.Duration
	// ClogP is the chance that a write clogs its direction of the
	// connection for ClogMin-ClogMax (default 100-300 ms): no data moves
	// until ClogClear. ReadClogP does the same to the reading side: data
	// arrives but cannot be read until ReadClogClear.
	ClogP, ReadClogP float64
	ClogMin, ClogMax time.Duration
	// PartitionP is the chance, at every ChaosInterval (default 100 ms)
	// of the chaos phase, of a partition between groups of hosts lasting
	// PartitionMin-PartitionMax (default 200 ms-2 s), healed by
	// PartitionRestore. OneWayP is the chance a partition blocks one
	// direction only.
	PartitionP                 float64
	OneWayP                    float64
	PartitionMin, PartitionMax time.Duration
	ChaosInterval              time.Duration
	// RandomCloseP is the chance, per read or write, that the connection
	// is closed under the application: a reset with probability
	// RandomCloseResetP (default 0.3), else a FIN. At most one per
	// RandomCloseCooldown (default 5 s) in the whole network.
	RandomCloseP        float64
	RandomCloseResetP   float64
	RandomCloseCooldown time.Duration
	// BitFlipP is the chance that a delivered chunk has 1 to 32 bits
	// flipped, k bits with probability proportional to 2^-k.
	BitFlipP float64
	// PartialP is the chance that a chunk moved onto the wire, or a read,
	// is cut short (to at most 1000 bytes): legal for TCP, and a classic
	// source of framing bugs.
	PartialP float64
	// ConnectFailP is the chance that a dial fails: refused, or hanging
	// until the caller's deadline, half the time each.
	ConnectFailP float64
	// HalfOpenMin and HalfOpenMax bound how long a connection whose peer
	// crashed looks alive (writes succeed) before HalfOpenError resets it
	// (default 1-5 s). Host.Crash chooses half-open connections.
	HalfOpenMin, HalfOpenMax time.Duration
	// DatagramLossP, DatagramDupP and DatagramReorder drop, duplicate and
	// reorder datagrams (reordering adds up to ten latencies).
	DatagramLossP, DatagramDupP float64
	DatagramReorder             bool
}

// Validate reports the first field that makes no sense.
func (f Faults) Validate() error {
	probs := []struct {
		name string
		p    float64
	}{{"ClogP", f.ClogP}, {"ReadClogP", f.ReadClogP}, {"PartitionP", f.PartitionP}, {"OneWayP", f.OneWayP},
		{"RandomCloseP", f.RandomCloseP}, {"RandomCloseResetP", f.RandomCloseResetP}, {"BitFlipP", f.BitFlipP},
		{"PartialP", f.PartialP}, {"ConnectFailP", f.ConnectFailP}, {"DatagramLossP", f.DatagramLossP},
		{"DatagramDupP", f.DatagramDupP}}
	for _, x := range probs {
		if x.p < 0 || x.p > 1 || math.IsNaN(x.p) {
			return fmt.Errorf("netsim: %s %v outside [0, 1]", x.name, x.p)
		}
	}
	for _, d := range []time.Duration{f.PairLatencyMax, f.ClogMin, f.ClogMax, f.PartitionMin, f.PartitionMax,
		f.ChaosInterval, f.RandomCloseCooldown, f.HalfOpenMin, f.HalfOpenMax} {
		if d < 0 {
			return fmt.Errorf("netsim: negative duration %v in Faults", d)
		}
	}
	return nil
}

// bounds returns lo-hi, or the defaults when both are zero.
func bounds(lo, hi, dlo, dhi time.Duration) (time.Duration, time.Duration) {
	if lo == 0 && hi == 0 {
		return dlo, dhi
	}
	return lo, max(hi, lo)
}

// StandardFaults are the default levels of DESIGN.md section 5: random
// closes and bit flips at low rates, half-open connections on crashes,
// partial I/O and connect failures occasionally; clogs and partitions are
// left to swarm mode.
func StandardFaults() Faults {
	return Faults{
		RandomCloseP: 0.00001, RandomCloseResetP: 0.3, RandomCloseCooldown: 5 * time.Second,
		BitFlipP: 0.0001, PartialP: 0.01, ConnectFailP: 0.01,
	}
}

// SwarmFaults draws a fault mix for one seed from r: each family switched
// on or off, and its level drawn, so that different seeds stress different
// combinations.
func SwarmFaults(r *sim.Rand) Faults {
	f := StandardFaults()
	on := func() bool { return r.Bool(0.5) }
	if on() {
		f.ClogP, f.ReadClogP = r.Float64()*0.19, r.Float64()*0.19
	}
	if on() {
		f.PartitionP, f.OneWayP = r.Float64()*0.05, r.Float64()*0.5
	}
	if on() {
		f.PairLatencyMax = r.Duration(0, 5*time.Millisecond)
	}
	if !on() {
		f.RandomCloseP = 0
	}
	if !on() {
		f.BitFlipP = 0
	}
	if on() {
		f.DatagramLossP, f.DatagramDupP, f.DatagramReorder = r.Float64()*0.3, r.Float64()*0.5, on()
	}
	return f
}

// String prints the faults that are on, on one line ("clog=0.05
// partition=0.01"), or "none".
func (f Faults) String() string {
	var parts []string
	add := func(name string, v float64) {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s=%.3g", name, v))
		}
	}
	add("clog", f.ClogP)
	add("read-clog", f.ReadClogP)
	add("partition", f.PartitionP)
	add("random-close", f.RandomCloseP)
	add("bit-flip", f.BitFlipP)
	add("partial", f.PartialP)
	add("connect-fail", f.ConnectFailP)
	add("dgram-loss", f.DatagramLossP)
	add("dgram-dup", f.DatagramDupP)
	if f.PairLatencyMax > 0 {
		parts = append(parts, "pair-latency<="+f.PairLatencyMax.String())
	}
	if f.DatagramReorder {
		parts = append(parts, "dgram-reorder")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
