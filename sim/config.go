package sim

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// Config describes a World. The zero Config is valid: seed 0, no trace
// output, the default bounds.
type Config struct {
	// Seed drives every random decision of the run.
	Seed uint64
	// Name names the simulation in the trace's first record, so that tools
	// can tell traces of different simulations apart.
	Name string

	// Log receives the human-readable trace, one line per record, filtered
	// by LogFilter. Nil means none: the engine writes nowhere else, and
	// reads no environment variable; the runner that owns the terminal
	// (orrerytest, package cli) resolves ORRERY_LOG and passes standard
	// error here.
	Log io.Writer
	// LogFilter selects what Log shows, in the ORRERY_LOG syntax
	// ("trace", "info", "netsim=trace,info"). Empty shows nothing.
	LogFilter string

	// Trace receives every record as JSON Lines, for the trace tools.
	Trace io.Writer

	// Verbose builds every log record, at every level, whatever Log and
	// Trace show, and folds those below Info into VerboseHash. Without it
	// a record below Info is built only when Log or Trace shows it, and
	// logging it otherwise costs the call and no more. The determinism
	// check sets it on both runs of a pair, so that a debug line that
	// differs between them is found.
	Verbose bool

	// MaxTime ends a run whose workloads are still unfinished at this
	// logical time with a stall failure. Zero means one hour.
	MaxTime time.Duration
	// LivelockPolls is how many times one task may be resumed without
	// logical time advancing before the run fails with a livelock. Zero
	// means 100,000.
	LivelockPolls int
	// Watchdog is how long, in real time, one step may take before Run
	// reports the running task as blocked outside the simulation (on a raw
	// channel, a real lock, real I/O, a busy loop). Zero means 10 seconds;
	// negative turns the watchdog off. A task that the Go runtime has
	// parked in a wait no task can end (a Go channel, a lock of package
	// sync, time.Sleep) is reported sooner: after a quarter of Watchdog or
	// one second, whichever is shorter.
	Watchdog time.Duration
	// MaxDrift bounds how far the drifted clock (World.Drifted) runs ahead
	// of logical time. Zero means 100 ms.
	MaxDrift time.Duration
}

// Defaults of the zero Config.
const (
	DefaultMaxTime       = time.Hour
	DefaultLivelockPolls = 100_000
	DefaultWatchdog      = 10 * time.Second
	DefaultMaxDrift      = 100 * time.Millisecond
)

// Validate reports every field that cannot be used, joined in one error;
// nil when all can.
func (c Config) Validate() error {
	var errs []error
	if c.MaxTime < 0 {
		errs = append(errs, fmt.Errorf("sim config: MaxTime %v is negative", c.MaxTime))
	}
	if c.LivelockPolls < 0 {
		errs = append(errs, fmt.Errorf("sim config: LivelockPolls %d is negative", c.LivelockPolls))
	}
	if c.MaxDrift < 0 {
		errs = append(errs, fmt.Errorf("sim config: MaxDrift %v is negative", c.MaxDrift))
	}
	if _, err := trace.ParseFilter(c.LogFilter); err != nil {
		errs = append(errs, fmt.Errorf("sim config: LogFilter %q: %w", c.LogFilter, err))
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.MaxTime == 0 {
		c.MaxTime = DefaultMaxTime
	}
	if c.LivelockPolls == 0 {
		c.LivelockPolls = DefaultLivelockPolls
	}
	if c.Watchdog == 0 {
		c.Watchdog = DefaultWatchdog
	}
	if c.MaxDrift == 0 {
		c.MaxDrift = DefaultMaxDrift
	}
	return c
}
