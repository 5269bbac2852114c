package sim_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/golden"
	"github.com/orrerysim/orrery/sim"
)

func TestDeadlineExpires(t *testing.T) {
	tests := []struct {
		name string
		make func(ctx context.Context, w *sim.World) (context.Context, context.CancelFunc)
	}{
		{"WithTimeout", func(ctx context.Context, w *sim.World) (context.Context, context.CancelFunc) {
			return sim.WithTimeout(ctx, 2*time.Second)
		}},
		{"WithDeadline", func(ctx context.Context, w *sim.World) (context.Context, context.CancelFunc) {
			return sim.WithDeadline(ctx, w.Time().Add(2*time.Second))
		}},
		{"WithDeadline at Epoch+3s", func(ctx context.Context, w *sim.World) (context.Context, context.CancelFunc) {
			return sim.WithDeadline(ctx, sim.Epoch.Add(3*time.Second))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSeed(t, 1, func(w *sim.World) {
				w.Spawn("waiter", func(ctx context.Context) {
					sim.Sleep(ctx, time.Second)
					dctx, cancel := tt.make(ctx, w)
					defer cancel()
					dl, ok := dctx.Deadline()
					if !ok || dl != sim.Epoch.Add(3*time.Second) {
						t.Errorf("Deadline() = %v, %v; want Epoch+3s", dl, ok)
					}
					if dctx.Err() != nil {
						t.Errorf("Err() before the deadline = %v", dctx.Err())
					}
					err := sim.Sleep(dctx, time.Hour)
					if !errors.Is(err, context.DeadlineExceeded) || w.Now() != 3*time.Second {
						t.Errorf("Sleep returned %v at %v; want DeadlineExceeded at 3s", err, w.Now())
					}
					if dctx.Err() != context.DeadlineExceeded || sim.Cause(dctx) != context.DeadlineExceeded {
						t.Errorf("after the deadline Err() = %v and Cause = %v; want DeadlineExceeded", dctx.Err(), sim.Cause(dctx))
					}
					cancel() // cancelling an expired context changes nothing
					if dctx.Err() != context.DeadlineExceeded {
						t.Errorf("cancel after expiry changed Err() to %v", dctx.Err())
					}
				})
			})
		})
	}
}

func TestDeadlineInThePast(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		runSeed(t, 1, func(w *sim.World) {
			w.Spawn("task", func(ctx context.Context) {
				sim.Sleep(ctx, time.Minute)
				dctx, cancel := sim.WithTimeout(ctx, d)
				defer cancel()
				if dctx.Err() != context.DeadlineExceeded || !isDone(dctx) {
					t.Errorf("WithTimeout(%v): Err() = %v, done %v; want already expired", d, dctx.Err(), isDone(dctx))
				}
				if dl, _ := dctx.Deadline(); dl != sim.Epoch.Add(time.Minute+d) {
					t.Errorf("WithTimeout(%v) at 1m: Deadline() = %v, want Epoch+%v", d, dl, time.Minute+d)
				}
			})
		})
	}
}

func isDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

func TestDeadlineChildren(t *testing.T) {
	type child struct {
		name string
		make func(context.Context) (context.Context, context.CancelFunc)
	}
	kinds := []child{{"sim.WithCancel", sim.WithCancel}, {"context.WithCancel", context.WithCancel}}
	for _, k := range kinds {
		for _, after := range []bool{false, true} {
			name := k.name + " made before expiry"
			if after {
				name = k.name + " made after expiry"
			}
			t.Run(name, func(t *testing.T) {
				var err error
				var at time.Duration
				runSeed(t, 1, func(w *sim.World) {
					w.Spawn("task", func(ctx context.Context) {
						dctx, cancel := sim.WithTimeout(ctx, time.Second)
						defer cancel()
						if after {
							sim.Sleep(ctx, 2*time.Second)
						}
						cctx, ccancel := k.make(dctx)
						defer ccancel()
						if dl, ok := cctx.Deadline(); !ok || dl != sim.Epoch.Add(time.Second) {
							t.Errorf("child Deadline() = %v, %v; want the parent's, Epoch+1s", dl, ok)
						}
						err = sim.Sleep(cctx, time.Hour)
						at = w.Now()
						if cctx.Err() != context.DeadlineExceeded || !isDone(cctx) {
							t.Errorf("child Err() = %v, done %v; want DeadlineExceeded", cctx.Err(), isDone(cctx))
						}
					})
				})
				wantAt := time.Second
				if after {
					wantAt = 2 * time.Second
				}
				if !errors.Is(err, context.DeadlineExceeded) || at != wantAt {
					t.Errorf("Sleep on the child returned %v at %v; want DeadlineExceeded at %v", err, at, wantAt)
				}
			})
		}
	}
}

func TestNestedDeadlines(t *testing.T) {
	tests := []struct {
		name            string
		parent, child   time.Duration
		wantDL, wantEnd time.Duration
	}{
		{"parent earlier stays in force", time.Second, 5 * time.Second, time.Second, time.Second},
		{"child earlier", 5 * time.Second, time.Second, time.Second, time.Second},
		{"same deadline", 2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runSeed(t, 1, func(w *sim.World) {
				w.Spawn("task", func(ctx context.Context) {
					pctx, pcancel := sim.WithTimeout(ctx, tt.parent)
					defer pcancel()
					// Through a standard context in between, too.
					sctx, scancel := context.WithCancel(pctx)
					defer scancel()
					for _, parent := range []context.Context{pctx, sctx} {
						cctx, ccancel := sim.WithTimeout(parent, tt.child)
						defer ccancel()
						if dl, _ := cctx.Deadline(); dl != sim.Epoch.Add(tt.wantDL) {
							t.Errorf("child Deadline() = %v, want Epoch+%v", dl, tt.wantDL)
						}
					}
					cctx, ccancel := sim.WithTimeout(pctx, tt.child)
					defer ccancel()
					err := sim.Sleep(cctx, time.Hour)
					if !errors.Is(err, context.DeadlineExceeded) || w.Now() != tt.wantEnd {
						t.Errorf("Sleep on the child returned %v at %v; want DeadlineExceeded at %v", err, w.Now(), tt.wantEnd)
					}
					if tt.child < tt.parent && pctx.Err() != nil {
						t.Errorf("the child's deadline cancelled the parent: %v", pctx.Err())
					}
				})
			})
		})
	}
}

func TestCancelStopsDeadlineTimer(t *testing.T) {
	tests := []struct {
		name string
		stop func(cancel context.CancelFunc, parent context.CancelFunc)
	}{
		{"its cancel", func(cancel, parent context.CancelFunc) { cancel() }},
		{"its parent's cancel", func(cancel, parent context.CancelFunc) { parent() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			w := runSeed(t, 1, func(w *sim.World) {
				w.Spawn("task", func(ctx context.Context) {
					pctx, pcancel := sim.WithCancel(ctx)
					defer pcancel()
					dctx, cancel := sim.WithTimeout(pctx, 30*time.Minute)
					defer cancel()
					sim.Sleep(ctx, time.Second)
					tt.stop(cancel, pcancel)
					err = dctx.Err()
				})
			})
			if err != context.Canceled {
				t.Errorf("Err() after cancel = %v, want context.Canceled", err)
			}
			if w.Now() != time.Second {
				t.Errorf("run ended at %v, want 1s: the cancelled deadline's timer kept it alive", w.Now())
			}
		})
	}
}

func TestWithCancel(t *testing.T) {
	runSeed(t, 1, func(w *sim.World) {
		w.Spawn("task", func(ctx context.Context) {
			parent, pcancel := sim.WithCancel(ctx)
			child, ccancel := sim.WithCancel(parent)
			stdChild, scancel := context.WithCancel(parent)
			defer scancel()
			if _, ok := child.Deadline(); ok {
				t.Error("a context without a deadline reports one")
			}
			if sim.FromContext(child) != w || sim.CurrentTask(child) == nil {
				t.Error("a derived context lost its World")
			}
			ccancel()
			if child.Err() != context.Canceled || sim.Cause(child) != context.Canceled || parent.Err() != nil {
				t.Errorf("after the child's cancel: child %v (cause %v), parent %v; want only the child cancelled",
					child.Err(), sim.Cause(child), parent.Err())
			}
			pcancel()
			if parent.Err() != context.Canceled || stdChild.Err() != context.Canceled || !isDone(stdChild) {
				t.Errorf("after the parent's cancel: parent %v, its standard child %v", parent.Err(), stdChild.Err())
			}
			late, lcancel := sim.WithCancel(parent)
			defer lcancel()
			if late.Err() != context.Canceled {
				t.Errorf("a child of a cancelled context: Err() = %v, want context.Canceled", late.Err())
			}
		})
	})
}

// TestBlockingCallsWakeOnCancel checks every blocking call of the package:
// a task blocked in it wakes with context.Canceled in the logical instant
// another task cancels its context, whether that context is ours or the
// standard library's.
func TestBlockingCallsWakeOnCancel(t *testing.T) {
	for _, call := range blockingCalls() {
		for _, way := range cancelWays {
			t.Run(call.name+"/"+way.name, func(t *testing.T) {
				for _, seed := range testSeeds[:3] {
					var err error
					var at time.Duration
					runSeed(t, seed, func(w *sim.World) {
						block := call.setup(w)
						ctx, cancel := way.make(w.Context())
						w.Spawn("waiter", func(context.Context) {
							err = block(ctx)
							at = w.Now()
						})
						w.Spawn("canceller", func(ctx context.Context) {
							sim.Sleep(ctx, time.Second)
							cancel()
						})
					})
					if !errors.Is(err, context.Canceled) || at != time.Second {
						t.Errorf("seed %d: returned %v at %v, want context.Canceled at 1s", seed, err, at)
					}
				}
			})
		}
	}
}

// blockingCall is a call that blocks until its context is done: setup
// prepares its primitive (spawning any task that holds it) and returns it.
type blockingCall struct {
	name  string
	setup func(w *sim.World) func(ctx context.Context) error
}

func blockingCalls() []blockingCall {
	// holder spawns a task that holds a resource for longer than the test;
	// after returns block, called once the holder has the resource.
	holder := func(w *sim.World, take func(ctx context.Context), release func(), block func(context.Context) error) func(context.Context) error {
		w.Spawn("holder", func(ctx context.Context) {
			take(ctx)
			sim.Sleep(ctx, time.Minute)
			release()
		})
		return func(ctx context.Context) error {
			sim.Sleep(ctx, time.Millisecond)
			return block(ctx)
		}
	}
	return []blockingCall{
		{"Sleep", func(w *sim.World) func(context.Context) error {
			return func(ctx context.Context) error { return sim.Sleep(ctx, time.Hour) }
		}},
		{"Chan.Send", func(w *sim.World) func(context.Context) error {
			ch := sim.NewChan[int](0)
			return func(ctx context.Context) error { return ch.Send(ctx, 1) }
		}},
		{"Chan.Recv", func(w *sim.World) func(context.Context) error {
			ch := sim.NewChan[int](0)
			return func(ctx context.Context) error { _, _, err := ch.Recv(ctx); return err }
		}},
		{"Select", func(w *sim.World) func(context.Context) error {
			ch := sim.NewChan[int](0)
			return func(ctx context.Context) error {
				_, err := sim.Select(ctx, ch.RecvCase(nil), ch.SendCase(1))
				return err
			}
		}},
		{"Mutex.Lock", func(w *sim.World) func(context.Context) error {
			var mu sim.Mutex
			mu.TryLock()
			return mu.Lock
		}},
		{"RWMutex.RLock", func(w *sim.World) func(context.Context) error {
			var rw sim.RWMutex
			return holder(w, func(ctx context.Context) { rw.Lock(ctx) }, rw.Unlock, rw.RLock)
		}},
		{"RWMutex.Lock", func(w *sim.World) func(context.Context) error {
			var rw sim.RWMutex
			return holder(w, func(ctx context.Context) { rw.RLock(ctx) }, rw.RUnlock, rw.Lock)
		}},
		{"WaitGroup.Wait", func(w *sim.World) func(context.Context) error {
			var wg sim.WaitGroup
			wg.Add(1)
			return wg.Wait
		}},
		{"Cond.Wait", func(w *sim.World) func(context.Context) error {
			c := sim.NewCond(new(sim.Mutex))
			return func(ctx context.Context) error {
				c.L.Lock(ctx)
				defer c.L.Unlock() // Wait holds the lock again, even on error
				return c.Wait(ctx)
			}
		}},
		{"WaitQueue.Wait", func(w *sim.World) func(context.Context) error {
			var q sim.WaitQueue
			return func(ctx context.Context) error { return q.Wait(ctx, "test") }
		}},
		{"Task.Join", func(w *sim.World) func(context.Context) error {
			long := w.Spawn("long", func(ctx context.Context) { sim.Sleep(ctx, time.Minute) })
			return long.Join
		}},
	}
}

// ctxWorkload has deadlines, cancels and both kinds of child contexts
// racing with sleeps and channel operations.
func ctxWorkload(w *sim.World) {
	ch := sim.NewChan[int](0)
	for i := range 4 {
		w.Spawn(fmt.Sprint("task-", i), func(ctx context.Context) {
			for j := range 4 {
				dctx, cancel := sim.WithTimeout(ctx, w.Rand().Duration(time.Millisecond, 5*time.Millisecond))
				var cctx context.Context
				var ccancel context.CancelFunc
				if j%2 == 0 {
					cctx, ccancel = context.WithCancel(dctx)
				} else {
					cctx, ccancel = sim.WithCancel(dctx)
				}
				var err error
				if i%2 == 0 {
					err = ch.Send(cctx, i)
				} else {
					_, _, err = ch.Recv(cctx)
				}
				sim.Logger(ctx).Info("op", "err", err)
				ccancel()
				cancel()
			}
		})
	}
}

func TestCtxDeterminism(t *testing.T) { sameTraceTwice(t, ctxWorkload) }

// TestDoneChannel: a context makes its done channel when first asked, the
// same one every time, closed by a cancel that came before or after.
func TestDoneChannel(t *testing.T) {
	runSeed(t, 1, func(w *sim.World) {
		w.Spawn("task", func(ctx context.Context) {
			early, cancelEarly := sim.WithCancel(ctx)
			done := early.Done()
			if isDone(early) || early.Done() != done {
				t.Error("a live context's Done: closed, or not the same channel twice")
			}
			cancelEarly()
			late, cancelLate := sim.WithCancel(ctx)
			cancelLate()
			first, again := late.Done(), late.Done()
			if !isDone(early) || !isDone(late) || first != again {
				t.Error("a cancelled context's Done: not closed, or not the same channel twice")
			}
		})
	})
}

// TestWithTimeoutAllocations: a context with a timeout, made and cancelled
// per request, costs its share of a chunk of contexts allocated at once
// and nothing more (its cancel function lives in it), on the World's clock
// and on a host's.
func TestWithTimeoutAllocations(t *testing.T) {
	w := sim.New(sim.Config{})
	c := sim.NewHostClock(w, "h", 0, 0)
	var world, host float64
	w.Spawn("requester", func(ctx context.Context) {
		world = testing.AllocsPerRun(ctxAllocRuns, func() {
			_, cancel := sim.WithTimeout(ctx, time.Second)
			cancel()
		})
		host = testing.AllocsPerRun(ctxAllocRuns, func() {
			_, cancel := c.WithTimeout(ctx, time.Second)
			cancel()
		})
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if limit := 1.0 / 8; world > limit || host > limit {
		t.Errorf("allocations per WithTimeout and cancel: world %v, host clock %v; want at most %v", world, host, limit)
	}
}

const ctxAllocRuns = 160

// deadlineWorkload makes contexts with deadlines the way clients with a
// timeout per request do, on the World's clock and on host clocks that
// drift and step (which moves their pending deadlines), nested, cancelled
// or left to expire, with deadlines, sleeps and timers falling on the same
// instants (every duration is a multiple of 10 ms).
func deadlineWorkload(w *sim.World) {
	clocks := []*sim.HostClock{sim.NewHostClock(w, "a", 0, 0), sim.NewHostClock(w, "b", time.Second, 200)}
	r := w.Rand()
	tick := func(n int) time.Duration { return time.Duration(r.IntN(n)) * 10 * time.Millisecond }
	withTimeout := func(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
		switch r.IntN(4) {
		case 0:
			return sim.WithTimeout(ctx, d)
		case 1:
			return sim.WithDeadline(ctx, w.Time().Add(d))
		default:
			return clocks[r.IntN(2)].WithTimeout(ctx, d)
		}
	}
	for i := range 4 {
		w.Spawn(fmt.Sprintf("client-%d", i), func(ctx context.Context) {
			for range 30 {
				dctx, cancel := withTimeout(ctx, tick(5))
				if r.IntN(3) == 0 { // a nested deadline, earlier or later than its parent's
					dctx, _ = withTimeout(dctx, tick(5))
				}
				sim.AfterFunc(ctx, tick(4), func() {})
				if err := sim.Sleep(dctx, tick(5)); err != nil {
					sim.Yield(ctx)
				}
				if r.IntN(4) > 0 {
					cancel()
				}
			}
		})
	}
	w.SpawnDaemon("clocks", func(ctx context.Context) {
		for {
			if sim.Sleep(ctx, 30*time.Millisecond) != nil {
				return
			}
			clocks[1].SetDrift(int64(r.IntN(2001)) - 1000)
			clocks[0].Step(tick(3))
		}
	})
}

// TestDeadlineTraceGolden pins the trace hashes of deadlineWorkload: when
// and in which order deadlines fire among the other events.
func TestDeadlineTraceGolden(t *testing.T) {
	var b strings.Builder
	for seed := range uint64(20) {
		h, err := runHash(t, sim.Config{Seed: seed}, deadlineWorkload)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		fmt.Fprintf(&b, "seed=%d hash=%#016x\n", seed, h)
	}
	golden.Check(t, filepath.Join("testdata", "deadlines.hashes"), []byte(b.String()))
}

// TestCancelledDeadlineLeavesQueue: a context cancelled before its
// deadline leaves nothing queued behind it; one that is not cancelled
// keeps its deadline pending.
func TestCancelledDeadlineLeavesQueue(t *testing.T) {
	tests := []struct {
		name   string
		cancel bool
		want   int
	}{
		{"cancelled", true, 0},
		{"left to expire", false, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sim.New(sim.Config{})
			c := sim.NewHostClock(w, "h", 0, 0)
			var added int
			w.Spawn("requester", func(ctx context.Context) {
				before := w.Pending()
				for i := range 5 {
					with := sim.WithTimeout
					if i%2 == 1 {
						with = c.WithTimeout
					}
					_, cancel := with(ctx, time.Second)
					if tt.cancel {
						cancel()
					}
				}
				added = w.Pending() - before
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if added != tt.want {
				t.Errorf("events queued by 5 contexts = %d, want %d", added, tt.want)
			}
		})
	}
}

// TestDeadlinePastMaxTime: a task waiting only for a deadline beyond
// MaxTime is a stall if the deadline is a workload's (it would have woken
// the task), a deadlock if it is a daemon's.
func TestDeadlinePastMaxTime(t *testing.T) {
	tests := []struct {
		name   string
		daemon bool
		want   sim.FailureKind
	}{
		{"a workload's deadline", false, sim.FailStall},
		{"a daemon's deadline", true, sim.FailDeadlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sim.New(sim.Config{MaxTime: time.Minute})
			ch := sim.NewChan[int](0)
			wait := func(ctx context.Context, deadline bool) {
				if deadline {
					dctx, cancel := sim.WithTimeout(ctx, time.Hour)
					defer cancel()
					ctx = dctx
				}
				ch.Recv(ctx)
			}
			w.Spawn("waiter", func(ctx context.Context) { wait(ctx, !tt.daemon) })
			if tt.daemon {
				w.SpawnDaemon("daemon", func(ctx context.Context) { wait(ctx, true) })
			}
			var f *sim.Failure
			if err := w.Run(); !errors.As(err, &f) || f.Kind != tt.want {
				t.Fatalf("Run = %v, want a failure of kind %v", err, tt.want)
			}
		})
	}
}

// TestCancelFuncs: each context's CancelFunc cancels that context alone,
// may be called again, and keeps working when the context itself was
// dropped and collected garbage ran.
func TestCancelFuncs(t *testing.T) {
	w := sim.New(sim.Config{})
	c := sim.NewHostClock(w, "h", 0, 0)
	var errs []error
	w.Spawn("requester", func(ctx context.Context) {
		var ctxs []context.Context
		var cancels []context.CancelFunc
		for i := range 6 {
			var dctx context.Context
			var cancel context.CancelFunc
			switch i % 3 {
			case 0:
				dctx, cancel = sim.WithTimeout(ctx, time.Second)
			case 1:
				dctx, cancel = c.WithTimeout(ctx, time.Second)
			default:
				dctx, cancel = sim.WithCancel(ctx)
			}
			ctxs, cancels = append(ctxs, dctx), append(cancels, cancel)
		}
		cancels[4]()
		cancels[4]()
		for _, dctx := range ctxs {
			errs = append(errs, dctx.Err())
		}
		ctxs = nil
		runtime.GC()
		for _, cancel := range cancels {
			cancel()
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if want := map[bool]error{true: context.Canceled}[i == 4]; err != want {
			t.Errorf("context %d: Err() = %v, want %v", i, err, want)
		}
	}
}

// TestDeadlineAndCauseAsGiven: a context reports the deadline it was given
// exactly (its location and monotonic reading included), before and after
// it is cancelled, and the cause it was cancelled with: its error, the end
// of the run, or a parent's cause of its own.
func TestDeadlineAndCauseAsGiven(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*3600)
	errWhy := errors.New("why")
	tests := []struct {
		name      string
		make      func(ctx context.Context, c *sim.HostClock) (context.Context, func())
		deadline  time.Time // zero: none to check
		wantErr   error
		wantCause error
	}{
		{"WithDeadline, in a zone", func(ctx context.Context, c *sim.HostClock) (context.Context, func()) {
			d, cancel := sim.WithDeadline(ctx, sim.Epoch.Add(time.Hour).In(zone))
			return d, cancel
		}, sim.Epoch.Add(time.Hour).In(zone), context.Canceled, context.Canceled},
		{"host clock WithDeadline, in a zone", func(ctx context.Context, c *sim.HostClock) (context.Context, func()) {
			d, cancel := c.WithDeadline(ctx, c.Now().Add(time.Hour).In(zone))
			return d, cancel
		}, sim.Epoch.Add(time.Hour + time.Second).In(zone), context.Canceled, context.Canceled},
		{"host clock WithTimeout", func(ctx context.Context, c *sim.HostClock) (context.Context, func()) {
			d, cancel := c.WithTimeout(ctx, time.Hour)
			return d, cancel
		}, sim.Epoch.Add(time.Hour + time.Second), context.Canceled, context.Canceled},
		{"a parent's own cause", func(ctx context.Context, c *sim.HostClock) (context.Context, func()) {
			p, cancel := context.WithCancelCause(ctx)
			d, _ := sim.WithTimeout(p, time.Hour)
			return d, func() { cancel(errWhy) }
		}, time.Time{}, context.Canceled, errWhy},
		{"a parent's own error", func(ctx context.Context, c *sim.HostClock) (context.Context, func()) {
			p, cancel := context.WithCancel(ctx)
			d, _ := sim.WithTimeout(errCtx{p, errWhy}, time.Hour)
			return d, cancel
		}, time.Time{}, errWhy, context.Canceled},
		{"expired", func(ctx context.Context, c *sim.HostClock) (context.Context, func()) {
			d, _ := sim.WithTimeout(ctx, time.Millisecond)
			return d, func() { sim.Sleep(ctx, time.Second) }
		}, time.Time{}, context.DeadlineExceeded, context.DeadlineExceeded},
		{"the end of the run", func(ctx context.Context, c *sim.HostClock) (context.Context, func()) {
			d, _ := sim.WithTimeout(ctx, time.Hour)
			return d, func() {}
		}, time.Time{}, context.Canceled, sim.ErrShutdown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sim.New(sim.Config{})
			c := sim.NewHostClock(w, "h", time.Second, 0)
			var dctx context.Context
			w.SpawnDaemon("maker", func(ctx context.Context) {
				var stop func()
				dctx, stop = tt.make(ctx, c)
				checkDeadline(t, "before", dctx, tt.deadline)
				stop()
			})
			w.Spawn("main", func(ctx context.Context) { sim.Sleep(ctx, 2*time.Second) })
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			checkDeadline(t, "after", dctx, tt.deadline)
			if dctx.Err() != tt.wantErr || sim.Cause(dctx) != tt.wantCause {
				t.Errorf("Err() = %v, Cause = %v; want %v, %v", dctx.Err(), sim.Cause(dctx), tt.wantErr, tt.wantCause)
			}
		})
	}
}

// errCtx is a context whose Err, once it is done, is err: a context of
// another kind than the standard library's and ours may give any error.
type errCtx struct {
	context.Context
	err error
}

func (c errCtx) Err() error {
	if c.Context.Err() == nil {
		return nil
	}
	return c.err
}

func checkDeadline(t *testing.T, when string, ctx context.Context, want time.Time) {
	t.Helper()
	if got, ok := ctx.Deadline(); !want.IsZero() && (!ok || got != want) {
		t.Errorf("%s: Deadline() = %v, %v; want %v exactly", when, got, ok, want)
	}
}

// TestWithTimeoutBytes bounds the memory a context with a deadline costs,
// made and cancelled as a request with a timeout does: its share of the
// chunk it comes from. Every byte of it is garbage the collector pays for
// per request.
func TestWithTimeoutBytes(t *testing.T) {
	tests := []struct {
		name string
		with func(w *sim.World) func(ctx context.Context) (context.Context, context.CancelFunc)
	}{
		{"world", func(*sim.World) func(context.Context) (context.Context, context.CancelFunc) {
			return func(ctx context.Context) (context.Context, context.CancelFunc) {
				return sim.WithTimeout(ctx, time.Second)
			}
		}},
		{"hostclock", func(w *sim.World) func(context.Context) (context.Context, context.CancelFunc) {
			c := sim.NewHostClock(w, "h", time.Second, 100)
			return func(ctx context.Context) (context.Context, context.CancelFunc) {
				return c.WithTimeout(ctx, time.Second)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := sim.New(sim.Config{})
			with := tt.with(w)
			const n = 100_000
			var before, after runtime.MemStats
			w.Spawn("requester", func(ctx context.Context) {
				runtime.ReadMemStats(&before)
				for range n {
					_, cancel := with(ctx)
					cancel()
				}
				runtime.ReadMemStats(&after)
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			if per := float64(after.TotalAlloc-before.TotalAlloc) / n; per > 92 {
				t.Errorf("%.1f bytes per context with a timeout, want at most 92", per)
			}
		})
	}
}
