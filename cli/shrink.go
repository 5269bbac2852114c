package cli

import (
	"fmt"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/internal/cli"
	"github.com/orrerysim/orrery/internal/shellword"
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
// called name, run with f, on the timeline tl (none: nil), with only the
// given faults: replayTimeline's, with --faults.
func (s *simSet) replayFaults(name string, f seedFlags, tl sim.Timeline) func(uint64, []sim.FaultID) string {
	replay := s.replayTimeline(name, f)
	return func(seed uint64, faults []sim.FaultID) string {
		return replay(seed, tl) + " --faults " + shellword.Quote(orrery.FormatFaults(faults))
	}
}

// replayKeeping returns the command that replays a timeline of a seed
// with only the given faults, for the report of a replay with --faults.
func (s *simSet) replayKeeping(name string, f seedFlags, faults []sim.FaultID) func(uint64, sim.Timeline) string {
	return func(seed uint64, tl sim.Timeline) string { return s.replayFaults(name, f, tl)(seed, faults) }
}

// shrinkCmd is orrery shrink.
type shrinkCmd struct {
	set      *simSet
	Sim      string `arg:"" help:"The simulation the seed fails."`
	Seed     string `required:"" help:"The failing seed (hex 0x... or decimal)."`
	Timeline string `help:"The timeline of the seed that fails, count@seed,... as orrery explore prints it." placeholder:"N@SEED,..."`
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
	tl, err := parseTimeline(c.Timeline)
	if err != nil {
		return err
	}
	c.apply(&s)
	r, err := orrery.Shrink(s, seed, orrery.ShrinkOptions{Bugs: c.Bug, Parallel: c.Parallel, Watchdog: c.Watchdog,
		Timeline: tl, ReplayCommand: c.set.replayFaults(c.Sim, c.seedFlags, tl)})
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.Stdout(), r)
	return err
}

// firstShrink shrinks the first failure of a run or an exploration of the
// simulation called sim, run with flags.
type firstShrink struct {
	set      *simSet
	sim      string
	flags    seedFlags
	parallel int
	budget   time.Duration // --shrink
}

// shrinkFirst shrinks the faults of the run's first failing seed, within
// --shrink, and prints what it needs.
func (c *runCmd) shrinkFirst(e *cli.Env, s orrery.Simulation, rep *orrery.Report) {
	firstShrink{c.set, c.Sim, c.seedFlags, c.Parallel, c.Shrink}.run(e, s, rep)
}

// run shrinks the faults of the first failing seed (on its timeline) of
// rep, within the budget, and prints what it needs. A nondeterministic
// seed is left alone, as its faults do not replay, and so is a seed that
// blocked outside the simulation, each of whose runs would wait out the
// watchdog, or a run whose crypto/rand came from the operating system.
func (c firstShrink) run(e *cli.Env, s orrery.Simulation, rep *orrery.Report) {
	if len(rep.Failures) == 0 || c.budget <= 0 || c.flags.CryptoRandFromOS {
		return // unknown seeds, or assertions never reached
	}
	f := rep.Failures[0]
	tl, err := sim.ParseTimeline(f.Timeline)
	if f.Kind == "nondeterminism" || f.Kind == "blocked" || err != nil {
		return
	}
	r, err := orrery.Shrink(s, f.Seed, orrery.ShrinkOptions{Bugs: c.flags.Bug, Parallel: c.parallel, Watchdog: c.flags.Watchdog,
		Budget: c.budget, Timeline: tl, ReplayCommand: c.set.replayFaults(c.sim, c.flags, tl)})
	if err != nil {
		fmt.Fprintf(e.Stderr(), "orrery: %v\n", err)
		return
	}
	what := fmt.Sprintf("seed %#x", f.Seed)
	if len(tl) > 0 {
		what += " on timeline " + tl.String()
	}
	switch {
	case r.Injected == 0: // nothing to say
	case len(r.Faults) == 0:
		fmt.Fprintf(e.Stdout(), "\n%s fails without any of its %d faults (orrery shrink): the code alone is at fault\n", what, r.Injected)
	default:
		fmt.Fprintf(e.Stdout(), "\nthe faults %s needs (orrery shrink; --shrink 0 skips this):\n%s", what, r)
	}
}
