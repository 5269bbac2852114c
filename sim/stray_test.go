package sim_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// TestStrayGoroutine starts a raw goroutine (a go statement, not sim.Go)
// from a task; its blocking call must not be taken for the running task's:
// the seed fails with the call site and the fix, and nothing hangs. (Taking
// a free Mutex does not block, and is not checked: it stays two stores.)
func TestStrayGoroutine(t *testing.T) {
	tests := []struct {
		name string
		call string
		op   func(ctx context.Context, self *sim.Task, mu *sim.Mutex, ch *sim.Chan[int])
	}{
		{"sleep", "sim.Sleep", func(ctx context.Context, _ *sim.Task, _ *sim.Mutex, _ *sim.Chan[int]) {
			sim.Sleep(ctx, time.Second)
		}},
		{"chan recv", "sim.Chan.Recv", func(ctx context.Context, _ *sim.Task, _ *sim.Mutex, ch *sim.Chan[int]) {
			ch.Recv(ctx)
		}},
		{"held mutex", "sim.Mutex.Lock", func(ctx context.Context, _ *sim.Task, mu *sim.Mutex, _ *sim.Chan[int]) {
			mu.Lock(ctx)
		}},
		{"wait queue", "sim.WaitQueue.Wait", func(ctx context.Context, _ *sim.Task, _ *sim.Mutex, _ *sim.Chan[int]) {
			var q sim.WaitQueue
			q.Wait(ctx, "nothing")
		}},
		{"wait task", "a blocking call (sim.WaitQueue.WaitTask)", func(_ context.Context, self *sim.Task, _ *sim.Mutex, _ *sim.Chan[int]) {
			var q sim.WaitQueue
			q.WaitTask(self, "nothing")
		}},
		{"select", "sim.Select", func(ctx context.Context, _ *sim.Task, _ *sim.Mutex, ch *sim.Chan[int]) {
			sim.Select(ctx, ch.RecvCase(nil))
		}},
		{"spawn", "sim.Go", func(ctx context.Context, _ *sim.Task, _ *sim.Mutex, _ *sim.Chan[int]) {
			sim.Go(ctx, "h/child", func(context.Context) {})
		}},
		{"derived context", "sim.Sleep", func(ctx context.Context, _ *sim.Task, _ *sim.Mutex, _ *sim.Chan[int]) {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			sim.Sleep(ctx, time.Second)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			var mu sim.Mutex
			ch := sim.NewChan[int](0)
			f := runFailure(t, sim.Config{Seed: 1}, func(w *sim.World) {
				w.Spawn("h/main", func(ctx context.Context) {
					mu.Lock(ctx)
					self := w.Current()
					go tt.op(ctx, self, &mu, ch) // the mistake under test
					for range 5000 {             // until the loop notices
						sim.Sleep(ctx, time.Millisecond)
						time.Sleep(100 * time.Microsecond)
					}
				})
			})
			if f.Kind != sim.FailGoroutine || !strings.HasPrefix(f.Where, "sim/stray_test.go:") {
				t.Fatalf("failure %v at %q, want a goroutine failure in stray_test.go:\n%s", f.Kind, f.Where, f.Report())
			}
			want := "a goroutine not started by the simulation called " + tt.call + " at " + f.Where +
				": start it with env.Go (e.Go) so that the scheduler runs it"
			if f.Message != want {
				t.Errorf("message %q\nwant %q", f.Message, want)
			}
			waitGoroutines(t, before)
		})
	}
}

// TestDeadlockNamesGoStatements: a task that starts a goroutine with a go
// statement and parks until the goroutine signals deadlocks when the
// goroutine has not called into the simulation yet (it runs on its own
// thread, in real time); the deadlock names the go statement, which is
// the cause, and the task that ran it.
func TestDeadlockNamesGoStatements(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := runFailure(t, sim.Config{Seed: 1}, func(w *sim.World) {
		w.Spawn("h/main", func(ctx context.Context) {
			var done sim.WaitGroup
			done.Add(1)
			go func() { // the cause
				<-release
				done.Done()
			}()
			done.Wait(ctx)
		})
	})
	want := `go statement, which run outside the simulation (use env.Env.Go or sim.Go): task 1 "h/main" started one at sim/stray_test.go:`
	if f.Kind != sim.FailDeadlock || !strings.Contains(f.Message, want) {
		t.Fatalf("failure %v: %s\nwant a deadlock that says %q", f.Kind, f.Message, want)
	}
	if line := f.Message[strings.LastIndex(f.Message, ":")+1:]; !strings.Contains(goLine(t), ":"+line) {
		t.Errorf("the go statement is at line %s, want %s", line, goLine(t))
	}
}

// goLine returns "sim/stray_test.go:N", where N is the line of the go
// statement marked "the cause" in this file.
func goLine(t *testing.T) string {
	src, err := os.ReadFile("stray_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, "go func() { // the cause") {
			return "sim/stray_test.go:" + strconv.Itoa(i+1)
		}
	}
	t.Fatal("no go statement marked")
	return ""
}

// TestWrongContextInAGoroutineStopsIt: a goroutine that a task started
// with a go statement and that calls into the simulation with a context of
// no simulation is stopped, not let panic, which would end the whole test
// binary; the task waiting for it deadlocks, and the deadlock names the go
// statement whether or not the goroutine has stopped by then.
func TestWrongContextInAGoroutineStopsIt(t *testing.T) {
	for seed := range uint64(5) {
		f := runFailure(t, sim.Config{Seed: seed}, func(w *sim.World) {
			w.Spawn("h/main", func(ctx context.Context) {
				var done sim.WaitGroup
				done.Add(1)
				go func() { // the wrong context
					sim.Sleep(context.Background(), time.Second)
					done.Done()
				}()
				done.Wait(ctx)
			})
		})
		want := `task 1 "h/main" started one at sim/stray_test.go:`
		if f.Kind != sim.FailDeadlock || !strings.Contains(f.Message, want) {
			t.Fatalf("seed %d: failure %v: %s\nwant a deadlock that says %q", seed, f.Kind, f.Message, want)
		}
	}
}
