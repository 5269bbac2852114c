package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
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
)

var failureNames = [...]string{"", "panic", "deadlock", "livelock", "blocked", "invariant", "stall", "assertion", "workload"}

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

// fail records the first failure of the run; later ones are ignored.
func (w *World) fail(kind FailureKind, t *Task, msg, stack string) *Failure {
	if w.failure != nil {
		return w.failure
	}
	f := &Failure{Kind: kind, Seed: w.seed, At: w.now, Seq: w.cur, RNGCalls: w.rng.calls,
		Message: msg, Stack: stack}
	if t != nil {
		f.Task, f.TaskName = t.id, t.name
	}
	w.failure = f
	w.tracer.failure(f)
	return f
}

// Fail ends the run with a failure of the given kind, raised by the running
// task or the engine: packages such as assert report through it.
func (w *World) Fail(kind FailureKind, msg string) *Failure {
	return w.fail(kind, w.current, msg, "")
}

// Failure returns the failure that ended the run, or nil.
func (w *World) Failure() *Failure { return w.failure }

func (w *World) failPanic(t *Task, p any, stack string) {
	w.fail(FailPanic, t, fmt.Sprintf("panic: %v", p), stack)
}

func (w *World) parkedTasks() []ParkedTask {
	var out []ParkedTask
	for _, t := range w.tasks {
		if t.state == taskParked {
			out = append(out, ParkedTask{ID: t.id, Name: t.name, Daemon: t.daemon, Waiting: t.waitingOn})
		}
	}
	slices.SortFunc(out, func(a, b ParkedTask) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
