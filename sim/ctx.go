package sim

import (
	"context"
	"fmt"
	"math"
	"time"
	"unsafe"
)

// Epoch is the wall-clock time that logical time zero stands for, where an
// API needs a time.Time (context deadlines, a simulated time.Now). It is
// fixed, so that traces and outputs never depend on when a run happened.
var Epoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// Time returns the logical time as a time.Time: Epoch plus Now.
func (w *World) Time() time.Time { return Epoch.Add(w.now) }

type worldKey struct{}
type simCtxKey struct{}

// simCtx is a context whose cancellation the World sees at once. Its done
// channel is its own, so the standard library attaches children through
// AfterFunc, which we run synchronously: no goroutine, no wall clock.
type simCtx struct {
	w        *World
	task     *Task           // the task whose own context it is, if any
	by       *Task           // the task that made it, for the trace
	parent   context.Context // nil for the root
	done     chan struct{}
	err      error
	deadline time.Duration // true time
	shownAt  time.Duration // Deadline reports Epoch plus shownAt (a host clock's reading), unless oddShown

	children   []ctxChild
	up         *simCtx  // the context of ours whose children list c, while it does
	canceler   canceler // what its CancelFunc points to
	upIdx      int32    // c's index in up.children
	foreignIdx int32    // index in w.foreign, -1 if not there
	dl         int32    // 1 + the index of its pending deadline in w.deadlines; 0 for none
	hasDL      bool     // it has a deadline of its own
	oddShown   bool     // its Deadline is not Epoch plus a duration: see show
	cause      uint8    // why it was cancelled: causeErr, causeShutdown or causeOdd
	released   bool     // its task finished; detach when childless
}

// owner is the task whose goroutine most likely uses c (see caller): its
// task, else the task that made it.
func (c *simCtx) owner() *Task {
	if c.task != nil {
		return c.task
	}
	return c.by
}

// cancelNow cancels c, as its CancelFunc does.
func (c *simCtx) cancelNow() { c.cancel(context.Canceled, nil) }

// canceler is a context's CancelFunc, kept in the context itself, so that
// making a context with a deadline allocates nothing but its share of a
// chunk (newDeadlineCtx). A func value points to a closure whose first word
// is the code to call and whose next words are the values it captured: the
// closure of the method value c.cancelNow is the code of cancelNow's
// wrapper followed by the receiver c, which is canceler's layout.
// cancelCode is that code, or 0 where the layout is not what the probe at
// start-up found, and cancelFunc then allocates an ordinary closure.
type canceler struct {
	code uintptr
	c    *simCtx
}

var cancelCode = probeCancelCode()

// probeCancelCode returns the code of the method value's closure after
// checking, on a context of its own, that calling a canceler made with it
// cancels that context; 0 otherwise.
func probeCancelCode() (code uintptr) {
	f := (&simCtx{}).cancelNow
	code = **(**uintptr)(unsafe.Pointer(&f))
	probe := &simCtx{foreignIdx: -1}
	probe.canceler = canceler{code, probe}
	defer func() {
		if recover() != nil || probe.err != context.Canceled {
			code = 0
		}
	}()
	p := &probe.canceler
	(*(*func())(unsafe.Pointer(&p)))()
	return code
}

// cancelFunc returns c's CancelFunc: a func value pointing to c.canceler.
func (c *simCtx) cancelFunc() context.CancelFunc {
	if cancelCode == 0 {
		return c.cancelNow
	}
	c.canceler = canceler{cancelCode, c}
	p := &c.canceler
	return *(*context.CancelFunc)(unsafe.Pointer(&p))
}

// ctxChild is an entry of a context's children: a context of ours, or a
// function registered through AfterFunc by the standard library
// (context.WithCancel of ours).
type ctxChild struct {
	c *simCtx
	f *ctxFunc
}

// ctxFunc is a function registered through AfterFunc, and where it is
// registered while it is.
type ctxFunc struct {
	owner *simCtx
	idx   int
	f     func()
}

func (c *simCtx) Deadline() (time.Time, bool) {
	if c.hasDL {
		if c.oddShown {
			return c.w.oddShown[c], true
		}
		return Epoch.Add(c.shownAt), true
	}
	if c.parent != nil {
		return c.parent.Deadline()
	}
	return time.Time{}, false
}

// Done returns the context's done channel, made on first use: the engine
// itself never selects on it (it wakes its waiters directly), so most
// contexts never need one.
func (c *simCtx) Done() <-chan struct{} {
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		}
	}
	return c.done
}

func (c *simCtx) Err() error { return c.err }

func (c *simCtx) Value(key any) any {
	switch key.(type) {
	case worldKey:
		return c.w
	case simCtxKey:
		return c
	}
	if c.parent == nil {
		return nil
	}
	return c.parent.Value(key)
}

func (c *simCtx) String() string { return fmt.Sprintf("sim.Context(t=%v)", c.w.now) }

// AfterFunc makes the standard library's contexts derived from ours
// cancellable without a goroutine: f runs synchronously when c is
// cancelled, in the cancelling task.
func (c *simCtx) AfterFunc(f func()) func() bool {
	if c.err != nil {
		f()
		return func() bool { return false }
	}
	l := &ctxFunc{owner: c, idx: len(c.children), f: f}
	c.children = append(c.children, ctxChild{f: l})
	return func() bool {
		owner := l.owner
		if owner == nil {
			return false
		}
		l.owner = nil
		owner.removeChild(l.idx)
		return true
	}
}

// link makes c, a new context, a child of p.
func (c *simCtx) link(p *simCtx) {
	c.up, c.upIdx = p, int32(len(p.children))
	p.children = append(p.children, ctxChild{c: c})
}

// removeChild removes the child at i, moving the last one there.
func (c *simCtx) removeChild(i int) {
	last := len(c.children) - 1
	if i != last {
		moved := c.children[last]
		c.children[i] = moved
		if moved.c != nil {
			moved.c.upIdx = int32(i)
		} else {
			moved.f.idx = i
		}
	}
	c.children[last] = ctxChild{}
	c.children = c.children[:last]
	if c.released && last == 0 {
		c.detach()
	}
}

// newCtx returns a cancellable context of ours under parent.
func (w *World) newCtx(parent context.Context) *simCtx {
	c := new(simCtx)
	w.initCtx(c, parent)
	return c
}

// initCtx makes c, zero memory, a new cancellable context of ours under
// parent. Field by field: a composite literal would be built aside and
// copied with the garbage collector's bulk barrier.
func (w *World) initCtx(c *simCtx, parent context.Context) {
	c.w, c.parent, c.foreignIdx, c.by = w, parent, -1, w.current
	c.attach(parent)
}

// ctxChunk is how many deadline contexts newDeadlineCtx allocates at once:
// as many as fill 6 KiB, a size class of the allocator, with the header it
// adds to a large object with pointers.
const ctxChunk = (6<<10 - 8) / int(unsafe.Sizeof(simCtx{}))

// newDeadlineCtx is newCtx for a context with a deadline, most often made
// per request and cancelled soon: they are allocated ctxChunk at a time,
// each used once, so that one costs a fraction of an allocation.
func (w *World) newDeadlineCtx(parent context.Context) *simCtx {
	if len(w.ctxSpare) == 0 {
		w.ctxSpare = make([]simCtx, ctxChunk)
	}
	c := &w.ctxSpare[0]
	w.ctxSpare = w.ctxSpare[1:]
	w.initCtx(c, parent)
	return c
}

// attach links c to its parent's cancellation: directly when the parent is
// ours, by polling when it is not.
func (c *simCtx) attach(parent context.Context) {
	if p, ok := parent.(*simCtx); ok && p.w == c.w { // without making p's channel
		if p.err != nil {
			c.cancel(p.err, p.causeArg())
			return
		}
		c.link(p)
		return
	}
	pdone := parent.Done()
	if pdone == nil {
		return
	}
	if isClosed(pdone) {
		c.cancel(parent.Err(), Cause(parent))
		return
	}
	if p, _ := parent.Value(simCtxKey{}).(*simCtx); p != nil && p.Done() == pdone && p.w == c.w {
		c.link(p)
		return
	}
	c.foreignIdx = int32(len(c.w.foreign))
	c.w.foreign = append(c.w.foreign, c)
}

// detach unlinks c from its parent without cancelling it.
func (c *simCtx) detach() {
	if p := c.up; p != nil {
		c.up = nil
		p.removeChild(int(c.upIdx))
	}
	if i := c.foreignIdx; i >= 0 {
		f := c.w.foreign
		last := len(f) - 1
		f[i] = f[last]
		f[i].foreignIdx = int32(i)
		f[last] = nil
		c.w.foreign = f[:last]
		c.foreignIdx = -1
	}
}

// release is called when the task that owns c finishes: c stays usable,
// but no longer needs its parent once nothing hangs below it.
func (c *simCtx) release() {
	c.released = true
	if len(c.children) == 0 {
		c.detach()
	}
}

// cancel closes c and everything below it, in registration order.
func (c *simCtx) cancel(err, cause error) {
	if c.err != nil {
		return
	}
	c.err = err
	c.setCause(cause)
	if c.done != nil { // a task may wait on it: the next scan wakes it
		close(c.done)
		c.w.ctxDirty = true
	}
	if t := c.task; t != nil && t.waitOwn && t.state == taskParked {
		c.w.wake(t, wakeCtx)
	}
	if c.dl != 0 {
		c.w.removeDeadline(c)
	}
	children := c.children
	c.children = nil
	for _, e := range children {
		if e.c != nil {
			e.c.up = nil
			e.c.cancel(err, cause)
		} else {
			e.f.owner = nil
			e.f.f() // cancels a context of the standard library, which a task may wait on
			c.w.ctxDirty = true
		}
	}
	c.detach()
}

// ownsDone reports whether done is the channel of one of our contexts, whose
// cancellation the World sees without polling.
func ownsDone(ctx context.Context, done <-chan struct{}) bool {
	c, ok := ctx.(*simCtx)
	if !ok {
		c, _ = ctx.Value(simCtxKey{}).(*simCtx)
	}
	return c != nil && c.Done() == done
}

// WithCancel is context.WithCancel for simulated code: the returned context
// is cancelled by its CancelFunc or with its parent, and the World sees it
// at once. (context.WithCancel also works; its waiters are polled.)
func WithCancel(parent context.Context) (context.Context, context.CancelFunc) {
	w := mustWorld(parent, "sim.WithCancel")
	c := w.newCtx(parent)
	return c, c.cancelFunc()
}

// WithTimeout returns a context that expires after d of logical time. Never
// use context.WithTimeout in simulated code: it counts real time.
func WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	w := mustWorld(parent, "sim.WithTimeout")
	if d > math.MaxInt64-w.now { // beyond a Duration: Deadline reports the time itself
		return WithDeadline(parent, w.Time().Add(d))
	}
	// Deadline reports Epoch plus now plus d, which is w.Time().Add(d).
	return w.withDeadline(parent, w.now+d, w.now+d)
}

// WithDeadline returns a context that expires at the logical time deadline
// (Epoch plus a duration, as World.Time and Deadline give). A deadline in
// the past gives a context that is already done. A parent deadline that is
// earlier stays in force.
func WithDeadline(parent context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	w := mustWorld(parent, "sim.WithDeadline")
	at := deadline.Sub(Epoch)
	c, cancel := w.withDeadline(parent, at, at)
	c.show(deadline)
	return c, cancel
}

// trueDeadline is the true time at which ctx expires by a deadline of its
// own or an ancestor's, as Deadline reports it for contexts we did not make.
func trueDeadline(ctx context.Context) (time.Duration, bool) {
	for c, ok := ctx.(*simCtx); ok; c, ok = c.parent.(*simCtx) {
		if c.hasDL {
			return c.deadline, true
		}
		if c.parent == nil {
			return 0, false
		}
	}
	if pd, ok := ctx.Deadline(); ok {
		return pd.Sub(Epoch), true
	}
	return 0, false
}

// withDeadline returns a context that expires at the true time at, whose
// Deadline reports Epoch plus shownAt. Its deadline waits in w.deadlines,
// not in the event queue (see deadlines).
func (w *World) withDeadline(parent context.Context, at, shownAt time.Duration) (*simCtx, context.CancelFunc) {
	c := w.newDeadlineCtx(parent)
	cancel := c.cancelFunc()
	if pd, ok := trueDeadline(parent); ok && pd <= at {
		return c, cancel // the parent expires first and cancels c
	}
	c.deadline, c.shownAt, c.hasDL = at, shownAt, true
	if c.err != nil {
		return c, cancel
	}
	if at <= w.now {
		c.cancel(context.DeadlineExceeded, nil)
		return c, cancel
	}
	w.addDeadline(c, at)
	return c, cancel
}

// ctxTimer handles a context's deadline, which the World fires as an event
// (processDeadline).
type ctxTimer simCtx

func (t *ctxTimer) HandleEvent(ev *Event) {
	(*simCtx)(t).cancel(context.DeadlineExceeded, nil)
}

func (t *ctxTimer) DescribeEvent(ev *Event) (string, string) {
	return taskName(t.by), "deadline"
}

func taskName(t *Task) string {
	if t == nil {
		return "world"
	}
	return t.name
}

// Cause is context.Cause for simulated contexts: why ctx was cancelled
// (ErrShutdown at the end of a run, context.DeadlineExceeded for an expired
// deadline), or nil while it is not. The standard library's context.Cause
// cannot see the cause of a context it did not make.
func Cause(ctx context.Context) error {
	if c, _ := ctx.Value(simCtxKey{}).(*simCtx); c != nil && c.Done() == ctx.Done() {
		if arg := c.causeArg(); arg != nil {
			return arg
		}
		return c.err
	}
	return context.Cause(ctx)
}

// The causes of a context's cancellation, other than its error itself,
// which is most often its cause: a byte in the context, and the rare cause
// of another kind (a foreign parent's, through context.WithCancelCause)
// in a table of the World, which a context keeps no field for.
const (
	causeErr      = iota // the cause is the error
	causeShutdown        // ErrShutdown
	causeOdd             // in w.oddCause
)

// setCause records why c was cancelled: cause, or its error if nil.
func (c *simCtx) setCause(cause error) {
	switch {
	case cause == nil || (cause == context.Canceled || cause == context.DeadlineExceeded) && cause == c.err:
		c.cause = causeErr
	case cause == ErrShutdown:
		c.cause = causeShutdown
	default:
		c.cause = causeOdd
		if c.w.oddCause == nil {
			c.w.oddCause = make(map[*simCtx]error)
		}
		c.w.oddCause[c] = cause
	}
}

// causeArg returns c's cause as cancel takes it: nil when it is c's error.
func (c *simCtx) causeArg() error {
	switch c.cause {
	case causeShutdown:
		return ErrShutdown
	case causeOdd:
		return c.w.oddCause[c]
	}
	return nil
}

// show makes c's Deadline report t, a time that Epoch plus a duration may
// not give exactly (one with a location or a monotonic reading).
func (c *simCtx) show(t time.Time) {
	if !c.hasDL || Epoch.Add(c.shownAt) == t {
		return
	}
	c.oddShown = true
	if c.w.oddShown == nil {
		c.w.oddShown = make(map[*simCtx]time.Time)
	}
	c.w.oddShown[c] = t
}
