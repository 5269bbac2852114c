package sim

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"time"
	"unsafe"
)

// ErrAborted is returned by blocking calls of a task that was aborted (its
// process crashed, or its run failed) made by its deferred calls while its
// stack unwinds: nothing may park any more. The task's own code never sees
// it: the blocking call it was in when aborted unwinds instead of returning.
var ErrAborted = errors.New("sim: task aborted")

// abortPanic unwinds an aborted task's stack; the task body recovers it.
type abortPanic struct{}

type taskState uint8

const (
	taskRunnable taskState = iota // spawned or woken, waiting for its turn
	taskRunning                   // the one task executing now
	taskParked                    // blocked on a primitive or an event
	taskDone                      // returned, panicked or aborted
)

var stateNames = [...]string{"runnable", "running", "parked", "done"}

func (s taskState) String() string { return stateNames[s] }

type wakeReason uint8

const (
	wakeSignal wakeReason = iota // the thing it waited for happened
	wakeCtx                      // its context was cancelled
	wakeAbort                    // it was aborted
)

// Task is a simulated thread of execution: a goroutine driven as a coroutine,
// so that exactly one task runs at a time and the seed, not Go's scheduler,
// decides which. Tasks are created with World.Spawn or Go.
//
// A task holds what outlives it: its name, its context, whether it is
// done, its joiners. What it needs only while it runs (what a switch and a
// wake-up read, the state of its waits) is its coroutine's, which the next
// task spawned reuses: a task is 72 bytes, allocated with its context.
type Task struct {
	// Its name comes first: after its context in its
	// allocation (taskBox), the fields from w to its flags, which a switch
	// and a wake-up read, lie in one cache line, which warmTask asks for.
	name string

	w     *World
	*coro // its coroutine: what it needs while it runs
	ctx   *simCtx
	id    TaskID
	state taskState

	daemon    bool
	aborted   bool // it must unwind at its next resumption
	unwinding bool // its stack is unwinding; blocking calls fail at once
	held      bool // runnable, but held until its paused host resumes
	started   bool
	returned  bool // fn returned normally
	goexited  bool // fn called runtime.Goexit, which ended its coroutine

	host *Host // the host it runs on, nil for none

	joiners joinQueue
}

// joinQueue is the queue of the tasks that wait for a task to finish,
// made by the first Join: most tasks are never joined, and a task is
// allocated smaller without it.
type joinQueue struct{ q *WaitQueue }

// Wait parks the running task until WakeAll, as WaitQueue.Wait does.
func (j *joinQueue) Wait(ctx context.Context, what string) error {
	if j.q == nil {
		j.q = new(WaitQueue)
	}
	return j.q.Wait(ctx, what)
}

// WakeAll wakes every task waiting.
func (j *joinQueue) WakeAll() {
	if j.q != nil {
		j.q.WakeAll()
	}
}

// waits is the rest of the state of a task's waits, reset for each task a
// coroutine runs.
type waits struct {
	waitingOn  string          // what it is parked on, for deadlock reports
	sleepRef   EventRef        // the timer event its Sleep waits for, to cancel or retime it
	wakeAt     time.Duration   // when that timer fires
	sleepClock *HostClock      // the host clock its Sleep counts on, nil for true time
	sleepDue   time.Duration   // the reading of sleepClock its Sleep waits for
	waitDone   <-chan struct{} // the done channel of the context it waits on
	waitLock   locker          // the lock it waits for, if any
}

// ID returns the task's ID, unique within its World.
func (t *Task) ID() TaskID { return t.id }

// Name returns the name the task was spawned with.
func (t *Task) Name() string { return t.name }

// Daemon reports whether the task is a daemon: one that does not keep a run
// alive.
func (t *Task) Daemon() bool { return t.daemon }

// Done reports whether the task has finished.
func (t *Task) Done() bool { return t.state == taskDone }

// Context returns the task's context, cancelled by Cancel and at shutdown.
func (t *Task) Context() context.Context { return t.ctx }

// String returns `12 "bank/client-2"`, the way the trace names tasks.
func (t *Task) String() string { return fmt.Sprintf("%d %q", t.id, t.name) }

// Cancel cancels the task's context. Its blocking calls return
// context.Canceled; the task decides how to wind down.
func (t *Task) Cancel() { t.ctx.cancel(context.Canceled, nil) }

// Abort stops the task the way a crash does: nothing more of its code runs
// but its deferred calls, as its stack unwinds, and any blocking call they
// make returns ErrAborted at once. A task parked or runnable unwinds from
// the blocking call it is in the next time it would run, whatever woke it
// (what it waited for, its context or the abort): the call does not
// return, what it was handed is dropped as a crash drops it, and a lock
// handed to it is given back. A task that never started never runs.
//
// Abort of the running task (a task that crashes its own process) does
// not return: the task unwinds from there, as runtime.Goexit would end
// it, unless a panic of the task's own unwinds it already (see unwind). A
// caller with its own bookkeeping to finish aborts itself last.
func (t *Task) Abort() {
	if t.state == taskDone || t.aborted {
		return
	}
	t.aborted = true
	switch {
	case t.state == taskRunning:
		t.unwind()
	case t.state == taskParked:
		t.w.wake(t, wakeAbort)
	case t.held: // a crash kills a paused process too
		t.host.release(t)
	}
}

// Join waits until the task has finished. It returns ctx's error if ctx is
// done first.
func (t *Task) Join(ctx context.Context) error {
	for t.state != taskDone {
		if err := t.joiners.Wait(ctx, "join "+t.String()); err != nil {
			return err
		}
	}
	return nil
}

// Spawn starts a task running fn, with a context derived from the world's
// root context (use Go to derive it from a task's context instead). fn
// receives a context that carries the simulation: pass it to every blocking
// call. The task is not a daemon: the run waits for it. It becomes runnable
// at once and runs in the current step, in an order the seed chooses.
func (w *World) Spawn(name string, fn func(ctx context.Context)) *Task {
	return w.spawn(w.root, name, fn, false)
}

// SpawnDaemon starts a daemon task: one that the run does not wait for, such
// as a server loop. It is woken at shutdown like every task.
func (w *World) SpawnDaemon(name string, fn func(ctx context.Context)) *Task {
	return w.spawn(w.root, name, fn, true)
}

// Go starts a task from a running task, with a context derived from ctx: when
// ctx is cancelled, so is the new task's context. The new task is a daemon if
// the calling task is.
func Go(ctx context.Context, name string, fn func(ctx context.Context)) *Task {
	w := mustWorld(ctx, "sim.Go")
	t := caller(ctx, "sim.Go")
	return w.spawn(ctx, name, fn, t != nil && t.daemon)
}

// GoDaemon is Go for a daemon task.
func GoDaemon(ctx context.Context, name string, fn func(ctx context.Context)) *Task {
	w := mustWorld(ctx, "sim.GoDaemon")
	caller(ctx, "sim.GoDaemon") // stops a stray goroutine
	return w.spawn(ctx, name, fn, true)
}

func (w *World) spawn(parent context.Context, name string, fn func(context.Context), daemon bool) *Task {
	if fn == nil {
		panic(fmt.Sprintf("sim: Spawn(%q): fn is nil", name))
	}
	w.nextTask++
	box := w.newTaskBox()
	t := &box.task
	c := w.takeCoro()
	// Field by field: the box is zeroed, and a composite literal would be
	// built aside and copied with write barriers.
	c.task, t.coro, c.fn = t, c, fn
	t.w, t.id, t.name, t.daemon = w, w.nextTask, name, daemon
	t.ctx = &box.ctx
	w.initCtx(t.ctx, parent)
	t.ctx.task = t
	if cur := w.current; cur != nil && cur.host != nil {
		t.SetHost(cur.host)
	}
	c.idx = len(w.tasks)
	w.tasks = append(w.tasks, t)
	if !daemon {
		w.nonDaemon++
	}
	w.runnable = append(w.runnable, t)
	return t
}

// taskBox is a task and its context, allocated together (a chunk at a
// time: newTaskBox). The context comes first: the fields a
// blocking call and a wake-up read (the context's World, task and error,
// then the task's first fields) lie in few cache lines.
type taskBox struct {
	ctx  simCtx
	task Task
}

// taskChunk is how many tasks newTaskBox allocates at once: as many as
// fill 6 KiB, a size class of the allocator, with the header it adds to
// a large object with pointers.
const taskChunk = (6<<10 - 8) / int(unsafe.Sizeof(taskBox{}))

// newTaskBox returns a zeroed task and context, never used before: they
// are allocated taskChunk at a time, so that a spawn costs a fraction of
// an allocation, and the chunk is cleared at once instead of box by box.
// A task or context still referenced keeps its whole chunk (6 KiB), not
// what the finished tasks in it held: a task drops its fn when it starts.
func (w *World) newTaskBox() *taskBox {
	if len(w.taskSpare) == 0 {
		w.taskSpare = make([]taskBox, taskChunk)
	}
	b := &w.taskSpare[0]
	w.taskSpare = w.taskSpare[1:]
	return b
}

// warmTask starts loading the fields of t that a wake-up reads: its
// context's first line and its own from w to host (see Task).
func warmTask(t *Task) {
	p := uintptr(unsafe.Pointer(t))
	prefetch(p - unsafe.Offsetof(taskBox{}.task))
	prefetch(p + unsafe.Offsetof(t.w))
	prefetch(p + unsafe.Offsetof(t.host))
}

// warmCoro starts loading t's coroutine, which the loop reads to resume
// t, and which warmSwitch reads.
func warmCoro(t *Task) { prefetchLines(uintptr(unsafe.Pointer(t.coro)), 3) }

// warmSwitch starts loading what the switch to t reads: its coroutine's
// closure, its goroutine's descriptor and the frames at the top of its
// stack, above and below where it gave control away.
func warmSwitch(t *Task) {
	c := t.coro
	prefetch(*(*uintptr)(unsafe.Pointer(&c.next)))
	prefetchLines(c.g, 7)
	prefetchLines(c.sp-warmBelow, warmStack)
}

// warmBelow and warmStack are the part of a parked task's stack that its
// resumption and its next blocking call touch: the frames of the switch
// below where it parked, those of its blocking call and its caller above.
const (
	warmBelow = 320
	warmStack = 12
)

// body runs fn on the task's coroutine and turns a panic into a failure.
func (t *Task) body() {
	t.started = true
	defer t.exit()
	fn := t.fn
	t.fn = nil // a task that outlives its end does not keep what fn holds
	if !t.aborted {
		fn(t.ctx)
	}
	t.returned = true
}

// coro is a goroutine driven as a coroutine that runs tasks one after
// another. A finished task's coroutine waits in a pool for the next spawn,
// so that a task spawned per request pays neither for a new goroutine nor
// for growing a fresh stack, and its state stays in the cache. It holds
// the state of the task it runs that does not outlive the task, the
// fields a switch and a wake-up read first (two cache lines, which
// warmCoro asks for): a task reads them through its embedded *coro,
// and the next task of the coroutine finds them reset (takeCoro).
//
// A finished task's fields read through its coroutine are those of the
// next task the coroutine runs. The engine reads them only for tasks
// that have not finished, or compares them with a seq, which no other
// task's equals (sleepSeq).
type coro struct {
	next     func() (struct{}, bool) // resumes it
	yield    func(struct{}) bool
	g        uintptr       // its goroutine's identity (getg)
	sp       uintptr       // near the top of its stack when its task last gave control away
	sleepSeq uint64        // seq of the timer event its task's Sleep waits for
	pollAt   time.Duration // when its task was last resumed
	polls    int           // resumptions at pollAt without logical time passing

	top     bool       // resumed from Run's goroutine (Task.block ends its slice as it always has)
	driving bool       // parked in Task.block, running the loop
	wokeBy  wakeReason //
	waitOwn bool       // it waits on its own context, which wakes it when cancelled
	ctxIdx  int32      // index in w.ctxWaiters, -1 if not there

	waitForeign bool // waitDone is not one of our contexts'
	// inPanic: its task was aborted in a deferred call run by a panic of
	// its own, which unwinds it instead (see unwind); exit reports the
	// panic and clears it. Here and not in Task, which it would grow.
	inPanic bool

	idx  int // its task's index in w.tasks
	task *Task
	fn   func(context.Context) // its task's, until the task starts

	waits // of the task it runs

	w    *World // the World whose tasks it runs
	stop func()
}

// maxIdleCoros bounds the pool: enough for the tasks a burst spawns, and
// few enough that their stacks do not hold much memory.
const maxIdleCoros = 256

// takeCoro returns an idle coroutine of the pool, or a new one, with its
// waits reset for a new task.
func (w *World) takeCoro() *coro {
	var c *coro
	if n := len(w.idle); n > 0 {
		c = w.idle[n-1]
		w.idle = w.idle[:n-1]
	} else if c = w.coros.take(); c != nil {
		c.w, c.idx = w, 0
	} else {
		c = &coro{w: w}
		c.next, c.stop = iter.Pull(c.loop)
	}
	// Field by field, the pointers only when set: a struct assignment
	// copies with write barriers.
	c.sleepSeq, c.pollAt, c.polls, c.ctxIdx = 0, -1, 0, -1
	c.top, c.driving, c.wokeBy, c.waitOwn, c.waitForeign = false, false, wakeSignal, false, false
	c.wakeAt, c.sleepDue, c.sleepRef = 0, 0, EventRef{}
	if c.waitingOn != "" || c.sleepClock != nil || c.waitDone != nil || c.waitLock != nil {
		c.waits = waits{}
	}
	return c
}

// loop runs the coroutine's tasks until it is stopped. Its goroutine is
// known as a coroutine's while it lives (see caller). Its frame and those
// above it are kept small: every task's stack starts with them.
//
// A probe (see startStack) reports whether its stack moved, that is grew,
// the first time it sees it after a task, or that it did not when the
// coroutine ends; mark's address is where its stack is.
func (c *coro) loop(yield func(struct{}) bool) {
	probe := startStack()
	var mark byte
	at := uintptr(unsafe.Pointer(&mark))
	c.yield = yield
	c.register()
	defer c.unregister()
	for {
		c.task.body()
		c.task = nil
		if probe && uintptr(unsafe.Pointer(&mark)) != at {
			stackGrew(true)
			probe = false
		}
		if !yield(struct{}{}) { // idle until the next task, or stopped
			if probe {
				stackGrew(false)
			}
			return
		}
	}
}

// register records the calling goroutine as c's.
//
//go:noinline
func (c *coro) register() {
	c.g = getg()
	coroutines.Store(c.g, c)
}

//go:noinline
func (c *coro) unregister() { coroutines.Delete(c.g) }

// release returns a finished task's coroutine to the pool, unless its
// goroutine ended. When the pool is full, the World's Coroutines keeps it
// if it can, for this run's later tasks or the next run's. A task that
// ends in the run's teardown leaves its coroutine to the next run's tasks
// too, if the World shares a Coroutines, and else ends it: the pool is
// ended with the run.
func (w *World) release(t *Task) {
	c := t.coro
	if t.goexited || c.task != nil || w.tearingDown && w.coros == nil {
		c.stop()
		return
	}
	if len(w.idle) < maxIdleCoros {
		w.idle = append(w.idle, c)
	} else if !w.coros.keep(c) {
		c.stop()
	}
}

// stopIdle ends the pooled coroutines at the end of a run, so that no
// goroutine outlives its World, or hands them to the World's Coroutines.
func (w *World) stopIdle() {
	idle := w.idle
	if !w.abandoned.Load() {
		idle = w.coros.put(idle)
	}
	for _, c := range idle {
		c.stop()
	}
	w.idle = nil
}

// exit classifies how the task ended. A panic fails the run, unless the task
// was already unwinding after an abort: a crashed process's cleanup may fail.
func (t *Task) exit() {
	p := recover()
	if t.w.abandoned.Load() {
		return // the watchdog gave up on the run: nothing may be touched
	}
	t.state = taskDone
	inPanic := t.inPanic
	t.inPanic = false
	switch {
	case p == nil && t.returned:
	case p == nil:
		t.goexited = true
		t.w.failPanic(t, "the task called runtime.Goexit (t.Fatal or t.FailNow inside a simulated task?); "+
			"return an error or panic instead")
	case inPanic && !isAbort(p):
		t.w.failPanic(t, fmt.Sprintf("panic: %v (a deferred call crashed the task's process while the panic unwound)", p))
	case isAbort(p) || t.unwinding:
	default:
		t.w.failPanic(t, fmt.Sprintf("panic: %v", p))
	}
}

func isAbort(p any) bool {
	_, ok := p.(abortPanic)
	return ok
}

// park suspends the running task until it is woken. It also wakes when ctx
// is done (ctx may be nil). It is small enough for the compiler to inline,
// which keeps one frame fewer between a blocking call and the switch.
func (t *Task) park(what string, ctx context.Context) wakeReason {
	t.state = taskParked
	t.waitingOn = what
	t.block(nil, ctx, "")
	// A task woken by what it waited for and aborted before it ran gets
	// wakeSignal: its caller finishes the call's bookkeeping, then
	// unwinds it (goOn), dropping what it was given.
	return t.wokeBy
}

// interrupted turns a wake-up that was not the awaited signal into the error
// a blocking call returns. An aborted task unwinds instead, whatever woke
// it: a crash cancels the context of the tasks it aborts too, and they
// must not take that for a cancellation to handle.
func (t *Task) interrupted(ctx context.Context, r wakeReason) error {
	if r == wakeAbort || t.aborted {
		t.unwind()
		return ErrAborted
	}
	return ctx.Err()
}

// goOn ends a blocking call that got what it waited for: an aborted task
// unwinds instead of returning into its code. Callers call it after the
// call's own bookkeeping (a waiter withdrawn, a lock given back).
func (t *Task) goOn() {
	if t.aborted {
		t.unwind()
	}
}

// unwind starts unwinding an aborted task, once. A task aborted in a
// deferred call that a panic of its own runs (a defer that crashes its own
// process, or waits until another task crashes it) is unwinding already:
// panicking again would put the abort in the place of the user's panic,
// which the seed must fail with. unwind then returns, the aborted call
// returns ErrAborted to the deferred call, and the panic goes on.
func (t *Task) unwind() {
	if t.unwinding {
		return
	}
	t.unwinding = true
	if panicking() {
		t.inPanic = true
		return
	}
	panic(abortPanic{})
}

// panicking reports whether the calling goroutine runs a deferred call of
// a panic: runtime.gopanic is on its stack. It costs a walk of the stack,
// once for each aborted task.
func panicking() bool {
	var pcs [128]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	for {
		f, more := frames.Next()
		if f.Function == "runtime.gopanic" {
			return true
		}
		if !more {
			return false
		}
	}
}

// check is the entry of every blocking call: it fails at once when the task
// is unwinding or ctx is done. A failing check yields first, so that a task
// looping on a failing call is seen as a livelock instead of hanging.
func (t *Task) check(ctx context.Context) error {
	if t.aborted {
		t.unwind() // returns when a panic of the task's own unwinds it
	}
	if t.unwinding {
		if t.inPanic && !panicking() { // the task recovered its panic
			t.inPanic = false
			panic(abortPanic{})
		}
		t.yieldNow()
		return ErrAborted
	}
	if c, ok := ctx.(*simCtx); ok { // without a select
		if c.errc == errNone {
			return nil
		}
		t.yieldNow()
		return t.interrupted(ctx, wakeCtx) // aborted while it yielded: unwinds
	}
	if done := ctx.Done(); done != nil {
		select {
		case <-done:
			t.yieldNow()
			return t.interrupted(ctx, wakeCtx)
		default:
		}
	}
	return nil
}

// live reports, cheaply enough to be inlined, that check would pass: ctx
// is the task's own context, not cancelled, and the task is not aborted.
func (t *Task) live(ctx context.Context) bool {
	c := t.ctx
	return ctx == context.Context(c) && c.errc == errNone && !t.aborted
}

// yieldNow lets every other runnable task run before the current one
// continues.
func (t *Task) yieldNow() {
	t.state = taskRunnable
	t.wokeBy = wakeSignal
	t.w.yielded = append(t.w.yielded, t) // runs after the tasks runnable now
	t.block(nil, nil, "")
}

// block gives control away until t, made runnable (yielding) or parked
// (waiting, with what it waits for set) by the caller or by block itself
// when what is not "", is picked to run again. It first makes sure that t
// is running and, when what is not "" (the caller has not checked it:
// WaitTask), that the caller is t's goroutine: a stray goroutine stops
// there, before it has changed anything. A parked t also waits in q (if not nil) and wakes when ctx is done
// (ctx may be nil). With a queue, block first checks ctx and the task as
// every blocking call does, and returns nil when woken by WakeOne or
// WakeAll, else the error the blocking call returns, and t leaves q;
// without one it returns nil and the caller reads t.wokeBy.
//
// Control goes to the loop, run on t's own goroutine when it may (in Run),
// else to the goroutine that resumed t, by yielding. When the loop on t's
// goroutine picks t again, t goes on without a coroutine switch; when it
// picks a task that is not running the loop, t resumes it directly, and
// that task runs the loop on its own goroutine in turn when it parks; when
// it picks a task parked under t running the loop (the one that resumed
// t, or one further down), t yields to the one that resumed it, which goes
// on or yields in turn (at most maxDriving tasks run the loop so, one on
// top of the other). A task that parks and is picked next thus costs no
// switch, and one that parks and picks a task the loop runs on top of it,
// or the one it runs on, one; the order of everything is the same as on
// Run's goroutine. When the run ends or fails, t hands the loop back down
// to Run's goroutine by yielding.
//
// All of this is written out here, not called, and the hottest waits call
// block directly (park, WaitQueue.WaitTask are inlined): every frame
// between a task and its switch costs a mispredicted return after the
// switch.
func (t *Task) block(q *WaitQueue, ctx context.Context, what string) error {
	w := t.w
	if (what != "" && t.g != getg()) || w.current != t {
		notOwn(t, "a blocking call (sim.WaitQueue.WaitTask)")
	}
	if what != "" {
		t.state = taskParked
		t.waitingOn = what
	}
	if q != nil {
		if !t.live(ctx) {
			if err := t.check(ctx); err != nil {
				t.waitingOn = ""
				return err
			}
		}
		q.items = append(q.items, t)
	}
	if ctx == context.Context(t.ctx) {
		t.waitOwn = true // its cancel wakes t directly
	} else if ctx != nil {
		w.addCtxWaiter(t, ctx)
	}
	var mark byte
	t.sp = uintptr(unsafe.Pointer(&mark)) // for warmSwitch
	picked := false
	if w.inline && w.driving < maxDriving && !w.backNext() && w.endSlice(t) {
		t.driving = true
		w.driving++
		picked = w.loop(t, false)
		w.driving--
		t.driving = false
		if !picked && w.handoff == nil {
			w.handedBack = true // the run ended or failed
		}
	}
	if !picked && !t.yield(struct{}{}) {
		t.aborted = true // the run is being torn down
		t.wokeBy = wakeAbort
	}
	t.waitingOn = ""
	if q == nil || t.wokeBy == wakeSignal {
		return nil
	}
	q.remove(t)
	return t.interrupted(ctx, t.wokeBy)
}

// maxDriving bounds the tasks parked running the loop (Task.block), one
// on top of the other: a task picked to run that is parked deep under the
// running one costs a switch for each of those above it, and with many
// tasks parked in the chain, most picks would find theirs deep in it. A
// task that parks with maxDriving under it gives control back to the one
// that resumed it, which goes on with the loop.
const maxDriving = 8

// Yield lets the other runnable tasks run before the calling task goes on,
// without letting logical time pass. It returns ctx's error if ctx is done.
func Yield(ctx context.Context) error {
	t := mustTask(ctx, "sim.Yield")
	if err := t.check(ctx); err != nil {
		return err
	}
	t.yieldNow()
	if t.aborted {
		t.unwind()
		return ErrAborted
	}
	return nil
}
