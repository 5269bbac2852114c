package sim

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/orrerysim/orrery/internal/callsite"
	"github.com/orrerysim/orrery/internal/watchdog"
)

// goStatements returns, from a dump of all goroutines, where each live
// goroutine that a task of w started with a go statement was started, in
// the order of the tasks' IDs then of the places: such a goroutine runs
// outside the simulation, and a task that waits for it (on a Go channel,
// or on a primitive of the simulation that the goroutine would signal)
// waits on something the run cannot see. A deadlock names them, for the
// goroutine may not have called into the simulation (where it would be
// caught as a stray) before every task parked.
func (w *World) goStatements() []string {
	if len(w.tasks) == 0 || len(w.tasks) > maxDumpTasks {
		return nil
	}
	dump := watchdog.Goroutines()
	starters := w.taskGoroutines(dump)
	type started struct {
		by    TaskID
		where string
	}
	var out []started
	for _, g := range dump {
		fn, by, where := goCreator(g)
		if t := starters[by]; t != nil && !strings.HasPrefix(fn, "iter.Pull") {
			out = append(out, started{t.id, fmt.Sprintf("task %d %q started one at %s", t.id, t.name, where)})
		}
	}
	for by, t := range starters { // any order: sorted below
		if where, ok := stoppedGoroutines.LoadAndDelete(by); ok {
			out = append(out, started{t.id, fmt.Sprintf("task %d %q started one at %s", t.id, t.name, where)})
		}
	}
	slices.SortFunc(out, func(a, b started) int {
		if a.by != b.by {
			return int(a.by) - int(b.by)
		}
		return strings.Compare(a.where, b.where)
	})
	var lines []string
	for _, s := range out {
		lines = append(lines, s.where)
	}
	return slices.Compact(lines)
}

// stoppedGoroutines holds, by the ID of the goroutine that started them,
// where the goroutines that notInSimulation stopped were started: such a
// goroutine is gone before a deadlock's dump, which names it from here.
var stoppedGoroutines = strayRecord{max: maxStoppedGoroutines}

// maxStoppedGoroutines bounds stoppedGoroutines: an entry is taken back
// only by a deadlock of its starter's World, and a program whose tasks keep
// starting stray goroutines in runs that end well must not grow without
// end. The oldest entries go first; a deadlock names its own, which are
// recent.
const maxStoppedGoroutines = 1024

// strayRecord is a map of at most max entries that forgets the oldest
// first, safe for concurrent use (worlds run in parallel).
type strayRecord struct {
	mu    sync.Mutex
	max   int
	where map[string]string
	order []string // keys, oldest first; may hold keys already taken
}

// Store records where a goroutine that by started was started.
func (r *strayRecord) Store(by, where string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.where == nil {
		r.where = make(map[string]string)
	}
	if _, ok := r.where[by]; !ok {
		r.order = append(r.order, by)
	}
	r.where[by] = where
	for len(r.where) > r.max {
		delete(r.where, r.order[0])
		r.order = r.order[1:]
	}
	if len(r.order) > 2*r.max { // keys taken by LoadAndDelete
		r.order = slices.DeleteFunc(r.order, func(k string) bool { _, ok := r.where[k]; return !ok })
	}
}

// LoadAndDelete takes back the entry of by, if any.
func (r *strayRecord) LoadAndDelete(by string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	where, ok := r.where[by]
	delete(r.where, by)
	return where, ok
}

// Len returns how many entries r holds.
func (r *strayRecord) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.where)
}

// taskGoroutines returns the tasks of w by the ID of their goroutine in
// dump ("23" of "goroutine 23 [chan receive]:").
func (w *World) taskGoroutines(dump []string) map[string]*Task {
	out := make(map[string]*Task)
	w.eachTaskGoroutine(dump, func(t *Task, g string, _ []callsite.Frame) { out[goroutineID(g)] = t })
	return out
}

// goroutineID returns the ID of a dump's goroutine, "23" of
// "goroutine 23 [chan receive]:".
func goroutineID(g string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(g, "goroutine "), " ")
	return id
}

// goCreator reads the "created by" lines of a dump's goroutine: the
// function whose go statement started it, the ID of the goroutine that ran
// it, and where the statement is ("dir/file.go:12"); empty strings for a
// goroutine the dump gives no creator.
func goCreator(g string) (fn, by, where string) {
	_, after, ok := strings.Cut(g, "\ncreated by ")
	if !ok {
		return "", "", ""
	}
	line, rest, _ := strings.Cut(after, "\n")
	fn, by, _ = strings.Cut(line, " in goroutine ")
	if _, frames, _ := callsite.ParseGoroutine("creator(...)\n" + rest); len(frames) > 0 {
		where = frames[0].Location()
	}
	return fn, by, where
}
