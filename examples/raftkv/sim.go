package raftkv

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/netsim"
)

// The planted bugs (see orrery.Planted), off by default.
const (
	// BugStaleReads: a follower answers a get from its own store, which
	// may be behind the leader's.
	BugStaleReads = "stale-reads"
	// BugAckOnPropose: a node acknowledges a write once proposed, before
	// raft committed it; a leader change loses it.
	BugAckOnPropose = "ack-on-propose"
	// BugDoubleApply: a restart takes its data from kv.db but its applied
	// index from the older snapshot, and applies the entries in between
	// a second time.
	BugDoubleApply = "double-apply"
)

// Options shape the simulation; the zero value is the default cluster.
type Options struct {
	Nodes   int // raft nodes: 3 or 5 (default 3)
	Clients int // client workloads (default 3)
	Ops     int // requests each client sends (default 60)
	Keys    int // append keys a0.. and put keys p0.. (default 3 of each)
	// CheckpointEvery and SnapshotEvery are how many applied entries
	// apart a node writes kv.db (default 5) and takes a raft snapshot and
	// compacts its log (default 40).
	CheckpointEvery, SnapshotEvery uint64
	// Chaos is the faults the run meets (default Faults()).
	Chaos *chaos.Config
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Nodes, 3)
	def(&o.Clients, 3)
	def(&o.Ops, 60)
	def(&o.Keys, 3)
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = 5
	}
	if o.SnapshotEvery == 0 {
		o.SnapshotEvery = 40
	}
	if o.Chaos == nil {
		c := Faults(o.Nodes)
		o.Chaos = &c
	}
	return o
}

// Model is the fault families the store claims to survive, which --swarm
// draws from: every network family, and the disk's failed syncs, stalls,
// throttling and garbage in unwritten sectors. Corrupted, lost (phantom)
// and misdirected writes are left out: they damage what a node synced,
// and a raft node that forgets a vote or an entry it acknowledged breaks
// raft's safety, which assumes a disk that keeps what it synced.
var Model = []string{
	"latency", "pair-latency", "clog", "partition", "host-partition", "cut", "random-close",
	"bit-flip", "partial", "connect-fail", "datagram",
	"sync-fail", "stall", "throttle", "garbage",
}

// Faults is the store's standard chaos: the network's standard faults,
// the disk's without corruption (see Model), and attrition that keeps a
// quorum up, a node killed every 1 to 4 s; for at most 20 s, after which
// the clients' last requests meet a healed cluster.
func Faults(nodes int) chaos.Config {
	d := disksim.StandardFaults()
	d.ReadCorruptP, d.WriteCorruptP = 0, 0
	return chaos.Config{
		Duration: 20 * time.Second,
		Net:      netsim.StandardFaults(),
		Disk:     d,
		Model:    Model,
		Attrition: chaos.Attrition{MaxDead: (nodes - 1) / 2, Graceful: 1, Crash: 2,
			MinInterval: time.Second, MaxInterval: 4 * time.Second},
	}
}

// Simulation returns the store: o.Nodes raft nodes (kv-1, kv-2, ...)
// serving o.Clients clients, with the invariants and the history check.
func Simulation(o Options) orrery.Simulation {
	o = o.withDefaults()
	if o.Nodes != 3 && o.Nodes != 5 {
		panic(fmt.Sprintf("raftkv: %d nodes: want 3 or 5", o.Nodes))
	}
	return orrery.Simulation{
		Name:       "raftkv",
		Processes:  []orrery.Process{{Name: "kv", Count: o.Nodes, Main: func(e env.Env) error { return serve(e, o) }}},
		Workloads:  []orrery.Workload{{Name: "client", Count: o.Clients, New: func() orrery.Driver { return newClient(o) }}},
		Invariants: []orrery.Invariant{{Name: "at most one leader per term", Check: oneLeaderPerTerm}},
		SeedChecks: []orrery.SeedCheck{kv.Linearizable(), {Name: "acknowledged appends survive", Check: survived}},
		Liveness:   10 * time.Second,
		Lifecycle:  orrery.Lifecycle{RestartDelayMin: 500 * time.Millisecond, RestartDelayMax: 3 * time.Second},
		Chaos:      *o.Chaos,
		Bugs:       []string{BugStaleReads, BugAckOnPropose, BugDoubleApply},
	}
}

// clusterKey is where the nodes publish their statuses, and the
// invariant keeps the leader of every term it saw.
const clusterKey = "raftkv/cluster"

type cluster struct {
	nodes   map[uint64]*Status
	leaders map[uint64]uint64 // term -> the leader seen in it
}

// register publishes a booting node's status.
func register(ctx context.Context, s *Status) {
	v, ok := orrery.Published(ctx, clusterKey)
	if !ok {
		v = &cluster{nodes: map[uint64]*Status{}, leaders: map[uint64]uint64{}}
		orrery.Publish(ctx, clusterKey, v)
	}
	v.(*cluster).nodes[s.ID] = s
}

// oneLeaderPerTerm is raft's election safety: no two nodes lead in the
// same term, ever in the seed.
func oneLeaderPerTerm(s *orrery.State) error {
	v, ok := s.Get(clusterKey)
	if !ok {
		return nil
	}
	return v.(*cluster).check()
}

// String prints each node's status, for the liveness check's message.
func (c *cluster) String() string {
	var b strings.Builder
	for _, id := range sortedKeys(c.nodes) {
		fmt.Fprintf(&b, "kv-%d: %v; ", id, c.nodes[id])
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// check records the leader of each node's term and fails if another
// node led it.
func (c *cluster) check() error {
	for id := uint64(1); id <= uint64(len(c.nodes)+1); id++ {
		st := c.nodes[id]
		if st == nil || !st.Leader {
			continue
		}
		if l, ok := c.leaders[st.Term]; ok && l != id {
			return fmt.Errorf("kv-%d and kv-%d both lead term %d", l, id, st.Term)
		}
		c.leaders[st.Term] = id
	}
	return nil
}
