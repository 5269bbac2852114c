package orrery

import (
	"context"
	"fmt"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// conduct runs the phases of one seed as the conductor task: boot the
// processes, set up every workload, run them with faults on, heal, check.
// A phase that fails ends the seed; the conductor then returns and the run
// winds down.
func (c *cluster) conduct(ctx context.Context) {
	log := c.w.Logger()
	for _, h := range c.hosts {
		if h.proc != nil {
			c.boot(h)
		}
	}
	// Let every process run until it first waits (listening, publishing
	// its endpoints) before any workload starts.
	if sim.Yield(ctx) != nil {
		return
	}
	logInfo(log, "orrery: setup phase")
	if !c.driversMade() || !c.phase(ctx, "setup", Driver.Setup) {
		return
	}
	if c.sim.Chaos.Swarm {
		logInfo(log, "orrery: chaos phase", "swarm", c.drawnString())
	} else {
		logInfo(log, "orrery: chaos phase")
	}
	if d := c.sim.Chaos.Duration; d > 0 {
		sim.AfterFunc(ctx, d, c.heal)
	}
	if c.drawn.Attrition.Enabled() {
		sim.GoDaemon(ctx, "orrery/attrition", c.attrition)
	}
	if c.sim.Liveness > 0 {
		sim.GoDaemon(ctx, "orrery/liveness", c.watchLiveness)
	}
	c.net.StartChaos(ctx)
	c.startClockFaults(ctx)
	if !c.phase(ctx, "run", Driver.Run) {
		return
	}
	c.heal()
	logInfo(log, "orrery: check phase")
	c.phase(ctx, "check", Driver.Check)
}

// driversMade fails the seed if a workload's New returned no Driver, which
// would otherwise leave the workload out without a word, and reports
// whether every one did.
func (c *cluster) driversMade() bool {
	for _, h := range c.hosts {
		if h.proc == nil && h.driver == nil {
			c.w.Fail(sim.FailWorkload, fmt.Sprintf("%s: Workload.New returned a nil Driver", h.name))
			return false
		}
	}
	return true
}

// phase runs one Driver method of every workload as a task of its host and
// waits for all; it reports whether the seed is still passing.
func (c *cluster) phase(ctx context.Context, name string, fn func(Driver, env.Env) error) bool {
	var wg sim.WaitGroup
	for _, h := range c.hosts {
		if h.driver == nil {
			continue
		}
		wg.Add(1)
		h.spawn(name, func(context.Context) {
			defer wg.Done()
			if err := fn(h.driver, h); err != nil && c.w.Failure() == nil {
				c.w.Fail(sim.FailWorkload, fmt.Sprintf("%s: %s: %v", h.name, name, err))
			}
		})
	}
	if err := wg.Wait(ctx); err != nil {
		return false
	}
	return c.w.Failure() == nil
}

// heal ends the chaos phase: faults stop, so that Check sees the system
// recover. It runs once, when every Run returned or Chaos.Duration passed.
func (c *cluster) heal() {
	if c.healed {
		return
	}
	c.healed = true
	livenessOf(c.w).heal(c.w.Now())
	logInfo(c.w.Logger(), "orrery: faults healed")
	chaos.Heal(c.w)
	c.net.Heal()
	c.healClocks()
	c.disks.Heal()
	c.restartAll()
}

// boot starts (or restarts) a process: a fresh context and Main as its
// first task.
func (c *cluster) boot(h *host) {
	h.ctx, h.cancel = h.newContext()
	h.up = true
	h.boots++
	h.tasks = nil
	h.spawn("main", func(ctx context.Context) {
		err := h.proc.Main(h)
		if c.w.Context().Err() != nil { // the end of the run
			return
		}
		h.up = false
		switch {
		case err != nil && h.ctx.Err() == nil:
			// A process that fails is restarted, as a supervisor would.
			c.w.Logger().Error("orrery: process exited", "host", h.name, "err", err.Error())
			c.kill(h, Graceful)
			c.scheduleRestart(h)
		case h.ctx.Err() != nil && h.forceKill.Seq() != 0:
			c.exitedInGrace(h)
		}
	})
}

// exitedInGrace ends the graceful shutdown of h, whose Main has returned
// in the grace period: the process exited, as a binary does when main
// returns, and what it left running ends with it; the restart delay counts
// from now, not from the end of a grace period nothing waits out.
func (c *cluster) exitedInGrace(h *host) {
	c.w.Cancel(h.forceKill)
	h.forceKill = sim.EventRef{}
	c.kill(h, Graceful)
	c.scheduleRestart(h)
}
