package sim

import (
	"context"
	"fmt"
	"strings"

	"github.com/orrerysim/orrery/internal/callsite"
)

// locker is a lock that knows its holder: Mutex, RWMutex.
type locker interface {
	// holderTask returns the task that holds the lock (the writer), or nil.
	holderTask() *Task
	// describeWait says what a task parked with what waits on, with the
	// holder: `mutex held by task 3 "bank/server"`.
	describeWait(what string) string
	// giveBack releases the lock handed to a waiter that was aborted
	// before it ran, as what it waited for says (read or write).
	giveBack(what string)
	// quit undoes the wait of a waiter that got no lock: its context
	// was done, or it unwinds after an abort.
	quit(what string)
}

// runningTask returns the task running in ctx's World: the one that takes
// a lock with ctx, whatever context it passes (its own, its host's, one
// derived from either). It is small enough to be inlined in Lock.
func runningTask(ctx context.Context) *Task {
	if c, ok := ctx.(*simCtx); ok {
		return c.w.current
	}
	return runningTaskSlow(ctx)
}

func runningTaskSlow(ctx context.Context) *Task {
	if w := FromContext(ctx); w != nil {
		return w.current
	}
	return nil
}

// lockWait parks the running task in q until the lock l is handed to it.
// A wait that closes a cycle of tasks waiting for each other's locks fails
// the run at once: nothing could ever end it. what is "mutex", "rwmutex
// read" or "rwmutex write". A task that gets no lock quits the wait (l.quit),
// whether it returns an error or unwinds; an aborted task handed the lock
// before it ran gives it back, then unwinds.
func lockWait(ctx context.Context, q *WaitQueue, l locker, what string) (err error) {
	t := mustTask(ctx, lockCall(what))
	granted := false
	defer func() {
		if !granted {
			l.quit(what)
		}
	}()
	t.state = taskParked
	t.waitingOn, t.waitLock = what, l
	// A cycle needs a holder that waits for a lock too; most holders run.
	if h := l.holderTask(); h != nil && h.lockHolder() != nil && ctx.Err() == nil && !t.aborted && !t.unwinding {
		t.w.checkLockCycle(t)
	}
	err = t.block(q, ctx, "")
	t.waitLock = nil
	granted = err == nil
	if granted && t.aborted {
		l.giveBack(what)
		t.unwind()
		return ErrAborted
	}
	return err
}

// lockCall names the call that waits, by what it waits on.
func lockCall(what string) string {
	switch what {
	case "rwmutex read":
		return "sim.RWMutex.RLock"
	case "rwmutex write":
		return "sim.RWMutex.Lock"
	}
	return "sim.Mutex.Lock"
}

// checkLockCycle follows the holders from the lock that t, parking, waits
// for: the lock's holder, the lock that one waits for, its holder, and so
// on. Reaching t again is a cycle.
func (w *World) checkLockCycle(t *Task) {
	n := 1
	for h := t.lockHolder(); h != nil && n <= len(w.tasks); h = h.lockHolder() {
		if h == t {
			w.failLockCycle(t, n)
			return
		}
		n++
	}
}

// failLockCycle fails the run with a deadlock that names the cycle: each
// task, the lock it holds (the one the previous task waits for) and the
// one it waits for. A lock is named by the user's call site where its
// waiter in the cycle locks it, found in the goroutines' stacks.
func (w *World) failLockCycle(t *Task, n int) {
	if w.failure != nil {
		return
	}
	cycle := make([]*Task, n)
	for i := range cycle {
		cycle[i], t = t, t.lockHolder()
	}
	stacks := w.taskStacks()
	names := lockNames(cycle, stacks)
	parts := make([]string, n)
	for i, t := range cycle {
		parts[i] = fmt.Sprintf("%s holds %s waits %s", t.name, names[(i+n-1)%n], names[i])
	}
	w.record(&Failure{Kind: FailDeadlock, Where: callsite.Where(stacks[cycle[0]]),
		Message: "lock cycle: " + strings.Join(parts, "; "), Parked: w.parkedTasks(stacks)})
}

// lockNames names the lock each task of the cycle waits for, by where the
// task locks it: "mutex locked at bank/server.go:42". When two locks would
// get the same name (two transfers locking their accounts in opposite
// orders), every lock gets a number too, in the order the message mentions
// them: "mutex 1 locked at bank/server.go:42".
func lockNames(cycle []*Task, stacks map[*Task][]callsite.Frame) []string {
	n := len(cycle)
	kinds, wheres := make([]string, n), make([]string, n)
	seen := make(map[string]bool, n)
	numbered := false
	for i, t := range cycle {
		kinds[i] = strings.Fields(t.waitingOn)[0] // "mutex", "rwmutex"
		wheres[i] = callsite.Where(stacks[t])
		key := kinds[i] + " " + wheres[i]
		numbered = numbered || seen[key] || wheres[i] == ""
		seen[key] = true
	}
	names := make([]string, n)
	for k := range n {
		i := (k + n - 1) % n // the message mentions the last task's lock first
		names[i] = kinds[i]
		if numbered {
			names[i] += fmt.Sprintf(" %d", k+1)
		}
		if wheres[i] != "" {
			names[i] += " locked at " + wheres[i]
		}
	}
	return names
}
