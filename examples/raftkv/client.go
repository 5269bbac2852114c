package raftkv

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/check"
	"github.com/orrerysim/orrery/env"
)

// The client's timing.
const (
	// callTimeout bounds one attempt: longer than a node holds a request.
	callTimeout = serverTimeout + 500*time.Millisecond
	// giveUp is how long a client retries a request before it gives up
	// on it: its outcome is then unknown, and the client moves on.
	giveUp = 10 * time.Second
	// checkGiveUp is how long the final reads retry, once the faults
	// healed: a cluster that does not answer by then has lost liveness.
	checkGiveUp = 30 * time.Second
)

// kv is the history the clients record, checked for linearizability at the
// end of every seed.
var kv = check.NewObject("raftkv", check.KV())

// client sends gets, appends and puts to random nodes, retrying each
// request with the same seq until a node answers it, and records them.
type client struct {
	o     Options
	id    uint64
	seq   uint64
	conns map[uint64]net.Conn
	rec   *check.Recorder
}

func newClient(o Options) orrery.Driver {
	return &client{o: o, conns: map[uint64]net.Conn{}}
}

// Setup names the client: clients are numbered from 1.
func (c *client) Setup(e env.Env) error {
	c.id = uint64(orrery.Instance(e.Context()) + 1)
	c.rec = kv.Record(e.Context())
	return nil
}

// Run sends o.Ops requests with short random pauses: gets of any key,
// appends to the keys a0, a1, ... and puts to p0, p1, ...
func (c *client) Run(e env.Env) error {
	ctx := e.Context()
	r := e.Rand()
	for range c.o.Ops {
		if err := e.Clock().Sleep(ctx, time.Duration(r.Int64N(int64(20*time.Millisecond)))); err != nil {
			return err
		}
		k := r.IntN(c.o.Keys)
		switch x := r.IntN(10); {
		case x < 4:
			c.get(ctx, e, fmt.Sprintf("%c%d", "ap"[r.IntN(2)], k), giveUp)
		case x < 8:
			c.append(ctx, e, fmt.Sprintf("a%d", k))
		default:
			c.put(ctx, e, fmt.Sprintf("p%d", k))
		}
	}
	return nil
}

// Check reads every append key once the faults healed, for the check that
// every acknowledged append survived (see survived).
func (c *client) Check(e env.Env) error {
	ctx := e.Context()
	out := outcomeOf(ctx)
	for k := range c.o.Keys {
		key := fmt.Sprintf("a%d", k)
		v, ok := c.get(ctx, e, key, checkGiveUp)
		if !ok {
			return fmt.Errorf("get %s: no node answered within %v of the faults healing", key, checkGiveUp)
		}
		out.final[key] = append(out.final[key], v)
	}
	return nil
}

func (c *client) get(ctx context.Context, e env.Env, key string, budget time.Duration) (string, bool) {
	op := c.rec.Call(int(c.id), check.Get(key))
	rep, ok := c.do(ctx, e, command{Op: opGet, Key: key}, budget)
	if !ok {
		op.Unknown()
		return "", false
	}
	op.Return(check.KVOutput{Value: rep.value})
	return rep.value, true
}

func (c *client) append(ctx context.Context, e env.Env, key string) {
	tok := fmt.Sprintf("%d.%d;", c.id, c.seq+1)
	op := c.rec.Call(int(c.id), check.Append(key, tok))
	if _, ok := c.do(ctx, e, command{Op: opAppend, Key: key, Value: tok}, giveUp); !ok {
		op.Unknown()
		return
	}
	op.Return(check.KVOutput{})
	out := outcomeOf(ctx)
	out.acked[key] = append(out.acked[key], tok)
}

func (c *client) put(ctx context.Context, e env.Env, key string) {
	val := fmt.Sprintf("%d.%d", c.id, c.seq+1)
	op := c.rec.Call(int(c.id), check.Put(key, val))
	if _, ok := c.do(ctx, e, command{Op: opPut, Key: key, Value: val}, giveUp); !ok {
		op.Unknown()
		return
	}
	op.Return(check.KVOutput{})
}

// do sends cmd, under the client's next seq, to random nodes until one
// answers it or budget passes.
func (c *client) do(ctx context.Context, e env.Env, cmd command, budget time.Duration) (reply, bool) {
	c.seq++
	cmd.Client, cmd.Seq = c.id, c.seq
	end := e.Clock().Monotonic() + budget
	for attempt := 0; e.Clock().Monotonic() < end; attempt++ {
		if attempt > 0 {
			assert.Sometimes(ctx, true, "a client retries a request")
			if e.Clock().Sleep(ctx, time.Duration(20+e.Rand().IntN(40))*time.Millisecond) != nil {
				return reply{}, false
			}
		}
		node := uint64(1 + e.Rand().IntN(c.o.Nodes))
		rep, err := c.call(ctx, e, node, cmd)
		if err == nil && rep.status == statusOK {
			return rep, true
		}
	}
	return reply{}, false
}

// call sends cmd to node and reads its answer, dialing first if needed;
// on any error the connection is dropped, to be dialed again next time.
func (c *client) call(ctx context.Context, e env.Env, node uint64, cmd command) (reply, error) {
	ctx, cancel := e.Clock().WithTimeout(ctx, callTimeout)
	defer cancel()
	conn := c.conns[node]
	if conn == nil {
		var err error
		if conn, err = e.Net().Dial(ctx, hostName(node)+":"+clientPort); err != nil {
			return reply{}, err
		}
		c.conns[node] = conn
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	rep, err := exchange(conn, cmd)
	if err != nil {
		conn.Close()
		delete(c.conns, node)
	}
	return rep, err
}

func exchange(conn net.Conn, cmd command) (reply, error) {
	if err := writeFrame(conn, cmd.encode()); err != nil {
		return reply{}, err
	}
	b, err := readFrame(conn)
	if err != nil {
		return reply{}, err
	}
	return decodeReply(b)
}

// outcomeKey is where the clients publish what survival checks.
const outcomeKey = "raftkv/outcome"

// outcome is what the clients saw of the append keys: the appends
// acknowledged, and the values read after the faults healed.
type outcome struct {
	acked map[string][]string // key -> the values appended, acknowledged
	final map[string][]string // key -> the values read in Check
}

// String counts what the clients saw, for the liveness check's message.
func (out *outcome) String() string {
	n := 0
	for _, toks := range out.acked {
		n += len(toks)
	}
	return fmt.Sprintf("%d appends acknowledged on %d keys", n, len(out.acked))
}

func outcomeOf(ctx context.Context) *outcome {
	if v, ok := orrery.Published(ctx, outcomeKey); ok {
		return v.(*outcome)
	}
	out := &outcome{acked: map[string][]string{}, final: map[string][]string{}}
	orrery.Publish(ctx, outcomeKey, out)
	return out
}

// survived is the seed check that every acknowledged append is, once, in
// every value of its key read after the faults healed.
func survived(ctx context.Context) error {
	v, ok := orrery.Published(ctx, outcomeKey)
	if !ok {
		return nil
	}
	return v.(*outcome).check()
}

func (out *outcome) check() error {
	for _, key := range sortedKeys(out.final) {
		for _, val := range out.final[key] {
			for _, tok := range out.acked[key] {
				if n := strings.Count(val, tok); n != 1 {
					return fmt.Errorf("the acknowledged append of %q to %s is in its final value %d times: %q", tok, key, n, val)
				}
			}
		}
	}
	return nil
}
