package sim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// hostWaits are the ways to wait on a host clock, each returning the true
// time at which the wait for d ended.
var hostWaits = []struct {
	name string
	wait func(ctx context.Context, w *sim.World, c *sim.HostClock, d time.Duration) time.Duration
}{
	{"Sleep", func(ctx context.Context, w *sim.World, c *sim.HostClock, d time.Duration) time.Duration {
		c.Sleep(ctx, d)
		return w.Now()
	}},
	{"AfterFunc", func(ctx context.Context, w *sim.World, c *sim.HostClock, d time.Duration) time.Duration {
		ch := sim.NewChan[time.Duration](1)
		c.AfterFunc(ctx, d, func() { ch.TrySend(w.Now()) })
		at, _, _ := ch.Recv(ctx)
		return at
	}},
	{"TickFunc", func(ctx context.Context, w *sim.World, c *sim.HostClock, d time.Duration) time.Duration {
		ch := sim.NewChan[time.Duration](1)
		tk := c.TickFunc(ctx, d, func() { ch.TrySend(w.Now()) })
		defer tk.Stop()
		at, _, _ := ch.Recv(ctx)
		return at
	}},
	{"WithTimeout", func(ctx context.Context, w *sim.World, c *sim.HostClock, d time.Duration) time.Duration {
		tctx, cancel := c.WithTimeout(ctx, d)
		defer cancel()
		sim.Sleep(tctx, time.Hour)
		return w.Now()
	}},
	{"WithDeadline", func(ctx context.Context, w *sim.World, c *sim.HostClock, d time.Duration) time.Duration {
		tctx, cancel := c.WithDeadline(ctx, c.Now().Add(d))
		defer cancel()
		sim.Sleep(tctx, time.Hour)
		return w.Now()
	}},
}

func TestHostClockFiresAtDriftedInstant(t *testing.T) {
	tests := []struct {
		name   string
		offset time.Duration
		ppm    int64
		d      time.Duration
		want   time.Duration // true time: the least t with t + floor(t*ppm/1e6) >= d
	}{
		{"no skew", 0, 0, time.Second, time.Second},
		{"offset only", 30 * time.Millisecond, 0, time.Second, time.Second},
		{"fast 1000ppm", 0, 1000, time.Second, 999_001_000},
		{"slow 1000ppm", -20 * time.Millisecond, -1000, time.Second, 1_001_001_002},
		{"fast 200ppm", 30 * time.Millisecond, 200, 500 * time.Millisecond, 499_900_020},
	}
	for _, tt := range tests {
		for _, hw := range hostWaits {
			t.Run(tt.name+"/"+hw.name, func(t *testing.T) {
				runSeed(t, 1, func(w *sim.World) {
					c := sim.NewHostClock(w, "h", tt.offset, tt.ppm)
					w.Spawn("waiter", func(ctx context.Context) {
						if got, want := c.Now(), sim.Epoch.Add(tt.offset); !got.Equal(want) {
							t.Errorf("Now at start = %v, want %v", got, want)
						}
						if got := hw.wait(ctx, w, c, tt.d); got != tt.want {
							t.Errorf("wait of %v ended at true %v, want %v", tt.d, got, tt.want)
						}
						if got := c.Mono() - tt.offset; got < tt.d {
							t.Errorf("clock counted %v at the end of a wait of %v", got, tt.d)
						}
					})
				})
			})
		}
	}
}

func TestHostClockTickerFollowsDrift(t *testing.T) {
	runSeed(t, 1, func(w *sim.World) {
		c := sim.NewHostClock(w, "h", 0, 250)
		w.Spawn("ticks", func(ctx context.Context) {
			ch := sim.NewChan[time.Duration](1)
			tk := c.TickFunc(ctx, time.Second, func() { ch.TrySend(w.Now()) })
			defer tk.Stop()
			for i := 1; i <= 5; i++ {
				at, _, _ := ch.Recv(ctx)
				if m := c.MonoAt(at); m < time.Duration(i)*time.Second {
					t.Errorf("tick %d at true %v: the clock read %v", i, at, m)
				}
				if at >= time.Duration(i)*time.Second {
					t.Errorf("tick %d of a fast clock at true %v, not before %ds", i, at, i)
				}
			}
		})
	})
}

func TestHostClockBackwardStepKeepsMonotonic(t *testing.T) {
	runSeed(t, 1, func(w *sim.World) {
		c := sim.NewHostClock(w, "h", 10*time.Millisecond, 100)
		w.Spawn("stepper", func(ctx context.Context) {
			sim.Sleep(ctx, 300*time.Millisecond)
			c.Step(-5 * time.Second)
		})
		w.Spawn("measurer", func(ctx context.Context) {
			start, wall := c.Mono(), c.Now()
			timerAt := sim.NewChan[time.Duration](1)
			c.AfterFunc(ctx, time.Second, func() { timerAt.TrySend(w.Now()) })
			prev := start
			for range 10 {
				c.Sleep(ctx, 100*time.Millisecond)
				if c.Mono() < prev || c.Mono()-start < 0 {
					t.Errorf("monotonic reading went from %v to %v", prev, c.Mono())
				}
				prev = c.Mono()
			}
			if got := c.Now().Sub(wall); got >= 0 {
				t.Errorf("wall clock after a 5s backward step moved %v, want negative", got)
			}
			if at, _, _ := timerAt.Recv(ctx); at != c.TrueAt(start+time.Second) {
				t.Errorf("timer armed before the step fired at %v, want %v", at, c.TrueAt(start+time.Second))
			}
		})
	})
}

func TestHostClockDriftChangeRetimesPendingWaits(t *testing.T) {
	tests := []struct {
		name string
		ppm  int64         // set at 0.5s of a 1s wait on a clock without drift
		want time.Duration // when the remaining 0.5s of the clock has passed
	}{
		{"halved", -500_000, 1500 * time.Millisecond},
		{"one and a half times", 500_000, 833_333_334},
		{"unchanged", 0, time.Second},
	}
	for _, tt := range tests {
		for _, hw := range hostWaits {
			t.Run(tt.name+"/"+hw.name, func(t *testing.T) {
				runSeed(t, 1, func(w *sim.World) {
					c := sim.NewHostClock(w, "h", 0, 0)
					w.Spawn("changer", func(ctx context.Context) {
						sim.Sleep(ctx, 500*time.Millisecond)
						c.SetDrift(tt.ppm)
					})
					w.Spawn("waiter", func(ctx context.Context) {
						if got := hw.wait(ctx, w, c, time.Second); got != tt.want {
							t.Errorf("wait of 1s ended at true %v, want %v", got, tt.want)
						}
					})
				})
			})
		}
	}
}

func TestHostClockDeadlineReportsHostTime(t *testing.T) {
	runSeed(t, 1, func(w *sim.World) {
		c := sim.NewHostClock(w, "h", time.Minute, 0)
		w.Spawn("d", func(ctx context.Context) {
			dl := c.Now().Add(time.Second)
			dctx, cancel := c.WithDeadline(ctx, dl)
			defer cancel()
			if got, _ := dctx.Deadline(); !got.Equal(dl) {
				t.Errorf("Deadline() = %v, want the host's %v", got, dl)
			}
			// A later deadline below it does not outlive it.
			inner, cancel2 := c.WithTimeout(dctx, time.Hour)
			defer cancel2()
			sim.Sleep(inner, time.Hour)
			if w.Now() != time.Second {
				t.Errorf("inner context expired at %v, want 1s", w.Now())
			}
		})
	})
}

// A clock without skew schedules exactly as the World's own primitives, so
// that simulations without skew keep their traces.
func TestHostClockWithoutSkewKeepsTrace(t *testing.T) {
	run := func(hostClock bool) uint64 {
		w := sim.New(sim.Config{Seed: 7})
		c := sim.NewHostClock(w, "h", 0, 0)
		w.Spawn("a", func(ctx context.Context) {
			if hostClock {
				c.Sleep(ctx, 300*time.Millisecond)
				tctx, cancel := c.WithTimeout(ctx, time.Second)
				defer cancel()
				sim.Sleep(tctx, time.Hour)
				tk := c.TickFunc(ctx, 100*time.Millisecond, func() {})
				sim.Sleep(ctx, time.Second)
				tk.Stop()
				return
			}
			sim.Sleep(ctx, 300*time.Millisecond)
			tctx, cancel := sim.WithTimeout(ctx, time.Second)
			defer cancel()
			sim.Sleep(tctx, time.Hour)
			tk := sim.TickFunc(ctx, 100*time.Millisecond, func() {})
			sim.Sleep(ctx, time.Second)
			tk.Stop()
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash()
	}
	if a, b := run(false), run(true); a != b {
		t.Errorf("trace hash with an unskewed host clock %x, with the World's time %x", b, a)
	}
}

func TestHostClockFaultsAreTraced(t *testing.T) {
	var tr strings.Builder
	w := sim.New(sim.Config{Seed: 1, Trace: &tr})
	c := sim.NewHostClock(w, "db-1", 0, 0)
	w.Spawn("faulter", func(ctx context.Context) {
		sim.Sleep(ctx, time.Second)
		c.Step(-2 * time.Second)
		c.SetDrift(300)
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"op":"ClockStep"`, `step=-2s clock=-1.000000000s`,
		`"op":"ClockDrift"`, `ppm=300 clock=-1.000000000s`, `"name":"db-1"`,
	} {
		if !strings.Contains(tr.String(), want) {
			t.Errorf("trace lacks %s:\n%s", want, tr.String())
		}
	}
	faults := map[string]int{}
	for _, f := range w.Faults() {
		faults[f.Name] = f.Count
	}
	if faults["ClockStep"] != 1 || faults["ClockDrift"] != 1 {
		t.Errorf("fault counts %v, want one ClockStep and one ClockDrift", w.Faults())
	}
}
