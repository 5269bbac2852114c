package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestParkedTasksRunTheLoop checks that in Run the loop runs on the
// goroutine of a parked task that a task's loop resumed, not only on Run's
// and on those of the tasks Run's goroutine resumed: a task that the loop
// picks again right after it parked goes on without a switch, wherever it
// was resumed from. It records, at each check of an invariant (which runs
// in the loop, between events), whose goroutine runs the loop; and that no
// more than maxDriving tasks ever run it one on top of the other.
func TestParkedTasksRunTheLoop(t *testing.T) {
	for _, watchdog := range []time.Duration{-1, time.Minute} {
		w := New(Config{Seed: 7, Watchdog: watchdog})
		var nested, depth int
		w.AddInvariant("where the loop runs", func() error {
			depth = max(depth, w.driving)
			g := getg()
			for _, tk := range w.tasks {
				if tk.g == g && tk.driving && !tk.top {
					nested++
				}
			}
			return nil
		})
		for i := range 20 {
			w.Spawn("sleeper", func(ctx context.Context) {
				for j := range 10 {
					_ = Sleep(ctx, time.Duration(1+(i*7+j*3)%5)*time.Millisecond)
				}
			})
		}
		if err := w.Run(); err != nil {
			t.Fatalf("watchdog %v: %v", watchdog, err)
		}
		if nested == 0 {
			t.Errorf("watchdog %v: the loop never ran on a task resumed by a task's loop", watchdog)
		}
		if depth > maxDriving {
			t.Errorf("watchdog %v: %d tasks ran the loop one on top of the other, want at most %d", watchdog, depth, maxDriving)
		}
	}
}

// TestBlockedUnderDrivers checks that a task blocked outside the
// simulation while tasks are parked running the loop under it fails the
// run as blocked, names it, and that the run ends: the drivers under it,
// which it would give control back to, are never resumed nor stopped.
func TestBlockedUnderDrivers(t *testing.T) {
	w := New(Config{Seed: 3, Watchdog: 200 * time.Millisecond})
	raw := make(chan int)
	seen := make(chan [2]int, 1) // the depth and the stuck task's ID, read after Run
	var stuck bool
	for i := range 6 {
		w.Spawn("sleeper", func(ctx context.Context) {
			for j := 0; j < 1000; j++ {
				if !stuck && w.driving >= 2 {
					stuck = true
					seen <- [2]int{w.driving, i + 1} // its ID: tasks are numbered from 1 as spawned
					<-raw
				}
				if Sleep(ctx, time.Duration(1+i)*time.Millisecond) != nil {
					return
				}
			}
		})
	}
	err := w.Run()
	var got [2]int
	select {
	case got = <-seen:
	default:
		t.Fatalf("no task found two tasks running the loop under it; Run = %v", err)
	}
	var f *Failure
	if !errors.As(err, &f) || f.Kind != FailBlocked || int(f.Task) != got[1] {
		t.Fatalf("Run = %v, want task %d blocked with %d running the loop under it", err, got[1], got[0])
	}
}

// TestHandlerPanicUnderDrivers checks that a panic of an event handler
// processed by the loop on a parked task's goroutine, with others under
// it, fails the run as the engine's panic, not the task's, and that the
// run ends and every task unwinds.
func TestHandlerPanicUnderDrivers(t *testing.T) {
	w := New(Config{Seed: 5})
	var unwound int
	var depth int
	for i := range 6 {
		w.Spawn("sleeper", func(ctx context.Context) {
			defer func() { unwound++ }()
			for Sleep(ctx, time.Duration(1+i)*time.Millisecond) == nil {
			}
		})
	}
	w.Schedule(time.Millisecond, OpTimer, 0, 0, &panicker{w: w, depth: &depth})
	err := w.Run()
	var f *Failure
	if !errors.As(err, &f) || f.Kind != FailPanic || f.Task != 0 || !strings.Contains(f.Message, "boom") {
		t.Fatalf("Run = %v, want the engine's panic", err)
	}
	if depth < 2 {
		t.Errorf("%d tasks ran the loop when the handler panicked, want 2 or more", depth)
	}
	if unwound != 6 {
		t.Errorf("%d tasks unwound, want 6", unwound)
	}
}

// panicker is an event handler that panics once two tasks or more run
// the loop under the one that processes it, and queues itself again
// until then.
type panicker struct {
	w     *World
	depth *int
	tries int
}

func (p *panicker) HandleEvent(*Event) {
	if p.tries++; p.w.driving < 2 && p.tries < 1000 {
		p.w.Schedule(time.Millisecond, OpTimer, 0, 0, p)
		return
	}
	*p.depth = p.w.driving
	panic("boom")
}

func (*panicker) DescribeEvent(*Event) (string, string) { return "", "" }
