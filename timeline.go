package orrery

import (
	"fmt"
	"strings"

	"github.com/orrerysim/orrery/sim"
)

// goAPIReplayTimeline is goAPIReplay for a timeline of a seed.
func goAPIReplayTimeline(bugs []string, swarm bool) func(uint64, sim.Timeline) string {
	fields, pre := "", ""
	if len(bugs) > 0 {
		fields = fmt.Sprintf(", Bugs: %#v", bugs)
	}
	if swarm {
		pre = "sim.Chaos.Swarm = true; "
	}
	return func(seed uint64, t sim.Timeline) string {
		return fmt.Sprintf("%sorrery.Run(sim, orrery.Options{Replay: []uint64{%#x}, Timeline: %s%s})",
			pre, seed, timelineLiteral(t), fields)
	}
}

// timelineLiteral writes t as Go: sim.Timeline{{At: 151, Seed: 0x2a}}.
func timelineLiteral(t sim.Timeline) string {
	var b strings.Builder
	b.WriteString("sim.Timeline{")
	for i, p := range t {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "{At: %d, Seed: %#x}", p.At, p.Seed)
	}
	return b.String() + "}"
}
