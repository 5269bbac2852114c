package sim

import (
	"context"
	"testing"
	"time"
)

// TestTimerEventAsScheduled checks that a Timer queues, by its own path,
// the event Schedule would queue for it: the same time, cause, task, id,
// op and liveness, on true time and on host clocks with and without
// drift, from a task and from an event handler.
func TestTimerEventAsScheduled(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ppm     int64 // the host clock's drift; no clock when noClock
		noClock bool
		d       time.Duration
		handler bool // armed from an event handler, not a task
		other   bool // made by one task, re-armed by another
	}{
		{name: "true time", noClock: true, d: 7 * time.Millisecond},
		{name: "true time zero", noClock: true},
		{name: "clock", d: 3 * time.Second},
		{name: "fast clock", ppm: 250_000, d: 1234567 * time.Nanosecond},
		{name: "slow clock", ppm: -400_000, d: time.Second + 3},
		{name: "slow clock zero", ppm: -400_000},
		{name: "handler", noClock: true, d: time.Second, handler: true},
		{name: "other task", d: time.Second, other: true},
		{name: "other task true time", noClock: true, d: time.Second, other: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := New(Config{Seed: 1})
			var c *HostClock
			if !tc.noClock {
				c = NewHostClock(w, "h", 5*time.Second, tc.ppm)
			}
			var tm *Timer
			arm := func(ctx context.Context) {
				if c != nil {
					tm = c.AfterFunc(ctx, tc.d, func() {})
				} else {
					tm = AfterFunc(ctx, tc.d, func() {})
				}
			}
			check := func(ctx context.Context) {
				if tm == nil {
					arm(ctx)
				}
				tm.Reset(tc.d) // the re-arm path
				got := w.queue.slab[tm.ref.slot]
				d := tc.d
				if c != nil {
					d = c.delay(d)
				}
				var id uint64
				if tm.by != nil {
					id = uint64(tm.by.id)
				}
				ref := w.Schedule(d, OpTimer, id, 0, (*timerEvent)(tm))
				want := w.queue.slab[ref.slot]
				w.Cancel(ref)
				if got.Seq+1 != want.Seq || got.At != want.At || got.Cause != want.Cause ||
					got.By != want.By || got.ID != want.ID || got.Arg != want.Arg ||
					got.Op != want.Op || got.live != want.live || got.dead || got.h != want.h {
					t.Errorf("timer event %+v, Schedule's %+v", got, want)
				}
				if c != nil && tm.due != c.Mono()+tc.d {
					t.Errorf("due %v, want %v", tm.due, c.Mono()+tc.d)
				}
				tm.Stop()
			}
			if tc.other {
				w.Spawn("maker", func(ctx context.Context) {
					arm(ctx)
					tm.Stop()
				})
			}
			w.Spawn("arm", func(ctx context.Context) {
				if err := Sleep(ctx, 1500*time.Millisecond); err != nil {
					t.Error(err)
				}
				if tc.handler {
					AfterFunc(ctx, time.Millisecond, func() { check(w.Context()) })
					Sleep(ctx, time.Second)
					return
				}
				check(ctx)
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
