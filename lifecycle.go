package orrery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// RebootKind is how a process goes down.
//
// A reboot is a fault (Reboot) that the fault filter may suppress (see
// sim.World.SetFaultFilter): then the process does not go down. What a
// crash does besides are faults of their own, after the reboot's: to the
// disk, DiskCrash (DiskWipe for CrashWipe); to each connection it leaves
// half open, HalfOpen (suppressed, the connection is reset at once); to
// each write the crash tears, TornWrite (only under the filter;
// see disksim.Faults). A suppressed DiskCrash or DiskWipe still makes the
// crash model's draws, then leaves the disk as a Graceful reboot does:
// every file closed, nothing lost, unsynced writes still pending. The
// process crashes all the same.
type RebootKind uint8

// The kinds of reboot, from the gentlest.
const (
	// Graceful cancels the process's Context: its blocking calls return
	// the context's error, and its code winds down, as a process does on
	// SIGTERM, and Main returns. After a grace period (2 to 5 s unless
	// Simulation.Lifecycle says otherwise) the tasks still left are
	// aborted as a Crash aborts them (ProcessForceKill), and after a
	// restart delay (1 to 10 s by default) it boots again
	// (ProcessRestart). A Main that returns in the grace period ends its
	// process then, as a binary's main does: what it left running is
	// aborted at once, nothing waits out the grace period, and the
	// restart delay counts from Main's return.
	Graceful RebootKind = iota + 1
	// Crash aborts every task at once: nothing more of the boot runs
	// but the tasks' deferred calls, as each unwinds from the blocking
	// call it is in (the call does not return, not even an error). It
	// resets or half-opens the process's connections and resolves its
	// unsynced writes by the disk's crash model; the process boots again
	// after the restart delay.
	Crash
	// CrashWipe is a crash that also deletes the process's disk.
	CrashWipe
)

var rebootNames = [...]string{"", "graceful", "crash", "crash-wipe"}

// String returns the kind's name ("crash").
func (k RebootKind) String() string {
	if int(k) < len(rebootNames) {
		return rebootNames[k]
	}
	return fmt.Sprintf("RebootKind(%d)", uint8(k))
}

// The default bounds of the grace period of a Graceful reboot and of the
// restart delay (see Lifecycle).
const (
	minGrace, maxGrace       = 2 * time.Second, 5 * time.Second
	minRecovery, maxRecovery = time.Second, 10 * time.Second
)

// Lifecycle is the timing of a simulation's process reboots, each delay
// drawn from the seed within its bounds, both ends included. A pair left
// zero is the default; Min equal to Max fixes the delay.
type Lifecycle struct {
	// GraceMin and GraceMax bound the grace period of a Graceful reboot:
	// how long the process has, after its Context is cancelled, before
	// its remaining tasks are aborted. Default 2 to 5 s.
	GraceMin, GraceMax time.Duration
	// RestartDelayMin and RestartDelayMax bound the restart delay: how
	// long a process stays down after a crash or a kill before it boots
	// again. Default 1 to 10 s.
	RestartDelayMin, RestartDelayMax time.Duration
}

// Validate refuses a negative bound or a Max below its Min.
func (l Lifecycle) Validate() error {
	for _, r := range []struct {
		name   string
		lo, hi time.Duration
	}{{"grace period", l.GraceMin, l.GraceMax}, {"restart delay", l.RestartDelayMin, l.RestartDelayMax}} {
		switch {
		case r.lo < 0 || r.hi < 0:
			return fmt.Errorf("lifecycle: %s %v-%v: negative bound", r.name, r.lo, r.hi)
		case r.hi < r.lo:
			return fmt.Errorf("lifecycle: %s %v-%v: max below min", r.name, r.lo, r.hi)
		}
	}
	return nil
}

// grace returns the bounds of the grace period.
func (l Lifecycle) grace() (time.Duration, time.Duration) {
	return bounds(l.GraceMin, l.GraceMax, minGrace, maxGrace)
}

// restartDelay returns the bounds of the restart delay.
func (l Lifecycle) restartDelay() (time.Duration, time.Duration) {
	return bounds(l.RestartDelayMin, l.RestartDelayMax, minRecovery, maxRecovery)
}

func bounds(lo, hi, dlo, dhi time.Duration) (time.Duration, time.Duration) {
	if lo == 0 && hi == 0 {
		return dlo, dhi
	}
	return lo, hi
}

// ErrDown is returned by Reboot for a process that is already down, or on
// its way down (a graceful shutdown in its grace period): it will come back
// by itself, and the caller may wait for it (Lookup's Up) or try another.
var ErrDown = errors.New("the process is already down")

// Reboot takes the process called name down the way kind says and boots it
// again later. It is the manual control for tests and fault injectors.
//
// Reboot returns at once. A crash kills the process now: no code of it
// runs any more but its tasks' deferred calls, as each task unwinds from
// the blocking call it is in (see Process). A task that crashes its own
// process does not return from Reboot: it unwinds from there, as
// runtime.Goexit would end it, unless a panic of its own unwinds it
// already (Reboot in a deferred call of the panic): Reboot then returns,
// the panic goes on and fails the seed. Graceful cancels the process's Context now
// (Reboot returns, even to the process itself, which winds down) and kills
// what is left after a grace period of 2 to 5 s.
// After the kill it stays down for a restart delay of 1 to 10 s drawn from
// the seed, then boots again with a fresh Main (Simulation.Lifecycle sets
// both bounds). Until then (from the moment
// its Main returns, for Graceful), Lookup reports it not Up; from the call
// until the restart, a second Reboot returns ErrDown, which callers test
// with errors.Is and handle (wait for the restart, pick another process).
// Other errors are mistakes of the caller: a name that is not a process,
// an unknown kind, a context outside a simulation.
func Reboot(ctx context.Context, name string, kind RebootKind) error {
	c := clusterOf(ctx)
	if c == nil {
		return fmt.Errorf("reboot %s: not in a simulation", name)
	}
	h, ok := c.byName[name]
	switch {
	case !ok || h.proc == nil:
		return fmt.Errorf("reboot %s: no such process", name)
	case h.down():
		return fmt.Errorf("reboot %s: %w", name, ErrDown)
	case kind < Graceful || kind > CrashWipe:
		return fmt.Errorf("reboot %s: unknown kind %v", name, kind)
	}
	c.reboot(h, kind)
	return nil
}

// RebootTag reboots every running process that carries tag and returns how
// many it took down; processes already down (see ErrDown) are skipped. A
// process that carries tag and crashes itself so is taken down last: the
// call does not return then (see Reboot).
func RebootTag(ctx context.Context, tag string, kind RebootKind) int {
	own := ""
	if c := clusterOf(ctx); c != nil {
		own = c.running()
	}
	n, self := 0, false
	for _, h := range HostsWithTag(ctx, tag) {
		switch {
		case !h.Process:
		case h.Name == own:
			self = true
		case Reboot(ctx, h.Name, kind) == nil:
			n++
		}
	}
	if self && Reboot(ctx, own, kind) == nil { // returns for Graceful only
		n++
	}
	return n
}

// running returns the name of the process whose task is running, "" when
// the running task is none's.
func (c *cluster) running() string {
	cur := c.w.Current()
	if cur == nil {
		return ""
	}
	for _, h := range c.hosts {
		if h.proc != nil && slices.Contains(h.tasks, cur) {
			return h.name
		}
	}
	return ""
}

// down reports whether h is down or going down: not running, or in the
// grace period of a graceful shutdown.
func (h *host) down() bool { return !h.up || h.forceKill.Seq() != 0 }

// reboot starts taking h down.
func (c *cluster) reboot(h *host, kind RebootKind) {
	if !c.fault(h, kind.String()) {
		return
	}
	switch kind {
	case Graceful:
		h.forceKill = c.schedule(0, sim.OpProcessGracefulShutdown, h)
	default:
		self := c.kill(h, kind)
		c.scheduleRestart(h)
		if self != nil {
			self.Abort() // a process crashing itself: does not return
		}
	}
}

// fault writes the trace record of a reboot and reports whether the
// reboot may happen (see sim.World.InjectFault).
func (c *cluster) fault(h *host, kind string) bool {
	return c.w.InjectFault("orrery", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: "Reboot",
		Obj: "proc", ID: uint64(h.index + 1), Name: h.name, Detail: "kind=" + kind})
}

func (c *cluster) schedule(d time.Duration, op sim.Op, h *host) sim.EventRef {
	return c.w.Schedule(d, op, uint64(h.index+1), 0, (*lifecycle)(c))
}

func (c *cluster) scheduleRestart(h *host) {
	h.restart = c.schedule(c.w.Rand().Duration(c.sim.Lifecycle.restartDelay()), sim.OpProcessRestart, h)
}

// kill stops every task of h's boot, crashes its network and disk, and
// marks it down. The tasks are aborted before the boot's context is
// cancelled, so that none of them is woken by the cancellation as if it
// could handle it: each unwinds from the call it is in, running only its
// defers. The running task, when it is one of h's (a process crashing
// itself), is left for the caller to abort once it has finished its own
// bookkeeping, and returned.
func (c *cluster) kill(h *host, kind RebootKind) (self *sim.Task) {
	h.sim.Resume() // a crash ends a pause; the next boot is not paused
	cur := c.w.Current()
	for _, t := range h.tasks {
		switch {
		case t == cur:
			self = t
		case !t.Done():
			t.Abort()
		}
	}
	h.cancel()
	h.tasks = nil
	h.up = false
	h.crash(kind)
	return self
}

// lifecycle handles the process events of a cluster.
type lifecycle cluster

// HandleEvent applies a process event.
func (l *lifecycle) HandleEvent(ev *sim.Event) {
	c := (*cluster)(l)
	h := c.hosts[ev.ID-1]
	switch ev.Op {
	case sim.OpProcessGracefulShutdown:
		h.cancel()
		h.forceKill = c.schedule(c.w.Rand().Duration(c.sim.Lifecycle.grace()), sim.OpProcessForceKill, h)
	case sim.OpProcessForceKill:
		h.forceKill = sim.EventRef{}
		c.kill(h, Graceful)
		c.scheduleRestart(h)
	case sim.OpProcessRestart:
		h.restart = sim.EventRef{}
		c.boot(h)
	}
}

// DescribeEvent names the process.
func (l *lifecycle) DescribeEvent(ev *sim.Event) (string, string) {
	return l.hosts[ev.ID-1].name, ""
}

// restartAll boots every process that is down now, for the heal phase:
// pending kills and restarts are cancelled.
func (c *cluster) restartAll() {
	for _, h := range c.hosts {
		if h.proc == nil {
			continue
		}
		if h.forceKill.Seq() != 0 {
			c.w.Cancel(h.forceKill)
			h.forceKill = sim.EventRef{}
			c.kill(h, Graceful)
		}
		if h.restart.Seq() != 0 {
			c.w.Cancel(h.restart)
			h.restart = sim.EventRef{}
		}
		if !h.up {
			c.boot(h)
		}
	}
}

// attrition kills random processes at random times until the chaos phase
// ends, keeping at most MaxDead down.
func (c *cluster) attrition(ctx context.Context) {
	a := c.drawn.Attrition
	lo, hi := a.Intervals()
	for !c.healed {
		if sim.Sleep(ctx, c.w.Rand().Duration(lo, hi)) != nil || c.healed {
			return
		}
		up := slices.DeleteFunc(slices.Clone(c.hosts), func(h *host) bool { return h.proc == nil || h.down() })
		if len(up) == 0 || c.countProcs()-len(up) >= a.MaxDead {
			continue
		}
		c.reboot(up[c.w.Rand().IntN(len(up))], c.pickKind())
	}
}

func (c *cluster) countProcs() int {
	n := 0
	for _, h := range c.hosts {
		if h.proc != nil {
			n++
		}
	}
	return n
}

// pickKind draws a reboot kind by the attrition weights.
func (c *cluster) pickKind() RebootKind {
	a := c.drawn.Attrition
	total := a.Graceful + a.Crash + a.Wipe
	if total == 0 {
		return Crash
	}
	x := c.w.Rand().Float64() * total
	switch {
	case x < a.Graceful:
		return Graceful
	case x < a.Graceful+a.Crash:
		return Crash
	}
	return CrashWipe
}
