package chaos

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// Config is the faults a simulation meets. The zero value is a run without
// chaos beyond Buggify: no faults injected, the chaos phase lasting until
// every workload's Run returns.
type Config struct {
	// Duration bounds the chaos phase in logical time: after it, faults
	// stop even if workloads are still running. Zero means no bound.
	Duration time.Duration
	// Swarm switches each fault family on or off, and draws its level,
	// per seed from a stream derived from the seed, so that different
	// seeds explore different mixes of faults (swarm testing).
	Swarm bool
	// NoBuggify turns every Buggify site off for the whole run.
	NoBuggify bool
}

// Validate reports the first field that makes no sense.
func (c Config) Validate() error {
	if c.Duration < 0 {
		return errors.New("chaos: negative Duration " + c.Duration.String())
	}
	return nil
}

// Drawn is the fault configuration of one seed: the Config itself, or in
// swarm mode what the seed drew. Its String is printed with the seed.
type Drawn struct {
	Buggify bool
}

// Draw returns the configuration of one seed. In swarm mode each family is
// drawn from r (a stream derived from the seed, not the main one, so the
// draw does not shift the run's RNG count).
func (c Config) Draw(r *sim.Rand) Drawn {
	d := Drawn{Buggify: !c.NoBuggify}
	if c.Swarm && d.Buggify {
		d.Buggify = r.Bool(0.5)
	}
	return d
}

// String prints the drawn families on one line ("buggify=on").
func (d Drawn) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "buggify=%s", onOff(d.Buggify))
	return b.String()
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
