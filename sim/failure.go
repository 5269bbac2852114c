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
	Stack    string // the task's stack, for panics and blocked tasks
	// Parked lists every task that was blocked, for deadlocks and stalls.
	Parked []ParkedTask
}

// ParkedTask is a blocked task in a failure report.
type ParkedTask struct {
	ID      TaskID
	Name    string
	Daemon  bool
	Waiting string // what it waits on ("chan recv", "sleep")
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

// Report returns the full failure report: the summary, the parked tasks, the
// stack and how to replay the seed.
func (f *Failure) Report() string {
	var b strings.Builder
	b.WriteString(f.Error())
	b.WriteByte('\n')
	for _, p := range f.Parked {
		kind := "task"
		if p.Daemon {
			kind = "daemon"
		}
		fmt.Fprintf(&b, "  %s %d %q waiting on %s\n", kind, p.ID, p.Name, p.Waiting)
	}
	if f.Stack != "" {
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
