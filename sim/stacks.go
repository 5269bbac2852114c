package sim

import (
	"fmt"
	"strings"

	"github.com/orrerysim/orrery/internal/callsite"
	"github.com/orrerysim/orrery/internal/watchdog"
)

// maxFrames bounds the stacks that failures keep.
const maxFrames = 100

// maxDumpTasks bounds the runs whose failures locate every parked task:
// beyond it, the dump of all goroutines would take more memory and time
// than a report is worth.
const maxDumpTasks = 10_000

// Functions of the engine that run event handlers and invariants.
var engineFuncs = map[string]bool{
	callsite.Module + "/sim.(*World).loop": true,
	callsite.Module + "/sim.(*World).Step": true,
	callsite.Module + "/sim.(*World).end":  true,
}

// engineCut drops the frames from the first one of the World's loop on:
// below it lie the frames of whatever goroutine runs the loop (a parked
// task's, when the loop runs inline), which have nothing to do with a
// failure of the engine or of an event handler.
func engineCut(frames []callsite.Frame) []callsite.Frame {
	for i, f := range frames {
		if engineFuncs[f.Function] {
			return frames[:i]
		}
	}
	return frames
}

// bodyFunc is the function at the bottom of every task's stack; its
// receiver, the task, marks the task's goroutine in a dump.
const bodyFunc = callsite.Module + "/sim.(*Task).body"

// taskStacks returns the stack of every live task's goroutine, from one
// dump of all goroutines, or nil when the run has too many tasks. Tasks are
// matched by the receiver of their body frame; the pointer is not kept.
func (w *World) taskStacks() map[*Task][]callsite.Frame {
	if len(w.tasks) == 0 || len(w.tasks) > maxDumpTasks {
		return nil
	}
	stacks := make(map[*Task][]callsite.Frame)
	w.eachTaskGoroutine(watchdog.Goroutines(), func(t *Task, _ string, frames []callsite.Frame) {
		stacks[t] = frames
	})
	return stacks
}

// eachTaskGoroutine calls fn for each goroutine of dump that runs a task
// of w, with the task, the goroutine's text and its frames above the
// task's body. Tasks are matched by the receiver of their body frame; the
// pointer is not kept.
func (w *World) eachTaskGoroutine(dump []string, fn func(t *Task, g string, frames []callsite.Frame)) {
	byPtr := make(map[string]*Task, len(w.tasks))
	for _, t := range w.tasks {
		byPtr[fmt.Sprintf("%p", t)] = t
	}
	for _, g := range dump {
		if !strings.Contains(g, bodyFunc) {
			continue
		}
		_, frames, args := callsite.ParseGoroutine(g)
		for i, f := range frames {
			if f.Function == bodyFunc {
				if t := byPtr[firstArg(args[i])]; t != nil {
					fn(t, g, frames[:i])
				}
				break
			}
		}
	}
}

// goroutineOf returns the state and the frames of t's goroutine, from a
// dump of all goroutines, or "unknown" and none.
func goroutineOf(t *Task) (string, []callsite.Frame) {
	ptr := fmt.Sprintf("%p", t)
	for _, g := range watchdog.Goroutines() {
		if !strings.Contains(g, bodyFunc) {
			continue
		}
		state, frames, args := callsite.ParseGoroutine(g)
		for i, f := range frames {
			if f.Function == bodyFunc && firstArg(args[i]) == ptr {
				return state, frames
			}
		}
	}
	return "unknown", nil
}

// firstArg returns the first of a dump's arguments ("0xc000012345" of
// "0xc000012345?, 0x1"), without the mark of a possibly stale value.
func firstArg(args string) string {
	if i := strings.IndexByte(args, ','); i >= 0 {
		args = args[:i]
	}
	return strings.TrimSuffix(strings.TrimSpace(args), "?")
}

// waiting says what a parked task waits on, for failure reports: what it
// parked with, and for a timer its time, for a lock its holder.
func (t *Task) waiting() string {
	switch {
	case t.waitingOn == "sleep":
		return "timer until t=" + seconds(t.wakeAt)
	case t.waitLock != nil:
		return t.waitLock.describeWait(t.waitingOn)
	}
	return t.waitingOn
}

// lockHolder returns the task that holds the lock t waits for, or nil.
func (t *Task) lockHolder() *Task {
	if t.state != taskParked || t.waitLock == nil {
		return nil
	}
	return t.waitLock.holderTask()
}
