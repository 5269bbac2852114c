package cli

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/internal/cli"
	"github.com/orrerysim/orrery/sim"
)

// parseFaults reads --faults; "" is no filter (nil).
func parseFaults(s string) ([]sim.FaultID, error) {
	if s == "" {
		return nil, nil
	}
	ns, err := orrery.ParseFaults(s)
	if err != nil {
		return nil, fmt.Errorf("--faults: %w", err)
	}
	return ns, nil
}

// replayFaults returns the command that replays a seed of the simulation
// called name, run with f, with only the given faults: replayCommand's,
// with --faults.
func (s *simSet) replayFaults(name string, f seedFlags) func(uint64, []sim.FaultID) string {
	replay := s.replayCommand(name, f)
	return func(seed uint64, faults []sim.FaultID) string {
		return replay(seed) + " --faults " + shellWord(orrery.FormatFaults(faults))
	}
}

// shellWord quotes s for a shell when it holds more than letters, digits
// and -_.,:@#/=+ (a connection's faults name it a->b).
func shellWord(s string) string {
	if strings.IndexFunc(s, func(r rune) bool {
		return !strings.ContainsRune("-_.,:@#/=+", r) && !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shrinkCmd is orrery shrink.
type shrinkCmd struct {
	set      *simSet
	Sim      string `arg:"" help:"The simulation the seed fails."`
	Seed     string `required:"" help:"The failing seed (hex 0x... or decimal)."`
	Parallel int    `help:"Candidate runs at once (default: every core)."`
	seedFlags
}

// Run shrinks the seed's faults and prints the faults that remain and the
// command that replays them.
func (c *shrinkCmd) Run(e *cli.Env) error {
	s, err := c.set.find(c.Sim)
	if err != nil {
		return err
	}
	seed, err := orrery.ParseSeed(c.Seed)
	if err != nil {
		return err
	}
	c.apply(&s)
	r, err := orrery.Shrink(s, seed, orrery.ShrinkOptions{Bugs: c.Bug, Parallel: c.Parallel,
		Watchdog: c.Watchdog, ReplayCommand: c.set.replayFaults(c.Sim, c.seedFlags)})
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.Stdout(), r)
	return err
}

// shrinkFirst shrinks the faults of the run's first failing seed, within
// --shrink, and prints what it needs. A nondeterministic seed, or one found
// on a timeline, is left alone: its faults do not replay from the seed; so
// is a seed that blocked outside the simulation, each of whose runs would
// wait out the watchdog.
func (c *runCmd) shrinkFirst(e *cli.Env, s orrery.Simulation, rep *orrery.Report) {
	if len(rep.Failures) == 0 {
		return // unknown seeds, or assertions never reached
	}
	f := rep.Failures[0]
	if f.Kind == "nondeterminism" || f.Kind == "blocked" || f.Timeline != "" {
		return
	}
	r, err := orrery.Shrink(s, f.Seed, orrery.ShrinkOptions{Bugs: c.Bug, Parallel: c.Parallel,
		Watchdog: c.Watchdog, Budget: c.Shrink, ReplayCommand: c.set.replayFaults(c.Sim, c.seedFlags)})
	if err != nil {
		fmt.Fprintf(e.Stderr(), "orrery: shrinking seed %#x: %v\n", f.Seed, err)
		return
	}
	switch {
	case r.Injected == 0: // nothing to say
	case len(r.Faults) == 0:
		fmt.Fprintf(e.Stdout(), "\nseed %#x fails without any of its %d faults (orrery shrink): the code alone is at fault\n", f.Seed, r.Injected)
	default:
		fmt.Fprintf(e.Stdout(), "\nthe faults seed %#x needs (orrery shrink; --shrink 0 skips this):\n%s", f.Seed, r)
	}
}
