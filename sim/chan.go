package sim

import (
	"context"
	"fmt"
)

// Chan is a channel for simulated tasks: Go's channel semantics (buffered or
// unbuffered, close, len), with blocking that the World schedules. Waiting
// senders and receivers are served first come, first served; which of several
// ready tasks runs next is the seed's choice. Use Chan instead of a Go
// channel in simulated code: a task blocked on a Go channel stops the whole
// simulation.
type Chan[T any] struct {
	buf    []T // ring buffer of capacity cap
	head   int
	n      int
	closed bool
	recvq  []*chanWaiter[T]
	sendq  []*chanWaiter[T]
	free   []*chanWaiter[T]
}

// chanWaiter is a task blocked on one end of a channel, alone or as one case
// of a Select. The value travels in it, so nothing escapes per operation.
type chanWaiter[T any] struct {
	t      *Task
	sel    *selectState // nil for a plain Send or Recv
	idx    int          // the case index in sel
	val    T
	ok     bool // for a receiver: a value, not the zero value of a closed channel
	done   bool // matched: the operation completed
	closed bool // for a sender: the channel was closed while it waited
}

// NewChan returns a channel with room for capacity values; 0 makes it
// unbuffered. It panics on a negative capacity.
func NewChan[T any](capacity int) *Chan[T] {
	if capacity < 0 {
		panic(fmt.Sprintf("sim.NewChan: negative capacity %d", capacity))
	}
	return &Chan[T]{buf: make([]T, capacity)}
}

// Len returns how many values are buffered.
func (c *Chan[T]) Len() int { return c.n }

// Cap returns the buffer capacity.
func (c *Chan[T]) Cap() int { return len(c.buf) }

// Send sends v, blocking until a receiver takes it or there is room. It
// returns the context's error if ctx is done first. Sending on a closed
// channel panics, as in Go.
func (c *Chan[T]) Send(ctx context.Context, v T) error {
	t := mustTask(ctx, "sim.Chan.Send")
	if err := t.check(ctx); err != nil {
		return err
	}
	if c.trySend(v) {
		return nil
	}
	wt := c.waiter(t, nil, 0)
	wt.val = v
	c.sendq = append(c.sendq, wt)
	r := t.park("chan send", ctx)
	return c.finishSend(ctx, wt, r)
}

func (c *Chan[T]) finishSend(ctx context.Context, wt *chanWaiter[T], r wakeReason) error {
	t, done, closed := wt.t, wt.done, wt.closed // recycle clears wt
	if !done {
		c.sendq = removeWaiter(c.sendq, wt)
	}
	c.recycle(wt)
	if closed {
		panic("sim: send on closed Chan")
	}
	if done {
		t.goOn() // an aborted sender's value was taken: it unwinds all the same
		return nil
	}
	return t.interrupted(ctx, r)
}

// TrySend sends v if a receiver is waiting or there is room, without
// blocking, and reports whether it did. It can be called outside a task.
func (c *Chan[T]) TrySend(v T) bool { return c.trySend(v) }

func (c *Chan[T]) trySend(v T) bool {
	if c.closed {
		panic("sim: send on closed Chan")
	}
	if rw := c.popWaiter(&c.recvq); rw != nil {
		rw.val, rw.ok = v, true
		c.complete(rw)
		return true
	}
	if c.n < len(c.buf) {
		c.buf[(c.head+c.n)%len(c.buf)] = v
		c.n++
		return true
	}
	return false
}

// Recv receives a value, blocking until one is there. ok is false when the
// channel is closed and drained (v is then the zero value). err is the
// context's error if ctx is done first.
func (c *Chan[T]) Recv(ctx context.Context) (v T, ok bool, err error) {
	t := mustTask(ctx, "sim.Chan.Recv")
	if err := t.check(ctx); err != nil {
		return v, false, err
	}
	if v, ok, got := c.tryRecv(); got {
		return v, ok, nil
	}
	wt := c.waiter(t, nil, 0)
	c.recvq = append(c.recvq, wt)
	r := t.park("chan recv", ctx)
	v, ok, done := wt.val, wt.ok, wt.done
	if !done {
		c.recvq = removeWaiter(c.recvq, wt)
	}
	c.recycle(wt)
	if done {
		t.goOn() // an aborted receiver drops the value, as a crash would
		return v, ok, nil
	}
	var zero T
	return zero, false, t.interrupted(ctx, r)
}

// TryRecv receives a value if one is ready, without blocking. got reports
// whether the receive happened (a closed, drained channel counts, with ok
// false). It can be called outside a task.
func (c *Chan[T]) TryRecv() (v T, ok, got bool) { return c.tryRecv() }

func (c *Chan[T]) tryRecv() (v T, ok, got bool) {
	if c.n > 0 {
		var zero T
		v = c.buf[c.head]
		c.buf[c.head] = zero
		c.head = (c.head + 1) % len(c.buf)
		c.n--
		if sw := c.popWaiter(&c.sendq); sw != nil {
			c.buf[(c.head+c.n)%len(c.buf)] = sw.val
			c.n++
			c.complete(sw)
		}
		return v, true, true
	}
	if sw := c.popWaiter(&c.sendq); sw != nil {
		v = sw.val
		c.complete(sw)
		return v, true, true
	}
	if c.closed {
		return v, false, true
	}
	return v, false, false
}

// Close closes the channel: receivers drain the buffer and then get ok
// false; blocked senders panic, as in Go. Closing a closed channel panics.
func (c *Chan[T]) Close() {
	if c.closed {
		panic("sim: close of closed Chan (close a channel once, from its only sender)")
	}
	c.closed = true
	for _, rw := range c.recvq {
		if rw.claim() {
			rw.ok = false
			rw.done = true
			rw.t.w.wake(rw.t, wakeSignal)
		}
	}
	c.recvq = c.recvq[:0]
	for _, sw := range c.sendq {
		if sw.claim() {
			sw.closed = true
			sw.t.w.wake(sw.t, wakeSignal)
		}
	}
	c.sendq = c.sendq[:0]
}

// claim marks the waiter's operation as the one that happens. It fails when
// the waiter's task is no longer waiting for it: another case of its Select
// won, or it was woken by its context or an abort and has not run yet.
func (wt *chanWaiter[T]) claim() bool {
	if wt.t.state != taskParked {
		return false
	}
	if wt.sel != nil {
		if wt.sel.chosen >= 0 {
			return false
		}
		wt.sel.chosen = wt.idx
	}
	return true
}

// popWaiter returns the first waiter of q that can still be served,
// dropping the ones that cannot.
func (c *Chan[T]) popWaiter(q *[]*chanWaiter[T]) *chanWaiter[T] {
	for len(*q) > 0 {
		wt := (*q)[0]
		(*q)[0] = nil
		*q = (*q)[1:]
		if wt.claim() {
			return wt
		}
	}
	return nil
}

func (c *Chan[T]) complete(wt *chanWaiter[T]) {
	wt.done = true
	wt.t.w.wake(wt.t, wakeSignal)
}

func (c *Chan[T]) waiter(t *Task, sel *selectState, idx int) *chanWaiter[T] {
	var wt *chanWaiter[T]
	if n := len(c.free); n > 0 {
		wt = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		wt = new(chanWaiter[T])
	}
	wt.t, wt.sel, wt.idx = t, sel, idx
	return wt
}

func (c *Chan[T]) recycle(wt *chanWaiter[T]) {
	*wt = chanWaiter[T]{}
	c.free = append(c.free, wt)
}

func removeWaiter[T any](q []*chanWaiter[T], wt *chanWaiter[T]) []*chanWaiter[T] {
	for i, x := range q {
		if x == wt {
			copy(q[i:], q[i+1:])
			q[len(q)-1] = nil
			return q[:len(q)-1]
		}
	}
	return q
}
