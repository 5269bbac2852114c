package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/orrerysim/orrery/internal/callsite"
	"github.com/orrerysim/orrery/internal/watchdog"
)

// loopWatched runs the main loop on a goroutine of its own, watched in real
// time: if a task does not give control back within the watchdog timeout,
// it is blocked outside the simulation, and the run fails with its stack
// instead of hanging. The blocked goroutine cannot be reclaimed; it is left
// behind, and so is the loop's goroutine, which waits on it.
func (w *World) loopWatched() {
	done := make(chan struct{})
	stuck := make(chan struct{})
	go func() {
		defer close(done)
		w.looper.Store(getg())
		w.loop(nil, false)
	}()
	// A stray goroutine caught while the loop does not move is most likely
	// what the running task waits for, and a task parked by the runtime in
	// a wait (a Go channel, a sync.Mutex, time.Sleep) waits for something
	// no task can give it: no need to wait the whole timeout.
	hurry := func() bool { return w.strays.Load() != nil || w.waitsOutside() }
	stop := watchdog.Watch(&w.heartbeat, w.cfg.Watchdog, hurry, func() { close(stuck) })
	select {
	case <-done:
		stop()
	case <-stuck:
		stop()
		w.failBlocked()
	}
}

// waitsOutside reports whether the running task's goroutine is parked by
// the runtime in a wait that only code outside the simulation can end (see
// outsideWaits). It dumps every goroutine, so it is asked only once the
// loop has stood still for a while (watchdog.HurryAfter). The heartbeat
// load orders the read of current after the loop's last write of it.
func (w *World) waitsOutside() bool {
	w.heartbeat.Load()
	t := w.current
	if t == nil {
		return false
	}
	state, _ := goroutineOf(t)
	state, _, _ = strings.Cut(state, ",") // "chan receive, 2 minutes"
	return outsideWaits[state]
}

// outsideWaits are the states in which the runtime parks a goroutine that
// waits on a Go channel, a lock of package sync or time.Sleep, as a
// goroutine dump names them. A task in one of them waits for another
// goroutine or for real time; a task of the simulation runs alone, so
// nothing of the simulation can end the wait. A task that computes, or is
// in a system call (real I/O), is in none of them, and gets the whole
// timeout.
var outsideWaits = map[string]bool{
	"chan receive": true, "chan send": true, "chan receive (nil chan)": true, "chan send (nil chan)": true,
	"select": true, "select (no cases)": true, "sleep": true, "sync.Mutex.Lock": true,
	"sync.RWMutex.Lock": true, "sync.RWMutex.RLock": true, "sync.Cond.Wait": true,
	"sync.WaitGroup.Wait": true, "semacquire": true,
}

// failBlocked reports the task the loop is waiting on, or the stray
// goroutine caught meanwhile, which is the likelier cause: a task that waits
// on a Go channel for a goroutine started with a go statement waits for
// good once that goroutine is stopped at its blocking call. The heartbeat
// load orders this read after the loop's last write of current.
func (w *World) failBlocked() {
	w.heartbeat.Load()
	t := w.current
	if w.strays.Load() != nil {
		w.failStray()
	}
	// The abandoned mark is stored last: a task that comes back loads it
	// before it reads anything else of the World.
	defer w.abandoned.Store(true)
	if t == nil {
		w.fail(FailBlocked, nil, fmt.Sprintf("the engine made no progress for %v of real time", w.cfg.Watchdog))
		return
	}
	w.record(blockedFailure(t, w.cfg.Watchdog))
	// Never resume it, nor the tasks parked running the loop under it
	// (Task.block): they wait under it for good.
	for _, x := range append([]*Task{t}, w.drivers(t)...) {
		if x != nil && x.state != taskDone {
			x.state = taskDone
			w.removeTask(x)
		}
	}
	w.setCurrent(nil)
}

// blockedFailure describes task t, which has not yielded within the
// watchdog's timeout, or is parked in a wait outside the simulation since
// watchdog.Soon(timeout), from its goroutine's stack: what the goroutine is doing
// ("chan receive", "sync.Mutex.Lock", "running") and where in the user's
// code.
func blockedFailure(t *Task, timeout time.Duration) *Failure {
	state, frames := goroutineOf(t)
	frames = blockingFrames(frames)
	if state == "runnable" { // preempted to take the stack: it was running
		state = "running"
	}
	where := callsite.Where(frames)
	at := ""
	if where != "" {
		at = " at " + where
	}
	// The message names the limit, not the time measured, which differs
	// from run to run: a failure goes into the trace.
	limit := fmt.Sprintf("did not yield for %v", timeout)
	if wait, _, _ := strings.Cut(state, ","); outsideWaits[wait] {
		limit = fmt.Sprintf("has waited more than %v", watchdog.Soon(timeout))
	}
	return &Failure{Kind: FailBlocked, Task: t.id, TaskName: t.name, Where: where, Stack: callsite.Format(frames),
		Message: fmt.Sprintf("%s of real time: it is stuck in code outside the simulation "+
			"(%s%s): a Go channel, a sync.Mutex, real I/O, time.Sleep or a busy loop; "+
			"use the simulation's primitives (env.Go, env.Chan, env.Mutex, the Env's Clock) instead",
			limit, state, at)}
}

// blockingFrames keeps the user's frames of a blocked goroutine's stack and,
// above them, the frame they called that blocks (runtime.chanrecv1), down
// to the task's body.
func blockingFrames(frames []callsite.Frame) []callsite.Frame {
	for i, f := range frames {
		if f.Function == bodyFunc {
			frames = frames[:i]
			break
		}
	}
	user := callsite.User(frames)
	for i, f := range frames {
		if !callsite.IsEngine(f) {
			if i > 0 {
				user = append([]callsite.Frame{frames[i-1]}, user...)
			}
			break
		}
	}
	return user
}
