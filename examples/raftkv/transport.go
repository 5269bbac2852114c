package raftkv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
)

// The transport: each node listens for its peers on peerPort and keeps one
// outgoing connection to each, dialed when it has something to send and
// dialed again after any failure. Messages travel as frames of marshaled
// raftpb.Message. Raft tolerates lost messages, so a message that meets a
// full queue or a broken connection is dropped, never waited for: the raft
// loop never blocks on a slow peer.
const (
	peerPort   = "7000"
	clientPort = "7001"
	// queueLen bounds the messages waiting for a peer.
	queueLen = 256
	// sendTimeout bounds a dial or a write to a peer.
	sendTimeout = 500 * time.Millisecond
	// redialAfter is how long a peer that failed is left alone: messages
	// for it are dropped meanwhile.
	redialAfter = 50 * time.Millisecond
)

// peer is the outgoing half of the link to another node.
type peer struct {
	e    env.Env
	addr string
	out  *env.Chan[[]byte]
}

// hostName is the host of node id: "kv-1".
func hostName(id uint64) string { return fmt.Sprintf("kv-%d", id) }

// startPeers starts a sending task for every other node.
func (n *node) startPeers() {
	n.peers = map[uint64]*peer{}
	for id := uint64(1); id <= uint64(n.o.Nodes); id++ {
		if id == n.id {
			continue
		}
		p := &peer{e: n.e, addr: hostName(id) + ":" + peerPort, out: env.NewChan[[]byte](n.e, queueLen)}
		n.peers[id] = p
		n.e.Go("send-"+hostName(id), p.run)
	}
}

// send marshals the messages in the raft loop, as the raft package asks,
// and queues them for their peers. A snapshot is reported sent once
// queued: if it is lost, the follower's silence makes raft probe it again.
func (n *node) send(msgs []*raftpb.Message) {
	for _, m := range msgs {
		b, err := marshal.Marshal(m)
		if err != nil {
			panic(fmt.Sprintf("raftkv: marshal %v: %v", m.GetType(), err))
		}
		p := n.peers[m.GetTo()]
		queued := p != nil && p.out.TrySend(b)
		if m.GetType() == raftpb.MessageType_MsgSnap {
			status := raft.SnapshotFinish
			if !queued {
				status = raft.SnapshotFailure
			}
			n.rn.ReportSnapshot(m.GetTo(), status)
		}
	}
}

// run writes the queued messages to the peer until the node shuts down.
func (p *peer) run(ctx context.Context) {
	var conn net.Conn
	var quietUntil time.Duration
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for {
		b, _, err := p.out.Recv(ctx)
		if err != nil {
			return
		}
		if conn == nil && p.e.Clock().Monotonic() < quietUntil {
			continue // the peer failed a moment ago: drop
		}
		if conn, err = p.write(ctx, conn, b); err != nil {
			quietUntil = p.e.Clock().Monotonic() + redialAfter
		}
	}
}

// write sends one frame on conn, dialing first if conn is nil. On failure
// it closes conn and returns nil.
func (p *peer) write(ctx context.Context, conn net.Conn, b []byte) (net.Conn, error) {
	ctx, cancel := p.e.Clock().WithTimeout(ctx, sendTimeout)
	defer cancel()
	if conn == nil {
		c, err := p.e.Net().Dial(ctx, p.addr)
		if err != nil {
			return nil, err
		}
		conn = c
	}
	deadline, _ := ctx.Deadline()
	conn.SetWriteDeadline(deadline)
	if err := writeFrame(conn, b); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// servePeers accepts the peers' connections and hands what they send to
// the raft loop.
func (n *node) servePeers(ctx context.Context, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		n.e.Go("recv", func(ctx context.Context) { n.receive(ctx, c) })
	}
}

// receive reads one peer connection until it fails; a corrupt frame ends
// it, and the peer dials again.
func (n *node) receive(ctx context.Context, c net.Conn) {
	defer c.Close()
	for {
		b, err := readFrame(c)
		if errors.Is(err, errCorrupt) {
			assert.Reachable(ctx, "a node refuses a corrupted raft message")
			return
		}
		if err != nil {
			return
		}
		m := &raftpb.Message{}
		if err := proto.Unmarshal(b, m); err != nil {
			return
		}
		if n.recv.Send(ctx, m) != nil {
			return
		}
	}
}
