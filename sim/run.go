package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
)

// ErrIdle is returned by Step when there is nothing left to do: no event
// queued and no task runnable.
var ErrIdle = errors.New("sim: nothing to do: no event queued and no task runnable")

// ErrFinished is returned by Step and Run on a World whose run has ended.
var ErrFinished = errors.New("sim: the run has ended; create a new World for another run")

// Step processes exactly one event: it advances the clock to the event's
// time, applies it, then runs every task it made runnable until all are
// parked again, in an order drawn from the seed, and then checks the
// invariants. Tasks spawned during setup run before the first event. It
// returns nil, ErrIdle when nothing is left, or the *Failure that ended the
// run. Step has no watchdog: a task blocked outside the simulation blocks
// Step; Run detects it.
func (w *World) Step() error {
	w.enter("Step")
	defer w.leave()
	defer w.tracer.flush() // a caller that steps reads the trace between steps
	defer w.recoverPanic()
	if err := w.endedErr(); err != nil {
		return err
	}
	if len(w.runnable) == 0 && len(w.yielded) == 0 && !w.processNext() {
		return ErrIdle
	}
	w.runReady()
	w.checkInvariants()
	return w.failureErr()
}

// Run steps until every non-daemon task has returned and no event that keeps
// the run alive is queued (only infrastructure and daemon events remain).
// Then it processes Shutdown, which cancels every task's context so that
// parked tasks wake for teardown, aborts any task still left, and draws the
// unseed. It returns nil or the *Failure that ended the run.
func (w *World) Run() error {
	w.enter("Run")
	defer w.leave()
	if err := w.endedErr(); err != nil {
		return err
	}
	w.inline = true
	if w.cfg.Watchdog < 0 {
		w.loop(nil, false)
	} else {
		w.loopWatched()
	}
	w.end()
	return w.failureErr()
}

// loop is Run's main loop. It runs on Run's goroutine (self is nil) and,
// while a task is parked, on that task's goroutine (see Task.block): the
// tasks it resumes run the loop on theirs when they park, and so on, a
// chain of drivers, each parked in the loop under the one it resumed. It
// returns true when self is picked to run, false when the run is over (a
// driver hands the end down to Run's goroutine), when a driver below self
// is picked (w.handoff: each driver between gives control back to the one
// that resumed it), or, with readyOnly (runReady), as soon as no task is
// runnable.
//
// The loop runs the ready tasks one at a time, in an order drawn from the
// scheduling stream; the tasks that yielded go after every task that was
// runnable when they yielded. It resumes them from its own frame, not from
// a function of its own: every frame between the loop and the switch
// costs a mispredicted return when the task gives control back.
func (w *World) loop(self *Task, readyOnly bool) (picked bool) {
	// Each return sets out first: the deferred call recovers only from a
	// panic, without asking for one at every return (the loop runs on each
	// parked task's goroutine, once a park).
	out := false
	defer func() {
		if !out {
			w.loopPanic(recover())
		}
	}()
	for {
		for len(w.runnable) > 0 || len(w.yielded) > 0 {
			if w.failure != nil && !w.tearingDown {
				break
			}
			t := w.pick()
			if t == nil {
				continue
			}
			w.yieldEvery()
			if t == self {
				out = true
				return true
			}
			if t.driving {
				// t is parked running the loop (Task.block) below self,
				// whose goroutine runs above t's: control goes back down
				// to it, each driver between giving it back in turn.
				w.handoff = t
				out = true
				return false
			}
			t.top = self == nil
			t.next()
			if w.handoff != nil {
				// t, parked, ran the loop and picked a driver below it.
				if w.abandoned.Load() {
					runtime.Goexit() // as resumed
				}
				if w.handoff != self {
					out = true
					return false
				}
				w.handoff = nil
				out = true
				return true
			}
			w.resumed(t)
			if w.handedBack && self != nil {
				out = true
				return false // the run ended above: hand it down to Run's goroutine
			}
		}
		if readyOnly {
			out = true
			return false
		}
		if w.handedBack {
			// A task ran the loop to its end and handed it back.
			w.handedBack = false
			out = true
			return false
		}
		if inv := w.invariants; len(inv) == 1 && w.failure == nil && !w.tearingDown {
			// One invariant, as most simulations have: called from here,
			// without checkInvariants' frame, after every event.
			if err := inv[0].check(); err != nil {
				w.failInvariant(0, err)
			}
		} else if len(inv) > 1 {
			w.checkInvariants()
		}
		w.checkStray()
		if w.failure != nil || (w.nonDaemon == 0 && w.liveEvents == 0) {
			out = true
			return false
		}
		if w.deadlineMayBeFirst() && w.deadlineFirst() && w.deadlines.keys[0].at <= w.cfg.MaxTime {
			w.processDeadline()
			w.yieldEvery()
			continue
		}
		if (w.dead > 0 || w.queue.len() == 0 || w.queue.peekAt() > w.cfg.MaxTime) && !w.nextBefore() {
			out = true
			return false
		}
		w.processFirst() // there is one, not cancelled
		w.yieldEvery()
	}
}

// yieldEvery lets Go's scheduler run another goroutine once every 1024
// events and task slices. Tasks switch as coroutines, without the scheduler, so on one
// processor nothing else runs until it preempts the loop, every 10 ms: a
// garbage collection, once started, waits that long for its background
// worker, and every pointer store of the run goes through the write
// barrier meanwhile. The scheduler does not look at the World, which the
// yield leaves as it is.
func (w *World) yieldEvery() {
	if w.processed++; w.processed&1023 == 0 {
		runtime.Gosched()
	}
}

// nextBefore reports whether an event is due before MaxTime, failing the run
// when workloads are stuck. With nothing queued before MaxTime, it is a
// deadlock when no queued event is a workload's (nothing at all, or only
// daemons' and infrastructure events, such as a server sleeping until its
// shutdown): no workload can run again. It is a stall when workloads have
// events of their own queued past MaxTime: they were still going.
func (w *World) nextBefore() bool {
	w.dropCancelled()
	dl, hasDL := w.nextDeadline()
	if w.queue.len() == 0 && !hasDL {
		if w.nonDaemon > 0 {
			w.failDeadlock()
		}
		return false
	}
	next := dl
	if w.queue.len() > 0 && (!hasDL || w.queue.peekAt() < dl) {
		next = w.queue.peekAt()
	}
	switch {
	case next <= w.cfg.MaxTime:
		return true
	case !w.workloadEventQueued():
		w.failStuck(FailDeadlock, "no task runnable and no event of a workload queued "+
			"(the next event, at t=%s, is a daemon's, after MaxTime %v), but %d non-daemon tasks have not returned",
			seconds(next), w.cfg.MaxTime, w.nonDaemon)
	default:
		w.failStuck(FailStall, "workloads unfinished at MaxTime %v (%d non-daemon tasks left)", w.cfg.MaxTime, w.nonDaemon)
	}
	return false
}

// workloadEventQueued reports whether a queued event is a workload's: one
// that keeps the run alive, or a timer of a non-daemon task (or of one that
// has finished); or whether a task waits for its paused host to resume. It scans the queue: it runs once, when the run is stuck.
func (w *World) workloadEventQueued() bool {
	daemon := make(map[TaskID]bool, len(w.tasks))
	for _, t := range w.tasks {
		daemon[t.id] = t.daemon
		if t.held {
			return true // it runs when its host resumes, and may wake workloads
		}
	}
	for _, k := range w.queue.keys {
		ev := &w.queue.slab[k.slot]
		if ev.dead {
			continue
		}
		if ev.live || (ev.Op == OpTimer && ev.ID != 0 && !daemon[TaskID(ev.ID)]) {
			return true
		}
	}
	return w.workloadDeadline(daemon)
}

// dropCancelled pops cancelled events off the top of the queue.
func (w *World) dropCancelled() {
	for w.dead > 0 && w.queue.len() > 0 && w.queue.peek().dead {
		w.dead--
		w.queue.release(w.queue.pop())
	}
}

// processNext pops the next live event and processes it. It returns false
// when the queue is empty.
func (w *World) processNext() bool {
	if w.deadlineFirst() {
		w.processDeadline()
		return true
	}
	w.dropCancelled()
	if w.queue.len() == 0 {
		return false
	}
	w.processFirst()
	return true
}

// processFirst processes the first event of the queue, which must not be
// empty nor cancelled: the clock, the hash, the trace line, the handler.
// The tasks it makes runnable run after it, in the loop. The event is
// handled where it lies: its slot is freed only after the handler. (A
// handler that schedules may move the slab; the event it was given stays
// intact in the old one.)
func (w *World) processFirst() {
	slot := w.queue.pop()
	if w.queue.len() >= warmMin {
		w.queue.warm(slot)
	}
	w.process(&w.queue.slab[slot])
	w.queue.release(slot)
}

// process processes ev, an event of the queue or a context's deadline.
func (w *World) process(ev *Event) {
	if ev.live {
		w.liveEvents--
	}
	if ev.At > w.now {
		w.now = ev.At
	}
	w.cur, w.curLive, w.curOp = ev.Seq, ev.live, ev.Op
	w.hashEvent(ev)
	if w.tracer.on {
		w.tracer.event(ev)
	}
	if tt, ok := ev.h.(*taskTimer); ok {
		tt.HandleEvent(ev) // a sleep's end, the commonest event: inlined
	} else {
		ev.h.HandleEvent(ev)
	}
	w.afterSlice()
}

// recoverPanic, deferred by Step (the loop recovers itself and calls
// loopPanic), turns a panic of the engine's
// own code (an event handler, an AfterFunc callback, an invariant) into a
// failure with its stack, instead of crashing the process. Tasks' panics
// never get here: each task recovers its own.
func (w *World) recoverPanic() { w.loopPanic(recover()) }

// loopPanic fails the run for p, a panic of the engine's own code, if
// it is not nil.
func (w *World) loopPanic(p any) {
	if p == nil {
		return
	}
	w.setCurrent(nil)
	if i := w.checking; i > 0 {
		w.checking = 0
		w.failPanic(nil, fmt.Sprintf("invariant %q panicked after %v: %v", w.invariants[i-1].name, w.curOp, p))
		return
	}
	w.failPanic(nil, fmt.Sprintf("panic while processing %v: %v", w.curOp, p))
}

// runReady runs the runnable tasks until none is left, in the loop's
// order, without processing events: Step and the teardown use it.
func (w *World) runReady() { w.loop(nil, true) }

// pick takes the next task to run out of the runnable ones and makes it the
// running task, unless it has been resumed too often without logical time
// passing: then the run fails with a livelock. It returns nil when no task
// was started.
func (w *World) pick() *Task {
	n := len(w.runnable)
	if n == 0 {
		w.runnable, w.yielded = w.yielded, w.runnable[:0]
		return nil
	}
	var t *Task
	if n == 1 { // the commonest case: one task woken by the event
		t = w.runnable[0]
		w.runnable[0] = nil
		w.runnable = w.runnable[:0]
	} else {
		i := w.sched.IntN(n)
		t = w.runnable[i]
		w.runnable[i] = w.runnable[n-1]
		w.runnable[n-1] = nil
		w.runnable = w.runnable[:n-1]
	}
	if w.paused > 0 && w.holds(t) {
		t.host.hold(t)
		return nil
	}
	// A task resumed too often without logical time passing is livelocked.
	if t.pollAt != w.now {
		t.pollAt, t.polls = w.now, 0
	}
	if t.polls++; t.polls > w.cfg.LivelockPolls && !w.tearingDown {
		w.failLivelock(t)
		w.runnable = append(w.runnable, t) // still runnable, for teardown
		return nil
	}
	t.state = taskRunning
	w.setCurrent(t)
	w.hash = mix(w.hash, uint64(t.id)^hashTagRun)
	w.beat()
	return t
}

// resumed ends the slice of t, which the loop resumed, once t returns, or
// parks without running the loop itself (Step, or the watchdog gave up),
// or ends the run that the loop on its goroutine ran to the end.
func (w *World) resumed(t *Task) {
	if w.abandoned.Load() {
		runtime.Goexit() // the watchdog gave up on this loop; leave the World alone
	}
	w.setCurrent(nil)
	w.checkStray()
	if t.state == taskDone {
		w.removeTask(t)
		w.release(t)
	}
	w.afterSlice()
	if next := w.queue.nextSleeper(); next != nil {
		warmCoro(next) // its task's fields came in while t ran (eventHeap.warm)
	}
}

// endSlice ends the slice of t, the running task, which parks and runs the
// loop on its goroutine (Task.block), as resumed would on the goroutine
// that resumed it. A task resumed from Run's goroutine ends it without
// checking for strays or warming the cache, as it always has (the loop
// checks for strays before the next event). endSlice returns false, and
// ends nothing, when the watchdog has given up on the loop: the task then
// yields, and resumed stops the goroutine that resumed it.
func (w *World) endSlice(t *Task) bool {
	if t.top {
		w.setCurrent(nil)
		w.afterSlice()
		return true
	}
	if w.abandoned.Load() {
		return false
	}
	w.setCurrent(nil)
	w.checkStray()
	w.afterSlice()
	if next := w.queue.nextSleeper(); next != nil {
		warmCoro(next)
	}
	return true
}

// backNext reports whether the one task runnable is parked running the
// loop under the running one, which then gives control back at once
// instead of running the loop itself only to pick that task.
func (w *World) backNext() bool {
	return len(w.runnable) == 1 && len(w.yielded) == 0 && w.runnable[0].driving
}

// drivers returns the tasks parked running the loop (Task.block), under
// the running one, run: the watchdog never resumes them when it gives up.
// It reads nothing of run, which may still be running.
func (w *World) drivers(run *Task) []*Task {
	var ds []*Task
	for _, t := range w.tasks {
		if t != run && t.driving {
			ds = append(ds, t)
		}
	}
	return ds
}

// afterSlice wakes the tasks whose context was cancelled by what just ran.
func (w *World) afterSlice() {
	if w.ctxDirty || w.foreignParked > 0 || len(w.foreign) > 0 {
		w.scanContexts()
	}
}

func (w *World) checkInvariants() {
	if w.failure != nil || w.tearingDown {
		return
	}
	for i := range w.invariants {
		w.checking = i + 1 // a panic names the invariant (loopPanic)
		if err := w.invariants[i].check(); err != nil {
			w.checking = 0
			w.failInvariant(i, err)
			return
		}
	}
	w.checking = 0
}

// failInvariant fails the run for invariant i's error: out of line, so
// that checkInvariants, called after every step, has a small frame.
//
//go:noinline
func (w *World) failInvariant(i int, err error) {
	w.fail(FailInvariant, nil, fmt.Sprintf("invariant %q: %v", w.invariants[i].name, err))
}

// end shuts the run down: the Shutdown event if it succeeded, the teardown of
// every task left, and the unseed.
func (w *World) end() {
	w.setCurrent(nil)
	w.inline = false
	w.checkStray()
	if w.failure == nil {
		w.processShutdown()
	}
	w.teardown()
	w.unseed = w.rng.Uint64()
	w.finished = true
	close(w.over)
	w.tracer.end(w)
	w.queue.recycle()
}

// processShutdown processes the Shutdown event at the current time:
// every task's context is cancelled, so parked tasks wake with an error
// and can wind down.
func (w *World) processShutdown() {
	w.shutdown = true
	w.seq++
	// Queued with key seq 0, it comes before anything else at this instant.
	_, ev := w.queue.push(w.now, 0)
	*ev = Event{At: w.now, Seq: w.seq, Cause: w.cur, Op: OpShutdown, h: shutdownHandler{w}}
	w.processFirst()
	w.runReady()
	w.checkInvariants()
}

type shutdownHandler struct{ w *World }

func (h shutdownHandler) HandleEvent(*Event) {
	h.w.root.cancel(context.Canceled, ErrShutdown)
}

func (h shutdownHandler) DescribeEvent(*Event) (string, string) { return "", "" }

// ErrShutdown is the cause of every task context's cancellation at the end of
// a run: ctx.Err() is context.Canceled and Cause(ctx) is ErrShutdown.
var ErrShutdown = errors.New("sim: shutdown")

// teardown aborts every task that is left, so that no goroutine outlives the
// run: each unwinds, running its deferred calls, whose blocking calls fail.
func (w *World) teardown() {
	w.tearingDown = true
	for round := 0; len(w.tasks) > 0 && round < 3 && !w.abandoned.Load(); round++ {
		for _, t := range w.Tasks() {
			t.polls = 0
			t.Abort()
		}
		w.runReady()
	}
	// Still alive: a deferred call that never gives up, or the loop was
	// abandoned to a blocked task and cannot resume anything.
	for _, t := range w.Tasks() {
		t.stop()
		t.state = taskDone
		w.removeTask(t)
	}
	w.stopIdle()
	w.runnable, w.yielded = nil, nil
}

// Unseed returns the final draw of the main stream, taken when the run
// ended: two runs of a seed that agree on it almost surely made the same
// random decisions. It is 0 before the run ends.
func (w *World) Unseed() uint64 { return w.unseed }

// TraceHash returns a hash of every processed event, task switch and log
// record at Info and above so far (records below Info go to VerboseHash). The same seed gives the same hash whatever GOMAXPROCS, the
// race detector or the trace level.
func (w *World) TraceHash() uint64 { return w.hash }

// VerboseHash returns a hash of the log records below Info built so far,
// each with the seq it was logged at: those of a Verbose World, or those
// its trace shows. Two runs of a seed at the same log level give the same
// VerboseHash; TraceHash does not depend on the level.
func (w *World) VerboseHash() uint64 { return w.vhash }

func (w *World) enter(call string) {
	if !w.busy.CompareAndSwap(false, true) {
		panic(fmt.Sprintf("sim: World.%s called while the World is running: "+
			"a task cannot drive its own World, and a World is used from one goroutine at a time", call))
	}
	w.ran.Store(true)
	w.runner.Store(getg())
}

func (w *World) leave() { w.busy.Store(false) }

func (w *World) endedErr() error {
	if w.failure != nil {
		return w.failure
	}
	if w.finished {
		return ErrFinished
	}
	return nil
}

func (w *World) failureErr() error {
	if w.failure != nil {
		return w.failure
	}
	return nil
}
