package orrery

import (
	"context"
	"fmt"
	"time"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/sim"
)

// Pause freezes the host called name for d of true time, as a garbage
// collection, a VM migration or SIGSTOP freeze a process, and records it
// as a Pause fault (and a Resume fault when it ends): a manual pause, for
// a workload that tests what a pause does. While paused, the host's tasks
// do not run and its timers do not fire; the network and the other hosts
// go on, bytes sent to it land in its receive buffers, and its clock keeps
// running, so that when it resumes (everything that came due runs then)
// it sees the time jump. A task of the host that calls Pause goes on until
// it next blocks. Crashing a paused process ends its pause; the end of the
// chaos phase ends every pause.
//
// Pause returns ErrDown for a process that is down or going down, and
// wraps sim.ErrPaused for a host paused already. Other errors are the
// caller's mistakes: a name that is no host, a d that is not positive, a
// context outside a simulation.
func Pause(ctx context.Context, name string, d time.Duration) error {
	c := clusterOf(ctx)
	if c == nil {
		return fmt.Errorf("pause %s: not in a simulation", name)
	}
	h, ok := c.byName[name]
	switch {
	case !ok:
		return fmt.Errorf("pause %s: no such host", name)
	case h.proc != nil && h.down():
		return fmt.Errorf("pause %s: %w", name, ErrDown)
	}
	return h.sim.Pause(d)
}

// startPauses starts the task that pauses processes in the chaos phase,
// if the seed drew pauses.
func (c *cluster) startPauses(ctx context.Context) {
	if c.drawn.Pause.Enabled() {
		sim.GoDaemon(ctx, "orrery/pauses", c.pauses)
	}
}

// pauses pauses each process that is up and not paused with the drawn
// probability every chaos.PauseInterval, until the chaos phase ends.
func (c *cluster) pauses(ctx context.Context) {
	p := c.drawn.Pause
	rng := c.w.Rand()
	for !c.healed {
		if sim.Sleep(ctx, chaos.PauseInterval) != nil || c.healed {
			return
		}
		for _, h := range c.hosts {
			if h.proc == nil || h.down() || h.sim.Paused() || !rng.Bool(p.P) {
				continue
			}
			h.sim.Pause(p.Duration(rng)) // cannot fail: positive and not paused
		}
	}
}

// resumeAll ends every pause, for the heal phase.
func (c *cluster) resumeAll() {
	for _, h := range c.hosts {
		h.sim.Resume()
	}
}
