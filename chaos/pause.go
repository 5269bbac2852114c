package chaos

import (
	"fmt"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Pauses is the fault of a process freezing, as a garbage collection, a
// VM migration or SIGSTOP freeze one: during the chaos phase, every
// PauseInterval of true time, each process that is up and not paused is
// paused with probability P for a duration drawn in [Min, Max], short
// pauses more often than long ones (Min plus the span times the cube of a
// uniform draw: with StandardPauses, half are under 270 ms). While paused
// its tasks do not run and its timers do not fire; the network and the
// other hosts go on, and its clock keeps running, so that it sees the time
// jump when it resumes: the classic trigger of lease and leader bugs. The
// zero value is off. Swarm draws it only when P is set: a simulation that
// sets P declares that it survives pauses.
type Pauses struct {
	P        float64
	Min, Max time.Duration
}

// PauseInterval is how often, in true time, pauses are drawn for each
// process.
const PauseInterval = time.Second

// StandardPauses is the level of pauses real processes meet: each process
// freezes with probability 1% a second, for 20 ms (a garbage collection)
// to 2 s (a VM migration, a stopped process).
var StandardPauses = Pauses{P: 0.01, Min: 20 * time.Millisecond, Max: 2 * time.Second}

// Enabled reports whether any pause is injected.
func (p Pauses) Enabled() bool { return p.P > 0 }

// Validate reports the first field that makes no sense.
func (p Pauses) Validate() error {
	if p.P < 0 || p.P > 1 || p.Min < 0 || p.Max < p.Min || (p.P > 0 && p.Max == 0) {
		return fmt.Errorf("pauses %+v: want P in [0, 1] and 0 <= Min <= Max, Max > 0 when P is set", p)
	}
	return nil
}

// Duration draws the length of one pause from r.
func (p Pauses) Duration(r *sim.Rand) time.Duration {
	u := r.Float64()
	return p.Min + time.Duration(float64(p.Max-p.Min)*u*u*u)
}

// swarm switches declared pauses on or off, and when on draws their
// probability between a quarter of and four times the declared one (at
// most 1) and their longest in [Min, Max].
func (p Pauses) swarm(r *sim.Rand) Pauses {
	if !p.Enabled() || r.Bool(0.5) {
		return Pauses{}
	}
	p.P = min(p.P*float64(int(1)<<r.IntN(5))/4, 1)
	p.Max = r.Duration(max(p.Min, 1), p.Max)
	return p
}

// String prints the level on one line ("p=0.01 20ms-2s").
func (p Pauses) String() string {
	return fmt.Sprintf("p=%g %v-%v", p.P, p.Min, p.Max)
}
