package sim

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/orrerysim/orrery/internal/callsite"
)

// Blocking calls check the identity of the goroutine that makes them: only
// the running task's goroutine may touch a World while a run goes on. A
// goroutine started with a go statement instead of Go is not a task: were
// it taken for the running one, it would switch a coroutine that is not its
// own, and the run would hang or crash. Such a stray goroutine is stopped
// where it is, before it touches anything, and the loop fails the seed with
// its call site.

// coroutines maps the goroutine identity (getg) of every live coroutine of
// the process, whatever its World, to the coroutine.
var coroutines coroTable

// coroTable is a map of goroutine identities to coroutines, in shards of
// their own lock, so that the Worlds of seeds run in parallel seldom wait
// for each other. (A sync.Map allocated a node and boxed a key for each
// goroutine, and its trie, which grows with the goroutines alive, cost a
// few cache misses at every start and end of one.)
type coroTable struct {
	shards [64]struct {
		mu sync.Mutex
		m  map[uintptr]*coro
		_  [48]byte // a cache line each
	}
}

func (t *coroTable) shard(g uintptr) int { return int(uint64(g>>9) * 0x9e3779b97f4a7c15 >> 58) }

// Store records c as the coroutine of goroutine g.
func (t *coroTable) Store(g uintptr, c *coro) {
	s := &t.shards[t.shard(g)]
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[uintptr]*coro)
	}
	s.m[g] = c
	s.mu.Unlock()
}

// Load returns the coroutine of goroutine g, as a sync.Map would.
func (t *coroTable) Load(g uintptr) (any, bool) {
	s := &t.shards[t.shard(g)]
	s.mu.Lock()
	c, ok := s.m[g]
	s.mu.Unlock()
	if !ok {
		return nil, false
	}
	return c, true
}

// Delete forgets goroutine g.
func (t *coroTable) Delete(g uintptr) {
	s := &t.shards[t.shard(g)]
	s.mu.Lock()
	delete(s.m, g)
	s.mu.Unlock()
}

// caller returns the running task of ctx's World, or nil when none runs
// (setup, an event handler, an invariant), after making sure that the
// calling goroutine is the running task's or the engine's. A stray
// goroutine never returns from it. The common case (the task's own
// context, or one it made) costs a getg and a comparison; it is small
// enough to be inlined.
func caller(ctx context.Context, call string) *Task {
	if c, ok := ctx.(*simCtx); ok && c.owner() != nil && c.owner().g == getg() && !c.w.abandoned.Load() {
		return c.w.current
	}
	return callerSlow(ctx, call)
}

// callerSlow is caller for any other context: a task's goroutine is found
// among the coroutines. Nothing of the World is read before the caller is
// known to be one of its goroutines, so that a stray one does not race with
// the running task.
func callerSlow(ctx context.Context, call string) *Task {
	w := mustWorld(ctx, call)
	if w.abandoned.Load() {
		// A task the watchdog gave up on, come back: the World is no
		// longer its to touch. It stops as a stray goroutine does.
		<-w.over
		runtime.Goexit()
	}
	g := getg()
	if uint64(g) == w.runG.Load() {
		return w.current // the running task's goroutine, without the table's lock
	}
	if c, ok := coroutines.Load(g); ok && c.(*coro).w == w {
		return w.current
	}
	if g == w.runner.Load() || g == w.looper.Load() {
		return nil // setup, an event handler or an invariant: the World's own goroutines
	}
	if w.ran.Load() {
		w.stray(call) // during the run, or left behind by one that has ended
	}
	return nil // before the first step: setup, from whatever goroutine
}

// setCurrent makes t the running task (nil: none runs), and publishes its
// goroutine's identity for callerSlow: a blocking call on a context that
// is not a task's own (a host's, a workload's) then finds its task by one
// load and a comparison instead of the coroutine table. (A new
// coroutine's first slice takes the table's way: its goroutine is not
// known until it starts.)
func (w *World) setCurrent(t *Task) {
	w.current = t
	g := uintptr(0)
	if t != nil {
		g = t.coro.g
	}
	w.publishRunG(g)
}

// notOwn handles the suspension of task t while it is not running, or from
// another goroutine than t's: a stray goroutine stops there, any other
// caller panics.
func notOwn(t *Task, call string) {
	if callerSlow(t.ctx, call) != t {
		panic(fmt.Sprintf("sim: task %v suspended while not running (from another goroutine?)", t))
	}
}

// goroutineTask returns the task whose goroutine calls it, or nil, for the
// calls that have no context (Mutex.TryLock).
func goroutineTask() *Task {
	if c, ok := coroutines.Load(getg()); ok {
		return c.(*coro).task
	}
	return nil
}

// strayCall is what a stray goroutine was caught doing.
type strayCall struct {
	call  string // "sim.Mutex.Lock"
	where string // the user's file:line of the call
}

// stray records that a goroutine foreign to the simulation made a blocking
// call (the loop fails the seed when it sees it), and stops that goroutine
// before it touches the World: it waits for the run to end, then exits
// (runtime.Goexit), so that its deferred calls run when nothing can be
// disturbed any more.
func (w *World) stray(call string) {
	where := callsite.Where(callsite.Callers(2, 64))
	if where == "" {
		where = goStatement()
	}
	w.strays.CompareAndSwap(nil, &strayCall{call: call, where: where})
	<-w.over
	runtime.Goexit()
}

// goStatement returns where the calling goroutine was started, "dir/file.go:line
// (its go statement)", or "" if that is not known: the call site of a
// goroutine that runs a blocking call directly (go sim.Sleep(ctx, d)).
func goStatement() string {
	buf := make([]byte, 8<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	_, after, ok := strings.Cut(stack, "\ncreated by ")
	if !ok {
		return ""
	}
	_, frames, _ := callsite.ParseGoroutine("creator(...)\n" + after[strings.IndexByte(after, '\n')+1:])
	if len(frames) == 0 {
		return ""
	}
	return frames[0].Location() + " (its go statement)"
}

// checkStray fails the run if a stray goroutine was caught. The loop calls
// it after every slice: one atomic load.
func (w *World) checkStray() {
	if w.strays.Load() != nil {
		w.failStray()
	}
}

func (w *World) failStray() {
	if w.failure != nil {
		return
	}
	s := w.strays.Load()
	where := s.where
	if where == "" {
		where = "an unknown place"
	}
	w.record(&Failure{Kind: FailGoroutine, Where: s.where, Message: fmt.Sprintf(
		"a goroutine not started by the simulation called %s at %s: "+
			"start it with env.Go (e.Go) so that the scheduler runs it", s.call, where)})
}

// Coroutines keeps the goroutines of finished runs' tasks for the tasks
// of later runs (World.ShareCoroutines): a sweep of many short seeds
// otherwise starts, grows the stack of and ends a dozen goroutines a
// seed, and a seed of thousands of connections starts thousands. A World
// that shares it hands it the goroutines of its finished tasks that its
// own 256 idle ones leave over, during its run and when it ends; it keeps
// at most 65,536, with their stacks (2 KiB or more each) until Close.
// Worlds may share it one after the other or at the same time. Close ends
// the goroutines it keeps; a
// World that ends after Close ends its own, as a World without one does.
// The zero Coroutines is ready to use.
//
// Which goroutine runs a task changes nothing a run computes.
type Coroutines struct {
	mu     sync.Mutex
	idle   []*coro
	closed bool
}

// maxSharedCoros bounds the goroutines a Coroutines keeps: enough for
// the tasks of a seed with 16,000 connections, two tasks each, on each of
// two cores, and no more, since each holds at least a 2 KiB stack.
const maxSharedCoros = 1 << 16

// ShareCoroutines makes the run take the goroutines of its tasks from p
// when it has none of its own idle, and hand its idle ones to p when it
// ends, instead of ending them. Call it before the run starts.
func (w *World) ShareCoroutines(p *Coroutines) { w.coros = p }

// take returns an idle coroutine, or nil (also for a nil p).
func (p *Coroutines) take() *coro {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	c := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	return c
}

// put keeps what it can of the idle coroutines cs (none when p is nil or
// closed) and returns the others, for the caller to end.
func (p *Coroutines) put(cs []*coro) []*coro {
	if p == nil || len(cs) == 0 {
		return cs
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return cs
	}
	n := min(len(cs), maxSharedCoros-len(p.idle))
	for _, c := range cs[:n] {
		c.w = nil // the finished World is not kept alive by its goroutines
	}
	p.idle = append(p.idle, cs[:n]...)
	return cs[n:]
}

// keep keeps the idle coroutine c, if p is not nil, closed or full.
func (p *Coroutines) keep(c *coro) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.idle) >= maxSharedCoros {
		return false
	}
	c.w = nil
	p.idle = append(p.idle, c)
	return true
}

// Close ends the goroutines p keeps, and those of Worlds that end later.
func (p *Coroutines) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		c.stop()
	}
}

// A new goroutine's stack is 2 KiB, and grows by copying: the runtime
// walks every frame to adjust its pointers, so growing deep in a task's
// call chain (a client's request through the network's reads) costs a few
// microseconds, growing at the coroutine's first frame a fraction of it.
// The runtime's own remedy, a start size adapted to the stacks it scans,
// is off by default and cannot be switched on from a library. So a new
// coroutine grows its stack at its start (growStack) when recent ones
// that did not grew later: each such probe that grew lets probeEvery
// more start grown (tokens, at most maxStackTokens), each that did not
// takes as many away, and a coroutine that finds no token starts small
// and is a probe. Where most goroutines stay small (tens of thousands of
// connections' tasks) none is grown, and a burst of new goroutines after
// a phase of growing ones grows at most maxStackTokens of them. This
// changes nothing a run computes, only the memory its goroutines start
// with.
var stackStart struct {
	tokens atomic.Int32 // coroutines that may start grown
}

const (
	probeEvery     = 8
	maxStackTokens = 64
)

// startStack is called at the first frame of a coroutine's goroutine: it
// grows its stack when it takes a token, and says whether it is a probe
// instead, whose growth stackGrew must be told.
func startStack() (probe bool) {
	if stackStart.tokens.Load() <= 0 || stackStart.tokens.Add(-1) < 0 {
		return true
	}
	growStack()
	return false
}

// stackGrew records whether a probe's stack grew. Concurrent updates may
// lose one: it is a statistic.
func stackGrew(grew bool) {
	n := stackStart.tokens.Load()
	if grew {
		n = min(n+probeEvery, maxStackTokens)
	} else {
		n = max(n-probeEvery, 0)
	}
	stackStart.tokens.Store(n)
}

// stackPad is the frame of growStack: with the few frames below it, more
// than a 2 KiB stack holds, and less than 4 KiB, so that the runtime
// doubles the stack once.
const stackPad = 1536

// growStack grows the calling goroutine's stack from 2 KiB to 4 KiB by
// needing a frame of stackPad bytes.
//
//go:noinline
func growStack() {
	var pad [stackPad]byte
	touchPad(&pad)
}

//go:noinline
func touchPad(p *[stackPad]byte) { p[0] = 1 }
