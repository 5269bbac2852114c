package sim_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

func traceFault(name string) trace.Record {
	return trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: "Oops", Name: name}
}

// pausedHost spawns, on a host h paused at 500 ms for 2 s, a task that
// ticks by sleeping 1 s, and a task of no host that ticks every 300 ms.
// It returns the true times at which each ticked.
func pausedHost(t *testing.T, w *sim.World) (onHost, other *[]time.Duration) {
	t.Helper()
	h := sim.NewHost(w, "h", sim.NewHostClock(w, "h", 0, 0))
	onHost, other = new([]time.Duration), new([]time.Duration)
	task := w.Spawn("h/ticker", func(ctx context.Context) {
		for range 4 {
			sim.Sleep(ctx, time.Second)
			*onHost = append(*onHost, w.Now())
		}
	})
	task.SetHost(h)
	w.Spawn("other", func(ctx context.Context) {
		for range 10 {
			sim.Sleep(ctx, 300*time.Millisecond)
			*other = append(*other, w.Now())
		}
	})
	w.Spawn("pauser", func(ctx context.Context) {
		sim.Sleep(ctx, 500*time.Millisecond)
		if err := h.Pause(2 * time.Second); err != nil {
			t.Errorf("Pause: %v", err)
		}
		if err := h.Pause(time.Second); !errors.Is(err, sim.ErrPaused) {
			t.Errorf("second Pause = %v, want ErrPaused", err)
		}
	})
	return onHost, other
}

func TestHostPauseHoldsTasksNotOthers(t *testing.T) {
	var onHost, other *[]time.Duration
	runSeed(t, 1, func(w *sim.World) { onHost, other = pausedHost(t, w) })
	// The sleep due at 1 s ends at the resume, 2.5 s; the next ones count
	// from there.
	want := []time.Duration{2500 * time.Millisecond, 3500 * time.Millisecond, 4500 * time.Millisecond, 5500 * time.Millisecond}
	if !slices.Equal(*onHost, want) {
		t.Errorf("host task woke at %v, want %v", *onHost, want)
	}
	for i, at := range *other {
		if want := time.Duration(i+1) * 300 * time.Millisecond; at != want {
			t.Errorf("other task's tick %d at %v, want %v: it must go on during the pause", i, at, want)
		}
	}
}

func TestHostPauseHoldsTimersInOrder(t *testing.T) {
	var fired []string
	var at []time.Duration
	runSeed(t, 1, func(w *sim.World) {
		c := sim.NewHostClock(w, "h", 10*time.Millisecond, 300)
		h := sim.NewHost(w, "h", c)
		w.Spawn("setup", func(ctx context.Context) {
			for _, d := range []time.Duration{300, 100, 200} {
				name := (d * time.Millisecond).String()
				c.AfterFunc(ctx, d*time.Millisecond, func() { fired, at = append(fired, name), append(at, w.Now()) })
			}
			stopped := c.AfterFunc(ctx, 150*time.Millisecond, func() { fired = append(fired, "stopped") })
			h.Pause(time.Second)
			sim.Sleep(ctx, 500*time.Millisecond)
			if !stopped.Stop() {
				t.Error("Stop of a timer held by the pause = false, want true")
			}
			sim.Sleep(ctx, time.Second) // past the resume
		})
	})
	if want := []string{"100ms", "200ms", "300ms"}; !slices.Equal(fired, want) {
		t.Errorf("timers fired %v, want %v", fired, want)
	}
	for _, a := range at {
		if a != time.Second {
			t.Errorf("a held timer fired at %v, want the resume at 1s", a)
		}
	}
}

func TestHostPauseTakesEffectAtNextPark(t *testing.T) {
	var steps []time.Duration
	runSeed(t, 1, func(w *sim.World) {
		h := sim.NewHost(w, "h", nil)
		w.Spawn("self", func(ctx context.Context) {
			h.Pause(time.Second)
			steps = append(steps, w.Now()) // the slice goes on
			sim.Yield(ctx)                 // held until the resume
			steps = append(steps, w.Now())
			sim.Go(ctx, "child", func(ctx context.Context) { // the child inherits the host
				h.Pause(time.Second)
				steps = append(steps, w.Now())
			})
		}).SetHost(h)
	})
	want := []time.Duration{0, time.Second, time.Second}
	if !slices.Equal(steps, want) {
		t.Errorf("steps at %v, want %v", steps, want)
	}
}

func TestHostPauseAbortRunsAtOnce(t *testing.T) {
	var unwound time.Duration = -1
	runSeed(t, 1, func(w *sim.World) {
		h := sim.NewHost(w, "h", nil)
		victim := w.SpawnDaemon("h/victim", func(ctx context.Context) {
			defer func() { unwound = w.Now() }()
			sim.Sleep(ctx, time.Hour)
		})
		victim.SetHost(h)
		w.Spawn("killer", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			h.Pause(time.Minute)
			sim.Sleep(ctx, time.Second)
			victim.Cancel() // woken, held
			sim.Sleep(ctx, time.Second)
			victim.Abort() // runs at once: a crash kills a paused process
			h.Resume()
			victim.Join(ctx)
		})
	})
	if unwound != 3*time.Second {
		t.Errorf("the aborted task unwound at %v, want 3s (while its host was paused)", unwound)
	}
}

func TestHostPauseStallReport(t *testing.T) {
	f := runFailure(t, sim.Config{Seed: 1, MaxTime: 10 * time.Second}, func(w *sim.World) {
		h := sim.NewHost(w, "h", nil)
		w.Spawn("h/work", func(ctx context.Context) {
			h.Pause(time.Hour)
			sim.Sleep(ctx, time.Second)
		}).SetHost(h)
	})
	if f.Kind != sim.FailStall {
		t.Fatalf("failure %v, want a stall (a task held by a pause is not deadlocked)", f)
	}
	if len(f.Parked) != 1 || !strings.Contains(f.Parked[0].Waiting, "host h paused since t=0.000000s until t=3600.000000s, woken from sleep") {
		t.Errorf("parked = %v, want the held task with its host's pause", f.Parked)
	}
}

// A workload waiting on a daemon of a paused host is not deadlocked: the
// daemon runs at the resume. Past MaxTime it is a stall that names both.
func TestHostPauseOfADaemonStalls(t *testing.T) {
	f := runFailure(t, sim.Config{Seed: 1, MaxTime: 10 * time.Second}, func(w *sim.World) {
		h := sim.NewHost(w, "h", nil)
		ch := sim.NewChan[int](0)
		w.SpawnDaemon("h/server", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			ch.Send(ctx, 1)
		}).SetHost(h)
		w.Spawn("client", func(ctx context.Context) {
			h.Pause(time.Hour)
			ch.Recv(ctx)
		})
	})
	if f.Kind != sim.FailStall || len(f.Parked) != 2 || !strings.Contains(f.Parked[0].Waiting, "host h paused") {
		t.Fatalf("failure %s, want a stall naming the held daemon", f.Report())
	}
}

func TestHostPauseRecordsAndDeterminism(t *testing.T) {
	run := func() (uint64, string, []sim.FaultCount) {
		var log bytes.Buffer
		w := sim.New(sim.Config{Seed: 7, Log: &log, LogFilter: "trace"})
		pausedHost(t, w)
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash(), log.String(), w.Faults()
	}
	h1, log1, faults := run()
	h2, log2, _ := run()
	if h1 != h2 || log1 != log2 {
		t.Errorf("same seed, different traces: %#x vs %#x", h1, h2)
	}
	for _, want := range []string{`Fault{host=0 Pause "h" for=2s}`, `Fault{host=0 Resume "h" after=2s}`, `resume} cause=`} {
		if !strings.Contains(log1, want) {
			t.Errorf("trace lacks %q:\n%s", want, log1)
		}
	}
	if want := []sim.FaultCount{{Name: "Pause", Count: 1}, {Name: "Resume", Count: 1}}; !slices.Equal(faults, want) {
		t.Errorf("faults %v, want %v", faults, want)
	}
}

// The engine's records of a host whose clock is skewed carry its reading
// (clock=): the events its tasks schedule and the records they write. A
// host on true time, and the trace hash, are unchanged.
func TestHostRecordsCarryTheHostClock(t *testing.T) {
	run := func(trace bool) (string, uint64) {
		var log bytes.Buffer
		cfg := sim.Config{Seed: 1}
		if trace {
			cfg.Log, cfg.LogFilter = &log, "trace"
		}
		w := sim.New(cfg)
		skewed := sim.NewHost(w, "skewed", sim.NewHostClock(w, "skewed", 250*time.Millisecond, 0))
		exact := sim.NewHost(w, "exact", sim.NewHostClock(w, "exact", 0, 0))
		for _, h := range []*sim.Host{skewed, exact} {
			w.Spawn(h.Name()+"/main", func(ctx context.Context) {
				sim.Sleep(ctx, time.Second)
				w.Record("test", traceFault(h.Name()))
			}).SetHost(h)
		}
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return log.String(), w.TraceHash()
	}
	log, hash := run(true)
	if _, quiet := run(false); quiet != hash {
		t.Errorf("trace hash %#x with the trace written, %#x without", hash, quiet)
	}
	want := map[string]string{
		`Timer{task=1 "skewed/main"} cause=0 clock=1.250000000s`: "the skewed host's timer",
		`Fault{Oops "skewed"} clock=1.250000000s`:                "the skewed host's fault",
		`Timer{task=2 "exact/main"} cause=0` + "\n":              "the exact host's timer, without clock=",
		`Fault{Oops "exact"}` + "\n":                             "the exact host's fault, without clock=",
	}
	for line, what := range want {
		if !strings.Contains(log, line) {
			t.Errorf("%s: no %q in\n%s", what, line, log)
		}
	}
}
