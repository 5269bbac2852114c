package sim

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"
)

// A clock that has never drifted keeps no list of its waits; its first
// SetDrift finds every pending one (sleeps, timers, tickers, deadlines)
// in the event queue, and none that ended or belongs to another clock.
func TestHostClockTracksWaitsOnlyOnceDrifted(t *testing.T) {
	w := New(Config{Seed: 1})
	c := NewHostClock(w, "h", 10*time.Millisecond, 0)
	other := NewHostClock(w, "other", 0, 0)
	var tracked, adopted int
	w.Spawn("waits", func(ctx context.Context) {
		for i := range 5 {
			Go(ctx, "sleeper", func(ctx context.Context) { c.Sleep(ctx, time.Duration(i+1)*time.Second) })
		}
		c.AfterFunc(ctx, time.Second, func() {})
		c.AfterFunc(ctx, 10*time.Millisecond, func() {}) // ended before the drift
		c.AfterFunc(ctx, time.Second, func() {}).Stop()  // stopped
		tk := c.TickFunc(ctx, 300*time.Millisecond, func() {})
		defer tk.Stop()
		tctx, cancel := c.WithTimeout(ctx, time.Minute)
		defer cancel()
		other.AfterFunc(ctx, time.Second, func() {})
		Sleep(ctx, 100*time.Millisecond)
		tracked = len(c.waits)
		c.SetDrift(1000)
		adopted = len(c.waits)
		Sleep(tctx, 10*time.Second)
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if tracked != 0 {
		t.Errorf("a clock that never drifted tracked %d waits, want none", tracked)
	}
	if want := 5 + 1 + 1 + 1; adopted != want { // sleeps, the timer, the ticker, the deadline
		t.Errorf("SetDrift adopted %d waits, want %d", adopted, want)
	}
}

// The first SetDrift of a clock retimes its waits in the order they were
// armed, as a clock that tracked them from the start does: the same
// trace.
func TestHostClockAdoptionKeepsTrace(t *testing.T) {
	run := func(trackFromStart bool) uint64 {
		w := New(Config{Seed: 3})
		c := NewHostClock(w, "h", 0, 0)
		c.tracked = trackFromStart
		for i := range 20 {
			w.Spawn("s", func(ctx context.Context) {
				c.Sleep(ctx, time.Duration(20-i)*100*time.Millisecond)
				c.AfterFunc(ctx, time.Duration(i)*10*time.Millisecond, func() {})
				Sleep(ctx, time.Second)
			})
		}
		w.Spawn("drift", func(ctx context.Context) {
			Sleep(ctx, 50*time.Millisecond)
			c.SetDrift(-20_000)
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash()
	}
	if a, b := run(false), run(true); a != b {
		t.Errorf("trace hash %#x adopting the waits, %#x tracking them from the start", a, b)
	}
}

// BenchmarkHostClockWake is BenchmarkTimerWake with every task sleeping on
// a host clock (and a timer armed and stopped on it each time, as a
// WithTimeout does), which has never drifted and keeps no list of its
// waits, or (tracked) keeps it as a drifting clock does. One op is one
// wake.
func BenchmarkHostClockWake(b *testing.B) {
	for _, tracked := range []bool{false, true} {
		b.Run(fmt.Sprintf("tracked=%v", tracked), func(b *testing.B) {
			w := New(Config{Seed: 1})
			c := NewHostClock(w, "h", 0, 0)
			c.tracked = tracked
			left := b.N
			for range 100 {
				w.Spawn("sleeper", func(ctx context.Context) {
					r := w.Rand()
					for left > 0 {
						left--
						tm := c.AfterFunc(ctx, time.Second, func() {})
						c.Sleep(ctx, r.Duration(time.Microsecond, time.Millisecond))
						tm.Stop()
					}
				})
			}
			b.ResetTimer()
			if err := w.Run(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// TestEpochPlus: epochPlus is Epoch.Add to the bit, for durations of
// either sign, whole seconds or not, and the extremes.
func TestEpochPlus(t *testing.T) {
	tests := []time.Duration{0, 1, -1, time.Second, -time.Second, time.Second - 1, -time.Second + 1,
		1500 * time.Millisecond, -1500 * time.Millisecond, 90 * time.Hour, -90 * time.Hour,
		1<<62 + 12345, -1<<62 - 12345, math.MaxInt64, math.MinInt64}
	for _, d := range tests {
		if got, want := epochPlus(d), Epoch.Add(d); got != want {
			t.Errorf("epochPlus(%d) = %#v, want Epoch.Add's %#v", d, got, want)
		}
	}
}
