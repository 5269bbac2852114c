package orrery

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Clocks is how far the hosts' clocks differ from true logical time, and
// the clock faults they meet. Each host has its own clock (its env.Clock):
// at the start of a seed its offset is drawn in [-MaxOffset, MaxOffset]
// and its drift rate in [-MaxDriftPPM, MaxDriftPPM] parts per million,
// from the seed's configuration stream, so the draws do not move the main
// stream. The zero value is no skew and no faults: every host reads true
// logical time, as before per-host clocks existed.
type Clocks struct {
	// MaxOffset bounds each host's clock offset at the start.
	MaxOffset time.Duration
	// MaxDriftPPM bounds each host's drift rate, in parts per million
	// (100 ppm gains or loses 0.36 s an hour). At most sim.MaxDriftPPM.
	MaxDriftPPM int64
	// Step is the fault of a host's wall clock jumping, as an NTP
	// correction does.
	Step ClockStep
	// Drift is the fault of a host's clock running fast or slow for a
	// period.
	Drift ClockDrift
}

// ClockStep is a clock fault: during the chaos phase, every
// ClockFaultInterval of true time, each host's wall clock jumps with
// probability P by a duration drawn in [-Max, Max] (backward for a
// negative one). Monotonic readings and timers are not moved.
type ClockStep struct {
	P   float64
	Max time.Duration
}

// ClockDrift is a clock fault: during the chaos phase, every
// ClockFaultInterval of true time, a host not already in such a period
// starts, with probability P, to drift at a rate drawn in [-MaxPPM,
// MaxPPM] for a period drawn in [MinFor, MaxFor], then returns to its own
// rate. Healing ends every period. A period the fault filter suppresses
// (shrinking) leaves the clock at its own rate.
type ClockDrift struct {
	P              float64
	MaxPPM         int64
	MinFor, MaxFor time.Duration
}

// ClockFaultInterval is how often, in true time, the clock faults are drawn
// for each host.
const ClockFaultInterval = time.Second

// NTPClocks is the skew of machines whose clocks NTP keeps in step:
// offsets up to 50 ms, drift up to 200 ppm, no clock faults.
var NTPClocks = Clocks{MaxOffset: 50 * time.Millisecond, MaxDriftPPM: 200}

// NTPClockFaults is NTPClocks with the clock faults such machines meet: a
// step of up to 500 ms either way, and a period of 1-10 s drifting up to
// 5000 ppm, each for a host with probability 1% a second.
var NTPClockFaults = Clocks{
	MaxOffset: 50 * time.Millisecond, MaxDriftPPM: 200,
	Step:  ClockStep{P: 0.01, Max: 500 * time.Millisecond},
	Drift: ClockDrift{P: 0.01, MaxPPM: 5000, MinFor: time.Second, MaxFor: 10 * time.Second},
}

// Validate reports the first setting that cannot be used.
func (c Clocks) Validate() error {
	var errs []error
	if c.MaxOffset < 0 {
		errs = append(errs, fmt.Errorf("clocks: MaxOffset %v is negative", c.MaxOffset))
	}
	if c.MaxDriftPPM < 0 || c.MaxDriftPPM > sim.MaxDriftPPM {
		errs = append(errs, fmt.Errorf("clocks: MaxDriftPPM %d is outside [0, %d]", c.MaxDriftPPM, sim.MaxDriftPPM))
	}
	if c.Step.P < 0 || c.Step.P > 1 || c.Step.Max < 0 {
		errs = append(errs, fmt.Errorf("clocks: Step %+v: want P in [0, 1] and Max >= 0", c.Step))
	}
	d := c.Drift
	if d.P < 0 || d.P > 1 || d.MaxPPM < 0 || d.MaxPPM > sim.MaxDriftPPM || d.MinFor < 0 || d.MaxFor < d.MinFor {
		errs = append(errs, fmt.Errorf("clocks: Drift %+v: want P in [0, 1], MaxPPM in [0, %d], 0 <= MinFor <= MaxFor", d, sim.MaxDriftPPM))
	}
	return errors.Join(errs...)
}

// faulty reports whether c injects clock faults.
func (c Clocks) faulty() bool { return c.Step.P > 0 || c.Drift.P > 0 }

// swarm draws the clock faults of a seed in swarm mode, from the
// configuration stream: each family c declares (its P set) is switched on
// or off, and when on its probability is drawn between a quarter of and
// four times the declared one (at most 1), its bounds kept. A family c
// does not declare stays off, and costs no draw.
func (c Clocks) swarm(r *sim.Rand) Clocks {
	c.Step.P = swarmP(r, c.Step.P)
	c.Drift.P = swarmP(r, c.Drift.P)
	return c
}

func swarmP(r *sim.Rand, p float64) float64 {
	if p == 0 || r.Bool(0.5) {
		return 0
	}
	return min(p*float64(int(1)<<r.IntN(5))/4, 1)
}

// swarmString prints the clock faults drawn of those declared (by
// declared), as the drawn mix is printed with the seed
// (" clock-step=on(p=0.01 max=500ms) clock-drift=off"); "" when none is
// declared.
func (c Clocks) swarmString(declared Clocks) string {
	var s string
	if declared.Step.P > 0 {
		s += " clock-step=off"
		if c.Step.P > 0 {
			s = s[:len(s)-3] + fmt.Sprintf("on(p=%g max=%v)", c.Step.P, c.Step.Max)
		}
	}
	if declared.Drift.P > 0 {
		s += " clock-drift=off"
		if d := c.Drift; d.P > 0 {
			s = s[:len(s)-3] + fmt.Sprintf("on(p=%g ppm=%d for %v-%v)", d.P, d.MaxPPM, d.MinFor, d.MaxFor)
		}
	}
	return s
}

// newClock returns h's clock, drawing its skew from the configuration
// stream when there is any to draw.
func (c *cluster) newClock(name string) *sim.HostClock {
	cl := c.clocks
	var offset time.Duration
	var ppm int64
	conf := c.w.ConfigRand()
	if cl.MaxOffset > 0 {
		offset = conf.Duration(0, 2*cl.MaxOffset) - cl.MaxOffset
	}
	if cl.MaxDriftPPM > 0 {
		ppm = conf.Int64N(2*cl.MaxDriftPPM+1) - cl.MaxDriftPPM
	}
	return sim.NewHostClock(c.w, name, offset, ppm)
}

// startClockFaults starts the task that injects clock faults in the chaos
// phase, if the simulation has any.
func (c *cluster) startClockFaults(ctx context.Context) {
	c.startPauses(ctx) // the faults of a host's time: its clock, its pauses
	if !c.clocks.faulty() {
		return
	}
	sim.GoDaemon(ctx, "orrery/clocks", c.clockFaults)
}

func (c *cluster) clockFaults(ctx context.Context) {
	cl := c.clocks
	rng := c.w.Rand()
	for !c.healed {
		if sim.Sleep(ctx, ClockFaultInterval) != nil || c.healed {
			return
		}
		for _, h := range c.hosts {
			if cl.Step.P > 0 && rng.Bool(cl.Step.P) {
				if d := rng.Duration(0, 2*cl.Step.Max) - cl.Step.Max; d != 0 {
					h.clock.Step(d)
				}
			}
			if cl.Drift.P > 0 && h.driftEnd == nil && rng.Bool(cl.Drift.P) {
				c.driftPeriod(ctx, h, rng.Int64N(2*cl.Drift.MaxPPM+1)-cl.Drift.MaxPPM,
					rng.Duration(cl.Drift.MinFor, cl.Drift.MaxFor))
			}
		}
	}
}

// driftPeriod sets h's clock drifting at ppm for d of true time. The
// period is a fault the fault filter may suppress: a suppressed one leaves
// the clock at its own rate, but still holds the host's period until its
// end, so that the draws of later periods stay those of the run that
// drifted.
func (c *cluster) driftPeriod(ctx context.Context, h *host, ppm int64, d time.Duration) {
	base := h.clock.DriftPPM()
	if !h.clock.InjectDrift(ppm) {
		base = noDrift
	}
	h.driftEnd = sim.AfterFunc(ctx, d, func() { h.endDrift(base) })
	h.driftBase = base
}

// noDrift is the base rate of a drift period the fault filter suppressed:
// its end has no rate to return to.
const noDrift = math.MinInt64

// endDrift returns h's clock to its own rate after a drift period.
func (h *host) endDrift(base int64) {
	h.driftEnd = nil
	if base != noDrift {
		h.clock.SetDrift(base)
	}
}

// healClocks ends every drift period: the hosts' clocks return to their
// own rates (steps already made stay, as a corrected clock stays).
func (c *cluster) healClocks() {
	c.resumeAll()
	for _, h := range c.hosts {
		if h.driftEnd != nil {
			h.driftEnd.Stop()
			h.endDrift(h.driftBase)
		}
	}
}

// hostClock returns the clock of the host called name in ctx's simulation.
func hostClock(ctx context.Context, name string) (*sim.HostClock, error) {
	c := clusterOf(ctx)
	if c == nil {
		return nil, errors.New("host clock: not in a simulation")
	}
	h, ok := c.byName[name]
	if !ok {
		return nil, fmt.Errorf("host clock: no host called %q", name)
	}
	return h.clock, nil
}

// StepClock jumps the wall clock of the host called name by d (backward
// for a negative d), as an NTP correction does, and records it as a
// ClockStep fault: a manual clock fault, for a workload that tests what a
// step does. The host's monotonic clock and timers are not moved.
func StepClock(ctx context.Context, name string, d time.Duration) error {
	cl, err := hostClock(ctx, name)
	if err != nil {
		return err
	}
	cl.Step(d)
	return nil
}

// SetClockDrift sets the drift rate of the host called name's clock to ppm
// parts per million from now on, and records it as a ClockDrift fault,
// which the fault filter may suppress (see sim.World.InjectFault): then
// the rate stays as it was.
func SetClockDrift(ctx context.Context, name string, ppm int64) error {
	cl, err := hostClock(ctx, name)
	if err != nil {
		return err
	}
	if ppm > sim.MaxDriftPPM || ppm < -sim.MaxDriftPPM {
		return fmt.Errorf("host clock %s: drift %d ppm is beyond ±%d", name, ppm, sim.MaxDriftPPM)
	}
	cl.InjectDrift(ppm)
	return nil
}
