package sim

import (
	"context"
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
