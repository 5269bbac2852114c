package sim

import (
	"context"
	"fmt"
)

// WaitQueue is a first-come, first-served queue of parked tasks: the
// building block of the other primitives, and of simulated devices (a
// connection's readers, a disk's pending I/O) in other packages. The zero
// value is an empty queue.
type WaitQueue struct {
	items []*Task
}

// Wait parks the calling task until WakeOne or WakeAll picks it. It returns
// nil when woken that way and the context's error if ctx is done first.
// An aborted task does not return: it unwinds from here, whatever woke it,
// and a simulated device that must undo something when its caller unwinds
// does it in a deferred call. Called by a deferred call while the task
// unwinds, it returns ErrAborted at once. what says what the task waits
// for, in deadlock reports ("read conn 3").
func (q *WaitQueue) Wait(ctx context.Context, what string) error {
	t := mustTask(ctx, "sim.WaitQueue.Wait")
	err := t.block(q, ctx, what)
	if err == nil {
		t.goOn()
	}
	return err
}

// WaitTask is Wait on the own context of t, which must be the running task
// (World.Current): the same wait without a frame of its own, for the
// hottest waits of simulated devices, such as a connection's read. Every
// frame between a task and its switch to another costs a mispredicted
// return when it resumes.
func (q *WaitQueue) WaitTask(t *Task, what string) error {
	err := t.block(q, t.ctx, what)
	if err == nil && t.aborted {
		t.unwind()
		return ErrAborted
	}
	return err
}

// WakeOne wakes the task that has waited longest and reports whether there
// was one.
func (q *WaitQueue) WakeOne() bool { return q.wakeOne() != nil }

// wakeOne wakes the task that has waited longest and returns it, or nil.
func (q *WaitQueue) wakeOne() *Task {
	for len(q.items) > 0 {
		t := q.items[0]
		// Shift rather than reslice, so that the backing array is reused:
		// queues are short, and a busy one would otherwise reallocate.
		n := copy(q.items, q.items[1:])
		q.items[n] = nil
		q.items = q.items[:n]
		if t.state == taskParked {
			t.w.wake(t, wakeSignal)
			return t
		}
	}
	return nil
}

// WakeAll wakes every waiting task and returns how many. It is inlined
// where the queue is usually empty (a connection's writers).
func (q *WaitQueue) WakeAll() int {
	if len(q.items) == 0 {
		return 0
	}
	return q.wakeAll()
}

func (q *WaitQueue) wakeAll() int {
	n := 0
	for i, t := range q.items {
		q.items[i] = nil
		if t.state == taskParked {
			t.w.wake(t, wakeSignal)
			n++
		}
	}
	q.items = q.items[:0]
	return n
}

// Len returns how many tasks are waiting.
func (q *WaitQueue) Len() int {
	n := 0
	for _, t := range q.items {
		if t.state == taskParked {
			n++
		}
	}
	return n
}

func (q *WaitQueue) remove(t *Task) {
	for i, x := range q.items {
		if x == t {
			copy(q.items[i:], q.items[i+1:])
			q.items[len(q.items)-1] = nil
			q.items = q.items[:len(q.items)-1]
			return
		}
	}
}

// Mutex is a mutual exclusion lock for simulated tasks. Unlock hands the
// lock to the longest waiter, so no task starves and the order is the
// seed's. Never hold a sync.Mutex across a blocking call in simulated code;
// use this.
//
// A Mutex knows the task that holds it, for failure reports, and a Lock
// that would close a cycle of tasks waiting for each other's locks fails
// the run at once with a deadlock that names the cycle.
type Mutex struct {
	locked bool
	holder *Task // the task that holds it, nil if none or not known
	q      WaitQueue
}

// Lock acquires the lock, blocking while another task holds it. It returns
// the context's error, without the lock, if ctx is done first. Taking a
// free lock costs two stores and a load: it neither blocks nor checks the
// goroutine (a stray goroutine is caught when it blocks).
func (m *Mutex) Lock(ctx context.Context) error {
	if !m.locked {
		m.locked, m.holder = true, runningTask(ctx)
		return nil
	}
	return lockWait(ctx, &m.q, m, "mutex") // Unlock hands the lock over
}

// TryLock acquires the lock if it is free.
func (m *Mutex) TryLock() bool {
	if m.locked {
		return false
	}
	m.locked, m.holder = true, goroutineTask()
	return true
}

// Unlock releases the lock, handing it to the longest waiter if any. It
// panics if the lock is not held.
func (m *Mutex) Unlock() {
	if !m.locked || len(m.q.items) > 0 {
		m.unlockSlow()
		return
	}
	m.locked, m.holder = false, nil
}

func (m *Mutex) unlockSlow() {
	if !m.locked {
		panic("sim: Unlock of unlocked Mutex")
	}
	t := m.q.wakeOne()
	m.locked, m.holder = t != nil, t
}

func (m *Mutex) holderTask() *Task { return m.holder }

func (m *Mutex) giveBack(string) { m.Unlock() }

func (m *Mutex) quit(string) {}

func (m *Mutex) describeWait(string) string { return "mutex" + heldBy(m.holderTask()) }

// RWMutex is a reader/writer lock for simulated tasks. A waiting writer
// holds back new readers, so writers do not starve; when a writer unlocks,
// the readers waiting go first. It knows its writer, as Mutex knows its
// holder, for failure reports and lock cycles.
type RWMutex struct {
	readers        int
	writer         bool
	holder         *Task // the writer, nil if none or not known
	waitingWriters int
	rq, wq         WaitQueue
}

// RLock acquires a read lock.
func (m *RWMutex) RLock(ctx context.Context) error {
	if !m.writer && m.waitingWriters == 0 {
		m.readers++
		return nil
	}
	return lockWait(ctx, &m.rq, m, "rwmutex read") // the waker counts us in
}

// RUnlock releases a read lock. It panics if no read lock is held.
func (m *RWMutex) RUnlock() {
	if m.readers <= 0 {
		panic("sim: RUnlock of unlocked RWMutex")
	}
	m.readers--
	if m.readers == 0 {
		m.grantWriter()
	}
}

// Lock acquires the write lock.
func (m *RWMutex) Lock(ctx context.Context) error {
	if !m.writer && m.readers == 0 {
		m.writer, m.holder = true, runningTask(ctx)
		return nil
	}
	m.waitingWriters++
	return lockWait(ctx, &m.wq, m, "rwmutex write") // the waker sets writer for us
}

// Unlock releases the write lock. It panics if it is not held.
func (m *RWMutex) Unlock() {
	if !m.writer {
		panic("sim: Unlock of unlocked RWMutex")
	}
	m.writer, m.holder = false, nil
	if m.grantReaders() == 0 {
		m.grantWriter()
	}
}

func (m *RWMutex) grantReaders() int {
	n := 0
	for m.rq.WakeOne() {
		m.readers++
		n++
	}
	return n
}

func (m *RWMutex) grantWriter() {
	if t := m.wq.wakeOne(); t != nil {
		m.waitingWriters--
		m.writer, m.holder = true, t
	}
}

func (m *RWMutex) holderTask() *Task { return m.holder }

func (m *RWMutex) giveBack(what string) {
	if what == "rwmutex read" {
		m.RUnlock()
	} else {
		m.Unlock()
	}
}

// quit stops counting a writer that gave up waiting: the readers it held
// back go in.
func (m *RWMutex) quit(what string) {
	if what != "rwmutex write" {
		return
	}
	m.waitingWriters--
	if !m.writer && m.waitingWriters == 0 {
		m.grantReaders()
	}
}

func (m *RWMutex) describeWait(what string) string {
	switch {
	case m.writer:
		return what + heldBy(m.holderTask())
	case m.readers > 0:
		return fmt.Sprintf("%s held by %d readers", what, m.readers)
	}
	return what + " behind a waiting writer"
}

// heldBy names the holder of a lock: ` held by task 3 "bank/server"`.
func heldBy(t *Task) string {
	if t == nil {
		return " held by an unknown task"
	}
	return fmt.Sprintf(" held by task %d %q", t.id, t.name)
}

// WaitGroup waits for a collection of tasks to finish, like sync.WaitGroup.
type WaitGroup struct {
	n int
	q WaitQueue
}

// Add adds delta to the counter. It panics if the counter goes negative.
func (g *WaitGroup) Add(delta int) {
	g.n += delta
	if g.n < 0 {
		panic(fmt.Sprintf("sim: negative WaitGroup counter (%d)", g.n))
	}
	if g.n == 0 {
		g.q.WakeAll()
	}
}

// Done decrements the counter by one.
func (g *WaitGroup) Done() { g.Add(-1) }

// Go starts fn as a task of ctx's World and counts it in the group.
func (g *WaitGroup) Go(ctx context.Context, name string, fn func(ctx context.Context)) *Task {
	g.Add(1)
	return Go(ctx, name, func(ctx context.Context) {
		defer g.Done()
		fn(ctx)
	})
}

// Wait blocks until the counter is zero.
func (g *WaitGroup) Wait(ctx context.Context) error {
	for g.n > 0 {
		if err := g.q.Wait(ctx, "waitgroup"); err != nil {
			return err
		}
	}
	return nil
}

// Cond is a condition variable for simulated tasks, like sync.Cond.
type Cond struct {
	L *Mutex
	q WaitQueue
}

// NewCond returns a Cond whose Wait releases and reacquires l.
func NewCond(l *Mutex) *Cond { return &Cond{L: l} }

// Wait releases c.L, blocks until Signal or Broadcast, and reacquires c.L
// before it returns, even when it returns the context's error. An aborted
// task does not return: it unwinds from Wait without the lock.
func (c *Cond) Wait(ctx context.Context) error {
	c.L.Unlock()
	err := c.q.Wait(ctx, "cond")
	if lerr := c.L.Lock(context.WithoutCancel(ctx)); lerr != nil {
		return lerr
	}
	return err
}

// Signal wakes one waiting task, if any.
func (c *Cond) Signal() { c.q.WakeOne() }

// Broadcast wakes every waiting task.
func (c *Cond) Broadcast() { c.q.WakeAll() }
