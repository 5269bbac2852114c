package netsim

import (
	"errors"
	"fmt"
	"math"
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
	// AcceptMin and AcceptMax bound the time Accept takes to hand over a
	// connection that has arrived (default 1-6 ms).
	AcceptMin, AcceptMax time.Duration
	// BindMin and BindMax bound the time Listen and ListenPacket take
	// (default 10-100 µs).
	BindMin, BindMax time.Duration
	// ReceiveWindow is how many bytes of each direction of a connection
	// may be unread by the receiver, arrived or on their way, before the
	// sender stops sending; zero means 128 KiB, Linux's default. A writer
	// blocks once the window and its 64 KiB send buffer are full, so a
	// peer that does not read stops it, and two peers that both write more
	// than that before reading deadlock, as they do over TCP.
	ReceiveWindow int
	// Faults are the injected faults; the zero value is none.
	Faults Faults
}

// Validate reports the first field that makes no sense.
func (c Config) Validate() error {
	for _, r := range []struct {
		name     string
		min, max time.Duration
	}{{"connect", c.ConnectMin, c.ConnectMax}, {"accept", c.AcceptMin, c.AcceptMax}, {"bind", c.BindMin, c.BindMax}} {
		if r.min < 0 || r.max < 0 || (r.max > 0 && r.max < r.min) {
			return fmt.Errorf("netsim: %s latency %v-%v: negative, or max below min", r.name, r.min, r.max)
		}
	}
	if c.ReceiveWindow < 0 {
		return fmt.Errorf("netsim: receive window %d: negative", c.ReceiveWindow)
	}
	if err := c.Latency.validate(); err != nil {
		return err
	}
	return c.Faults.Validate()
}

func (c *Config) connectBounds() (time.Duration, time.Duration) {
	return bounds(c.ConnectMin, c.ConnectMax, time.Millisecond, 11*time.Millisecond)
}

func (c *Config) acceptBounds() (time.Duration, time.Duration) {
	return bounds(c.AcceptMin, c.AcceptMax, time.Millisecond, 6*time.Millisecond)
}

func (c *Config) bindBounds() (time.Duration, time.Duration) {
	return bounds(c.BindMin, c.BindMax, 10*time.Microsecond, 100*time.Microsecond)
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

// Latency is a distribution of one-way delays. The zero value is uniform
// 100-600 µs.
type Latency struct {
	Shape    Shape
	Min, Max time.Duration // default 100 µs and 600 µs
	Mean     time.Duration // Exponential's mean above Min (default (Max-Min)/4)
	// SlowP, SlowMin and SlowMax are Bimodal's slow tail: the chance of a
	// slow delay, and its bounds (default 10-100 ms).
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
	case l.SlowMax > 0 && l.SlowMax < l.SlowMin:
		return fmt.Errorf("netsim: latency SlowMax %v below SlowMin %v", l.SlowMax, l.SlowMin)
	case l.SlowP < 0 || l.SlowP > 1 || math.IsNaN(l.SlowP):
		return fmt.Errorf("netsim: latency SlowP %v outside [0, 1]", l.SlowP)
	}
	return nil
}

// resolved returns l with its defaults filled in, so that draw reads no
// defaults on the hot path.
func (l Latency) resolved() Latency {
	l.Min, l.Max = bounds(l.Min, l.Max, 100*time.Microsecond, 600*time.Microsecond)
	if l.Mean == 0 {
		l.Mean = max((l.Max-l.Min)/4, time.Microsecond)
	}
	l.SlowMin, l.SlowMax = bounds(l.SlowMin, l.SlowMax, 10*time.Millisecond, 100*time.Millisecond)
	return l
}

// draw returns one delay of a resolved Latency.
func (l *Latency) draw(r *sim.Rand) time.Duration {
	switch l.Shape {
	case Exponential:
		d := l.Min + time.Duration(-math.Log(1-r.Float64())*float64(l.Mean))
		return min(d, l.Max)
	case Bimodal:
		if l.SlowP > 0 && r.Bool(l.SlowP) {
			return r.Duration(l.SlowMin, l.SlowMax)
		}
	}
	return r.Duration(l.Min, l.Max)
}

// String prints the distribution: "uniform(100µs-600µs)",
// "exponential(100µs-20ms mean=2ms)", "bimodal(100µs-600µs slow=0.01:10ms-100ms)".
func (l Latency) String() string {
	r := l.resolved()
	switch l.Shape {
	case Exponential:
		return fmt.Sprintf("%v(%v-%v mean=%v)", l.Shape, r.Min, r.Max, r.Mean)
	case Bimodal:
		return fmt.Sprintf("%v(%v-%v slow=%.3g:%v-%v)", l.Shape, r.Min, r.Max, r.SlowP, r.SlowMin, r.SlowMax)
	}
	return fmt.Sprintf("%v(%v-%v)", l.Shape, r.Min, r.Max)
}

// bounds returns lo-hi, or the defaults dlo-dhi when both are zero; hi is
// never below lo.
func bounds(lo, hi, dlo, dhi time.Duration) (time.Duration, time.Duration) {
	if lo == 0 && hi == 0 {
		return dlo, dhi
	}
	return lo, max(hi, lo)
}
