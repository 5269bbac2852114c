package simenv_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/simenv"
)

// A task in env.WaitDone is listed in a failure report as waiting on its
// context, where it called WaitDone, and its wait schedules no event: the
// deadlock report names no far-off event of it.
func TestWaitDoneInAFailureReport(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1, LogFilter: "off"})
	e := &testEnv{w: w}
	w.SpawnDaemon("srv/main", func(ctx context.Context) {
		env.WaitDone(ctx, e)
	})
	w.Spawn("client/main", func(ctx context.Context) {
		sim.NewChan[int](0).Recv(ctx) // nobody sends: a deadlock
	})
	var f *sim.Failure
	if err := w.Run(); !errors.As(err, &f) || f.Kind != sim.FailDeadlock {
		t.Fatalf("Run = %v, want a deadlock", err)
	}
	report := f.Report()
	for _, want := range []string{
		`daemon 1 "srv/main" waiting on its context (env.WaitDone) at simenv/waitdone_test.go:`,
		`task 2 "client/main" waiting on chan recv at simenv/waitdone_test.go:`,
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "next event") {
		t.Errorf("the report names an event of the waiting task:\n%s", report)
	}
}

// WaitDone returns its context's error when the context ends, however it
// ends, and at once when it has ended already; it takes no logical time
// of its own.
func TestWaitDoneReturnsTheContextsError(t *testing.T) {
	tests := []struct {
		name string
		// ctx returns the context to wait on; the cancel it returns, if
		// any, is called by another task after 5ms.
		ctx     func(ctx context.Context) (context.Context, context.CancelFunc)
		want    error
		elapsed time.Duration
	}{
		{"cancelled by another task (context.WithCancel)", func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithCancel(ctx)
		}, context.Canceled, 5 * time.Millisecond},
		{"cancelled by another task (sim.WithCancel)", sim.WithCancel, context.Canceled, 5 * time.Millisecond},
		{"a timeout of the simulation", func(ctx context.Context) (context.Context, context.CancelFunc) {
			c, _ := sim.WithTimeout(ctx, 3*time.Millisecond)
			return c, nil
		}, context.DeadlineExceeded, 3 * time.Millisecond},
		{"done already", func(ctx context.Context) (context.Context, context.CancelFunc) {
			c, cancel := context.WithCancel(ctx)
			cancel()
			return c, nil
		}, context.Canceled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run(t, 1, func(ctx context.Context, e env.Env) error {
				wctx, cancel := tt.ctx(ctx)
				if cancel != nil {
					e.Go("canceller", func(ctx context.Context) {
						if e.Clock().Sleep(ctx, 5*time.Millisecond) == nil {
							cancel()
						}
					})
				}
				start := e.Clock().Monotonic()
				if err := env.WaitDone(wctx, e); !errors.Is(err, tt.want) {
					return errors.New("WaitDone = " + errString(err) + ", want " + tt.want.Error())
				}
				if d := e.Clock().Monotonic() - start; d != tt.elapsed {
					return errors.New("WaitDone returned after " + d.String() + ", want " + tt.elapsed.String())
				}
				return nil
			})
		})
	}
}

// A process that waits on a context never done does not hold the run:
// once the workloads are done the run ends, at the time they ended.
func TestWaitDoneOnAContextNeverDone(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1, LogFilter: "off"})
	w.SpawnDaemon("srv/main", func(ctx context.Context) {
		simenv.Runtime{}.WaitDone(context.WithoutCancel(ctx))
	})
	w.Spawn("client/main", func(ctx context.Context) { sim.Sleep(ctx, time.Second) })
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if w.Now() != time.Second {
		t.Errorf("the run ended at %v, want 1s when the workload returned", w.Now())
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// A server's main task waits for its shutdown; here its context times out
// after two seconds of logical time.
func ExampleRuntime_WaitDone() {
	w := sim.New(sim.Config{Seed: 1, LogFilter: "off"})
	w.Spawn("srv/main", func(ctx context.Context) {
		ctx, cancel := sim.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		err := simenv.Runtime{}.WaitDone(ctx)
		fmt.Println(err, "at", w.Now())
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output: context deadline exceeded at 2s
}
