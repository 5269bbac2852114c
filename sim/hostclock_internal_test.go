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

// TestWithTimeoutAsSlowTimeout checks that WithTimeout's short paths, on
// the World's clock and on a host's that does not drift, give the context
// the general path gives: the same Deadline, error, true deadline, the
// same wait in the deadline heap and on the clock's list, at every kind
// of clock (an offset, a step back or ahead, a clock that drifted and no
// longer does, readings near the end of a Duration) and of timeout (none,
// negative, beyond a Duration).
func TestWithTimeoutAsSlowTimeout(t *testing.T) {
	clocks := []struct {
		name  string
		clock func(w *World) *HostClock // nil: the World's clock
	}{
		{"world", func(*World) *HostClock { return nil }},
		{"true time", func(w *World) *HostClock { return NewHostClock(w, "h", 0, 0) }},
		{"offset", func(w *World) *HostClock { return NewHostClock(w, "h", 3*time.Hour, 0) }},
		{"negative offset", func(w *World) *HostClock { return NewHostClock(w, "h", -time.Hour, 0) }},
		{"stepped back", func(w *World) *HostClock {
			c := NewHostClock(w, "h", time.Second, 0)
			c.Step(-time.Minute)
			return c
		}},
		{"stepped ahead", func(w *World) *HostClock {
			c := NewHostClock(w, "h", 0, 0)
			c.Step(time.Hour)
			return c
		}},
		{"drifted once", func(w *World) *HostClock {
			c := NewHostClock(w, "h", time.Millisecond, 250)
			c.SetDrift(0)
			return c
		}},
		{"drifting", func(w *World) *HostClock { return NewHostClock(w, "h", 0, -300) }},
		{"reading near the end", func(w *World) *HostClock { return NewHostClock(w, "h", math.MaxInt64-2*time.Hour, 0) }},
		{"wall near the end", func(w *World) *HostClock {
			c := NewHostClock(w, "h", 0, 0)
			c.Step(math.MaxInt64 - 2*time.Hour)
			return c
		}},
		{"wall beyond the end", func(w *World) *HostClock {
			c := NewHostClock(w, "h", time.Hour, 0)
			c.Step(math.MaxInt64 - time.Minute)
			return c
		}},
		{"true time near the end", func(w *World) *HostClock { return NewHostClock(w, "h", math.MinInt64/2, 0) }},
	}
	timeouts := []time.Duration{1, time.Second, 3 * time.Hour, 0, -time.Second, math.MaxInt64, math.MaxInt64 - time.Second}
	for _, tc := range clocks {
		for _, d := range timeouts {
			t.Run(fmt.Sprintf("%s/%d", tc.name, d), func(t *testing.T) {
				w := New(Config{})
				c := tc.clock(w)
				w.Spawn("requester", func(ctx context.Context) {
					Sleep(ctx, time.Second)
					quick, qcancel := WithTimeout(ctx, d)
					slow, scancel := slowTimeout(ctx, d)
					if c != nil {
						quick, qcancel = c.WithTimeout(ctx, d)
						slow, scancel = c.slowTimeout(ctx, d)
					}
					sameTimeout(t, quick.(*simCtx), slow.(*simCtx), c)
					qcancel()
					scancel()
				})
				if err := w.Run(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// sameTimeout reports where two contexts made at the same instant with the
// same timeout differ.
func sameTimeout(t *testing.T, quick, slow *simCtx, c *HostClock) {
	t.Helper()
	qd, qok := quick.Deadline()
	sd, sok := slow.Deadline()
	if qd != sd || qok != sok || quick.Err() != slow.Err() || quick.deadline != slow.deadline || quick.bits != slow.bits {
		t.Errorf("quick: %v %v %v at %d bits %b; general: %v %v %v at %d bits %b",
			qd, qok, quick.Err(), quick.deadline, quick.bits, sd, sok, slow.Err(), slow.deadline, slow.bits)
	}
	if (quick.dl == 0) != (slow.dl == 0) {
		t.Fatalf("pending deadlines: quick %v, general %v", quick.dl != 0, slow.dl != 0)
	}
	if quick.dl != 0 {
		qk, sk := quick.w.deadlines.keys[quick.dl-1], slow.w.deadlines.keys[slow.dl-1]
		if qk.at != sk.at || qk.clock != sk.clock || qk.due != sk.due || qk.seq+1 != sk.seq {
			t.Errorf("deadline keys: quick %+v, general %+v", qk, sk)
		}
	}
	if c != nil && len(c.waits) > 0 {
		var qw, sw int
		for _, cw := range c.waits {
			if cw.ctx == quick {
				qw++
			}
			if cw.ctx == slow {
				sw++
			}
		}
		if qw != sw {
			t.Errorf("waits on the clock's list: quick %d, general %d", qw, sw)
		}
	}
}

// TestTrueAtFarAhead: TrueAt ends and answers right for readings up to
// the end of a Duration, on clocks that drift either way or not at all,
// ahead of or behind true time; where the time is beyond a Duration, or
// within a second of its end, the answer is math.MaxInt64 (never). Its
// search once ran for ever on a slow clock asked for a reading near the
// end (a timeout of math.MaxInt64).
func TestTrueAtFarAhead(t *testing.T) {
	readings := []time.Duration{time.Second, 3 * time.Hour, math.MaxInt64 / 2, math.MaxInt64 - time.Hour, math.MaxInt64 - time.Second, math.MaxInt64}
	for _, ppm := range []int64{0, -300, 300, -MaxDriftPPM, MaxDriftPPM} {
		for _, offset := range []time.Duration{0, time.Hour, -time.Hour, math.MinInt64 / 2} {
			w := New(Config{})
			w.now = time.Minute
			c := NewHostClock(w, "h", offset, ppm)
			for _, ahead := range readings {
				m := c.Mono() + ahead
				if m < c.Mono() {
					m = math.MaxInt64
				}
				at := c.TrueAt(m)
				if at == math.MaxInt64 {
					if ahead <= math.MaxInt64/4 { // at most twice as far in true time
						t.Errorf("ppm %d offset %v: TrueAt(%d) = never, %v ahead", ppm, offset, m, ahead)
					}
					continue
				}
				if at < w.now || c.MonoAt(at) < m || (at > w.now && c.MonoAt(at-1) >= m) {
					t.Errorf("ppm %d offset %v: TrueAt(%d) = %d, reading %d there and %d a nanosecond before",
						ppm, offset, m, at, c.MonoAt(at), c.MonoAt(at-1))
				}
			}
		}
	}
}
