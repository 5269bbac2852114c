package envhttp

import (
	"context"
	"net"
	"sync/atomic"
	"time"

	"github.com/orrerysim/orrery/env"
)

// forever is the duration of a timer made stopped.
const forever = 100 * 365 * 24 * time.Hour

// timeouts turns a server connection's read and write timeouts, counted on
// the host's clock, into deadlines in the past on the connection when they
// expire, which end its blocked Read or Write: what net/http does with
// deadlines on the operating system's clock. A task of its own waits for
// the timers; a connection without timeouts has none.
type timeouts struct {
	c                         net.Conn
	read, write               env.Timer
	kick                      *env.Chan[struct{}]
	readExpired, writeExpired atomic.Bool
	stopped                   atomic.Bool
}

func newTimeouts(e env.Env, c net.Conn) *timeouts {
	t := &timeouts{c: c, read: e.Clock().NewTimer(forever), write: e.Clock().NewTimer(forever), kick: env.NewChan[struct{}](e, 1)}
	t.read.Stop()
	t.write.Stop()
	e.Go("envhttp/timeouts", t.loop)
	return t
}

func (t *timeouts) loop(ctx context.Context) {
	for !t.stopped.Load() {
		i, err := env.Select(ctx, t.read.C().RecvCase(nil), t.write.C().RecvCase(nil), t.kick.RecvCase(nil))
		switch {
		case err != nil:
			return
		case t.stopped.Load():
		case i == 0:
			t.readExpired.Store(true)
			t.c.SetReadDeadline(aLongTimeAgo)
		case i == 1:
			t.writeExpired.Store(true)
			t.c.SetWriteDeadline(aLongTimeAgo)
		}
	}
}

// armRead makes reads fail d from now (never for d <= 0), lifting an
// expired read timeout.
func (t *timeouts) armRead(d time.Duration) {
	if t == nil {
		return
	}
	t.read.Stop()
	t.read.C().TryRecv()
	if t.readExpired.Swap(false) {
		t.c.SetReadDeadline(time.Time{})
	}
	if d > 0 {
		t.read.Reset(d)
	}
}

// armWrite makes writes fail d from now (never for d <= 0).
func (t *timeouts) armWrite(d time.Duration) {
	if t == nil {
		return
	}
	t.write.Stop()
	t.write.C().TryRecv()
	if t.writeExpired.Swap(false) {
		t.c.SetWriteDeadline(time.Time{})
	}
	if d > 0 {
		t.write.Reset(d)
	}
}

// readTimedOut reports whether reads fail because a timeout expired.
func (t *timeouts) readTimedOut() bool { return t != nil && t.readExpired.Load() }

// writeTimedOut reports whether writes fail because a timeout expired.
func (t *timeouts) writeTimedOut() bool { return t != nil && t.writeExpired.Load() }

func (t *timeouts) stop() {
	if t == nil {
		return
	}
	t.stopped.Store(true)
	t.read.Stop()
	t.write.Stop()
	t.kick.TrySend(struct{}{})
}

// watch ends the I/O of a client connection when a request's context is
// done, by a deadline in the past, until stop is called: the simulated
// connection's Read and Write wait on their task's context, not the
// request's, so a task of its own waits for the request's.
type watch struct {
	ctx     context.Context
	c       net.Conn
	cancel  context.CancelFunc
	fired   atomic.Bool
	stopped atomic.Bool
}

// watchConn starts watching ctx for c; a context that can never be done
// needs no task.
func watchConn(e env.Env, ctx context.Context, c net.Conn) *watch {
	w := &watch{ctx: ctx, c: c}
	if ctx.Done() == nil {
		return w
	}
	wctx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	e.Go("envhttp/cancel", func(context.Context) {
		env.WaitDone(wctx, e)
		if ctx.Err() != nil && !w.stopped.Load() {
			w.fired.Store(true)
			c.SetDeadline(aLongTimeAgo)
		}
	})
	return w
}

// stop ends the watch; the connection's deadlines are left as they are
// (a fired watch leaves the connection unusable, and it is closed).
func (w *watch) stop() {
	if w.stopped.Swap(true) || w.cancel == nil {
		return
	}
	w.cancel()
}

// err is the error to report for an I/O error err: the context's, if the
// context ended the I/O.
func (w *watch) err(err error) error {
	if w.fired.Load() || (err != nil && w.ctx.Err() != nil) {
		return w.ctx.Err()
	}
	return err
}
