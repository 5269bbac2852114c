package sim

import "context"

// Case is one arm of a Select: a receive (Chan.RecvCase) or a send
// (Chan.SendCase).
type Case interface {
	// try performs the operation if it can without blocking.
	try() bool
	// enqueue registers the blocked task on the channel.
	enqueue(t *Task, sel *selectState, idx int)
	// finish completes the winning case, or withdraws a losing one.
	finish(won bool)
}

type selectState struct {
	chosen int // index of the case that happened, -1 while none
}

// Select blocks until one of the cases can proceed, performs it and returns
// its index. When several are ready, the seed chooses. It returns -1 and the
// context's error if ctx is done first: ctx.Done() is always a case. With no
// cases it blocks until ctx is done, like select {}.
//
//	i, err := sim.Select(ctx, reqs.RecvCase(&req), sim.After(ctx, time.Second).RecvCase(nil))
func Select(ctx context.Context, cases ...Case) (int, error) {
	t := mustTask(ctx, "sim.Select")
	if err := t.check(ctx); err != nil {
		return -1, err
	}
	if i := trySelect(t.w, cases); i >= 0 {
		return i, nil
	}
	sel := &selectState{chosen: -1}
	for i, c := range cases {
		c.enqueue(t, sel, i)
	}
	r := t.park("select", ctx)
	for i, c := range cases {
		c.finish(i == sel.chosen)
	}
	if sel.chosen >= 0 {
		t.goOn()
		return sel.chosen, nil
	}
	return -1, t.interrupted(ctx, r)
}

// TrySelect performs one ready case without blocking and returns its index,
// or -1 when none is ready: a select with a default arm. It can be called
// outside a task, but needs ctx to locate the World.
func TrySelect(ctx context.Context, cases ...Case) int {
	return trySelect(mustWorld(ctx, "sim.TrySelect"), cases)
}

// trySelect tries the cases from a starting point the seed chooses, so no
// case is favoured.
func trySelect(w *World, cases []Case) int {
	n := len(cases)
	if n == 0 {
		return -1
	}
	start := 0
	if n > 1 {
		start = w.sched.IntN(n)
	}
	for k := range n {
		i := (start + k) % n
		if cases[i].try() {
			return i
		}
	}
	return -1
}

type recvCase[T any] struct {
	c   *Chan[T]
	dst *T
	ok  *bool
	wt  *chanWaiter[T]
}

// RecvCase is a Select case that receives into *dst (dst may be nil to drop
// the value).
func (c *Chan[T]) RecvCase(dst *T) Case { return &recvCase[T]{c: c, dst: dst} }

// RecvOKCase is RecvCase that also stores into *ok whether a value was
// received (false: the channel is closed and drained).
func (c *Chan[T]) RecvOKCase(dst *T, ok *bool) Case {
	return &recvCase[T]{c: c, dst: dst, ok: ok}
}

func (rc *recvCase[T]) store(v T, ok bool) {
	if rc.dst != nil {
		*rc.dst = v
	}
	if rc.ok != nil {
		*rc.ok = ok
	}
}

func (rc *recvCase[T]) try() bool {
	v, ok, got := rc.c.tryRecv()
	if got {
		rc.store(v, ok)
	}
	return got
}

func (rc *recvCase[T]) enqueue(t *Task, sel *selectState, idx int) {
	rc.wt = rc.c.waiter(t, sel, idx)
	rc.c.recvq = append(rc.c.recvq, rc.wt)
}

func (rc *recvCase[T]) finish(won bool) {
	wt := rc.wt
	if won {
		rc.store(wt.val, wt.ok)
	} else {
		rc.c.recvq = removeWaiter(rc.c.recvq, wt)
	}
	rc.c.recycle(wt)
	rc.wt = nil
}

type sendCase[T any] struct {
	c  *Chan[T]
	v  T
	wt *chanWaiter[T]
}

// SendCase is a Select case that sends v.
func (c *Chan[T]) SendCase(v T) Case { return &sendCase[T]{c: c, v: v} }

func (sc *sendCase[T]) try() bool { return sc.c.trySend(sc.v) }

func (sc *sendCase[T]) enqueue(t *Task, sel *selectState, idx int) {
	sc.wt = sc.c.waiter(t, sel, idx)
	sc.wt.val = sc.v
	sc.c.sendq = append(sc.c.sendq, sc.wt)
}

func (sc *sendCase[T]) finish(won bool) {
	wt := sc.wt
	closed := wt.closed
	if !won {
		sc.c.sendq = removeWaiter(sc.c.sendq, wt)
	}
	sc.c.recycle(wt)
	sc.wt = nil
	if won && closed {
		panic("sim: send on closed Chan")
	}
}
