package orrery

import (
	"testing"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/simenv"
)

// TestHostClockFollowsTheClock: Clock is made of the host's clock of the
// moment, once: asked again it allocates nothing, and a host given another
// clock gets that one.
func TestHostClockFollowsTheClock(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	a, b := sim.NewHostClock(w, "a", 0, 0), sim.NewHostClock(w, "b", 0, 0)
	h := &host{c: &cluster{w: w}}
	for i, clock := range []*sim.HostClock{a, a, b, nil, a} {
		h.clock = clock
		c, ok := h.Clock().(simenv.Clock)
		if !ok || c.H != clock || c.W != w {
			t.Fatalf("step %d: Clock() = %#v, want the clock %p of the World", i, h.Clock(), clock)
		}
		if n := testing.AllocsPerRun(10, func() { _ = h.Clock() }); n != 0 {
			t.Errorf("step %d: Clock() asked again allocates %v times", i, n)
		}
	}
}
