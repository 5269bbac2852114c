package sim_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// TestNoLogWritesNothing: the engine reads no ORRERY_LOG and writes to no
// standard error of its own; a World without Log prints nothing, whatever
// the environment says.
func TestNoLogWritesNothing(t *testing.T) {
	t.Setenv("ORRERY_LOG", "trace")
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stderr
	os.Stderr = f
	defer func() { os.Stderr = saved }()
	for _, filter := range []string{"", "trace"} {
		w := sim.New(sim.Config{Seed: 1, LogFilter: filter})
		w.Spawn("sleeper", func(ctx context.Context) { sim.Sleep(ctx, time.Second) })
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
	}
	os.Stderr = saved
	if b, _ := os.ReadFile(f.Name()); len(b) > 0 {
		t.Errorf("a World without Log wrote to standard error:\n%s", b)
	}
}

// TestBadLogFilterIsRefused: a LogFilter that does not parse is a Config
// that does not Validate, naming the field.
func TestBadLogFilterIsRefused(t *testing.T) {
	err := sim.Config{LogFilter: "loud"}.Validate()
	if err == nil || !strings.Contains(err.Error(), `LogFilter "loud"`) {
		t.Errorf("Validate: %v", err)
	}
}

// TestLogAttrKinds: a record with an attribute of every slog kind is
// written and hashed without a panic, and a changed value of any kind
// changes the trace hash.
func TestLogAttrKinds(t *testing.T) {
	attrs := func(n int) []any {
		return []any{"s", strings.Repeat("x", n), "i", n, "u", uint64(n), "f", float64(n),
			"b", n%2 == 0, "d", time.Duration(n) * time.Second, "t", sim.Epoch.Add(time.Duration(n)),
			"g", slog.Group("in", "n", n), "any", []int{n}}
	}
	hash := func(n int) uint64 {
		w := sim.New(sim.Config{Seed: 1})
		w.Spawn("logger", func(ctx context.Context) { sim.Logger(ctx).Info("kinds", attrs(n)...) })
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash()
	}
	if a, b := hash(1), hash(1); a != b {
		t.Errorf("the same record hashed %#x and %#x", a, b)
	}
	if a, b := hash(1), hash(2); a == b {
		t.Errorf("different records hashed the same, %#x", a)
	}
}

// TestDebugBuiltOnlyWhenShown: a record below Info is built (the handler
// is enabled for it) only when the text log or the JSON trace shows it or
// the World is Verbose; Info and above always are, as the trace hash
// covers them.
func TestDebugBuiltOnlyWhenShown(t *testing.T) {
	cases := []struct {
		name  string
		cfg   sim.Config
		debug bool
	}{
		{"nothing shown", sim.Config{}, false},
		{"log at info", sim.Config{Log: io.Discard, LogFilter: "info"}, false},
		{"log off", sim.Config{Log: io.Discard, LogFilter: "off"}, false},
		{"log at debug", sim.Config{Log: io.Discard, LogFilter: "debug"}, true},
		{"netsim at trace", sim.Config{Log: io.Discard, LogFilter: "netsim=trace,warn"}, true},
		{"json trace", sim.Config{Trace: io.Discard}, true},
		{"verbose", sim.Config{Verbose: true}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := sim.New(c.cfg)
			ctx := context.Background()
			if got := w.Logger().Enabled(ctx, slog.LevelDebug); got != c.debug {
				t.Errorf("debug enabled = %v, want %v", got, c.debug)
			}
			if !w.Logger().Enabled(ctx, slog.LevelInfo) {
				t.Error("info is not enabled")
			}
		})
	}
}

// TestTraceHashIgnoresLogLevel: the trace hash of a seed that logs at
// Debug is the same whatever level is in force, and the verbose hash of
// two Verbose runs tells a debug line that differs between them.
func TestTraceHashIgnoresLogLevel(t *testing.T) {
	run := func(cfg sim.Config, arg int) (uint64, uint64) {
		w := sim.New(cfg)
		w.Spawn("logger", func(ctx context.Context) {
			for i := range 3 {
				sim.Logger(ctx).Debug("step", "i", i, "arg", arg)
				sim.Logger(ctx).Info("slept", "i", i)
				sim.Sleep(ctx, time.Second)
			}
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash(), w.VerboseHash()
	}
	quiet, _ := run(sim.Config{Seed: 1}, 1)
	for _, cfg := range []sim.Config{{Seed: 1, Verbose: true}, {Seed: 1, Trace: io.Discard},
		{Seed: 1, Log: io.Discard, LogFilter: "debug"}} {
		if h, _ := run(cfg, 1); h != quiet {
			t.Errorf("%+v: trace hash %#x, without debug records %#x", cfg, h, quiet)
		}
	}
	_, a := run(sim.Config{Seed: 1, Verbose: true}, 1)
	_, same := run(sim.Config{Seed: 1, Verbose: true}, 1)
	_, b := run(sim.Config{Seed: 1, Verbose: true}, 2)
	if a != same || a == b {
		t.Errorf("verbose hashes: %#x and %#x of the same runs, %#x of a differing debug line", a, same, b)
	}
}
