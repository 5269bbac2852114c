package orrery

import (
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/simenv"
)

// host is one process or workload instance of a seed, and its env.Env.
type host struct {
	c        *cluster
	name     string
	addr     netip.Addr
	tags     []string
	proc     *Process  // nil for a workload
	driver   Driver    // nil for a process
	index    int       // position among all hosts, for process ids in the trace
	instance int       // position among its Process's or Workload's instances, from 0
	plan     *hostPlan // what the run laid out of it

	ctx    context.Context // cancelled when the host is asked to shut down
	cancel context.CancelFunc
	tasks  []*sim.Task // the current boot's tasks, for crashes
	up     bool
	boots  int

	forceKill sim.EventRef // pending ProcessForceKill of a graceful shutdown
	restart   sim.EventRef // pending ProcessRestart

	net  *netsim.Host
	disk *disksim.Disk // made on first use (ownDisk)

	clock     *sim.HostClock // the host's own clock, which survives its reboots
	sim       *sim.Host      // the engine's host: its tasks, its clock, its pauses
	driftEnd  *sim.Timer     // ends the clock's current drift fault, if any
	driftBase int64          // the clock's own rate, to return to then
	log       *slog.Logger   // Log's logger, made on first use
	envClock  env.Clock      // Clock's value, made on first use
	envOf     *sim.HostClock // the clock envClock was made of
}

var _ env.Env = (*host)(nil)

// hostKey keys a host among the values of its contexts.
type hostKey struct{}

// newContext is a context for a boot of h: cancelled when h is asked to
// shut down, and naming h to Instance.
func (h *host) newContext() (context.Context, context.CancelFunc) {
	return sim.WithCancel(context.WithValue(h.c.w.Context(), hostKey{}, h))
}

// Instance returns which instance of its Process or Workload the code
// running with ctx is, counting from 0: with Count 3, the hosts kv-1, kv-2
// and kv-3 are instances 0, 1 and 2 (with Count 1, the one host is 0). A
// workload uses it to split the work among its instances (keys whose
// number modulo Count is its own) without parsing its name. It is 0
// outside a simulation and for a context of no host.
func Instance(ctx context.Context) int {
	if ctx == nil {
		return 0
	}
	h, _ := ctx.Value(hostKey{}).(*host)
	if h == nil {
		return 0
	}
	return h.instance
}

// Name returns the host's name.
func (h *host) Name() string { return h.name }

// Addr returns the host's address.
func (h *host) Addr() netip.Addr { return h.addr }

// Context is cancelled when the host is asked to shut down.
func (h *host) Context() context.Context { return h.ctx }

// Clock is the host's own clock (see Clocks), made into an env.Clock once:
// code that asks for it per request does not allocate.
func (h *host) Clock() env.Clock {
	if h.envClock == nil || h.envOf != h.clock {
		h.envClock, h.envOf = simenv.Clock{W: h.c.w, H: h.clock}, h.clock
	}
	return h.envClock
}

// Rand is the seed's main stream.
func (h *host) Rand() env.Rand { return h.c.w.Rand() }

// Log is the world's logger; records carry the task, which names the host,
// and, while the host's clock differs from true time, its reading (clock=).
func (h *host) Log() *slog.Logger {
	if h.log == nil {
		h.log = h.c.w.HostLogger(h.clock)
	}
	return h.log
}

// Runtime is the simulation's.
func (h *host) Runtime() env.Runtime { return simenv.Runtime{} }

// Net is the host's network.
func (h *host) Net() env.Network { return h.net }

// Disk is the host's disk, which survives its reboots.
func (h *host) Disk() env.Disk { return h.ownDisk() }

// Go starts a task of this host. A process's tasks are daemons (the run
// does not wait for servers) and die with the process; a workload's tasks
// are waited for.
func (h *host) Go(name string, fn func(ctx context.Context)) {
	h.spawn(name, fn)
}

func (h *host) spawn(name string, fn func(ctx context.Context)) *sim.Task {
	full := h.taskName(name)
	var t *sim.Task
	if h.proc != nil {
		t = sim.GoDaemon(h.ctx, full, fn)
	} else {
		t = sim.Go(h.ctx, full, fn)
	}
	t.SetHost(h.sim)
	h.tasks = slices.DeleteFunc(h.tasks, (*sim.Task).Done)
	h.tasks = append(h.tasks, t)
	return t
}

// hostAddr returns the i-th (0-based) address of a subnet: 10.0.<net>.1 to
// 10.0.<net>.254, then 10.1.<net>.1 and so on, so that no count runs out.
func hostAddr(subnet byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i / 254), subnet, byte(i%254 + 1)})
}

// hostNames returns the names of count instances of name.
func hostNames(name string, count int) []string {
	if count <= 1 {
		return []string{name}
	}
	out := make([]string, count)
	for i := range out {
		out[i] = name + "-" + strconv.Itoa(i+1)
	}
	return out
}
