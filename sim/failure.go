package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orrerysim/orrery/internal/callsite"
)

// FailureKind says how a run failed.
type FailureKind uint8

// The ways a run can fail.
const (
	FailPanic     FailureKind = iota + 1 // a task panicked
	FailDeadlock                         // workloads unfinished, nothing can happen
	FailLivelock                         // a task ran again and again without time passing
	FailBlocked                          // a task blocked outside the simulation
	FailInvariant                        // an invariant returned an error
	FailStall                            // workloads unfinished at MaxTime
	FailAssertion                        // an assertion failed (reported by package assert)
	FailWorkload                         // a workload's Setup, Run or Check returned an error
	FailGoroutine                        // a goroutine not started by the simulation made a blocking call
)

var failureNames = [...]string{"", "panic", "deadlock", "livelock", "blocked", "invariant", "stall", "assertion", "workload", "goroutine"}

// String returns the kind's name ("deadlock").
func (k FailureKind) String() string {
	if int(k) < len(failureNames) {
		return failureNames[k]
	}
	return fmt.Sprintf("FailureKind(%d)", uint8(k))
}

// Failure is why a seed failed: what happened, where in the execution, and
// what to replay. It is an error.
type Failure struct {
	Kind     FailureKind
	Seed     uint64
	At       time.Duration // logical time of the failure
	Seq      uint64        // the event being processed
	RNGCalls uint64        // main-stream calls so far
	Task     TaskID        // the task at fault, 0 if none
	TaskName string
	Message  string // what went wrong, in one line
	// Where is the place to look first: the innermost frame of the user's
	// code as "dir/file.go:line", for panics, blocked tasks and lock
	// cycles; "" when there is none.
	Where string
	// Stack is the stack of the user's code, for panics and blocked tasks:
	// one "function\n\tdir/file.go:line" per frame, innermost first, with
	// the frames of Orrery's engine and of the runtime left out (a blocked
	// task keeps the frame it blocks in). When no frame is the user's, it
	// is the whole stack.
	Stack string
	// Parked lists every task that was blocked, for deadlocks and stalls,
	// in task ID order.
	Parked []ParkedTask
}

// ParkedTask is a blocked task in a failure report.
type ParkedTask struct {
	ID     TaskID
	Name   string // "host/task" ("bank-1/main")
	Daemon bool
	// Waiting says what it waits on: "chan recv", "timer until
	// t=1.500000s", "read conn 3", "mutex held by task 3 \"bank/server\"".
	Waiting string
	// Holder is the task that holds the lock it waits for (the writer of
	// an RWMutex), 0 when it waits for no lock or the holder is unknown.
	Holder     TaskID
	HolderName string
	// Where is the user's file:line where the task is parked, "" when it
	// could not be found.
	Where string
}

// String returns the task and what it waits on, in one line:
// `task 2 "bank-1/client" waiting on chan recv at bank/client.go:31`.
func (p ParkedTask) String() string {
	kind := "task"
	if p.Daemon {
		kind = "daemon"
	}
	s := fmt.Sprintf("%s %d %q waiting on %s", kind, p.ID, p.Name, p.Waiting)
	if p.Where != "" {
		s += " at " + p.Where
	}
	return s
}

// Error returns the one-line summary with the seed to replay.
func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s at t=%s seq=%d rng=%d", f.Kind, seconds(f.At), f.Seq, f.RNGCalls)
	if f.Task != 0 {
		fmt.Fprintf(&b, " in task %d %q", f.Task, f.TaskName)
	}
	fmt.Fprintf(&b, ": %s (seed %#x)", f.Message, f.Seed)
	return b.String()
}

// Report returns the full failure report: the summary, where to look, the
// parked tasks with what each waits on, the stack of the user's code and
// how to replay the seed.
func (f *Failure) Report() string {
	var b strings.Builder
	b.WriteString(f.Error())
	b.WriteByte('\n')
	if f.Where != "" {
		fmt.Fprintf(&b, "at %s\n", f.Where)
	}
	for _, p := range f.Parked {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	if f.Stack != "" {
		b.WriteString("stack:\n")
		b.WriteString(strings.TrimRight(f.Stack, "\n"))
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "replay: sim.New(sim.Config{Seed: %#x}) and run the same simulation\n", f.Seed)
	return b.String()
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.6fs", d.Seconds()) }

// record makes f, filled with what went wrong, the failure of the run
// unless the run has failed already, stamps it with where the run is, and
// writes it into the trace. It returns the run's failure.
func (w *World) record(f *Failure) *Failure {
	if w.failure != nil {
		return w.failure
	}
	f.Seed, f.At, f.Seq, f.RNGCalls = w.seed, w.now, w.cur, w.rng.calls
	w.failure = f
	w.tracer.failure(f)
	return f
}

// fail records a failure of task t (nil for the engine) with a message.
func (w *World) fail(kind FailureKind, t *Task, msg string) *Failure {
	f := &Failure{Kind: kind, Message: msg}
	if t != nil {
		f.Task, f.TaskName = t.id, t.name
	}
	return w.record(f)
}

// Fail ends the run with a failure of the given kind, raised by the running
// task or the engine: packages such as assert report through it. The
// failure's Where and Stack are the caller's, when its stack has frames of
// the user's code.
func (w *World) Fail(kind FailureKind, msg string) *Failure {
	f := &Failure{Kind: kind, Message: msg}
	if t := w.current; t != nil {
		f.Task, f.TaskName = t.id, t.name
	}
	if frames := engineCut(callsite.Callers(1, maxFrames)); callsite.Where(frames) != "" {
		f.Where, f.Stack = callsite.Where(frames), callsite.Format(callsite.User(frames))
	}
	return w.record(f)
}

// Failure returns the failure that ended the run, or nil.
func (w *World) Failure() *Failure { return w.failure }

// failPanic records the panic p of task t, or of the engine (an event
// handler, an invariant) when t is nil. It is called by the deferred
// function that recovered p, so that the stack is the panicking one.
func (w *World) failPanic(t *Task, msg string) {
	frames := engineCut(callsite.Callers(2, maxFrames))
	f := &Failure{Kind: FailPanic, Message: msg, Where: callsite.Where(frames),
		Stack: callsite.Format(callsite.User(frames))}
	if t != nil {
		f.Task, f.TaskName = t.id, t.name
	}
	w.record(f)
}

// failLivelock records the livelock of t, with where it spins: the user's
// frame of the call it keeps yielding in.
func (w *World) failLivelock(t *Task) {
	if w.failure != nil {
		return
	}
	var frames []callsite.Frame
	if len(w.tasks) <= maxDumpTasks {
		_, frames = goroutineOf(t)
	}
	w.record(&Failure{Kind: FailLivelock, Task: t.id, TaskName: t.name, Where: callsite.Where(frames),
		Message: fmt.Sprintf("resumed %d times without logical time passing "+
			"(is it spinning on Yield, Sleep(0) or a failing call?)", t.polls)})
}

// failStuck records a deadlock or a stall, with every parked task.
func (w *World) failStuck(kind FailureKind, format string, args ...any) {
	if w.failure != nil {
		return
	}
	w.record(&Failure{Kind: kind, Message: fmt.Sprintf(format, args...), Parked: w.parkedTasks(w.taskStacks())})
}

// failDeadlock fails the run for a deadlock, naming the goroutines that
// tasks started with go statements, if any, as the likely cause.
func (w *World) failDeadlock() {
	if w.failure != nil {
		return
	}
	msg := fmt.Sprintf("no event queued and no task runnable, but %d non-daemon tasks have not returned", w.nonDaemon)
	if gos := w.goStatements(); len(gos) > 0 {
		msg += fmt.Sprintf("; they may wait for goroutines started with a go statement, which run outside "+
			"the simulation (use env.Env.Go or sim.Go): %s", strings.Join(gos, "; "))
	}
	w.failStuck(FailDeadlock, "%s", msg)
}

// parkedTasks lists the parked tasks in ID order, with what each waits on
// and, when stacks has its goroutine, where.
func (w *World) parkedTasks(stacks map[*Task][]callsite.Frame) []ParkedTask {
	var out []ParkedTask
	for _, t := range w.tasks {
		if t.state != taskParked && !t.held {
			continue
		}
		p := ParkedTask{ID: t.id, Name: t.name, Daemon: t.daemon, Waiting: t.waiting(),
			Where: callsite.Where(stacks[t])}
		if t.held {
			p.Waiting = t.heldWaiting()
		}
		if h := t.lockHolder(); h != nil {
			p.Holder, p.HolderName = h.id, h.name
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b ParkedTask) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
