package cli

import (
	"fmt"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/internal/cli"
	"github.com/orrerysim/orrery/sim"
)

// parseTimeline reads --timeline.
func parseTimeline(s string) (sim.Timeline, error) {
	tl, err := sim.ParseTimeline(s)
	if err != nil {
		return nil, fmt.Errorf("--timeline: %w", err)
	}
	return tl, nil
}

// replayTimeline returns the command that replays a timeline of a seed of
// the simulation called name run with f: replayCommand's, with the
// timeline.
func (s *simSet) replayTimeline(name string, f seedFlags) func(uint64, sim.Timeline) string {
	replay := s.replayCommand(name, f)
	return func(seed uint64, t sim.Timeline) string {
		if len(t) == 0 {
			return replay(seed)
		}
		return replay(seed) + " --timeline " + t.String()
	}
}

// exploreCmd is orrery explore.
type exploreCmd struct {
	set       *simSet
	Sim       string        `arg:"" help:"The simulation to explore."`
	Energy    int           `help:"How many timelines to run in all, root seeds included (default 10000)."`
	Budget    time.Duration `help:"Stop after this much real time (e.g. 10s)."`
	FailFast  bool          `help:"Stop at the first failing timeline."`
	Parallel  int           `help:"Timelines run at once (default: every core)."`
	FirstSeed uint64        `help:"Start the root seeds at this seed number, for a search no earlier one made." placeholder:"N"`
	Shrink    time.Duration `help:"Shrink the first failing timeline's faults to those it needs, for at most this long (0: do not)." default:"10s"`
	seedFlags
}

// Run explores and prints the summary.
func (c *exploreCmd) Run(e *cli.Env) error {
	s, err := c.set.find(c.Sim)
	if err != nil {
		return err
	}
	if c.Energy < 0 {
		return fmt.Errorf("--energy %d: want a number of timelines, 1 or more", c.Energy)
	}
	if err := checkOutput("--trace", c.Trace); err != nil {
		return err
	}
	c.apply(&s)
	opts := orrery.Options{Seeds: c.Energy, Budget: c.Budget, FailFast: c.FailFast, Parallel: c.Parallel,
		Bugs: c.Bug, Watchdog: c.Watchdog, FirstSeed: c.FirstSeed, ReplayTimeline: c.set.replayTimeline(c.Sim, c.seedFlags)}
	c.options(&opts)
	tf, err := newTraceFile(c.Trace)
	if err != nil {
		return err
	}
	defer tf.discard()
	opts.Trace = tf
	in := e.CatchInterrupts("starting timelines")
	defer in.Release()
	opts.Stop = in.Stop()
	rep, err := orrery.Explore(s, opts)
	if err != nil {
		return err
	}
	err = summarise(e, rep, tf, c.Report, in.Err())
	firstShrink{c.set, c.Sim, c.seedFlags, c.Parallel, c.Shrink}.run(e, s, rep)
	return err
}
