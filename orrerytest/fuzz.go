package orrerytest

import "github.com/orrerysim/orrery/sim"

// goTestReplayTimeline returns the go test command that replays a timeline
// of a seed: replay's, with ORRERY_TIMELINE.
func goTestReplayTimeline(replay func(uint64) string) func(uint64, sim.Timeline) string {
	return func(seed uint64, t sim.Timeline) string {
		if len(t) == 0 {
			return replay(seed)
		}
		return "ORRERY_TIMELINE=" + t.String() + " " + replay(seed)
	}
}
