package raftkv

import (
	"context"
	"fmt"
	"math"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// Raft's timing: a tick every 10 ms of the host's clock, a heartbeat every
// 3 ticks, an election after 15 to 30 ticks without a leader (raft draws
// the randomized timeout itself).
const (
	tickInterval  = 10 * time.Millisecond
	heartbeatTick = 3
	electionTick  = 15
)

// node is one member of the cluster: a raft.RawNode driven by one task
// (run), its storage, the store it replicates, and the requests of the
// clients it serves waiting for their answer.
type node struct {
	e       env.Env
	o       Options
	id      uint64
	rn      *raft.RawNode
	storage *raft.MemoryStorage
	wal     *wal
	hs      *raftpb.HardState
	st      *store
	// snapIndex is the index of the last raft snapshot; checkpoint the
	// applied index of kv.db.
	snapIndex, checkpoint uint64

	recv  *env.Chan[*raftpb.Message] // from the peers
	props *env.Chan[*request]        // writes from the clients
	reads *env.Chan[*request]        // gets from the clients
	peers map[uint64]*peer

	waiting  map[reqKey][]*request // writes proposed, by client and seq
	readCtx  map[uint64]*request   // gets waiting for their read index
	readable []*request            // gets with a read index, waiting for it to be applied
	reqSeq   uint64
	status   *Status
}

// reqKey names a client's request.
type reqKey struct{ client, seq uint64 }

// Status is what a node publishes for the invariants (see register), and
// for the liveness check to show: its raft term, whether it leads in it,
// the leader it knows, and how far its log is committed and applied.
type Status struct {
	ID      uint64
	Term    uint64
	Leader  bool
	Lead    uint64 // the leader it follows, 0 if none
	Commit  uint64
	Applied uint64
}

// String prints the status on one line: "term 4 leader commit 80 applied 80".
func (s *Status) String() string {
	role := fmt.Sprintf("follows kv-%d", s.Lead)
	switch {
	case s.Leader:
		role = "leader"
	case s.Lead == 0:
		role = "no leader"
	}
	return fmt.Sprintf("term %d %s commit %d applied %d", s.Term, role, s.Commit, s.Applied)
}

// run drives raft until the node is shut down: a tick, a message from a
// peer or a client's request, then every Ready raft has, each handled as
// the raft package prescribes.
func (n *node) run(ctx context.Context) error {
	ticker := n.e.Clock().NewTicker(tickInterval)
	defer ticker.Stop()
	var m *raftpb.Message
	var prop, read *request
	for ticks := 0; ; {
		i, err := env.Select(ctx, ticker.C().RecvCase(nil), n.recv.RecvCase(&m), n.props.RecvCase(&prop), n.reads.RecvCase(&read))
		if err != nil {
			return nil // shut down
		}
		switch i {
		case 0:
			n.rn.Tick()
			if ticks++; ticks%100 == 0 {
				n.expire()
			}
		case 1:
			n.rn.Step(m) // a message for another term or a stale peer is dropped by raft
		case 2:
			n.propose(ctx, prop)
		case 3:
			n.readIndex(ctx, read)
		}
		for n.rn.HasReady() {
			if err := n.handleReady(ctx, n.rn.Ready()); err != nil {
				return err
			}
		}
	}
}

// handleReady is the raft package's Ready loop: persist the HardState,
// entries and snapshot (synced), then send the messages, then apply the
// committed entries, then Advance.
func (n *node) handleReady(ctx context.Context, rd raft.Ready) error {
	if err := n.persist(ctx, rd); err != nil {
		return err
	}
	n.send(rd.Messages)
	if !raft.IsEmptySnap(rd.Snapshot) {
		if err := n.restore(rd.Snapshot); err != nil {
			return err
		}
	}
	n.apply(ctx, rd.CommittedEntries)
	n.readStates(rd.ReadStates)
	if rd.SoftState != nil {
		n.dropReads() // raft forgets the read requests of a past term
	}
	n.rn.Advance(rd)
	n.publish()
	n.serveReads()
	return n.compact(ctx)
}

// persist writes what rd asks to the disk and, once it is durable, to the
// MemoryStorage raft reads.
func (n *node) persist(ctx context.Context, rd raft.Ready) error {
	if rd.HardState != nil {
		n.hs = proto.Clone(rd.HardState).(*raftpb.HardState)
	}
	if raft.IsEmptySnap(rd.Snapshot) {
		if err := n.wal.save(rd.HardState, rd.Entries); err != nil {
			return err
		}
		n.storage.SetHardState(n.hs)
		return n.storage.Append(rd.Entries)
	}
	assert.Reachable(ctx, "a follower installs the leader's snapshot")
	b, err := marshal.Marshal(rd.Snapshot)
	if err != nil {
		return err
	}
	if err := writeBlob(ctx, n.e.Disk(), snapFile, b); err != nil {
		return err
	}
	if err := n.storage.ApplySnapshot(rd.Snapshot); err != nil {
		return fmt.Errorf("apply snapshot: %w", err)
	}
	n.snapIndex = rd.Snapshot.GetMetadata().GetIndex()
	n.storage.SetHardState(n.hs)
	if err := n.storage.Append(rd.Entries); err != nil {
		return err
	}
	// The log before the snapshot is gone: the WAL starts afresh.
	return n.wal.rewrite(ctx, n.hs, n.entries())
}

// entries returns the log MemoryStorage holds.
func (n *node) entries() []*raftpb.Entry {
	first, _ := n.storage.FirstIndex()
	last, _ := n.storage.LastIndex()
	if last < first {
		return nil
	}
	ents, err := n.storage.Entries(first, last+1, math.MaxUint64)
	if err != nil {
		panic(fmt.Sprintf("raftkv: entries %d-%d of the storage: %v", first, last, err))
	}
	return ents
}

// restore replaces the store with a snapshot's, as a follower does that
// fell too far behind.
func (n *node) restore(snap *raftpb.Snapshot) error {
	st, err := decodeStore(snap.GetData())
	if err != nil {
		return err
	}
	n.st = st
	return nil
}

// apply applies committed entries to the store and answers the clients
// waiting for them.
func (n *node) apply(ctx context.Context, ents []*raftpb.Entry) {
	for _, e := range ents {
		if e.GetIndex() <= n.st.applied {
			continue // in the store already (a snapshot, or the checkpoint it booted from)
		}
		if e.GetType() != raftpb.EntryType_EntryNormal || len(e.GetData()) == 0 {
			n.st.applied = e.GetIndex() // a new leader's empty entry; membership is fixed
			continue
		}
		c, err := decodeCommand(e.GetData())
		if err != nil {
			panic(fmt.Sprintf("raftkv: entry %d: %v", e.GetIndex(), err))
		}
		n.st.apply(e.GetIndex(), c)
		n.answer(reqKey{c.Client, c.Seq}, reply{status: statusOK})
	}
}

// answer sends r to every request waiting for key.
func (n *node) answer(key reqKey, r reply) {
	for _, req := range n.waiting[key] {
		req.done.TrySend(r)
	}
	delete(n.waiting, key)
}

// publish updates the node's published status.
func (n *node) publish() {
	s := n.rn.BasicStatus()
	n.status.Term, n.status.Commit = s.GetTerm(), s.GetCommit()
	n.status.Leader, n.status.Lead = s.RaftState == raft.StateLeader, s.Lead
	n.status.Applied = n.st.applied
}

// compact writes kv.db every CheckpointEvery applied entries, and takes a
// raft snapshot and compacts the log every SnapshotEvery.
func (n *node) compact(ctx context.Context) error {
	if n.st.applied >= n.checkpoint+n.o.CheckpointEvery {
		if err := writeBlob(ctx, n.e.Disk(), kvFile, n.st.encode()); err != nil {
			return err
		}
		n.checkpoint = n.st.applied
	}
	if n.st.applied < n.snapIndex+n.o.SnapshotEvery {
		return nil
	}
	snap, err := n.storage.CreateSnapshot(n.st.applied, n.confState(), n.st.encode())
	if err != nil {
		return fmt.Errorf("create snapshot: %w", err)
	}
	b, err := marshal.Marshal(snap)
	if err != nil {
		return err
	}
	if err := writeBlob(ctx, n.e.Disk(), snapFile, b); err != nil {
		return err
	}
	n.snapIndex = n.st.applied
	// Keep a few entries before the snapshot, so that a follower just
	// behind catches up from the log rather than a snapshot.
	if keep := n.o.SnapshotEvery / 4; n.snapIndex > keep {
		if err := n.storage.Compact(n.snapIndex - keep); err != nil {
			return fmt.Errorf("compact: %w", err)
		}
	}
	return n.wal.rewrite(ctx, n.hs, n.entries())
}

// confState is the fixed membership: every node a voter.
func (n *node) confState() *raftpb.ConfState {
	voters := make([]uint64, n.o.Nodes)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	return &raftpb.ConfState{Voters: voters}
}

// stale reports whether the planted bug stale-reads answers this get from
// the local store: on a follower.
func (n *node) stale(ctx context.Context) bool {
	return orrery.Planted(ctx, BugStaleReads) && n.rn.BasicStatus().RaftState != raft.StateLeader
}
