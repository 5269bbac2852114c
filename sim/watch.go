package sim

import (
	"fmt"

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
		w.loop(nil, false)
	}()
	stop := watchdog.Watch(&w.heartbeat, w.cfg.Watchdog, func() { close(stuck) })
	select {
	case <-done:
		stop()
	case <-stuck:
		stop()
		w.failBlocked()
	}
}

// failBlocked reports the task the loop is waiting on. The heartbeat load
// orders this read after the loop's last write of current.
func (w *World) failBlocked() {
	w.heartbeat.Load()
	t := w.current
	if t == nil {
		w.fail(FailBlocked, nil, fmt.Sprintf("the engine made no progress for %v of real time", w.cfg.Watchdog), "")
		w.abandoned.Store(true)
		return
	}
	stack := watchdog.GoroutineStack(fmt.Sprintf("(*Task).body(%p", t))
	msg := fmt.Sprintf("did not yield for %v of real time: it is blocked outside the simulation "+
		"(a Go channel, sync.Mutex, real I/O or time.Sleep) or spinning; use sim primitives instead", w.cfg.Watchdog)
	w.fail(FailBlocked, t, msg, stack)
	w.abandoned.Store(true)
	// Never resume it, nor the task whose goroutine resumed it while
	// running the loop (Task.block): that one waits under it for good.
	for _, x := range []*Task{t, w.driver} {
		if x != nil && x.state != taskDone {
			x.state = taskDone
			w.removeTask(x)
		}
	}
	w.current = nil
}
