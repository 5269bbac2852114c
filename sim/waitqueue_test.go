package sim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

func TestWaitQueue(t *testing.T) {
	var q sim.WaitQueue
	if q.WakeOne() || q.WakeAll() != 0 || q.Len() != 0 {
		t.Fatal("an empty queue woke someone")
	}
	var order []int
	runSeed(t, 7, func(w *sim.World) {
		for i := range 4 {
			w.Spawn(fmt.Sprint("waiter-", i), func(ctx context.Context) {
				sim.Sleep(ctx, time.Duration(i)*time.Millisecond)
				if err := q.Wait(ctx, "test"); err != nil {
					t.Errorf("Wait: %v", err)
				}
				order = append(order, i)
			})
		}
		w.Spawn("waker", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			if q.Len() != 4 {
				t.Errorf("Len = %d, want 4", q.Len())
			}
			if !q.WakeOne() || q.Len() != 3 {
				t.Errorf("WakeOne left %d waiting, want 3", q.Len())
			}
			sim.Sleep(ctx, time.Second)
			if n := q.WakeAll(); n != 3 || q.Len() != 0 {
				t.Errorf("WakeAll woke %d, left %d; want 3 and 0", n, q.Len())
			}
		})
	})
	if order[0] != 0 || len(order) != 4 {
		t.Errorf("woken in order %v; want waiter 0 first, then the rest", order)
	}
}

// TestWaitTask: WaitQueue.WaitTask, the wait on the running task's own
// context, ends as Wait does: woken, the context cancelled (before or
// during the wait), or the task aborted (the call unwinds the task: it
// never returns); the queue is left empty.
func TestWaitTask(t *testing.T) {
	unwound := errors.New("did not return")
	tests := []struct {
		name string
		end  func(ctx context.Context, q *sim.WaitQueue, waiter *sim.Task)
		want error
		at   time.Duration
	}{
		{"woken", func(_ context.Context, q *sim.WaitQueue, _ *sim.Task) { q.WakeAll() }, nil, time.Second},
		{"cancelled", func(_ context.Context, _ *sim.WaitQueue, w *sim.Task) { w.Cancel() }, context.Canceled, time.Second},
		{"aborted", func(_ context.Context, _ *sim.WaitQueue, w *sim.Task) { w.Abort() }, unwound, time.Second},
		{"cancelled before", nil, context.Canceled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q sim.WaitQueue
			err := unwound
			at := time.Duration(-1)
			runSeed(t, 1, func(w *sim.World) {
				waiter := w.Spawn("waiter", func(ctx context.Context) {
					defer func() { at = w.Now() }()
					err = q.WaitTask(w.Current(), "test")
				})
				if tt.end == nil {
					waiter.Cancel()
					return
				}
				w.Spawn("ender", func(ctx context.Context) {
					sim.Sleep(ctx, time.Second)
					tt.end(ctx, &q, waiter)
				})
			})
			if !errors.Is(err, tt.want) || at != tt.at || q.Len() != 0 {
				t.Errorf("WaitTask = %v at %v, %d left waiting; want %v at %v, none left", err, at, q.Len(), tt.want, tt.at)
			}
		})
	}
}

// TestWaitTaskOfAnotherTask: waiting for a task that is not the running one
// is a bug of the caller, reported as a panic of the running task.
func TestWaitTaskOfAnotherTask(t *testing.T) {
	wantFailure(t, func(w *sim.World) {
		var q sim.WaitQueue
		other := w.Spawn("other", func(ctx context.Context) { sim.Sleep(ctx, time.Second) })
		w.Spawn("caller", func(ctx context.Context) { q.WaitTask(other, "test") })
	}, sim.FailPanic, "caller", "suspended while not running")
}
