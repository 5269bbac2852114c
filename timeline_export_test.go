package orrery

import (
	"io"

	"github.com/orrerysim/orrery/sim"
)

// TimelineRun runs one timeline of a seed of s, writing its JSON trace to
// trace when it is not nil, and returns its trace hash, main-stream calls
// (of its last segment) and failure message.
func TimelineRun(s Simulation, seed uint64, tl sim.Timeline, bugs []string, trace io.Writer) (hash, calls uint64, failure string) {
	res := runSeed(&s, seed, seedOptions{timeline: tl, trace: trace, bugs: bugs, logFilter: "off"})
	if res.Failure != nil {
		failure = res.Failure.Message
	}
	return res.TraceHash, res.RNGCalls, failure
}
