package bank

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/frame"
)

// callTimeout bounds one request: a partition or a half-open connection
// must not hang a client forever.
const callTimeout = 2 * time.Second

// client sends transfers between random accounts over a connection it
// re-dials whenever the network breaks it.
type client struct {
	opts Options
	conn net.Conn
	in   *frame.Reader
	out  *frame.Writer
	msg  []byte // the request being sent, reused
	done int    // transfers the server applied
}

// Setup does nothing: the client dials on its first request.
func (c *client) Setup(e env.Env) error { return nil }

// Run sends o.Transfers transfers with random pauses. A transfer that
// fails on the network is not retried: its outcome is unknown, and money
// is conserved either way.
func (c *client) Run(e env.Env) error {
	ctx := e.Context()
	r := e.Rand()
	for range c.opts.Transfers {
		if err := e.Clock().Sleep(ctx, time.Duration(r.Int64N(int64(10*time.Millisecond)))); err != nil {
			return err
		}
		from, to := r.IntN(c.opts.Accounts), r.IntN(c.opts.Accounts-1)
		if to >= from {
			to++
		}
		resp, err := c.call(ctx, e, request{op: opTransfer, from: from, to: to, amount: 1 + r.Int64N(30)})
		if err != nil {
			assert.Sometimes(ctx, true, "a transfer fails on the network")
			continue
		}
		if resp.status == statusOK {
			c.done++
		}
	}
	assert.Sometimes(ctx, c.done > 0, "a client's transfers go through")
	return nil
}

// Check asks the server for the total once the faults are healed,
// retrying until the network lets it.
func (c *client) Check(e env.Env) error {
	ctx := e.Context()
	want := int64(c.opts.Accounts) * c.opts.Balance
	for attempt := 0; ; attempt++ {
		resp, err := c.call(ctx, e, request{op: opTotal})
		if err == nil {
			assert.Always(ctx, resp.total == want, "the bank's total is conserved", "total", resp.total, "want", want)
			return nil
		}
		if attempt == 10 {
			return fmt.Errorf("the bank did not answer after the faults healed: %w", err)
		}
		if err := e.Clock().Sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// call sends req and waits for the response, dialing first if needed. On
// any error the connection is dropped, to be dialed again next time.
func (c *client) call(ctx context.Context, e env.Env, req request) (response, error) {
	ctx, cancel := e.Clock().WithTimeout(ctx, callTimeout)
	defer cancel()
	if c.conn == nil {
		conn, err := e.Net().Dial(ctx, "bank:"+port)
		if err != nil {
			return response{}, err
		}
		c.conn, c.in, c.out = conn, frame.NewReader(conn, maxFrame), frame.NewWriter(conn, maxFrame)
	}
	deadline, _ := ctx.Deadline()
	c.conn.SetDeadline(deadline)
	resp, err := c.exchange(req)
	if err != nil {
		c.conn.Close()
		c.conn, c.in, c.out = nil, nil, nil
		if errors.Is(err, frame.ErrCorrupt) {
			assert.Reachable(ctx, "a client refuses a corrupted frame")
		}
	}
	return resp, err
}

func (c *client) exchange(req request) (response, error) {
	c.msg = req.encode(c.msg[:0])
	if err := c.out.Write(c.msg); err != nil {
		return response{}, err
	}
	body, err := c.in.Read()
	if err != nil {
		return response{}, err
	}
	return decodeResponse(body)
}
