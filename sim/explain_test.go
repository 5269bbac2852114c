package sim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/watchdog"
	"github.com/orrerysim/orrery/sim"
)

// runFailure runs the simulation that setup builds and returns its failure.
func runFailure(t *testing.T, cfg sim.Config, setup func(w *sim.World)) *sim.Failure {
	t.Helper()
	w := sim.New(cfg)
	setup(w)
	var f *sim.Failure
	if err := w.Run(); !errors.As(err, &f) {
		t.Fatalf("Run = %v, want a *Failure", err)
	}
	return f
}

var quotient int

func divide(a, b int) { quotient = a / b }

func TestPanicWhereAndStack(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(w *sim.World)
		message   string
		where     string // a prefix: the line changes with the file
		stackHead string
	}{
		{"task", func(w *sim.World) {
			w.Spawn("h/boom", func(ctx context.Context) { sim.Sleep(ctx, time.Second); explode() })
		}, "panic: kaboom", "sim/world_test.go:", "github.com/orrerysim/orrery/sim_test.explode\n\tsim/world_test.go:"},
		{"runtime error", func(w *sim.World) {
			w.Spawn("h/div", func(ctx context.Context) { divide(1, 0) })
		}, "panic: runtime error: integer divide by zero", "sim/explain_test.go:",
			"github.com/orrerysim/orrery/sim_test.divide\n\tsim/explain_test.go:"},
		{"engine call", func(w *sim.World) {
			w.Spawn("h/closer", func(ctx context.Context) {
				ch := sim.NewChan[int](1)
				ch.Close()
				ch.Send(ctx, 1)
			})
		}, "panic: sim: send on closed Chan", "sim/explain_test.go:",
			"github.com/orrerysim/orrery/sim_test.TestPanicWhereAndStack."},
		{"invariant", func(w *sim.World) {
			w.AddInvariant("explodes", func() error { explode(); return nil })
			w.Spawn("h/sleeper", func(ctx context.Context) { sim.Sleep(ctx, time.Second) })
		}, "kaboom", "sim/world_test.go:", "github.com/orrerysim/orrery/sim_test.explode\n"},
		{"event handler", func(w *sim.World) {
			w.Spawn("h/arm", func(ctx context.Context) {
				sim.AfterFunc(ctx, time.Second, explode)
				sim.Sleep(ctx, 2*time.Second)
			})
		}, "panic while processing Timer: kaboom", "sim/world_test.go:", "github.com/orrerysim/orrery/sim_test.explode\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := runFailure(t, sim.Config{Seed: 1}, tt.setup)
			if f.Kind != sim.FailPanic || !strings.Contains(f.Message, tt.message) {
				t.Errorf("failure %v %q, want a panic %q", f.Kind, f.Message, tt.message)
			}
			if !strings.HasPrefix(f.Where, tt.where) {
				t.Errorf("Where = %q, want %s...", f.Where, tt.where)
			}
			if !strings.HasPrefix(f.Stack, tt.stackHead) {
				t.Errorf("Stack does not start with %q:\n%s", tt.stackHead, f.Stack)
			}
			for _, banned := range []string{"orrery/sim.", "runtime.", "iter.", "+0x", "/work/"} {
				if strings.Contains(f.Stack, banned) {
					t.Errorf("Stack holds %q:\n%s", banned, f.Stack)
				}
			}
			if !strings.Contains(f.Report(), "at "+f.Where+"\n") {
				t.Errorf("Report does not say where:\n%s", f.Report())
			}
		})
	}
}

func TestParkedTasksSayWhatAndWhere(t *testing.T) {
	f := runFailure(t, sim.Config{Seed: 1}, func(w *sim.World) {
		var mu sim.Mutex
		ch := sim.NewChan[int](0)
		w.Spawn("h/holder", func(ctx context.Context) {
			mu.Lock(ctx)
			ch.Recv(ctx)
		})
		w.Spawn("h/waiter", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			mu.Lock(ctx)
		})
		w.SpawnDaemon("h/server", func(ctx context.Context) { sim.Sleep(ctx, 100*365*24*time.Hour) })
	})
	if f.Kind != sim.FailDeadlock {
		t.Fatalf("failure %v, want a deadlock:\n%s", f.Kind, f.Report())
	}
	want := []struct {
		name, waiting string
		holder        sim.TaskID
	}{
		{"h/holder", "chan recv", 0},
		{"h/waiter", `mutex held by task 1 "h/holder"`, 1},
		{"h/server", "timer until t=3153600000.000000s", 0},
	}
	if len(f.Parked) != len(want) {
		t.Fatalf("parked %+v, want %d tasks", f.Parked, len(want))
	}
	for i, w := range want {
		p := f.Parked[i]
		if p.Name != w.name || p.Waiting != w.waiting || p.Holder != w.holder ||
			!strings.HasPrefix(p.Where, "sim/explain_test.go:") {
			t.Errorf("parked[%d] = %+v, want %s waiting on %s held by %d, where in explain_test.go", i, p, w.name, w.waiting, w.holder)
		}
	}
	if f.Parked[1].HolderName != "h/holder" {
		t.Errorf("holder name %q", f.Parked[1].HolderName)
	}
}

// transfer locks two accounts in argument order: two transfers in opposite
// directions deadlock.
func transfer(ctx context.Context, from, to *sim.Mutex) {
	transferAfter(ctx, from, to, time.Millisecond)
}

// transferAfter is transfer with a pause of d between the two locks.
func transferAfter(ctx context.Context, from, to *sim.Mutex, d time.Duration) {
	from.Lock(ctx)
	sim.Sleep(ctx, d)
	to.Lock(ctx)
	to.Unlock()
	from.Unlock()
}

func TestLockCycle(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *sim.World)
		want  string // the message, with LINE for the line of the second Lock in transfer
	}{
		{"two tasks", func(w *sim.World) {
			var a, b sim.Mutex
			w.Spawn("bank-1/x", func(ctx context.Context) { transfer(ctx, &a, &b) })
			w.Spawn("bank-1/y", func(ctx context.Context) { transfer(ctx, &b, &a) })
		}, "lock cycle: bank-1/y holds mutex 1 locked at sim/explain_test.go:LINE waits mutex 2 locked at sim/explain_test.go:LINE; " +
			"bank-1/x holds mutex 2 locked at sim/explain_test.go:LINE waits mutex 1 locked at sim/explain_test.go:LINE"},
		{"a context shared by the tasks", func(w *sim.World) {
			// A host's context, as env.Env.Context gives it: not any
			// one task's own.
			shared := w.Context()
			var a, b sim.Mutex
			w.Spawn("bank-1/x", func(context.Context) { transfer(shared, &a, &b) })
			w.Spawn("bank-1/y", func(context.Context) { transfer(shared, &b, &a) })
		}, "lock cycle: bank-1/y holds mutex 1 locked at sim/explain_test.go:LINE waits mutex 2 locked at sim/explain_test.go:LINE; " +
			"bank-1/x holds mutex 2 locked at sim/explain_test.go:LINE waits mutex 1 locked at sim/explain_test.go:LINE"},
		{"three tasks", func(w *sim.World) {
			var a, b, c sim.Mutex
			w.Spawn("h/1", func(ctx context.Context) { transfer(ctx, &a, &b) })
			w.Spawn("h/2", func(ctx context.Context) { transfer(ctx, &b, &c) })
			w.Spawn("h/3", func(ctx context.Context) { transferAfter(ctx, &c, &a, time.Second) }) // closes the cycle
		}, "lock cycle: h/3 holds mutex 1 locked at sim/explain_test.go:LINE waits mutex 2 locked at sim/explain_test.go:LINE; " +
			"h/1 holds mutex 2 locked at sim/explain_test.go:LINE waits mutex 3 locked at sim/explain_test.go:LINE; " +
			"h/2 holds mutex 3 locked at sim/explain_test.go:LINE waits mutex 1 locked at sim/explain_test.go:LINE"},
		{"rwmutex writers", func(w *sim.World) {
			var a sim.RWMutex
			var b sim.Mutex
			w.Spawn("h/w", func(ctx context.Context) {
				a.Lock(ctx)
				sim.Sleep(ctx, time.Millisecond)
				b.Lock(ctx) // waits for h/m
			})
			w.Spawn("h/m", func(ctx context.Context) {
				b.Lock(ctx)
				sim.Sleep(ctx, 2*time.Millisecond)
				a.RLock(ctx)
			})
		}, "lock cycle: h/m holds mutex locked at sim/explain_test.go:LOCKB waits rwmutex locked at sim/explain_test.go:RLOCKA; " +
			"h/w holds rwmutex locked at sim/explain_test.go:RLOCKA waits mutex locked at sim/explain_test.go:LOCKB"},
	}
	_, line := lineOf(t, "	to.Lock(ctx)")
	_, lockB := lineOf(t, "				b.Lock(ctx) // waits for h/m")
	_, rlockA := lineOf(t, "				a.RLock(ctx)")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var trace bytes.Buffer
			f := runFailure(t, sim.Config{Seed: 1, Trace: &trace}, func(w *sim.World) {
				// Timers and a daemon are still queued when the cycle forms.
				w.SpawnDaemon("h/ticker", func(ctx context.Context) {
					for sim.Sleep(ctx, time.Millisecond) == nil {
					}
				})
				w.Spawn("h/later", func(ctx context.Context) { sim.Sleep(ctx, time.Hour) })
				tt.setup(w)
			})
			want := strings.NewReplacer("LINE", line, "LOCKB", lockB, "RLOCKA", rlockA).Replace(tt.want)
			if f.Kind != sim.FailDeadlock || !strings.HasPrefix(f.Message, want) {
				t.Errorf("failure %v %q\nwant deadlock %q", f.Kind, f.Message, want)
			}
			if f.At >= time.Second+10*time.Millisecond || f.Task != 0 {
				t.Errorf("failed at %v in task %d: want at the instant the cycle forms, no task at fault", f.At, f.Task)
			}
			if !strings.HasPrefix(f.Error(), "deadlock at t=") || !strings.Contains(f.Error(), ": lock cycle: ") {
				t.Errorf("Error() = %q", f.Error())
			}
			if !strings.Contains(trace.String(), `"where":"sim/explain_test.go:`) ||
				!strings.Contains(trace.String(), `"parked":"`) {
				t.Errorf("the trace's failure record lacks where and parked:\n%s", failureRecord(trace.String()))
			}
		})
	}
}

// lineOf returns the file and line of the first line of this file that is
// exactly text.
func lineOf(t *testing.T, text string) (string, string) {
	t.Helper()
	src, err := os.ReadFile("explain_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if l == text {
			return "explain_test.go", fmt.Sprint(i + 1)
		}
	}
	t.Fatalf("no line %q", text)
	return "", ""
}

// failureRecord returns the failure's record of a JSON Lines trace.
func failureRecord(trace string) string {
	for _, l := range strings.Split(trace, "\n") {
		if strings.Contains(l, `"msg":"failure: `) {
			return l
		}
	}
	return ""
}

func TestLockCycleTraceIsDeterministic(t *testing.T) {
	run := func() (string, uint64) {
		var trace bytes.Buffer
		w := sim.New(sim.Config{Seed: 7, Trace: &trace})
		var a, b sim.Mutex
		w.Spawn("h/x", func(ctx context.Context) { transfer(ctx, &a, &b) })
		w.Spawn("h/y", func(ctx context.Context) { transfer(ctx, &b, &a) })
		w.Spawn("h/boom", func(ctx context.Context) { sim.Sleep(ctx, time.Second); explode() })
		w.Run()
		return trace.String(), w.TraceHash()
	}
	t1, h1 := run()
	t2, h2 := run()
	if t1 != t2 || h1 != h2 {
		t.Fatalf("two runs of a seed differ: hashes %#x %#x\n%s\n%s", h1, h2, t1, t2)
	}
	if strings.Contains(t1, "0xc") || strings.Contains(t1, "goroutine") {
		t.Errorf("the trace holds a pointer or a goroutine:\n%s", failureRecord(t1))
	}
}

func TestDeadlockOrStallAtMaxTime(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *sim.World)
		kind  sim.FailureKind
		at    time.Duration
		want  []string
	}{
		{"a server waits for its shutdown, a workload for nothing", func(w *sim.World) {
			ch := sim.NewChan[int](0)
			w.SpawnDaemon("bank-1/main", func(ctx context.Context) { sim.Sleep(ctx, 100*365*24*time.Hour) })
			w.Spawn("client/main", func(ctx context.Context) {
				sim.Sleep(ctx, 6*time.Millisecond)
				ch.Recv(ctx)
			})
		}, sim.FailDeadlock, 6 * time.Millisecond, []string{
			"no task runnable and no event of a workload queued (the next event, at t=3153600000.000000s, is a daemon's, after MaxTime 1h0m0s)",
			`daemon 1 "bank-1/main" waiting on timer until t=3153600000.000000s at sim/explain_test.go:`,
			`task 2 "client/main" waiting on chan recv at sim/explain_test.go:`}},
		{"a workload still working", func(w *sim.World) {
			w.SpawnDaemon("bank-1/main", func(ctx context.Context) { sim.Sleep(ctx, 100*365*24*time.Hour) })
			w.Spawn("client/main", func(ctx context.Context) {
				for sim.Sleep(ctx, 25*time.Minute) == nil {
				}
			})
		}, sim.FailStall, 50 * time.Minute, []string{"workloads unfinished at MaxTime 1h0m0s",
			`task 2 "client/main" waiting on timer until t=4500.000000s`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := runFailure(t, sim.Config{Seed: 1}, tt.setup)
			if f.Kind != tt.kind || f.At != tt.at {
				t.Errorf("failure %v at %v, want %v at %v:\n%s", f.Kind, f.At, tt.kind, tt.at, f.Report())
			}
			for _, s := range tt.want {
				if !strings.Contains(f.Report(), s) {
					t.Errorf("report lacks %q:\n%s", s, f.Report())
				}
			}
		})
	}
}

func TestInvariantFailureSeq(t *testing.T) {
	var trace bytes.Buffer
	var breaker uint64
	f := runFailure(t, sim.Config{Seed: 1, Trace: &trace}, func(w *sim.World) {
		broken := false
		w.AddInvariant("unbroken", func() error {
			if broken {
				return errors.New("broken")
			}
			return nil
		})
		w.Spawn("h/noise", func(ctx context.Context) {
			for sim.Sleep(ctx, 300*time.Millisecond) == nil {
			}
		})
		w.Spawn("h/breaker", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			sim.Sleep(ctx, time.Second)
			breaker = w.Seq() // the timer event that woke it
			broken = true
		})
	})
	if f.Kind != sim.FailInvariant || f.Seq != breaker || breaker == 0 {
		t.Fatalf("failure %v at seq %d, want an invariant failure at seq %d, the breaker's wake-up", f.Kind, f.Seq, breaker)
	}
	if rec := failureRecord(trace.String()); !strings.Contains(rec, fmt.Sprintf(`"seq":%d,`, breaker)) {
		t.Errorf("the failure record does not carry seq %d:\n%s", breaker, rec)
	}
}

// TestWatchdogNamesTaskAndStack blocks a task outside the simulation in
// the ways users do, and checks that the failure says so, names the task
// and shows the user's frame; and that a task parked by the Go runtime in
// a wait fails once the loop has stood still for watchdog.HurryAfter, not
// the whole timeout, which a busy loop still gets.
func TestWatchdogNamesTaskAndStack(t *testing.T) {
	const timeout = 2 * time.Second
	tests := []struct {
		name  string
		block func(release <-chan struct{}, stop *atomic.Bool)
		state string
	}{
		{"real channel", func(release <-chan struct{}, _ *atomic.Bool) { <-release }, "chan receive"},
		{"time.Sleep", func(release <-chan struct{}, _ *atomic.Bool) { time.Sleep(time.Hour) }, "sleep"},
		{"sync.Mutex", func(release <-chan struct{}, _ *atomic.Bool) {
			var mu sync.Mutex
			mu.Lock()
			go func() { <-release; mu.Unlock() }()
			mu.Lock()
		}, "sync.Mutex.Lock"},
		{"busy loop", func(_ <-chan struct{}, stop *atomic.Bool) {
			for !stop.Load() {
			}
		}, "running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			var stop atomic.Bool
			t.Cleanup(func() { close(release); stop.Store(true) })
			start := time.Now()
			f := runFailure(t, sim.Config{Seed: 1, Watchdog: timeout}, func(w *sim.World) {
				w.Spawn("h/fine", func(ctx context.Context) { sim.Sleep(ctx, time.Hour) })
				w.Spawn("h/stuck", func(ctx context.Context) {
					sim.Sleep(ctx, time.Second)
					tt.block(release, &stop)
				})
			})
			took := time.Since(start)
			if f.Kind != sim.FailBlocked || f.TaskName != "h/stuck" {
				t.Fatalf("failure %v in %q, want blocked in h/stuck:\n%s", f.Kind, f.TaskName, f.Report())
			}
			if soon := watchdog.Soon(timeout); tt.state == "running" && took < timeout ||
				tt.state != "running" && (took < soon || took >= timeout) {
				t.Errorf("failed after %v of real time; the timeout is %v, a wait's %v", took, timeout, soon)
			}
			limit := "did not yield for 2s of real time"
			if tt.state != "running" {
				limit = "has waited more than 500ms of real time"
			}
			for _, s := range []string{limit, "outside the simulation",
				"(" + tt.state + " at sim/explain_test.go:", "a busy loop"} {
				if !strings.Contains(f.Message, s) {
					t.Errorf("message lacks %q: %s", s, f.Message)
				}
			}
			if !strings.HasPrefix(f.Where, "sim/explain_test.go:") || !strings.Contains(f.Stack, "\tsim/explain_test.go:") {
				t.Errorf("where %q, stack:\n%s", f.Where, f.Stack)
			}
		})
	}
}

// A task the watchdog gave up on may come back later (a real sleep longer
// than the limit): it must neither touch the World nor race with the
// failure report (go test -race checks the second).
func TestBlockedTaskThatComesBack(t *testing.T) {
	back := make(chan struct{})
	w := sim.New(sim.Config{Seed: 1, Watchdog: 100 * time.Millisecond})
	w.Spawn("h/sleeper", func(ctx context.Context) {
		defer close(back)
		time.Sleep(400 * time.Millisecond) // outside the simulation
		sim.Sleep(ctx, time.Second)        // then a blocking call of the abandoned World
	})
	err := w.Run()
	var f *sim.Failure
	if !errors.As(err, &f) || f.Kind != sim.FailBlocked || f.TaskName != "h/sleeper" {
		t.Fatalf("Run = %v, want the sleeper blocked", err)
	}
	select {
	case <-back:
	case <-time.After(5 * time.Second):
		t.Fatal("the abandoned task did not end once it came back")
	}
	if g := w.Failure(); g != f {
		t.Errorf("the failure changed after the run: %v", g)
	}
}

// A task that waits on a Go channel for a goroutine started with a go
// statement waits for good once that goroutine is stopped at its blocking
// call: the failure names the stray goroutine, the cause, and comes well
// before the watchdog's whole limit.
func TestStrayGoroutineBehindABlockedTask(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1, Watchdog: 2 * time.Second})
	w.Spawn("h/waiter", func(ctx context.Context) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			sim.Sleep(ctx, time.Second)
		}()
		<-done
	})
	start := time.Now()
	err := w.Run()
	var f *sim.Failure
	if !errors.As(err, &f) || f.Kind != sim.FailGoroutine {
		t.Fatalf("Run = %v, want the stray goroutine reported", err)
	}
	if !strings.Contains(f.Message, "sim.Sleep at sim/explain_test.go:") {
		t.Errorf("message: %s", f.Message)
	}
	if took := time.Since(start); took >= 2*time.Second {
		t.Errorf("reported after %v: the watchdog waited its whole limit", took)
	}
}

// TestPanickingInvariantIsNamed: an invariant that panics fails the run
// with its name and the panic, not as a panic of the event before it; a
// panic of an event handler still says it is the event's.
func TestPanickingInvariantIsNamed(t *testing.T) {
	f := runFailure(t, sim.Config{Seed: 1}, func(w *sim.World) {
		var n any = 1
		w.AddInvariant("fine", func() error { return nil })
		w.AddInvariant("typed", func() error {
			if w.Now() > 0 {
				_ = n.(string) // the bug
			}
			return nil
		})
		w.Spawn("h/main", func(ctx context.Context) { sim.Sleep(ctx, time.Second) })
	})
	want := `invariant "typed" panicked after Timer: interface conversion: interface {} is int, not string`
	if f.Kind != sim.FailPanic || !strings.Contains(f.Message, want) {
		t.Fatalf("failure %v: %s\nwant a panic that says %q", f.Kind, f.Message, want)
	}
	if !strings.HasPrefix(f.Where, "sim/explain_test.go:") {
		t.Errorf("where %q, want the invariant's line", f.Where)
	}
}
