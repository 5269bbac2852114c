package netsim

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Faults are the network's injected faults: each a named probability or
// duration, zero meaning off. Heal turns them all off for the rest of the
// run.
type Faults struct {
	// Latency, unless it is the zero value, replaces Config.Latency while
	// faults are on: a slow or jittery network as a fault (an exponential
	// tail, a bimodal slow tail), which Heal ends.
	Latency Latency
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
	// while StartChaos runs, of a partition between groups of hosts
	// (random halves, a group of random size, or one host alone), healed
	// by PartitionRestore. OneWayP is the chance that a partition blocks
	// one direction only.
	PartitionP    float64
	OneWayP       float64
	ChaosInterval time.Duration
	// HostPartitionP is the chance, at every chaos interval, that one
	// host stops sending (SendPartitionClear heals it) or receiving
	// (RecvPartitionClear), half the time each.
	HostPartitionP float64
	// CutP is the chance, at every chaos interval, that one open
	// connection silently stops delivering until CutRestore.
	CutP float64
	// PartitionMin and PartitionMax bound how long what a chaos interval
	// starts lasts: partitions, host partitions and cuts (default 200 ms
	// to 2 s).
	PartitionMin, PartitionMax time.Duration
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
	for _, x := range f.probabilities() {
		if x.p < 0 || x.p > 1 || math.IsNaN(x.p) {
			return fmt.Errorf("netsim: Faults %s %v outside [0, 1]", x.name, x.p)
		}
	}
	for _, d := range []struct {
		name   string
		lo, hi time.Duration
	}{{"PairLatencyMax", 0, f.PairLatencyMax}, {"Clog", f.ClogMin, f.ClogMax},
		{"Partition", f.PartitionMin, f.PartitionMax}, {"ChaosInterval", 0, f.ChaosInterval},
		{"RandomCloseCooldown", 0, f.RandomCloseCooldown}, {"HalfOpen", f.HalfOpenMin, f.HalfOpenMax}} {
		if d.lo < 0 || d.hi < 0 || (d.hi > 0 && d.hi < d.lo) {
			return fmt.Errorf("netsim: Faults %s: bad durations %v-%v", d.name, d.lo, d.hi)
		}
	}
	if err := f.Latency.validate(); err != nil {
		return fmt.Errorf("netsim: Faults: %w", err)
	}
	return nil
}

type namedP struct {
	name string
	p    float64
}

// probabilities lists the probability knobs by the names String prints.
func (f Faults) probabilities() []namedP {
	return []namedP{{"clog", f.ClogP}, {"read-clog", f.ReadClogP}, {"partition", f.PartitionP},
		{"one-way", f.OneWayP}, {"host-partition", f.HostPartitionP}, {"cut", f.CutP},
		{"random-close", f.RandomCloseP}, {"random-close-rst", f.RandomCloseResetP},
		{"bit-flip", f.BitFlipP}, {"partial", f.PartialP}, {"connect-fail", f.ConnectFailP},
		{"dgram-loss", f.DatagramLossP}, {"dgram-dup", f.DatagramDupP}}
}

// StandardFaults are the default fault levels: a random
// close per 100,000 I/O operations (30 % of them resets, 5 s cooldown), a
// bit flip per 10,000 deliveries, partial I/O and connect failures on 1 %
// of operations (the buggify rate); clogs, partitions, cuts and datagram
// faults are left to swarm mode and to explicit values. Half-open
// connections happen when Host.Crash asks for them.
func StandardFaults() Faults {
	return Faults{
		RandomCloseP: 0.00001, RandomCloseResetP: 0.3, RandomCloseCooldown: 5 * time.Second,
		BitFlipP: 0.0001, PartialP: 0.01, ConnectFailP: 0.01,
	}
}

// SwarmFaults draws a fault mix for one seed from r: every family switched
// on or off with even odds, and the level of those on drawn, so that
// different seeds stress different combinations. The families: a latency
// shape (exponential or bimodal tail), per-pair latency, clogs (up to
// 19 %), partitions (up to 5 % per chaos interval, some one-way), host
// partitions, cuts, random closes, bit flips, partial I/O, connect
// failures and datagram faults (loss up to 30 %, duplication up to 50 %,
// reordering).
func SwarmFaults(r *sim.Rand) Faults {
	var f Faults
	std := StandardFaults()
	on := func() bool { return r.Bool(0.5) }
	if on() {
		f.Latency = swarmLatency(r)
	}
	if on() {
		f.PairLatencyMax = r.Duration(0, 5*time.Millisecond)
	}
	if on() {
		f.ClogP, f.ReadClogP = r.Float64()*0.19, r.Float64()*0.19
	}
	if on() {
		f.PartitionP, f.OneWayP = r.Float64()*0.05, r.Float64()*0.5
	}
	if on() {
		f.HostPartitionP = r.Float64() * 0.02
	}
	if on() {
		f.CutP = r.Float64() * 0.05
	}
	if on() {
		f.RandomCloseP, f.RandomCloseResetP, f.RandomCloseCooldown = std.RandomCloseP, std.RandomCloseResetP, std.RandomCloseCooldown
	}
	if on() {
		f.BitFlipP = std.BitFlipP
	}
	if on() {
		f.PartialP = std.PartialP
	}
	if on() {
		f.ConnectFailP = std.ConnectFailP
	}
	if on() {
		f.DatagramLossP, f.DatagramDupP, f.DatagramReorder = r.Float64()*0.3, r.Float64()*0.5, on()
	}
	return f
}

// swarmLatency draws a slow network: an exponential tail up to 5-50 ms,
// or a bimodal slow tail of 10-100 ms on up to 1 % of deliveries.
func swarmLatency(r *sim.Rand) Latency {
	if r.Bool(0.5) {
		hi := r.Duration(5*time.Millisecond, 50*time.Millisecond)
		return Latency{Shape: Exponential, Min: 100 * time.Microsecond, Max: hi, Mean: hi / 10}
	}
	return Latency{Shape: Bimodal, SlowP: r.Float64() * 0.01}
}

// String prints the faults that are on, on one line ("clog=0.05
// partition=0.01 one-way=0.3"), or "none".
func (f Faults) String() string {
	var parts []string
	if f.Latency != (Latency{}) {
		parts = append(parts, "latency="+f.Latency.String())
	}
	if f.PairLatencyMax > 0 {
		parts = append(parts, "pair-latency<="+f.PairLatencyMax.String())
	}
	for _, x := range f.probabilities() {
		if x.p > 0 {
			parts = append(parts, fmt.Sprintf("%s=%.3g", x.name, x.p))
		}
	}
	if f.DatagramReorder {
		parts = append(parts, "dgram-reorder")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}
