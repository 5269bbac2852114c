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
func (w *World) Time() time.Time { return epochPlus(w.now) }

type worldKey struct{}
type simCtxKey struct{}

// simCtx is a context whose cancellation the World sees at once. Its done
// channel is its own, so the standard library attaches children through
// AfterFunc, which we run synchronously: no goroutine, no wall clock.
type simCtx struct {
	w *World
	// task is the task whose own context it is (its ctx is this one), or
	// for any other context the task that made it, which the trace names
	// (nil: made outside a task): one field for both, see ownTask.
	task  *Task
	errc  ctxErr // its error (Err), errNone until it is cancelled
	bits  ctxBits
	cause uint8 // why it was cancelled: causeErr, causeShutdown or causeOdd

	// Its place among the children of the context of ours it is linked
	// to (upCtx) while linked, or in w.foreign while polled (foreign).
	// -1 for neither.
	foreignIdx int32
	dl         int32 // 1 + the index of its pending deadline in w.deadlines; 0 for none
	kids       int32 // 1 + the slot of its children in w.deadlines.kids; 0 for none

	parent   context.Context // nil for the root
	done     chan struct{}
	deadline time.Duration // true time
	shownAt  time.Duration // Deadline reports Epoch plus shownAt (a host clock's reading), unless oddShown
	canceler canceler      // what its CancelFunc points to
}

// ctxErr is a context's error in a byte: none yet, context.Canceled,
// context.DeadlineExceeded, or another (a foreign parent's Err, which
// w.deadlines.oddErr holds).
type ctxErr uint8

const (
	errNone ctxErr = iota
	errCanceled
	errDeadline
	errOdd
)

// setErr records err as c's error.
func (c *simCtx) setErr(err error) {
	switch err {
	case nil:
		c.errc = errNone
	case context.Canceled:
		c.errc = errCanceled
	case context.DeadlineExceeded:
		c.errc = errDeadline
	default:
		c.errc = errOdd
		d := &c.w.deadlines
		if d.oddErr == nil {
			d.oddErr = make(map[*simCtx]error)
		}
		d.oddErr[c] = err
	}
}

// errOf returns the error errc stands for.
func (c *simCtx) errOf() error {
	switch c.errc {
	case errCanceled:
		return context.Canceled
	case errDeadline:
		return context.DeadlineExceeded
	case errOdd:
		return c.w.deadlines.oddErr[c]
	}
	return nil
}

// ctxBits are a context's flags, in one byte.
type ctxBits uint8

const (
	hasDL    ctxBits = 1 << iota // it has a deadline of its own
	dlAbove                      // an ancestor has a deadline (see trueDeadline)
	oddShown                     // its Deadline is not Epoch plus a duration: see show
	released                     // its task finished; detach when childless
	linked                       // it is a child of upCtx, at index foreignIdx
)

// is reports whether c has every flag of b.
func (c *simCtx) is(b ctxBits) bool { return c.bits&b == b }

// set sets or clears c's flags b.
func (c *simCtx) set(b ctxBits, on bool) {
	if on {
		c.bits |= b
	} else {
		c.bits &^= b
	}
}

// owner is the task whose goroutine most likely uses c (see caller): its
// task, else the task that made it.
func (c *simCtx) owner() *Task { return c.task }

// ownTask returns the task whose own context c is, or nil.
func (c *simCtx) ownTask() *Task {
	if t := c.task; t != nil && t.ctx == c {
		return t
	}
	return nil
}

// by returns the task that made c, which its deadline's event names.
// A context with a deadline is never a task's own.
func (c *simCtx) by() *Task { return c.task }

// cancelFor returns c's CancelFunc as an ordinary closure, whose code is
// the canceler's (see canceler): it cancels c, as cancel does. Most often c
// is a context with a deadline, made by WithTimeout for a request and
// cancelled when the request is done: live, linked to its parent, nobody
// waiting on its Done, no child. Then it does what cancel does without its
// tests, in the closure's frame; c is never a task's own context, which
// cancel would wake.
func cancelFor(c *simCtx) func() {
	return func() {
		p, ok := c.parent.(*simCtx)
		if !ok || c.errc != errNone || c.done != nil || c.kids != 0 || c.bits&linked == 0 {
			c.cancel(context.Canceled, nil)
			return
		}
		w := c.w
		d := &w.deadlines
		if dl := int(c.dl); dl != len(d.keys) || p.kids == 0 {
			c.cancelLinked(p) // a deadline not the last key, or none
			return
		}
		c.errc = errCanceled
		if dl := int(c.dl); dl != 0 { // removeDeadline of the last key
			c.dl = 0
			keys := d.keys[:dl]
			keys[dl-1].c, keys[dl-1].clock = nil, nil
			d.keys = keys[:dl-1]
		}
		i := int(c.foreignIdx)
		c.foreignIdx, c.bits = -1, c.bits&^linked
		l := &d.kids.lists[p.kids-1]
		if kids := *l; i == len(kids)-1 && p.bits&released == 0 {
			kids[i].c = nil // removeChild of the last child, most often
			*l = kids[:i]
			return
		}
		p.removeChild(i)
	}
}

// cancelLinked is the CancelFunc of c, a live context linked to its
// parent p, childless, nobody waiting on its Done: what cancel does then.
func (c *simCtx) cancelLinked(p *simCtx) {
	c.errc = errCanceled
	if c.dl != 0 {
		c.w.removeDeadline(c)
	}
	i := c.foreignIdx
	c.foreignIdx, c.bits = -1, c.bits&^linked
	p.removeChild(int(i))
}

// canceler is a context's CancelFunc, kept in the context itself, so that
// making a context with a deadline allocates nothing but its share of a
// chunk (newDeadlineCtx). A func value points to a closure whose first word
// is the code to call and whose next words are the values it captured: the
// closure cancelFor returns is the code of its function literal followed
// by the context it captured, which is canceler's layout.
// cancelCode is that code, or 0 where the layout is not what the probe at
// start-up found, and cancelFunc then allocates an ordinary closure.
type canceler struct {
	code uintptr
	c    *simCtx
}

var cancelCode = probeCancelCode()

// probeCancelCode returns the code of cancelFor's closure after checking,
// on a context of its own, that calling a canceler made with it cancels
// that context; 0 otherwise.
func probeCancelCode() (code uintptr) {
	f := cancelFor(&simCtx{})
	code = **(**uintptr)(unsafe.Pointer(&f))
	probe := &simCtx{foreignIdx: -1}
	probe.canceler = canceler{code, probe}
	defer func() {
		if recover() != nil || probe.Err() != context.Canceled {
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
		return cancelFor(c)
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
	if c.is(hasDL) {
		if c.is(oddShown) {
			return c.w.oddShown[c], true
		}
		return epochPlus(c.shownAt), true
	}
	if c.is(dlAbove) {
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
		if c.errc != errNone {
			close(c.done)
		}
	}
	return c.done
}

func (c *simCtx) Err() error {
	if c.errc == errNone {
		return nil
	}
	return c.errOf()
}

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
	if c.errc != errNone {
		f()
		return func() bool { return false }
	}
	l := &ctxFunc{owner: c, f: f}
	l.idx = c.addChild(ctxChild{f: l})
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
	c.w, c.parent, c.foreignIdx, c.task = w, parent, -1, w.current
	c.attach(parent)
}

// ctxChunk is how many deadline contexts newDeadlineCtx allocates at once:
// as many as fill 6 KiB, a size class of the allocator, with the header it
// adds to a large object with pointers.
const ctxChunk = (6<<10 - 8) / int(unsafe.Sizeof(simCtx{}))

// newDeadlineCtx is newCtx for a context with a deadline, most often made
// per request and cancelled soon: they are allocated ctxChunk at a time,
// each used once, so that one costs a fraction of an allocation.
// The chunk in use is w.ctxSpare, of which the first w.deadlines.used
// contexts are taken: an index, not a slice that shrinks, so that taking
// one stores no pointer.
func (w *World) newDeadlineCtx(parent context.Context) *simCtx {
	c := w.takeDeadlineCtx()
	w.initCtx(c, parent)
	return c
}

// takeDeadlineCtx returns the next unused context of the chunk in use, or
// of a new chunk.
func (w *World) takeDeadlineCtx() *simCtx {
	d := &w.deadlines
	if d.used >= len(w.ctxSpare) {
		w.ctxSpare = make([]simCtx, ctxChunk)
		d.used = 0
	}
	c := &w.ctxSpare[d.used]
	d.used++
	return c
}

// attach links c to its parent's cancellation: directly when the parent is
// ours, by polling when it is not.
func (c *simCtx) attach(parent context.Context) {
	if p, ok := parent.(*simCtx); ok && p.w == c.w { // without making p's channel
		c.set(dlAbove, p.bits&(hasDL|dlAbove) != 0)
		if p.errc != errNone {
			c.cancel(p.errOf(), p.causeArg())
			return
		}
		c.link(p)
		return
	}
	_, above := parent.Deadline()
	c.set(dlAbove, above)
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
	i := c.foreignIdx
	if i < 0 {
		return
	}
	if c.is(linked) {
		c.foreignIdx, c.bits = -1, c.bits&^linked
		c.upCtx().removeChild(int(i))
		return
	}
	f := c.w.foreign
	last := len(f) - 1
	f[i] = f[last]
	f[i].foreignIdx = i
	f[last] = nil
	c.w.foreign = f[:last]
	c.foreignIdx = -1
}

// release is called when the task that owns c finishes: c stays usable,
// but no longer needs its parent once nothing hangs below it.
func (c *simCtx) release() {
	c.bits |= released
	if len(c.children()) == 0 {
		c.dropKids()
		c.detach()
	}
}

// cancel closes c and everything below it, in registration order.
func (c *simCtx) cancel(err, cause error) {
	if c.errc != errNone {
		return
	}
	c.setErr(err)
	if cause != nil { // nil: its error, which the zero cause says
		c.setCause(cause)
	}
	if c.done != nil { // a task may wait on it: the next scan wakes it
		close(c.done)
		c.w.ctxDirty = true
	}
	if t := c.ownTask(); t != nil && t.waitOwn && t.state == taskParked {
		c.w.wake(t, wakeCtx)
	}
	if c.dl != 0 {
		c.w.removeDeadline(c)
	}
	if c.kids != 0 {
		c.cancelChildren(err, cause)
	}
	c.detach()
}

// cancelChildren cancels c's children, in order, and frees its slot. The
// slot holds no list meanwhile, so that no context takes it before.
func (c *simCtx) cancelChildren(err, cause error) {
	k := &c.w.deadlines.kids
	slot := c.kids - 1
	children := k.lists[slot]
	k.lists[slot] = nil
	for _, e := range children {
		if e.c != nil {
			e.c.foreignIdx, e.c.bits = -1, e.c.bits&^linked
			e.c.cancel(err, cause)
		} else {
			e.f.owner = nil
			e.f.f() // cancels a context of the standard library, which a task may wait on
			c.w.ctxDirty = true
		}
	}
	clear(children)
	k.lists[slot] = children[:0]
	c.dropKids()
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
	if p := quickParent(parent); p != nil {
		// What slowTimeout does then, in this frame: d > 0 and now+d
		// within a Duration give quickDeadline's at.
		w := p.w
		if at := w.now + d; d > 0 && at > w.now {
			c := w.quickDeadline(p, at, at, nil, 0)
			return c, c.cancelFunc()
		}
	}
	return slowTimeout(parent, d)
}

// slowTimeout is WithTimeout in every case.
func slowTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	w := mustWorld(parent, "sim.WithTimeout")
	if d > math.MaxInt64-w.now { // beyond a Duration: Deadline reports the time itself
		return WithDeadline(parent, w.Time().Add(d))
	}
	// Deadline reports Epoch plus now plus d, which is w.Time().Add(d).
	return w.withDeadline(parent, w.now+d, w.now+d, nil, 0)
}

// WithDeadline returns a context that expires at the logical time deadline
// (Epoch plus a duration, as World.Time and Deadline give). A deadline in
// the past gives a context that is already done. A parent deadline that is
// earlier stays in force.
func WithDeadline(parent context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	w := mustWorld(parent, "sim.WithDeadline")
	at := deadline.Sub(Epoch)
	c, cancel := w.withDeadline(parent, at, at, nil, 0)
	c.show(deadline)
	return c, cancel
}

// trueDeadline is the true time at which ctx expires by a deadline of its
// own or an ancestor's, as Deadline reports it for contexts we did not make.
func trueDeadline(ctx context.Context) (time.Duration, bool) {
	for c, ok := ctx.(*simCtx); ok; c, ok = c.parent.(*simCtx) {
		if c.is(hasDL) {
			return c.deadline, true
		}
		if !c.is(dlAbove) { // most often: the task's context, the root above it
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
// not in the event queue (see deadlines); one on a host's clock waits
// there for clock to read due (clock nil: the World's clock).
func (w *World) withDeadline(parent context.Context, at, shownAt time.Duration, clock *HostClock, due time.Duration) (*simCtx, context.CancelFunc) {
	if p := quickParent(parent); p != nil && p.w == w && at > w.now {
		c := w.quickDeadline(p, at, shownAt, clock, due)
		return c, c.cancelFunc()
	}
	return w.slowDeadline(parent, at, shownAt, clock, due)
}

// quickParent returns parent if it is a context of ours that quickDeadline
// takes as a parent: live, with no deadline on it or above; nil otherwise.
func quickParent(parent context.Context) *simCtx {
	if p, ok := parent.(*simCtx); ok && p.errc == errNone && p.bits&(hasDL|dlAbove) == 0 {
		return p
	}
	return nil
}

// slowDeadline is withDeadline in every case.
func (w *World) slowDeadline(parent context.Context, at, shownAt time.Duration, clock *HostClock, due time.Duration) (*simCtx, context.CancelFunc) {
	c := w.newDeadlineCtx(parent)
	cancel := c.cancelFunc()
	if c.is(dlAbove) { // without it, no ancestor has a deadline
		if pd, ok := trueDeadline(parent); ok && pd <= at {
			return c, cancel // the parent expires first and cancels c
		}
	}
	c.deadline, c.shownAt = at, shownAt
	c.bits |= hasDL
	if c.errc != errNone {
		return c, cancel
	}
	if at <= w.now {
		c.cancel(context.DeadlineExceeded, nil)
		return c, cancel
	}
	w.addDeadline(c, at, clock, due)
	return c, cancel
}

// quickDeadline is withDeadline in the common case, without its tests:
// the parent p is ours, live, with no deadline above or on it, and at is
// to come. It does what newDeadlineCtx, attach and withDeadline do then;
// where room must be made first (a new chunk of contexts, a first child
// of p or one beyond its list's capacity, a larger heap), roomyDeadline
// does it. Its one call, rare, ends it, so that nothing is kept aside
// around it on the way most take.
func (w *World) quickDeadline(p *simCtx, at, shownAt time.Duration, clock *HostClock, due time.Duration) *simCtx {
	d := &w.deadlines
	if d.used >= len(w.ctxSpare) || p.kids == 0 || len(d.keys) == cap(d.keys) {
		return w.roomyDeadline(p, at, shownAt, clock, due)
	}
	l := &d.kids.lists[p.kids-1]
	n := len(*l)
	if n == cap(*l) {
		return w.roomyDeadline(p, at, shownAt, clock, due)
	}
	c := &w.ctxSpare[d.used] // takeDeadlineCtx
	d.used++
	c.w, c.parent, c.task = w, p, w.current
	c.deadline, c.shownAt, c.bits = at, shownAt, hasDL|linked
	*l = (*l)[:n+1] // addChild
	(*l)[n].c = c
	c.foreignIdx = int32(n)
	m := len(d.keys) // addDeadline
	d.keys = d.keys[:m+1]
	w.seq++
	k := &d.keys[m]
	k.at, k.seq, k.cause, k.c, k.clock, k.due = at, w.seq, w.cur, c, clock, due
	c.dl = int32(m + 1)
	if m > 0 && k.before(&d.keys[(m-1)/2]) {
		d.up(m)
	}
	return c
}

// roomyDeadline is quickDeadline where room must be made.
func (w *World) roomyDeadline(p *simCtx, at, shownAt time.Duration, clock *HostClock, due time.Duration) *simCtx {
	c := w.takeDeadlineCtx()
	c.w, c.parent, c.task = w, p, w.current
	c.deadline, c.shownAt, c.bits = at, shownAt, hasDL|linked
	c.foreignIdx = int32(p.addChild(ctxChild{c: c}))
	w.addDeadline(c, at, clock, due)
	return c
}

// ctxTimer handles a context's deadline, which the World fires as an event
// (processDeadline).
type ctxTimer simCtx

func (t *ctxTimer) HandleEvent(ev *Event) {
	(*simCtx)(t).cancel(context.DeadlineExceeded, nil)
}

func (t *ctxTimer) DescribeEvent(ev *Event) (string, string) {
	return taskName((*simCtx)(t).by()), "deadline"
}

func taskName(t *Task) string {
	if t == nil {
		return "world"
	}
	return t.name
}

// show makes c's Deadline report t, a time that Epoch plus a duration may
// not give exactly (one with a location or a monotonic reading).
func (c *simCtx) show(t time.Time) {
	if !c.is(hasDL) || epochPlus(c.shownAt) == t {
		return
	}
	c.bits |= oddShown
	if c.w.oddShown == nil {
		c.w.oddShown = make(map[*simCtx]time.Time)
	}
	c.w.oddShown[c] = t
}
