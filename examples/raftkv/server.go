package raftkv

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
	"go.etcd.io/raft/v3"
)

// The answers to a client.
const (
	statusOK = 0
	// statusUnavailable: the request may or may not take effect (no
	// leader, a timeout); the client retries it, with the same seq.
	statusUnavailable = 1
)

// serverTimeout bounds how long a node holds a client's request before it
// answers statusUnavailable.
const serverTimeout = time.Second

// expireAfter is how long an unanswered request stays registered in the
// raft loop: longer than any client still waits.
const expireAfter = 3 * time.Second

// request is a client's request on its way through the raft loop.
type request struct {
	cmd   command
	done  *env.Chan[reply] // the answer; holds one
	at    time.Duration    // when it arrived, on the monotonic clock
	index uint64           // a get's read index
}

// reply is the answer to a request: a status and, for a get, the value.
type reply struct {
	status byte
	value  string
}

func (r reply) encode() []byte {
	return appendString([]byte{r.status}, r.value)
}

func decodeReply(b []byte) (reply, error) {
	if len(b) < 1 {
		return reply{}, errShort
	}
	v, rest, err := readString(b[1:])
	if err != nil || len(rest) != 0 {
		return reply{}, errors.Join(err, errShort)
	}
	return reply{status: b[0], value: v}, nil
}

// serveClients accepts the clients' connections.
func (n *node) serveClients(ctx context.Context, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		n.e.Go("client-conn", func(ctx context.Context) { n.serveClient(ctx, c) })
	}
}

// serveClient answers the requests of one connection, one at a time.
func (n *node) serveClient(ctx context.Context, c net.Conn) {
	defer c.Close()
	for {
		b, err := readFrame(c)
		if errors.Is(err, errCorrupt) {
			assert.Reachable(ctx, "a node refuses a corrupted request")
			return
		}
		if err != nil {
			return
		}
		cmd, err := decodeCommand(b)
		if err != nil {
			return
		}
		if writeFrame(c, n.handle(ctx, cmd).encode()) != nil {
			return
		}
	}
}

// handle passes cmd to the raft loop and waits for its answer.
func (n *node) handle(ctx context.Context, cmd command) reply {
	r := &request{cmd: cmd, done: env.NewChan[reply](n.e, 1), at: n.e.Clock().Monotonic()}
	to := n.props
	if cmd.Op == opGet {
		to = n.reads
	}
	ctx, cancel := n.e.Clock().WithTimeout(ctx, serverTimeout)
	defer cancel()
	if to.Send(ctx, r) != nil {
		return reply{status: statusUnavailable}
	}
	rep, _, err := r.done.Recv(ctx)
	if err != nil {
		return reply{status: statusUnavailable}
	}
	return rep
}

// propose proposes a write. Raft forwards it to the leader; the client is
// answered when the entry is applied here (see apply).
func (n *node) propose(ctx context.Context, r *request) {
	if err := n.rn.Propose(r.cmd.encode()); err != nil {
		r.done.TrySend(reply{status: statusUnavailable}) // no leader known
		return
	}
	if orrery.Planted(ctx, BugAckOnPropose) {
		// The bug: the write is acknowledged before raft committed it.
		r.done.TrySend(reply{status: statusOK})
		return
	}
	key := reqKey{r.cmd.Client, r.cmd.Seq}
	n.waiting[key] = append(n.waiting[key], r)
}

// readIndex asks raft for a read index for a get: the leader confirms with
// a quorum that it still leads, and the get is answered once the store has
// applied that index (see serveReads).
func (n *node) readIndex(ctx context.Context, r *request) {
	if n.stale(ctx) {
		r.done.TrySend(reply{status: statusOK, value: n.st.data[r.cmd.Key]})
		return
	}
	n.reqSeq++
	n.readCtx[n.reqSeq] = r
	n.rn.ReadIndex(binary.BigEndian.AppendUint64(nil, n.reqSeq))
}

// readStates gives each get whose read index raft returned that index.
func (n *node) readStates(states []raft.ReadState) {
	for _, rs := range states {
		if len(rs.RequestCtx) != 8 {
			continue
		}
		seq := binary.BigEndian.Uint64(rs.RequestCtx)
		if r, ok := n.readCtx[seq]; ok {
			delete(n.readCtx, seq)
			r.index = rs.Index
			n.readable = append(n.readable, r)
		}
	}
}

// serveReads answers the gets whose read index the store has applied.
func (n *node) serveReads() {
	kept := n.readable[:0]
	for _, r := range n.readable {
		if r.index > n.st.applied {
			kept = append(kept, r)
			continue
		}
		r.done.TrySend(reply{status: statusOK, value: n.st.data[r.cmd.Key]})
	}
	clear(n.readable[len(kept):])
	n.readable = kept
}

// dropReads answers statusUnavailable to the gets still waiting for a read
// index: raft forgets them when the leadership changes.
func (n *node) dropReads() {
	for _, seq := range sortedKeys(n.readCtx) {
		n.readCtx[seq].done.TrySend(reply{status: statusUnavailable})
		delete(n.readCtx, seq)
	}
}

// expire forgets the writes whose clients stopped waiting long ago.
func (n *node) expire() {
	now := n.e.Clock().Monotonic()
	for key, rs := range n.waiting {
		live := rs[:0]
		for _, r := range rs {
			if now-r.at < expireAfter {
				live = append(live, r)
			}
		}
		if len(live) == 0 {
			delete(n.waiting, key)
		} else {
			n.waiting[key] = live
		}
	}
}
