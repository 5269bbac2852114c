package orrery

import (
	"context"
	"net/netip"
	"slices"
	"sort"
	"time"
	"unsafe"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// cluster is one seed's hosts and published state.
type cluster struct {
	w      *sim.World
	sim    *Simulation
	hosts  []*host // processes first, then workloads, in declaration order
	byName map[string]*host
	state  State
	healed bool     // the chaos phase is over
	bugs   []string // planted bugs switched on
	drawn  chaos.Drawn
	clocks Clocks // the clocks' skew and faults: the simulation's, or in swarm mode drawn from them
	net    *netsim.Network
	disks  *disksim.Storage
}

// clusterKey keys the seed's cluster among the World's values.
type clusterKey struct{}

func newCluster(w *sim.World, s *Simulation, drawn chaos.Drawn, plan []hostPlan) *cluster {
	if plan == nil {
		plan = planHosts(s)
	}
	c := &cluster{w: w, sim: s, byName: make(map[string]*host, len(plan)), drawn: drawn, clocks: s.Clocks}
	if s.Chaos.Swarm {
		c.clocks = s.Clocks.swarm(w.ConfigRand())
	}
	cfg := s.Network
	cfg.Faults = drawn.Net
	c.net = netsim.New(w, cfg)
	dcfg := s.Disk
	dcfg.Faults = drawn.Disk
	c.disks = disksim.New(w, dcfg)
	c.state.values = map[string]any{}
	c.state.w = w
	w.SetValue(clusterKey{}, c)
	hosts := make([]host, len(plan)) // one allocation for the seed's hosts
	c.hosts = make([]*host, 0, len(plan))
	for i := range plan {
		p, h := &plan[i], &hosts[i]
		h.name, h.instance, h.addr, h.proc, h.plan = p.name, p.instance, p.addr, p.proc, p
		if p.proc != nil {
			h.tags = p.proc.Tags
		} else {
			h.tags, h.driver = p.wl.Tags, p.wl.New()
		}
		c.add(h)
	}
	return c
}

// hostPlan is a host of a simulation as every seed of a run builds it.
type hostPlan struct {
	name     string
	addr     netip.Addr
	instance int
	proc     *Process  // nil for a workload
	wl       *Workload // nil for a process
	// tasks are the full names of the tasks the cluster itself starts on
	// the host (clusterTasks), which spawn would otherwise make each time.
	tasks [len(clusterTasks)]string
}

// clusterTasks are the names of the tasks the cluster itself starts on a
// host: a process's main, a workload's phases.
var clusterTasks = [...]string{"main", "setup", "run", "check"}

// planHosts lays out the hosts of s, processes first, then workloads, in
// declaration order: once per run, as it is the same for every seed.
func planHosts(s *Simulation) []hostPlan {
	var plan []hostPlan
	for i := range s.Processes {
		p := &s.Processes[i]
		for j, name := range hostNames(p.Name, p.Count) {
			plan = append(plan, hostPlan{name: name, instance: j, addr: hostAddr(1, len(plan)), proc: p})
		}
	}
	procs := len(plan)
	for i := range s.Workloads {
		wl := &s.Workloads[i]
		for j, name := range hostNames(wl.Name, wl.Count) {
			plan = append(plan, hostPlan{name: name, instance: j, addr: hostAddr(0, len(plan)-procs), wl: wl})
		}
	}
	for i := range plan {
		p := &plan[i]
		for j, task := range clusterTasks {
			if (j == 0) == (p.proc != nil) { // main for a process, the phases for a workload
				p.tasks[j] = p.name + "/" + task
			}
		}
	}
	return plan
}

// taskName is the full name of h's task called name, as the trace shows
// it: h's name, a slash and name.
func (h *host) taskName(name string) string {
	if h.plan != nil {
		for i, task := range clusterTasks {
			if task == name && h.plan.tasks[i] != "" {
				return h.plan.tasks[i]
			}
		}
	}
	return h.name + "/" + name
}

// drawnString prints the fault mix the seed drew, as the seed's report
// shows it: the chaos families, then the declared clock faults.
func (c *cluster) drawnString() string {
	return c.drawn.String() + c.clocks.swarmString(c.sim.Clocks)
}

func (c *cluster) add(h *host) {
	h.c = c
	h.index = len(c.hosts)
	nh := c.net.AddHost(h.name, h.addr)
	h.net = nh
	h.clock = c.newClock(h.name)
	nh.SetClock(h.clock) // socket deadlines are times of the host's clock
	h.sim = sim.NewHost(c.w, h.name, h.clock)
	if h.proc == nil { // a process gets its context when it boots
		h.ctx, h.cancel = h.newContext()
	}
	c.hosts = append(c.hosts, h)
	c.byName[h.name] = h
}

// crash takes h's sockets down, and its disk as kind says: a method, not
// a closure made for every host of every seed.
func (h *host) crash(kind RebootKind) {
	mode := netsim.CrashReset
	if kind != Graceful && h.c.w.Rand().Bool(0.5) {
		mode = netsim.CrashHalfOpen
	}
	h.net.Crash(mode)
	switch kind {
	case Graceful:
		if h.disk != nil { // a disk never made has no file open
			h.disk.CloseFiles()
		}
	case Crash:
		h.ownDisk().Crash()
	case CrashWipe:
		h.ownDisk().Wipe()
	}
}

// ownDisk returns h's disk, made on first use: most hosts of most
// simulations never touch theirs, and a disk is four allocations.
func (h *host) ownDisk() *disksim.Disk {
	if h.disk == nil {
		h.disk = h.c.disks.Disk(h.name)
	}
	return h.disk
}

func clusterOf(ctx context.Context) *cluster {
	w := sim.FromContext(ctx)
	if w == nil {
		return nil
	}
	c, _ := w.Value(clusterKey{}).(*cluster)
	return c
}

// HostInfo describes a host of the running simulation.
type HostInfo struct {
	Name    string
	Addr    netip.Addr
	Tags    []string
	Process bool // a process of the system under test, not a workload
	Up      bool // a process that is running (workloads are always up)
}

func (h *host) info() HostInfo {
	return HostInfo{Name: h.name, Addr: h.addr, Tags: h.tags, Process: h.proc != nil, Up: h.up || h.proc == nil}
}

// Hosts returns every host of the simulation ctx belongs to, processes
// first, in declaration order; nil outside a simulation.
func Hosts(ctx context.Context) []HostInfo {
	return HostsWithTag(ctx, "")
}

// HostsWithTag returns the hosts that carry tag (every host for ""), in
// declaration order.
func HostsWithTag(ctx context.Context, tag string) []HostInfo {
	c := clusterOf(ctx)
	if c == nil {
		return nil
	}
	var out []HostInfo
	for _, h := range c.hosts {
		if tag == "" || slices.Contains(h.tags, tag) {
			out = append(out, h.info())
		}
	}
	return out
}

// Lookup returns the host called name.
func Lookup(ctx context.Context, name string) (HostInfo, bool) {
	c := clusterOf(ctx)
	if c == nil {
		return HostInfo{}, false
	}
	h, ok := c.byName[name]
	if !ok {
		return HostInfo{}, false
	}
	return h.info(), true
}

// State is what the hosts of one seed published for invariants to check:
// a server's balances, a node's term and role. Values are whatever the
// publisher stores (usually a pointer to live state, read when checked).
type State struct {
	w      *sim.World
	values map[string]any
	// lastKey is the key Get found last and lastV, lastOK what it found:
	// an invariant most often asks again with the very string it asked
	// with last, a constant, which Get compares by address and length
	// without a call. The zero State says "" holds nothing, which is true
	// until set stores it; set keeps all three up to date.
	lastKey string
	lastV   any
	lastOK  bool
	// recent is what Get found for the last keys it was asked, which
	// invariants ask again after every step: comparing a key with a few
	// costs less than hashing it. set keeps it up to date.
	recent [stateRecent]stateEntry
	next   int // the entry of recent that Get replaces next
}

// stateRecent is how many keys State.Get remembers.
const stateRecent = 8

type stateEntry struct {
	key    string
	v      any
	ok, in bool // found; the entry is in use
}

// Publish makes v visible to invariants under key, replacing what was
// there. Outside a simulation it does nothing, so it can stay in code that
// ships. Publish nil to withdraw a key. What a process published stays
// published when it goes down, though its memory is gone: an invariant
// over a process's state skips the processes that are down
// (Lookup(ctx, name) reports HostInfo.Up), and a process publishes again
// on each boot, which replaces the value of the boot before.
func Publish(ctx context.Context, key string, v any) {
	c := clusterOf(ctx)
	if c == nil {
		return
	}
	c.state.set(key, v)
}

// set publishes v under key, or withdraws key if v is nil.
func (s *State) set(key string, v any) {
	if v == nil {
		delete(s.values, key)
	} else {
		s.values[key] = v
	}
	for i := range s.recent {
		if e := &s.recent[i]; e.in && e.key == key {
			e.v, e.ok = v, v != nil
		}
	}
	if key == s.lastKey {
		s.lastV, s.lastOK = v, v != nil
	}
}

// Get returns the value published under key.
func (s *State) Get(key string) (any, bool) {
	// Small enough to be inlined into the invariant; the rest is get's.
	if *(*[2]uintptr)(unsafe.Pointer(&s.lastKey)) != *(*[2]uintptr)(unsafe.Pointer(&key)) {
		s.get(key)
	}
	return s.lastV, s.lastOK
}

// get is Get for a key other than the one found last.
//
//go:noinline
func (s *State) get(key string) {
	e := s.find(key)
	s.lastKey, s.lastV, s.lastOK = e.key, e.v, e.ok
}

// find returns the entry of recent for key, filled from the published
// values if key is not among them.
func (s *State) find(key string) *stateEntry {
	for i := range s.recent {
		if e := &s.recent[i]; e.in && e.key == key {
			return e
		}
	}
	v, ok := s.values[key]
	e := &s.recent[s.next]
	*e = stateEntry{key: key, v: v, ok: ok, in: true}
	s.next = (s.next + 1) % stateRecent
	return e
}

// Keys returns the published keys with the given prefix, sorted.
func (s *State) Keys(prefix string) []string {
	var out []string
	for k := range s.values {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Hosts returns every host and whether it is up, for invariants about the
// cluster itself ("at most one server down").
func (s *State) Hosts() []HostInfo {
	c, _ := s.w.Value(clusterKey{}).(*cluster)
	out := make([]HostInfo, len(c.hosts))
	for i, h := range c.hosts {
		out[i] = h.info()
	}
	return out
}

// Now returns the logical time of the check.
func (s *State) Now() time.Duration { return s.w.Now() }

// Published returns what a host of the simulation ctx belongs to published
// under key (see Publish): how a workload finds a process's in-memory
// endpoint, or reads its state in Check. It is nil, false outside a
// simulation.
func Published(ctx context.Context, key string) (any, bool) {
	c := clusterOf(ctx)
	if c == nil {
		return nil, false
	}
	return c.state.Get(key)
}
