package cli

import (
	"fmt"

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
