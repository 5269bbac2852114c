package sim_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

func TestSleepAdvancesTime(t *testing.T) {
	tests := []struct {
		name   string
		sleeps []time.Duration
		want   time.Duration // the time after all sleeps
	}{
		{"one nanosecond", []time.Duration{time.Nanosecond}, time.Nanosecond},
		{"a millisecond then a second", []time.Duration{time.Millisecond, time.Second}, 1001 * time.Millisecond},
		{"zero", []time.Duration{0, 0, 0}, 0},
		{"negative", []time.Duration{time.Second, -time.Hour, -1}, time.Second},
		{"just under MaxTime", []time.Duration{59 * time.Minute, 59*time.Second + 999*time.Millisecond}, time.Hour - time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := runSeed(t, 1, func(w *sim.World) {
				w.Spawn("sleeper", func(ctx context.Context) {
					want := time.Duration(0)
					for _, d := range tt.sleeps {
						if err := sim.Sleep(ctx, d); err != nil {
							t.Errorf("Sleep(%v): %v", d, err)
						}
						want += max(d, 0)
						if w.Now() != want {
							t.Errorf("after Sleep(%v) now is %v, want %v", d, w.Now(), want)
						}
					}
				})
			})
			if w.Now() != tt.want {
				t.Errorf("run ended at %v, want %v", w.Now(), tt.want)
			}
		})
	}
}

func TestSleepZeroLetsOthersRun(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		for _, seed := range testSeeds {
			runSeed(t, seed, func(w *sim.World) {
				ran := false
				w.Spawn("sleeper", func(ctx context.Context) {
					sim.Sleep(ctx, d)
					if !ran || w.Now() != 0 {
						t.Errorf("seed %d: Sleep(%v) returned at %v before the other runnable task ran", seed, d, w.Now())
					}
				})
				w.Spawn("other", func(ctx context.Context) { ran = true })
			})
		}
	}
}

func TestSleepCancelled(t *testing.T) {
	runSeed(t, 0, func(w *sim.World) {
		w.Spawn("sleeper", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			cctx, cancel := sim.WithCancel(ctx)
			cancel()
			if err := sim.Sleep(cctx, time.Hour); !errors.Is(err, context.Canceled) || w.Now() != time.Second {
				t.Errorf("Sleep with a done context = %v at %v; want context.Canceled at once", err, w.Now())
			}
			tctx, tcancel := sim.WithTimeout(ctx, 250*time.Millisecond)
			defer tcancel()
			if err := sim.Sleep(tctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) || w.Now() != 1250*time.Millisecond {
				t.Errorf("Sleep past a deadline = %v at %v; want DeadlineExceeded at 1.25s", err, w.Now())
			}
		})
	})
}

// timerStep is one step of a timer test: at a logical time, an action on
// the timer and what it must return.
type timerStep struct {
	at     time.Duration
	action string // "stop", "reset" or "recv"
	d      time.Duration
	want   bool          // what Stop or Reset returns
	fired  time.Duration // for recv: the value received, -1 for none
}

func TestTimer(t *testing.T) {
	tests := []struct {
		name  string
		d     time.Duration
		steps []timerStep
		end   time.Duration // when the run must end: the last event
	}{
		{"fires", 2 * time.Second, []timerStep{{at: 0, action: "recv", fired: 2 * time.Second}}, 2 * time.Second},
		{"zero fires at once", 0, []timerStep{{action: "recv", fired: 0}}, 0},
		{"negative fires at once", -time.Second, []timerStep{{action: "recv", fired: 0}}, 0},
		{"stop before firing", 2 * time.Second, []timerStep{
			{at: time.Second, action: "stop", want: true},
			{at: time.Second, action: "stop", want: false},
			{at: time.Second, action: "recv", fired: -1},
		}, time.Second},
		{"stop after firing", time.Second, []timerStep{
			{at: 2 * time.Second, action: "stop", want: false},
			{at: 2 * time.Second, action: "recv", fired: time.Second},
		}, 2 * time.Second},
		{"reset while active", 2 * time.Second, []timerStep{
			{at: time.Second, action: "reset", d: 5 * time.Second, want: true},
			{at: time.Second, action: "recv", fired: 6 * time.Second},
		}, 6 * time.Second},
		{"reset after firing", time.Second, []timerStep{
			{at: time.Second, action: "recv", fired: time.Second},
			{at: 3 * time.Second, action: "reset", d: time.Second, want: false},
			{at: 3 * time.Second, action: "recv", fired: 4 * time.Second},
		}, 4 * time.Second},
		{"reset after stop", 2 * time.Second, []timerStep{
			{at: time.Second, action: "stop", want: true},
			{at: time.Second, action: "reset", d: time.Second, want: false},
			{at: time.Second, action: "recv", fired: 2 * time.Second},
		}, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := runSeed(t, 1, func(w *sim.World) {
				w.Spawn("user", func(ctx context.Context) { timerSteps(t, ctx, w, sim.NewTimer(ctx, tt.d), tt.steps) })
			})
			if w.Now() != tt.end {
				t.Errorf("run ended at %v, want %v", w.Now(), tt.end)
			}
		})
	}
}

func timerSteps(t *testing.T, ctx context.Context, w *sim.World, tm *sim.Timer, steps []timerStep) {
	for i, s := range steps {
		sim.Sleep(ctx, s.at-w.Now())
		switch s.action {
		case "stop":
			if got := tm.Stop(); got != s.want {
				t.Errorf("step %d: Stop at %v = %v, want %v", i, w.Now(), got, s.want)
			}
		case "reset":
			if got := tm.Reset(s.d); got != s.want {
				t.Errorf("step %d: Reset at %v = %v, want %v", i, w.Now(), got, s.want)
			}
		case "recv":
			if s.fired < 0 {
				if v, _, got := tm.C.TryRecv(); got {
					t.Errorf("step %d: the timer fired with %v", i, v)
				}
				continue
			}
			v, _, err := tm.C.Recv(ctx)
			if err != nil || v != s.fired || w.Now() != max(s.fired, s.at) {
				t.Errorf("step %d: received %v, %v at %v; want %v at %v", i, v, err, w.Now(), s.fired, max(s.fired, s.at))
			}
		}
	}
}

func TestTimerOutsideTask(t *testing.T) {
	var got time.Duration
	w := runSeed(t, 1, func(w *sim.World) {
		tm := sim.NewTimer(w.Context(), 3*time.Second)
		w.Spawn("receiver", func(ctx context.Context) { got, _, _ = tm.C.Recv(ctx) })
	})
	if got != 3*time.Second || w.Now() != 3*time.Second {
		t.Errorf("a timer made during setup fired with %v, run ended at %v; want 3s", got, w.Now())
	}
}

func TestAfter(t *testing.T) {
	runSeed(t, 1, func(w *sim.World) {
		w.Spawn("waiter", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			c := sim.After(ctx, 1500*time.Millisecond)
			if c.Cap() != 1 {
				t.Errorf("After's channel has room for %d values, want 1", c.Cap())
			}
			if v, ok, err := c.Recv(ctx); v != 2500*time.Millisecond || !ok || err != nil || w.Now() != v {
				t.Errorf("After(1.5s) at 1s gave %v, %v, %v at %v; want 2.5s", v, ok, err, w.Now())
			}
		})
	})
}

func TestTicker(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name   string
		period time.Duration
		pause  time.Duration // between receives
		want   []time.Duration
	}{
		{"receiver keeps up", time.Second, 0, []time.Duration{1000 * ms, 2000 * ms, 3000 * ms, 4000 * ms}},
		// The channel keeps the oldest undelivered tick and drops the rest:
		// at 3.5s the receiver finds 2s (3s was dropped), at 6s it finds 4s.
		{"slow receiver drops ticks", time.Second, 2500 * ms, []time.Duration{1000 * ms, 2000 * ms, 4000 * ms, 6000 * ms}},
		{"very slow receiver", 100 * ms, 10 * time.Second, []time.Duration{100 * ms, 200 * ms, 10100 * ms, 20100 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []time.Duration
			var returned time.Duration
			w := runSeed(t, 1, func(w *sim.World) {
				w.Spawn("receiver", func(ctx context.Context) {
					tk := sim.NewTicker(ctx, tt.period)
					defer tk.Stop()
					for range tt.want {
						v, _, _ := tk.C.Recv(ctx)
						got = append(got, v)
						sim.Sleep(ctx, tt.pause)
					}
					returned = w.Now()
				})
			})
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ticks %v, want %v", got, tt.want)
			}
			if w.Now() != returned {
				t.Errorf("run ended at %v, its only task returned at %v: the stopped ticker kept it alive", w.Now(), returned)
			}
		})
	}
}

func TestTickerResetAndStop(t *testing.T) {
	var got []time.Duration
	w := runSeed(t, 1, func(w *sim.World) {
		w.Spawn("receiver", func(ctx context.Context) {
			tk := sim.NewTicker(ctx, time.Second)
			v, _, _ := tk.C.Recv(ctx)
			got = append(got, v)
			if !tk.Reset(300 * time.Millisecond) {
				t.Error("Reset of a running ticker returned false")
			}
			for range 3 {
				v, _, _ := tk.C.Recv(ctx)
				got = append(got, v)
			}
			if !tk.Stop() || tk.Stop() {
				t.Error("Stop of a running ticker must return true, then false")
			}
		})
	})
	want := "[1s 1.3s 1.6s 1.9s]"
	if fmt.Sprint(got) != want || w.Now() != 1900*time.Millisecond {
		t.Errorf("ticks %v, run ended at %v; want %s ending at 1.9s", got, w.Now(), want)
	}
	runSeed(t, 1, func(w *sim.World) {
		w.Spawn("misuse", func(ctx context.Context) {
			wantPanic(t, "non-positive period", func() { sim.NewTicker(ctx, 0) })
			tk := sim.NewTicker(ctx, time.Second)
			wantPanic(t, "non-positive period", func() { tk.Reset(-time.Second) })
		})
	})
}

// TestBugTimerKeepsFinishedRunAlive shows that a timer nobody waits for
// keeps a run alive after every workload returned: the losing sim.After of
// a Select, or a Ticker left running (which Go since 1.23 does not require
// stopping). When it is due after MaxTime, the run fails as a stall that
// says "workloads unfinished ... (0 non-daemon tasks left)".
func TestBugTimerKeepsFinishedRunAlive(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *sim.World)
	}{
		{"losing After in a select", func(w *sim.World) {
			ch := sim.NewChan[int](1)
			ch.TrySend(1)
			w.Spawn("selector", func(ctx context.Context) {
				sim.Select(ctx, ch.RecvCase(nil), sim.After(ctx, 2*time.Hour).RecvCase(nil))
			})
		}},
		{"ticker not stopped", func(w *sim.World) {
			w.Spawn("ticking", func(ctx context.Context) {
				tk := sim.NewTicker(ctx, time.Second)
				tk.C.Recv(ctx)
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := runSeed(t, 1, tt.setup)
			if w.Now() > time.Second {
				t.Errorf("run ended at %v, after its only workload returned", w.Now())
			}
		})
	}
}

// timerWorkload mixes sleeps, timers that are stopped and reset, tickers
// and After in selects.
func timerWorkload(w *sim.World) {
	for i := range 3 {
		w.Spawn(fmt.Sprint("user-", i), func(ctx context.Context) {
			tm := sim.NewTimer(ctx, w.Rand().Duration(0, 10*time.Millisecond))
			tk := sim.NewTicker(ctx, time.Duration(i+1)*time.Millisecond)
			defer tk.Stop()
			for range 5 {
				var fired time.Duration
				n, _ := sim.Select(ctx, tm.C.RecvCase(&fired), tk.C.RecvCase(nil),
					sim.After(ctx, w.Rand().Duration(0, 3*time.Millisecond)).RecvCase(nil))
				sim.Logger(ctx).Info("woke", "case", n)
				if w.Rand().Bool(0.3) {
					tm.Reset(w.Rand().Duration(0, 5*time.Millisecond))
				} else if w.Rand().Bool(0.3) {
					tm.Stop()
				}
				sim.Sleep(ctx, w.Rand().Duration(0, 3*time.Millisecond)-time.Millisecond) // sometimes negative
			}
			tm.Stop()
		})
	}
}

func TestTimerDeterminism(t *testing.T) { sameTraceTwice(t, timerWorkload) }

func TestAfterFuncAndTickFunc(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	var fired []time.Duration
	var ticks []time.Duration
	w.Spawn("main", func(ctx context.Context) {
		sim.AfterFunc(ctx, 3*time.Millisecond, func() { fired = append(fired, w.Now()) })
		stopped := sim.AfterFunc(ctx, time.Millisecond, func() { t.Error("stopped AfterFunc fired") })
		stopped.Stop()
		var tk *sim.Ticker
		tk = sim.TickFunc(ctx, 2*time.Millisecond, func() {
			ticks = append(ticks, w.Now())
			if len(ticks) == 3 {
				tk.Stop()
			}
		})
		_ = sim.Sleep(ctx, 20*time.Millisecond)
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if len(fired) != 1 || fired[0] != 3*time.Millisecond {
		t.Errorf("AfterFunc fired at %v, want [3ms]", fired)
	}
	want := []time.Duration{2 * time.Millisecond, 4 * time.Millisecond, 6 * time.Millisecond}
	if !slices.Equal(ticks, want) {
		t.Errorf("TickFunc ticked at %v, want %v", ticks, want)
	}
}

// TestManyCancelledTimers stops most of a thousand timers (enough to make
// the queue shed them in bulk) and checks the rest fire, in order, on time.
func TestManyCancelledTimers(t *testing.T) {
	w := sim.New(sim.Config{Seed: 9})
	var fired []time.Duration
	w.Spawn("main", func(ctx context.Context) {
		timers := make([]*sim.Timer, 1000)
		for i := range timers {
			d := time.Duration(i+1) * time.Millisecond
			timers[i] = sim.AfterFunc(ctx, d, func() { fired = append(fired, w.Now()) })
		}
		for i, tm := range timers {
			if i%10 != 0 {
				tm.Stop()
			}
		}
		_ = sim.Sleep(ctx, 2*time.Second)
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if len(fired) != 100 {
		t.Fatalf("%d timers fired, want 100", len(fired))
	}
	for i, at := range fired {
		if want := time.Duration(10*i+1) * time.Millisecond; at != want {
			t.Fatalf("timer %d fired at %v, want %v", i, at, want)
		}
	}
}

// TestTimerIsNotAHandler keeps the engine's event hooks out of Timer's API:
// code that holds a Timer cannot fire it by hand.
func TestTimerIsNotAHandler(t *testing.T) {
	if _, ok := any(&sim.Timer{}).(sim.Handler); ok {
		t.Error("*sim.Timer has HandleEvent and DescribeEvent, want them on an unexported adapter")
	}
}
