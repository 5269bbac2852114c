package sim

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// World is one simulated run: a logical clock, an event queue, the tasks and
// the random streams, all driven by one seed. A World is used from one
// goroutine at a time; its tasks run on their own goroutines, but only ever
// one at a time and only while the World hands them control.
type World struct {
	cfg  Config
	seed uint64

	now   time.Duration
	seq   uint64 // last seq handed out
	cur   uint64 // seq of the event being processed; 0 at setup
	queue eventHeap
	curOp Op // the op of the event being processed
	// liveEvents counts queued events that keep the run alive: not
	// infrastructure and not scheduled by a daemon. It makes the
	// termination check O(1).
	liveEvents int
	dead       int    // cancelled events still in the queue
	curLive    bool   // the event being processed keeps the run alive
	processed  uint32 // events and task slices of the loop, for yieldEvery

	rng   *Rand // the counted main stream
	sched *Rand // which runnable task goes next
	conf  *Rand // configuration draws

	nextTask TaskID
	tasks    []*Task // live tasks in spawn order (with holes filled by swaps)
	runnable []*Task
	yielded  []*Task // tasks that called Yield: they run after runnable
	current  *Task
	// inline lets a parked task run the loop itself (Task.block): on in Run,
	// off in Step and at teardown. handedBack says that a task that ran the
	// loop ended it, and the drivers under it, down to Run's goroutine, must
	// not go on with it; handoff is a driver picked to run by a driver
	// above it, to which the drivers between give control back; driving
	// is how many tasks are parked running the loop.
	inline     bool
	handedBack bool
	handoff    *Task
	driving    int
	nonDaemon  int // live non-daemon tasks
	paused     int // hosts paused now: while 0, no task or timer is held

	root       *simCtx
	ctxWaiters []*Task   // parked tasks that also wait on a context
	foreign    []*simCtx // contexts whose parent is not ours: polled
	ctxDirty   bool      // a context was cancelled since the last scan
	ctxSpare   []simCtx  // deadline contexts allocated and not yet used
	taskSpare  []taskBox // tasks allocated and not yet used
	deadlines  deadlines // contexts' pending deadlines, apart from the queue
	// foreignParked counts parked tasks waiting on a context that is not
	// ours, which must be polled.
	foreignParked int
	// oddShown and oddCause hold what a context keeps no field for: the
	// Deadline of one with oddShown, the cause of one with causeOdd.
	oddShown map[*simCtx]time.Time
	oddCause map[*simCtx]error

	invariants []invariant
	checking   int // 1 + the index of the invariant being checked, 0 for none
	failure    *Failure
	finished   bool
	shutdown   bool
	drifted    time.Duration

	busy        atomic.Bool    // a goroutine is inside Step or Run
	ran         atomic.Bool    // Step or Run has been called
	runner      atomic.Uintptr // the goroutine (getg) that called Step or Run last
	looper      atomic.Uintptr // the goroutine of Run's watched loop
	strays      atomic.Pointer[strayCall]
	over        chan struct{} // closed when the run has ended: stray goroutines exit then
	abandoned   atomic.Bool   // the watchdog gave up on a blocked task
	tearingDown bool
	unseed      uint64
	heartbeat   atomic.Uint64 // steps started, for the watchdog: written by beat alone
	runG        atomic.Uint64 // the goroutine identity (getg) of current's coroutine, 0 when none runs: written by setCurrent alone

	values   []keyValue  // per-run state of packages built on the engine (a handful: a scan beats a hash)
	valueMap map[any]any // the same, once there are more than maxScannedValues

	hash    uint64
	vhash   uint64       // log records below Info, when built (VerboseHash)
	logMin  slog.Level   // the lowest log level built
	faults  []FaultCount // injected faults by name, in order of first injection
	filter  faultFilter  // which numbered faults may happen (SetFaultFilter)
	idle    []*coro      // finished tasks' coroutines, ready for the next spawn
	coros   *Coroutines  // where idle coroutines go when the run ends, and new ones come from
	attrBuf []trace.Attr // scratch for the attributes of a log record
	tracer  tracer
	logger  *slog.Logger
}

type invariant struct {
	name  string
	check func() error
}

// New returns a World for cfg. It panics if cfg does not Validate, naming the
// field: a configuration is code, and a wrong one is a programming mistake.
func New(cfg Config) *World {
	if err := cfg.Validate(); err != nil {
		panic(err.Error())
	}
	cfg = cfg.withDefaults()
	w := &World{
		cfg:   cfg,
		seed:  cfg.Seed,
		rng:   newRand(cfg.Seed, saltMain),
		sched: newRand(cfg.Seed, saltSched),
		conf:  newRand(cfg.Seed, saltConf),
		hash:  hashSeed ^ cfg.Seed,
		vhash: hashSeed ^ cfg.Seed,
		queue: newHeap(),
		over:  make(chan struct{}),
	}
	w.root = &simCtx{w: w, done: make(chan struct{}), foreignIdx: -1}
	w.tracer.init(w, cfg)
	w.tracer.start(w)
	return w
}

// Seed returns the seed the World was created with.
func (w *World) Seed() uint64 { return w.seed }

// Now returns the logical time: the time of the event being processed, as a
// duration since the start of the run. It only advances between events.
func (w *World) Now() time.Duration { return w.now }

// Seq returns the seq of the event being processed, 0 during setup.
func (w *World) Seq() uint64 { return w.cur }

// Rand returns the counted main random stream. Use it for every random
// decision of the simulated system, so that RNGCalls locates each one.
func (w *World) Rand() *Rand { return w.rng }

// RNGCalls returns how many calls the main stream has served: the rng=N of
// trace lines.
func (w *World) RNGCalls() uint64 { return w.rng.calls }

// ConfigRand returns a derived stream for drawing configuration (which
// faults a seed turns on, and how strong). Drawing from it does not shift
// the main stream.
func (w *World) ConfigRand() *Rand { return w.conf }

// Context returns the world's root context: the parent of every task's
// context, cancelled at shutdown. Pass it to Spawn'ed code only through
// tasks; blocking calls need a running task.
func (w *World) Context() context.Context { return w.root }

// Current returns the task running now, or nil when the engine itself runs
// (setup, event handlers).
func (w *World) Current() *Task { return w.current }

// Tasks returns the live tasks, in an order that depends only on the seed.
func (w *World) Tasks() []*Task { return append([]*Task(nil), w.tasks...) }

// Pending returns how many events are queued, cancelled ones included
// until the queue sheds them (a short queue at once, a long one in bulk).
func (w *World) Pending() int { return w.queue.len() + len(w.deadlines.keys) }

// AddInvariant registers a check over the simulated state that runs after
// every step; a non-nil error fails the run at that step.
func (w *World) AddInvariant(name string, check func() error) {
	w.invariants = append(w.invariants, invariant{name, check})
}

// Value returns what SetValue stored under key, or nil. Packages built on
// the engine (assertions, fault injectors) keep their per-run state here;
// use an unexported key type, as with context values.
func (w *World) Value(key any) any {
	if w.valueMap != nil {
		return w.valueMap[key]
	}
	for i := range w.values {
		if w.values[i].key == key {
			return w.values[i].v
		}
	}
	return nil
}

// SetValue stores v under key for the rest of the run. Like a context
// value's, key must be comparable; it panics if not.
func (w *World) SetValue(key, v any) {
	if w.valueMap != nil {
		w.valueMap[key] = v
		return
	}
	for i := range w.values {
		if w.values[i].key == key {
			w.values[i].v = v
			return
		}
	}
	mustCompare(key)
	if len(w.values) < maxScannedValues {
		w.values = append(w.values, keyValue{key, v})
		return
	}
	w.valueMap = make(map[any]any, 2*maxScannedValues)
	for _, kv := range w.values {
		w.valueMap[kv.key] = kv.v
	}
	w.valueMap[key] = v
	w.values = nil
}

// mustCompare panics if key cannot be compared, as a map's key would:
// comparing it with itself does. (A NaN key compares unequal, and passes.)
//
//go:noinline
func mustCompare(key any) { _ = key == key }

// maxScannedValues is how many values a World keeps in a slice, which
// Value scans, before it moves them to a map.
const maxScannedValues = 16

// keyValue is one of a World's values.
type keyValue struct{ key, v any }

// Schedule queues an event with op and id to be handled by h after delay d
// of logical time. It panics if d is negative or op is not a valid Op.
func (w *World) Schedule(d time.Duration, op Op, id uint64, arg int64, h Handler) EventRef {
	if d < 0 {
		panic(fmt.Sprintf("sim: Schedule(%v, %v): negative delay", d, op))
	}
	return w.ScheduleAt(w.now+d, op, id, arg, h)
}

// ScheduleAt queues an event at logical time at, which must not be in the
// past.
func (w *World) ScheduleAt(at time.Duration, op Op, id uint64, arg int64, h Handler) EventRef {
	if at < w.now || !op.valid() || h == nil {
		w.badSchedule(at, op)
	}
	w.seq++
	var by TaskID
	var live bool
	if t := w.current; t != nil {
		by = t.id
		live = op.keepsAlive() && !t.daemon
	} else {
		live = op.keepsAlive() && (w.cur == 0 || w.curLive)
	}
	if live {
		w.liveEvents++
	}
	slot, ev := w.queue.push(at, w.seq)
	// Field by field: a composite literal would be built aside and copied.
	ev.At, ev.Seq, ev.Cause, ev.By, ev.ID, ev.Arg = at, w.seq, w.cur, by, id, arg
	ev.Op, ev.live, ev.dead, ev.h = op, live, false, h
	return EventRef{seq: w.seq, slot: slot, live: live}
}

// badSchedule panics for ScheduleAt's arguments: out of line, so that
// ScheduleAt's frame is small.
//
//go:noinline
func (w *World) badSchedule(at time.Duration, op Op) {
	if at < w.now {
		panic(fmt.Sprintf("sim: ScheduleAt(%v, %v): time is in the past (now %v)", at, op, w.now))
	}
	panic(fmt.Sprintf("sim: ScheduleAt(%v, %v): invalid op or nil handler", at, op))
}

// scheduleSleep is ScheduleAt for the timer of t's Sleep, t running: at is
// not in the past (the caller checks it), its op is valid, its handler not
// nil, and a timer never keeps the run alive, so none of that is checked
// again.
func (w *World) scheduleSleep(t *Task, at time.Duration) EventRef {
	w.seq++
	slot, ev := w.queue.push(at, w.seq)
	ev.At, ev.Seq, ev.Cause, ev.By, ev.ID, ev.Arg = at, w.seq, w.cur, t.id, uint64(t.id), 0
	ev.Op, ev.live, ev.dead, ev.h = OpTimer, false, false, (*taskTimer)(t)
	return EventRef{seq: w.seq, slot: slot}
}

// scheduleTimer is ScheduleAt for a Timer's event at a time not in the
// past (the caller checks it): its op is valid, its handler not nil, and
// a timer never keeps the run alive, so none of that is checked again.
// The event is the one Schedule would queue, field for field.
func (w *World) scheduleTimer(tm *Timer, at time.Duration, id uint64) EventRef {
	w.seq++
	var by TaskID
	if t := w.current; t != nil {
		by = t.id
	}
	slot, ev := w.queue.push(at, w.seq)
	ev.At, ev.Seq, ev.Cause, ev.By, ev.ID, ev.Arg = at, w.seq, w.cur, by, id, 0
	ev.Op, ev.live, ev.dead, ev.h = OpTimer, false, false, (*timerEvent)(tm)
	return EventRef{seq: w.seq, slot: slot}
}

// reschedule moves the pending event ref to true time at, keeping its
// cause, task, operation, handler and whether it keeps the run alive, and
// returns its new reference; a ref no longer pending is returned as it is.
func (w *World) reschedule(ref EventRef, at time.Duration) EventRef {
	if ref.seq == 0 || int(ref.slot) >= len(w.queue.slab) {
		return ref
	}
	old := w.queue.slab[ref.slot] // a copy: push may move the slab
	if old.Seq != ref.seq || old.dead || ref.seq == w.cur {
		return ref
	}
	w.Cancel(ref)
	w.seq++
	if old.live {
		w.liveEvents++
	}
	slot, ev := w.queue.push(at, w.seq)
	ev.At, ev.Seq, ev.Cause, ev.By, ev.ID, ev.Arg = at, w.seq, old.Cause, old.By, old.ID, old.Arg
	ev.Op, ev.live, ev.dead, ev.h = old.Op, old.live, false, old.h
	return EventRef{seq: w.seq, slot: slot, live: old.live}
}

// Cancel removes a scheduled event that has not been processed yet. Calling
// it for an event that was processed or cancelled already is a mistake the
// caller must avoid (owners track their pending event); the zero EventRef is
// ignored.
func (w *World) Cancel(ref EventRef) {
	if ref.seq == 0 || int(ref.slot) >= len(w.queue.slab) {
		return
	}
	ev := &w.queue.slab[ref.slot]
	if ev.Seq != ref.seq || ev.dead || ref.seq == w.cur {
		return // processed already or being processed (its slot may hold another event now)
	}
	if ev.live {
		w.liveEvents--
	}
	if w.queue.remove(ref.slot) {
		return // a short queue drops it at once
	}
	ev.dead = true
	w.dead++
	if w.dead >= 8 && 2*w.dead >= w.queue.len() {
		w.queue.removeDead()
		w.dead = 0
	}
}

// wake makes a parked task runnable, recording why.
func (w *World) wake(t *Task, why wakeReason) {
	if t.state != taskParked {
		return
	}
	if t.waitOwn {
		t.waitOwn = false
	} else if t.ctxIdx >= 0 {
		w.removeCtxWaiter(t)
	}
	t.state = taskRunnable
	t.wokeBy = why
	w.runnable = append(w.runnable, t)
}

// addCtxWaiter records that the parked task t also waits for ctx, which is
// not its own context (Task.block handles that one), to be done. A context
// of ours tells the World when it is cancelled; any other (context.WithCancel
// of the standard library) is polled after every slice.
func (w *World) addCtxWaiter(t *Task, ctx context.Context) {
	done := ctx.Done()
	if done == nil {
		return
	}
	t.waitDone = done
	t.waitForeign = !ownsDone(ctx, done)
	if t.waitForeign {
		w.foreignParked++
	}
	t.ctxIdx = int32(len(w.ctxWaiters))
	w.ctxWaiters = append(w.ctxWaiters, t)
}

func (w *World) removeCtxWaiter(t *Task) {
	last := len(w.ctxWaiters) - 1
	moved := w.ctxWaiters[last]
	w.ctxWaiters[t.ctxIdx] = moved
	moved.ctxIdx = t.ctxIdx
	w.ctxWaiters[last] = nil
	w.ctxWaiters = w.ctxWaiters[:last]
	t.ctxIdx = -1
	t.waitDone = nil
	if t.waitForeign {
		w.foreignParked--
		t.waitForeign = false
	}
}

// scanContexts wakes the tasks whose context is done. It runs after a task
// parks, when a context of ours was cancelled or a context of the standard
// library might have been: those close their channel without telling us, so
// their waiters are polled.
func (w *World) scanContexts() {
	for i := 0; i < len(w.foreign); i++ {
		c := w.foreign[i]
		if isClosed(c.parent.Done()) {
			c.cancel(c.parent.Err(), Cause(c.parent))
			i-- // cancel removed c from w.foreign
		}
	}
	if !w.ctxDirty && w.foreignParked == 0 {
		return
	}
	w.ctxDirty = false
	for i := 0; i < len(w.ctxWaiters); {
		t := w.ctxWaiters[i]
		if isClosed(t.waitDone) {
			w.wake(t, wakeCtx) // swaps another waiter into i
			continue
		}
		i++
	}
}

func isClosed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func (w *World) removeTask(t *Task) {
	last := len(w.tasks) - 1
	moved := w.tasks[last]
	w.tasks[t.idx] = moved
	moved.idx = t.idx
	w.tasks[last] = nil
	w.tasks = w.tasks[:last]
	if !t.daemon {
		w.nonDaemon--
	}
	t.ctx.release()
	t.joiners.WakeAll()
}

// mustWorld returns the World that ctx belongs to, or panics with the fix
// (see notInSimulation).
func mustWorld(ctx context.Context, call string) *World {
	if c, ok := ctx.(*simCtx); ok {
		return c.w
	}
	var w *World
	if ctx != nil {
		w, _ = ctx.Value(worldKey{}).(*World)
	}
	if w == nil {
		notInSimulation(ctx, call)
	}
	return w
}

// notInSimulation panics with the fix for a call whose context belongs to
// no simulation: in a task, the panic fails the task's seed. A goroutine
// that a go statement of the user's started (in a task, handed
// context.Background()) is no task: its panic would end the whole program,
// every other seed and test with it. It prints the fix on standard error
// and stops instead; a task that waits for it deadlocks, and the deadlock
// names the go statement (goStatements).
func notInSimulation(ctx context.Context, call string) {
	msg := call + ": the context does not come from a simulation; pass the ctx your task received (or one derived from it)"
	if ctx == nil {
		msg = call + ": nil context; pass the ctx your task received"
	}
	if _, task := coroutines.Load(getg()); task {
		panic(msg)
	}
	buf := make([]byte, 8<<10)
	fn, by, where := goCreator(string(buf[:runtime.Stack(buf, false)]))
	if fn == "" || strings.HasPrefix(fn, "testing.") || !strings.Contains(fn, ".") {
		panic(msg) // a test's own goroutine, or main's: its panic is its failure
	}
	stoppedGoroutines.Store(by, where)
	fmt.Fprintf(os.Stderr, "orrery: %s; in a goroutine started at %s (its go statement), not a task: "+
		"the goroutine is stopped; start it with env.Env.Go or sim.Go\n", msg, where)
	runtime.Goexit()
}

// mustTask returns the running task, or panics with the fix when the caller
// is not a task. A stray goroutine never returns from it (see caller).
func mustTask(ctx context.Context, call string) *Task {
	t := caller(ctx, call)
	if t == nil {
		outsideTask(call)
	}
	return t
}

func outsideTask(call string) {
	panic(call + ": called outside a task (during setup or in an event handler); blocking calls must run in a task started with Spawn or Go")
}

// CurrentTask returns the task running now in ctx's World, or nil when ctx
// is not from a simulation or no task is running.
func CurrentTask(ctx context.Context) *Task {
	if ctx == nil {
		return nil
	}
	if w, _ := ctx.Value(worldKey{}).(*World); w != nil {
		return w.current
	}
	return nil
}

// FromContext returns the World ctx belongs to, or nil.
func FromContext(ctx context.Context) *World {
	if ctx == nil {
		return nil
	}
	w, _ := ctx.Value(worldKey{}).(*World)
	return w
}
