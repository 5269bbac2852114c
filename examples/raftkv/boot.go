package raftkv

import (
	"context"
	"errors"
	"fmt"
	"net"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// serve is a node's Main: recover from the disk, listen for peers and
// clients, and run raft until shut down. An error (a failed sync) ends the
// process, which its supervisor restarts: it recovers from what the disk
// kept.
func serve(e env.Env, o Options) error {
	ctx := e.Context()
	n, err := boot(ctx, e, o)
	if err != nil {
		return fmt.Errorf("boot: %w", err)
	}
	defer n.wal.close()
	peers, err := e.Net().Listen(ctx, ":"+peerPort)
	if err != nil {
		return err
	}
	clients, err := e.Net().Listen(ctx, ":"+clientPort)
	if err != nil {
		peers.Close()
		return err
	}
	defer closeAll(peers, clients)
	e.Go("closer", func(ctx context.Context) {
		env.WaitDone(ctx, e)
		closeAll(peers, clients)
	})
	n.startPeers()
	e.Go("peers", func(ctx context.Context) { n.servePeers(ctx, peers) })
	e.Go("clients", func(ctx context.Context) { n.serveClients(ctx, clients) })
	return n.run(ctx)
}

func closeAll(lns ...net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// boot recovers a node from its disk: the raft snapshot (or, on the first
// boot, the cluster's initial one), the WAL's HardState and entries after
// it, and the store from kv.db when that is newer than the snapshot.
func boot(ctx context.Context, e env.Env, o Options) (*node, error) {
	id := uint64(orrery.Instance(ctx) + 1)
	n := &node{e: e, o: o, id: id, storage: raft.NewMemoryStorage(),
		recv: env.NewChan[*raftpb.Message](e, queueLen), props: env.NewChan[*request](e, 0),
		reads: env.NewChan[*request](e, 0), waiting: map[reqKey][]*request{}, readCtx: map[uint64]*request{},
		status: &Status{ID: id}}
	snap, err := n.loadSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	w, ws, err := openWAL(ctx, e.Disk())
	if err != nil {
		return nil, err
	}
	n.wal = w
	assert.Sometimes(ctx, len(ws.ents) > 0, "a node recovers entries from its WAL")
	if err := n.loadLog(snap, ws); err != nil {
		w.close()
		return nil, err
	}
	if err := n.loadStore(ctx, snap); err != nil {
		w.close()
		return nil, err
	}
	n.rn, err = raft.NewRawNode(n.config())
	if err != nil {
		w.close()
		return nil, err
	}
	register(ctx, n.status)
	e.Log().Info("raftkv: booted", "snapshot", n.snapIndex, "applied", n.st.applied,
		"commit", n.hs.GetCommit(), "term", n.hs.GetTerm(), "last", lastIndex(n.storage))
	return n, nil
}

// config is raft's configuration: the node's randomized election timeout
// is raft's own (drawn from crypto/rand); CheckQuorum makes a leader cut
// off from a quorum step down, PreVote keeps a node that was cut off from
// disrupting the cluster when it comes back.
func (n *node) config() *raft.Config {
	return &raft.Config{
		ID:              n.id,
		ElectionTick:    electionTick,
		HeartbeatTick:   heartbeatTick,
		Storage:         n.storage,
		Applied:         n.st.applied,
		MaxSizePerMsg:   64 << 10,
		MaxInflightMsgs: 64,
		CheckQuorum:     true,
		PreVote:         true,
		Logger:          newLogger(n.e),
	}
}

// loadSnapshot reads raft.snap, or writes the cluster's initial snapshot
// on the first boot: every node a voter, an empty store, at index 1 of
// term 1. Every node starts from the same one, so no node needs to be told
// the membership.
func (n *node) loadSnapshot(ctx context.Context) (*raftpb.Snapshot, error) {
	b, err := readBlob(ctx, n.e.Disk(), snapFile)
	if errors.Is(err, errCorrupt) {
		assert.Unreachable(ctx, "a node's snapshot reads back intact", "err", err.Error())
	}
	if err != nil {
		return nil, err
	}
	snap := &raftpb.Snapshot{}
	if b != nil {
		return snap, proto.Unmarshal(b, snap)
	}
	st := newStore()
	st.applied = 1
	snap.Data = st.encode()
	snap.Metadata = &raftpb.SnapshotMetadata{ConfState: n.confState(), Index: proto.Uint64(1), Term: proto.Uint64(1)}
	b, err = marshal.Marshal(snap)
	if err != nil {
		return nil, err
	}
	return snap, writeBlob(ctx, n.e.Disk(), snapFile, b)
}

// loadLog fills the MemoryStorage: the snapshot, then the HardState and
// the entries after it. A crash between writing a snapshot received from
// the leader and rewriting the WAL leaves a HardState and entries older
// than the snapshot; the snapshot is committed, and entries that do not
// follow it are a log it replaced.
func (n *node) loadLog(snap *raftpb.Snapshot, ws walState) error {
	if err := n.storage.ApplySnapshot(snap); err != nil {
		return fmt.Errorf("load snapshot: %w", err)
	}
	meta := snap.GetMetadata()
	n.snapIndex = meta.GetIndex()
	hs := ws.hs
	if hs.GetCommit() < meta.GetIndex() {
		hs.Commit = proto.Uint64(meta.GetIndex())
	}
	if hs.GetTerm() < meta.GetTerm() {
		hs.Term, hs.Vote = proto.Uint64(meta.GetTerm()), proto.Uint64(0)
	}
	n.hs = hs
	if err := n.storage.SetHardState(hs); err != nil {
		return err
	}
	ents := ws.ents
	for i, e := range ents {
		if e.GetIndex() == meta.GetIndex() && e.GetTerm() != meta.GetTerm() {
			ents = nil // a log the snapshot replaced
			break
		}
		if e.GetIndex() > meta.GetIndex() {
			ents = ents[i:]
			break
		}
	}
	if len(ents) > 0 && ents[len(ents)-1].GetIndex() <= meta.GetIndex() {
		ents = nil
	}
	return n.storage.Append(ents)
}

// loadStore loads the store: from kv.db when its applied index is between
// the snapshot's and the commit index (it is then a later state of the
// same log), else from the snapshot. raft is then told that index as
// Applied, and does not hand those entries to apply again.
func (n *node) loadStore(ctx context.Context, snap *raftpb.Snapshot) error {
	st, err := decodeStore(snap.GetData())
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	n.st, n.checkpoint = st, st.applied
	b, err := readBlob(ctx, n.e.Disk(), kvFile)
	if err != nil || b == nil {
		return nil // no checkpoint yet, or a torn one: the snapshot will do
	}
	kv, err := decodeStore(b)
	if err != nil || kv.applied < st.applied || kv.applied > n.hs.GetCommit() {
		return nil
	}
	assert.Sometimes(ctx, kv.applied > st.applied, "a node boots from a checkpoint newer than its snapshot")
	if orrery.Planted(ctx, BugDoubleApply) {
		// The bug: the data comes from kv.db, but the applied index (and
		// the dedup table kept with it) from the snapshot. The entries
		// in between are applied a second time.
		kv.applied, kv.sessions = st.applied, st.sessions
	}
	n.st, n.checkpoint = kv, kv.applied
	return nil
}

func lastIndex(s *raft.MemoryStorage) uint64 {
	i, _ := s.LastIndex()
	return i
}
