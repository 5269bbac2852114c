package sim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// everything is a workload that uses every primitive of the package, so that
// the determinism tests below cover them all.
func everything(w *sim.World) {
	var (
		mu    sim.Mutex
		rw    sim.RWMutex
		wg    sim.WaitGroup
		cond  = sim.NewCond(&mu)
		ready int
		jobs  = sim.NewChan[int](2)
		acks  = sim.NewChan[int](0)
	)
	w.SpawnDaemon("acker", func(ctx context.Context) {
		for {
			v, ok, err := jobs.Recv(ctx)
			if err != nil || !ok {
				return
			}
			sim.Sleep(ctx, w.Rand().Duration(0, 5*time.Millisecond))
			if _, err := sim.Select(ctx, acks.SendCase(v), sim.After(ctx, 3*time.Millisecond).RecvCase(nil)); err != nil {
				return
			}
		}
	})
	for i := range 4 {
		wg.Go(w.Context(), fmt.Sprintf("worker-%d", i), func(ctx context.Context) {
			worker(ctx, w, i, &mu, &rw, cond, &ready, jobs, acks)
		})
	}
	w.Spawn("closer", func(ctx context.Context) {
		wg.Wait(ctx)
		sim.Logger(ctx).Info("all workers done", "ready", ready)
	})
}

func worker(ctx context.Context, w *sim.World, i int, mu *sim.Mutex, rw *sim.RWMutex, cond *sim.Cond, ready *int, jobs, acks *sim.Chan[int]) {
	log := sim.Logger(ctx).With("worker", i)
	tctx, cancel := sim.WithTimeout(ctx, 40*time.Millisecond)
	defer cancel()
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	child := sim.Go(sctx, "child", func(ctx context.Context) { sim.Sleep(ctx, time.Hour) })
	for round := range 3 {
		sim.Sleep(ctx, w.Rand().Duration(0, 10*time.Millisecond))
		if mu.Lock(ctx) == nil {
			*ready++
			cond.Broadcast()
			mu.Unlock()
		}
		if rw.RLock(ctx) == nil {
			sim.Yield(ctx)
			rw.RUnlock()
		}
		if w.Rand().Bool(0.3) && rw.Lock(ctx) == nil {
			sim.Sleep(ctx, time.Millisecond)
			rw.Unlock()
		}
		if err := jobs.Send(tctx, i*10+round); err != nil {
			log.Warn("send", "err", err)
			continue
		}
		var v int
		if n, err := sim.Select(tctx, acks.RecvCase(&v), sim.After(ctx, 20*time.Millisecond).RecvCase(nil)); err == nil && n == 0 {
			log.Debug("ack", "v", v)
		}
	}
	scancel() // the standard library's cancel, seen by the World
	child.Join(ctx)
	mu.Lock(ctx)
	for *ready < 4 {
		cond.Wait(ctx)
	}
	mu.Unlock()
}

func runHash(t testing.TB, cfg sim.Config, setup func(*sim.World)) (uint64, error) {
	t.Helper()
	w := sim.New(cfg)
	setup(w)
	err := w.Run()
	return w.TraceHash(), err
}

func TestSameSeedSameTrace(t *testing.T) {
	distinct := map[uint64]bool{}
	for seed := range uint64(100) {
		h1, err := runHash(t, sim.Config{Seed: seed}, everything)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		h2, _ := runHash(t, sim.Config{Seed: seed, Trace: io.Discard, Log: io.Discard, LogFilter: "trace"}, everything)
		if h1 != h2 {
			t.Fatalf("seed %d: hash %#x without trace, %#x with trace", seed, h1, h2)
		}
		distinct[h1] = true
	}
	if len(distinct) < 95 {
		t.Errorf("100 seeds gave only %d distinct traces: the seed does not drive the schedule", len(distinct))
	}
}

// TestStepAndRunAgree: Run lets a parked task run the loop on its own
// goroutine (one coroutine switch per hand-over instead of two), Step never
// does; both must process the same events in the same order, so Run's
// trace, up to its Shutdown, is a prefix of Step's.
func TestStepAndRunAgree(t *testing.T) {
	for seed := range uint64(20) {
		var byRun, byStep bytes.Buffer
		w := sim.New(sim.Config{Seed: seed, Trace: &byRun})
		everything(w)
		if err := w.Run(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		w = sim.New(sim.Config{Seed: seed, Trace: &byStep})
		everything(w)
		for w.Step() == nil {
		}
		run := byRun.String()
		run = run[:strings.Index(run, `"Shutdown"`)]
		run = run[:strings.LastIndexByte(run, '\n')+1]
		if strings.Count(run, "\n") < 40 {
			t.Fatalf("seed %d: Run's trace has only %d records before Shutdown", seed, strings.Count(run, "\n"))
		}
		if !strings.HasPrefix(byStep.String(), run) {
			t.Fatalf("seed %d: Run and Step disagree; first difference at byte %d", seed, commonPrefix(run, byStep.String()))
		}
	}
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func TestTraceHashIgnoresGOMAXPROCS(t *testing.T) {
	for _, procs := range []int{1, 8} {
		old := runtime.GOMAXPROCS(procs)
		got := make([]uint64, 10)
		for seed := range got {
			got[seed], _ = runHash(t, sim.Config{Seed: uint64(seed)}, everything)
		}
		runtime.GOMAXPROCS(old)
		for seed, h := range got {
			want, _ := runHash(t, sim.Config{Seed: uint64(seed)}, everything)
			if h != want {
				t.Errorf("GOMAXPROCS=%d seed %d: hash %#x, want %#x", procs, seed, h, want)
			}
		}
	}
}

func TestRunEndsWhenWorkloadsReturn(t *testing.T) {
	w := sim.New(sim.Config{})
	var shutdownCause error
	w.SpawnDaemon("heartbeat", func(ctx context.Context) {
		for sim.Sleep(ctx, time.Second) == nil {
		}
		shutdownCause = sim.Cause(ctx)
	})
	w.Spawn("workload", func(ctx context.Context) { sim.Sleep(ctx, 2500*time.Millisecond) })
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if w.Now() != 2500*time.Millisecond {
		t.Errorf("run ended at %v, want 2.5s: daemon events must not keep it alive", w.Now())
	}
	if !errors.Is(shutdownCause, sim.ErrShutdown) {
		t.Errorf("daemon woke with cause %v, want ErrShutdown", shutdownCause)
	}
	if n := len(w.Tasks()); n != 0 {
		t.Errorf("%d tasks left after Run", n)
	}
}

type infraHandler struct{ fired *int }

func (h infraHandler) HandleEvent(*sim.Event)                    { *h.fired++ }
func (h infraHandler) DescribeEvent(*sim.Event) (string, string) { return "", "" }

// cancelOwn cancels the event it handles, from its handler or later.
type cancelOwn struct {
	w      *sim.World
	ref    sim.EventRef
	inside bool
	fired  int
}

func (h *cancelOwn) HandleEvent(*sim.Event) {
	h.fired++
	if h.inside {
		h.w.Cancel(h.ref)
	}
}
func (h *cancelOwn) DescribeEvent(*sim.Event) (string, string) { return "", "" }

// TestCancelProcessedEvent: cancelling an event from its own handler, or
// after it was processed, changes nothing; in particular the count of
// events that keep the run alive stays right, so a later one still runs.
func TestCancelProcessedEvent(t *testing.T) {
	for _, inside := range []bool{true, false} {
		w := sim.New(sim.Config{})
		h := &cancelOwn{w: w, inside: inside}
		h.ref = w.Schedule(time.Second, sim.OpDataDelivery, 1, 0, h)
		later := 0
		w.Schedule(5*time.Second, sim.OpDataDelivery, 2, 0, infraHandler{&later})
		if !inside {
			w.SpawnDaemon("canceller", func(ctx context.Context) {
				sim.Sleep(ctx, 2*time.Second)
				w.Cancel(h.ref)
			})
		}
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		if h.fired != 1 || later != 1 || w.Now() != 5*time.Second {
			t.Errorf("inside=%v: fired %d and %d, ended at %v; want both once, at 5s", inside, h.fired, later, w.Now())
		}
	}
}

func TestInfrastructureEventsDoNotKeepRunAlive(t *testing.T) {
	w := sim.New(sim.Config{})
	fired := 0
	w.Schedule(time.Minute, sim.OpPartitionRestore, 1, 0, infraHandler{&fired})
	w.Schedule(time.Second, sim.OpDataDelivery, 1, 0, infraHandler{&fired})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if fired != 1 || w.Now() != time.Second {
		t.Errorf("fired %d events, ended at %v; want the data delivery only, at 1s", fired, w.Now())
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *sim.World)
		kind  sim.FailureKind
		want  []string // in the report
	}{
		{"panic", func(w *sim.World) {
			w.Spawn("boom", func(ctx context.Context) { sim.Sleep(ctx, time.Second); explode() })
		}, sim.FailPanic, []string{`task 1 "boom"`, "panic: kaboom", "explode", "t=1.000000s",
			"at sim/world_test.go:", "stack:\ngithub.com/orrerysim/orrery/sim_test.explode\n\tsim/world_test.go:"}},
		{"deadlock", func(w *sim.World) {
			ch := sim.NewChan[int](0)
			var mu sim.Mutex
			w.Spawn("reader", func(ctx context.Context) { ch.Recv(ctx) })
			w.Spawn("holder", func(ctx context.Context) { mu.Lock(ctx) })
			w.Spawn("locker", func(ctx context.Context) {
				sim.Sleep(ctx, time.Second)
				mu.Lock(ctx)
			})
		}, sim.FailDeadlock, []string{`task 1 "reader" waiting on chan recv at sim/world_test.go:`,
			`task 3 "locker" waiting on mutex held by task 2 "holder" at sim/world_test.go:`}},
		{"lock cycle of one", func(w *sim.World) {
			w.Spawn("relocker", func(ctx context.Context) {
				var mu sim.Mutex
				mu.Lock(ctx)
				mu.Lock(ctx)
			})
		}, sim.FailDeadlock, []string{`lock cycle: relocker holds mutex locked at sim/world_test.go:`}},
		{"livelock", func(w *sim.World) {
			w.Spawn("spinner", func(ctx context.Context) {
				for {
					sim.Yield(ctx)
				}
			})
		}, sim.FailLivelock, []string{`"spinner"`, "without logical time passing", "at sim/world_test.go:"}},
		{"livelock on a failing call", func(w *sim.World) {
			w.Spawn("ignorer", func(ctx context.Context) {
				ctx, cancel := sim.WithCancel(ctx)
				cancel()
				for {
					_ = sim.Sleep(ctx, time.Second) // the error is ignored
				}
			})
		}, sim.FailLivelock, []string{`"ignorer"`}},
		{"invariant", func(w *sim.World) {
			n := 0
			w.AddInvariant("n below 3", func() error {
				if n >= 3 {
					return fmt.Errorf("n=%d", n)
				}
				return nil
			})
			w.Spawn("counter", func(ctx context.Context) {
				for {
					n++
					sim.Sleep(ctx, time.Second)
				}
			})
		}, sim.FailInvariant, []string{`invariant "n below 3": n=3`, "t=2.000000s"}},
		{"deadlock while a daemon ticks", func(w *sim.World) {
			ch := sim.NewChan[int](0)
			w.SpawnDaemon("ticker", func(ctx context.Context) {
				for sim.Sleep(ctx, time.Second) == nil {
				}
			})
			w.Spawn("waiter", func(ctx context.Context) { ch.Recv(ctx) })
		}, sim.FailDeadlock, []string{"is a daemon's, after MaxTime 1m0s", `"waiter" waiting on chan recv`,
			`daemon 1 "ticker" waiting on timer until t=61.000000s`}},
		{"stall", func(w *sim.World) {
			w.Spawn("worker", func(ctx context.Context) {
				for sim.Sleep(ctx, 7*time.Second) == nil {
				}
			})
		}, sim.FailStall, []string{"workloads unfinished at MaxTime 1m0s", `"worker" waiting on timer until t=63.000000s`}},
		{"handler panic", func(w *sim.World) {
			w.Spawn("arm", func(ctx context.Context) {
				sim.AfterFunc(ctx, time.Second, func() { explode() })
				sim.Sleep(ctx, 2*time.Second)
			})
		}, sim.FailPanic, []string{"panic while processing Timer: kaboom", "explode", "t=1.000000s",
			"stack:\ngithub.com/orrerysim/orrery/sim_test.explode\n"}},
		{"goexit", func(w *sim.World) {
			w.Spawn("quitter", func(ctx context.Context) { runtime.Goexit() })
		}, sim.FailPanic, []string{"runtime.Goexit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			w := sim.New(sim.Config{Seed: 3, MaxTime: time.Minute, LivelockPolls: 1000})
			tt.setup(w)
			err := w.Run()
			var f *sim.Failure
			if !errors.As(err, &f) {
				t.Fatalf("Run = %v, want a *Failure", err)
			}
			if f.Kind != tt.kind || f.Seed != 3 {
				t.Errorf("failure kind %v seed %d, want %v seed 3", f.Kind, f.Seed, tt.kind)
			}
			report := f.Report()
			for _, s := range tt.want {
				if !strings.Contains(report, s) {
					t.Errorf("report lacks %q:\n%s", s, report)
				}
			}
			if !strings.Contains(report, "Seed: 0x3") {
				t.Errorf("report does not say how to replay:\n%s", report)
			}
			waitGoroutines(t, before)
		})
	}
}

func explode() { panic("kaboom") }

// waitGoroutines checks that a run leaves no goroutine behind.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	// A finished goroutine leaves the count a moment later; on a loaded
	// machine that moment can be long, so wait up to a few seconds.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if runtime.NumGoroutine() <= want {
			return
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	t.Errorf("%d goroutines after the run, %d before: a task leaked", runtime.NumGoroutine(), want)
}

func TestBlockedOutsideSimulation(t *testing.T) {
	w := sim.New(sim.Config{Watchdog: 200 * time.Millisecond})
	raw := make(chan int)
	w.Spawn("stuck", func(ctx context.Context) { <-raw })
	w.Spawn("fine", func(ctx context.Context) { sim.Sleep(ctx, time.Hour) })
	err := w.Run()
	var f *sim.Failure
	if !errors.As(err, &f) || f.Kind != sim.FailBlocked {
		t.Fatalf("Run = %v, want a blocked failure", err)
	}
	if f.TaskName != "stuck" || !strings.Contains(f.Message, "(chan receive at sim/world_test.go:") ||
		!strings.Contains(f.Stack, "world_test.go") {
		t.Errorf("failure names %q: %s\nwith stack:\n%s", f.TaskName, f.Message, f.Stack)
	}
}

func TestAbortRunsDefers(t *testing.T) {
	w := sim.New(sim.Config{})
	var deferErr error
	var unwound bool
	victim := w.Spawn("victim", func(ctx context.Context) {
		defer func() {
			unwound = true
			deferErr = sim.Sleep(ctx, time.Second)
		}()
		sim.Sleep(ctx, time.Hour)
		t.Error("the aborted task went on")
	})
	w.Spawn("killer", func(ctx context.Context) {
		sim.Sleep(ctx, time.Second)
		victim.Abort()
		if err := victim.Join(ctx); err != nil {
			t.Error(err)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if !unwound || !errors.Is(deferErr, sim.ErrAborted) {
		t.Errorf("unwound=%v deferErr=%v; want the defer to run and its Sleep to fail with ErrAborted", unwound, deferErr)
	}
	if w.Now() != time.Second {
		t.Errorf("run ended at %v, want 1s", w.Now())
	}
}

func TestBadUse(t *testing.T) {
	tests := []struct {
		name string
		do   func(w *sim.World)
		want string
	}{
		{"sleep outside a task", func(w *sim.World) { sim.Sleep(w.Context(), time.Second) }, "outside a task"},
		{"context not from a simulation", func(w *sim.World) {
			w.Spawn("x", func(context.Context) {})
			sim.Sleep(context.Background(), time.Second)
		}, "does not come from a simulation"},
		{"negative schedule", func(w *sim.World) { w.Schedule(-time.Second, sim.OpTimer, 0, 0, infraHandler{new(int)}) }, "negative delay"},
		{"run from a task", func(w *sim.World) {
			w.Spawn("driver", func(ctx context.Context) { w.Run() })
			err := w.Run()
			var f *sim.Failure
			if !errors.As(err, &f) || f.Kind != sim.FailPanic {
				panic(fmt.Sprint("Run = ", err))
			}
			panic(f.Message)
		}, "cannot drive its own World"},
		{"bad config", func(*sim.World) { sim.New(sim.Config{MaxTime: -1}) }, "MaxTime -1ns is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), tt.want) {
					t.Errorf("panic %v, want one containing %q", p, tt.want)
				}
			}()
			tt.do(sim.New(sim.Config{}))
		})
	}
}

func TestRunTwice(t *testing.T) {
	w := sim.New(sim.Config{})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if err := w.Run(); !errors.Is(err, sim.ErrFinished) {
		t.Errorf("second Run = %v, want ErrFinished", err)
	}
}

func TestStep(t *testing.T) {
	w := sim.New(sim.Config{})
	var woke []time.Duration
	w.Spawn("sleeper", func(ctx context.Context) {
		for range 3 {
			sim.Sleep(ctx, time.Second)
			woke = append(woke, w.Now())
		}
	})
	steps := 0
	for {
		err := w.Step()
		if errors.Is(err, sim.ErrIdle) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		steps++
	}
	if steps != 4 || len(woke) != 3 || woke[2] != 3*time.Second {
		t.Errorf("%d steps, woke at %v; want the setup step and 3 timer steps", steps, woke)
	}
}

func TestRNGStreams(t *testing.T) {
	w := sim.New(sim.Config{Seed: 9})
	a := w.Rand().Uint64()
	w.ConfigRand().Uint64() // derived: does not shift the main stream
	b := w.Rand().Uint64()
	w2 := sim.New(sim.Config{Seed: 9})
	if a2, b2 := w2.Rand().Uint64(), w2.Rand().Uint64(); a != a2 || b != b2 {
		t.Errorf("main stream shifted by a config draw: %x %x vs %x %x", a, b, a2, b2)
	}
	if w.RNGCalls() != 2 {
		t.Errorf("RNGCalls = %d, want 2", w.RNGCalls())
	}
	w.Rand().Shuffle(10, func(i, j int) {})
	w.Rand().Duration(time.Second, 2*time.Second)
	w.Rand().Bool(0.5)
	if w.RNGCalls() != 5 {
		t.Errorf("RNGCalls = %d after three more calls, want 5", w.RNGCalls())
	}
}

func TestUnseed(t *testing.T) {
	run := func(seed uint64) uint64 {
		w := sim.New(sim.Config{Seed: seed})
		everything(w)
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.Unseed()
	}
	if a, b := run(5), run(5); a != b || a == 0 {
		t.Errorf("unseed %#x then %#x for the same seed", a, b)
	}
	if run(5) == run(6) {
		t.Error("two seeds gave the same unseed")
	}
}

func TestDrifted(t *testing.T) {
	w := sim.New(sim.Config{MaxDrift: 50 * time.Millisecond})
	w.Spawn("reader", func(ctx context.Context) {
		var last time.Duration
		for range 200 {
			d := w.Drifted()
			if d < w.Now() || d > w.Now()+50*time.Millisecond || d < last {
				t.Errorf("drifted %v at now %v after %v: must be within [now, now+50ms] and monotonic", d, w.Now(), last)
			}
			last = d
			sim.Sleep(ctx, w.Rand().Duration(0, 20*time.Millisecond))
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
}

func TestCancelWakesWaitersOfStandardContext(t *testing.T) {
	w := sim.New(sim.Config{})
	ctx, cancel := context.WithCancel(w.Context())
	var err error
	var at time.Duration
	w.Spawn("waiter", func(context.Context) {
		err = sim.Sleep(ctx, time.Hour)
		at = w.Now()
	})
	w.Spawn("canceller", func(c context.Context) {
		sim.Sleep(c, time.Second)
		cancel()
	})
	if rerr := w.Run(); rerr != nil {
		t.Fatal(rerr)
	}
	if !errors.Is(err, context.Canceled) || at != time.Second {
		t.Errorf("waiter woke at %v with %v; want at 1s with context.Canceled", at, err)
	}
}

func TestWorldFromTwoGoroutines(t *testing.T) {
	w := sim.New(sim.Config{})
	inside, tried := make(chan struct{}), make(chan struct{})
	var p any
	w.Spawn("holder", func(ctx context.Context) {
		close(inside) // Run is in progress on the test goroutine
		<-tried       // a raw channel: fine for a test, the watchdog allows 10 s
	})
	go func() {
		<-inside
		defer close(tried)
		defer func() { p = recover() }()
		w.Step()
	}()
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if p == nil || !strings.Contains(fmt.Sprint(p), "one goroutine at a time") {
		t.Errorf("Step from a second goroutine: panic %v, want one naming the mistake", p)
	}
}

// TestWorldValues: a World's values are found by key, replaced, and kept
// whether a few (scanned) or many (a map) are stored.
func TestWorldValues(t *testing.T) {
	type key struct{ i int }
	for _, n := range []int{1, 16, 17, 40} {
		w := sim.New(sim.Config{})
		for i := range n {
			w.SetValue(key{i}, i)
		}
		w.SetValue(key{0}, "replaced")
		for i := range n {
			want := any(i)
			if i == 0 {
				want = "replaced"
			}
			if got := w.Value(key{i}); got != want {
				t.Errorf("%d values: Value(key{%d}) = %v, want %v", n, i, got, want)
			}
		}
		if got := w.Value(key{n}); got != nil {
			t.Errorf("%d values: Value of a key never set = %v, want nil", n, got)
		}
	}
}

// TestSetValueUncomparableKey: a key that cannot be compared panics at
// once, as a map's would, and not only when a key of its type is there.
func TestSetValueUncomparableKey(t *testing.T) {
	w := sim.New(sim.Config{})
	defer func() {
		if recover() == nil {
			t.Error("SetValue with a slice as its key did not panic")
		}
	}()
	w.SetValue([]int{1}, 1)
}
