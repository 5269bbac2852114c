package chaos

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// Config is the faults a simulation meets. The zero value is a run without
// chaos beyond Buggify: no faults injected, the chaos phase lasting until
// every workload's Run returns.
type Config struct {
	// Duration bounds the chaos phase in logical time: after it, faults
	// stop even if workloads are still running. Zero means no bound.
	Duration time.Duration
	// Swarm switches each declared fault family on or off, and draws its
	// level, per seed from a stream derived from the seed, so that
	// different seeds explore different mixes of faults (swarm testing).
	// It never adds a family the simulation does not declare (see
	// Declared): a family the system is not built to survive would fail
	// seeds that find no bug.
	Swarm bool
	// Model, when not nil, names the network and disk families (see
	// Families) that swarm may draw, in place of those Net and Disk set:
	// for a simulation whose runs without swarm meet fewer families than
	// it claims to survive. Attrition, Pause and Buggify are declared by
	// Attrition, Pause and NoBuggify alone.
	Model []string
	// NoBuggify turns every Buggify site off for the whole run.
	NoBuggify bool
	// Attrition reboots random processes during the chaos phase.
	Attrition Attrition
	// Pause freezes random processes for a while during the chaos phase
	// (see Pauses and StandardPauses). It is a field of Config, next to
	// Attrition, because it is a fault of processes drawn per seed like
	// the others, not a timing of their lifecycle nor a property of their
	// clocks (which keep running through a pause).
	Pause Pauses
	// Net is the network's faults (see netsim.Faults); zero is none.
	Net netsim.Faults
	// Disk is the disks' faults (see disksim.Faults); zero is none.
	Disk disksim.Faults
}

// Standard is the default chaos: the network's standard faults (random
// closes, bit flips, partial I/O, connect failures) and the disks' (rare
// sync failures and corruption, stalls, garbage in unwritten sectors).
// Attrition is left out: it is for systems whose state survives a crash;
// add it with WithAttrition.
func Standard() Config {
	return Config{Net: netsim.StandardFaults(), Disk: disksim.StandardFaults()}
}

// WithAttrition returns c with the default attrition: at most one process
// down, crashed or shut down gracefully every 5 to 20 s.
func (c Config) WithAttrition() Config {
	c.Attrition = Attrition{MaxDead: 1, Graceful: 1, Crash: 2, MinInterval: 5 * time.Second, MaxInterval: 20 * time.Second}
	return c
}

// Attrition kills random processes at random times during the chaos phase,
// never more than MaxDead at once; each is rebooted after a recovery delay.
// The zero value is off.
type Attrition struct {
	// MaxDead is how many processes may be down at once; zero turns
	// attrition off.
	MaxDead int
	// Graceful, Crash and Wipe weigh the kinds of reboot: a graceful
	// shutdown, a crash, a crash that also wipes the disk. All zero means
	// crashes only.
	Graceful, Crash, Wipe float64
	// MinInterval and MaxInterval bound the time between two kills
	// (default 1 s to 10 s).
	MinInterval, MaxInterval time.Duration
}

// Enabled reports whether attrition kills anything.
func (a Attrition) Enabled() bool { return a.MaxDead > 0 }

// Validate reports the first field that makes no sense.
func (a Attrition) Validate() error {
	switch {
	case a.MaxDead < 0:
		return fmt.Errorf("attrition: negative MaxDead %d", a.MaxDead)
	case a.Graceful < 0 || a.Crash < 0 || a.Wipe < 0:
		return errors.New("attrition: negative weight")
	case a.MinInterval < 0 || a.MaxInterval < 0:
		return errors.New("attrition: negative interval")
	case a.MaxInterval > 0 && a.MaxInterval < a.MinInterval:
		return fmt.Errorf("attrition: MaxInterval %v below MinInterval %v", a.MaxInterval, a.MinInterval)
	}
	return nil
}

// Intervals returns the bounds of the time between kills, defaults applied.
func (a Attrition) Intervals() (lo, hi time.Duration) {
	lo, hi = a.MinInterval, a.MaxInterval
	if lo == 0 && hi == 0 {
		return time.Second, 10 * time.Second
	}
	return lo, max(hi, lo)
}

// Validate reports the first field that makes no sense.
func (c Config) Validate() error {
	if c.Duration < 0 {
		return errors.New("chaos: negative Duration " + c.Duration.String())
	}
	if err := c.Attrition.Validate(); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	if err := c.Pause.Validate(); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	if err := c.Net.Validate(); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	if err := c.Disk.Validate(); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	if err := validateModel(c.Model); err != nil {
		return fmt.Errorf("chaos: %w", err)
	}
	return nil
}

// Drawn is the fault configuration of one seed: the Config itself, or in
// swarm mode what the seed drew. Its String is printed with the seed.
type Drawn struct {
	Buggify   bool
	Attrition Attrition
	Pause     Pauses
	Net       netsim.Faults
	Disk      disksim.Faults

	// pauseOff is set when swarm drew the declared pauses off, which
	// String says, as it says every other declared family's state.
	pauseOff bool
}

// Draw returns the configuration of one seed. In swarm mode each declared
// family (see Declared; attrition when Attrition is on, pauses when Pause
// is, Buggify unless NoBuggify) is switched on or off and its level drawn from r (a stream
// derived from the seed, not the main one, so the draw does not shift the
// run's RNG count); the families c does not declare stay off.
func (c Config) Draw(r *sim.Rand) Drawn {
	d := Drawn{Buggify: !c.NoBuggify, Attrition: c.Attrition, Pause: c.Pause, Net: c.Net, Disk: c.Disk}
	if !c.Swarm {
		return d
	}
	d.Net, d.Disk = c.swarm(netsim.SwarmFaults(r), disksim.SwarmFaults(r))
	if d.Buggify {
		d.Buggify = r.Bool(0.5)
	}
	if d.Attrition.Enabled() && r.Bool(0.5) {
		d.Attrition = Attrition{}
	}
	d.Pause = c.Pause.swarm(r) // last: no draw at all when undeclared
	d.pauseOff = c.Pause.Enabled() && !d.Pause.Enabled()
	return d
}

// String prints the drawn families on one line ("buggify=on"); pauses
// only when on.
func (d Drawn) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "buggify=%s", onOff(d.Buggify))
	fmt.Fprintf(&b, " net=[%s] disk=[%s]", d.Net, d.Disk)
	fmt.Fprintf(&b, " attrition=%s", onOff(d.Attrition.Enabled()))
	if a := d.Attrition; a.Enabled() {
		lo, hi := a.Intervals()
		fmt.Fprintf(&b, "(max-dead=%d every %v-%v)", a.MaxDead, lo, hi)
	}
	if d.Pause.Enabled() {
		fmt.Fprintf(&b, " pause=on(%s)", d.Pause)
	} else if d.pauseOff {
		b.WriteString(" pause=off")
	}
	return b.String()
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
