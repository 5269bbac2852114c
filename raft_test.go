package orrery_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"testing"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// raftInput is what a raft node's loop handles: a tick, a message from a
// peer, or a proposal.
type raftInput struct {
	tick     bool
	msg      *raftpb.Message
	proposal []byte
}

// raftCluster is three etcd raft nodes on raft.RawNode with raft's own
// randomized election timeout, which it draws from crypto/rand: nodes
// exchange messages through in-memory inboxes, and a client proposes
// values to them in turn. Every leader change and applied entry is logged,
// so that a different election timeout shows in the trace.
func raftCluster() orrery.Simulation {
	return orrery.Simulation{
		Name:      "raft3",
		Processes: []orrery.Process{{Name: "node", Count: 3, Main: raftNode}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: raftClient}
		}}},
	}
}

// raftNodeID is a node's raft ID from its host name: "node-2" is 2.
func raftNodeID(e env.Env) uint64 {
	var id uint64
	fmt.Sscanf(e.Name(), "node-%d", &id)
	return id
}

func raftNode(e env.Env) error {
	ctx, id := e.Context(), raftNodeID(e)
	st := raft.NewMemoryStorage()
	rn, err := raft.NewRawNode(&raft.Config{ID: id, ElectionTick: 10, HeartbeatTick: 1, Storage: st,
		MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 64, Logger: &raft.DefaultLogger{Logger: log.New(io.Discard, "", 0)}})
	if err != nil {
		return err
	}
	if err := rn.Bootstrap([]raft.Peer{{ID: 1}, {ID: 2}, {ID: 3}}); err != nil {
		return err
	}
	inbox := env.NewChan[raftInput](e, 1024)
	orrery.Publish(ctx, fmt.Sprintf("raft-%d", id), inbox)
	e.Go("ticker", func(ctx context.Context) {
		for e.Clock().Sleep(ctx, 10*time.Millisecond) == nil && inbox.Send(ctx, raftInput{tick: true}) == nil {
		}
	})
	for {
		in, _, err := inbox.Recv(ctx)
		if err != nil {
			return err
		}
		switch {
		case in.tick:
			rn.Tick()
		case in.proposal != nil:
			rn.Propose(in.proposal) // dropped while no leader is known
		default:
			rn.Step(in.msg)
		}
		raftReady(e, rn, st)
	}
}

// raftReady persists, sends and applies what raft has ready.
func raftReady(e env.Env, rn *raft.RawNode, st *raft.MemoryStorage) {
	for rn.HasReady() {
		rd := rn.Ready()
		if rd.SoftState != nil {
			e.Log().Info("role", "state", rd.SoftState.RaftState.String(), "lead", rd.SoftState.Lead)
		}
		if !raft.IsEmptyHardState(rd.HardState) {
			st.SetHardState(rd.HardState)
		}
		st.Append(rd.Entries)
		for _, m := range rd.Messages {
			if peer, ok := orrery.Published(e.Context(), fmt.Sprintf("raft-%d", m.To)); ok {
				peer.(*env.Chan[raftInput]).TrySend(raftInput{msg: m})
			}
		}
		for _, ent := range rd.CommittedEntries {
			raftApply(e, rn, ent)
		}
		rn.Advance(rd)
	}
}

func raftApply(e env.Env, rn *raft.RawNode, ent *raftpb.Entry) {
	switch {
	case ent.GetType() == raftpb.EntryConfChange:
		cc := &raftpb.ConfChange{}
		if proto.Unmarshal(ent.GetData(), cc) == nil {
			rn.ApplyConfChange(cc)
		}
	case len(ent.GetData()) > 0:
		e.Log().Info("applied", "index", ent.GetIndex(), "term", ent.GetTerm(), "data", string(ent.GetData()))
	}
}

// raftClient proposes five values, to each node in turn.
func raftClient(e env.Env) error {
	for i := range 5 {
		if err := e.Clock().Sleep(e.Context(), 300*time.Millisecond); err != nil {
			return err
		}
		if node, ok := orrery.Published(e.Context(), fmt.Sprintf("raft-%d", i%3+1)); ok {
			node.(*env.Chan[raftInput]).TrySend(raftInput{proposal: fmt.Appendf(nil, "v%d", i)})
		}
	}
	return nil
}

// TestRaftElectionTimerDeterministic: etcd raft with its own randomized
// election timer, which it draws from crypto/rand, replays with the seed:
// 50 seeds pass the determinism check. With crypto/rand served from the
// operating system, as before it was captured, the seeds diverge.
func TestRaftElectionTimerDeterministic(t *testing.T) {
	seeds := 50
	rep, err := orrery.Run(raftCluster(), orrery.Options{Seeds: seeds, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Seeds != seeds {
		t.Fatalf("%d seeds, %d failures; first: %+v", rep.Seeds, len(rep.Failures), rep.Failures[0])
	}
	before, err := orrery.Run(raftCluster(), orrery.Options{Seeds: seeds, CheckDeterminism: true, CryptoRandFromOS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("crypto/rand captured: %d of %d seeds diverge; served from the operating system: %d of %d",
		len(rep.Failures), seeds, len(before.Failures), seeds)
	if len(before.Failures) < seeds*9/10 {
		t.Errorf("from the operating system only %d of %d seeds diverged", len(before.Failures), seeds)
	}
}
