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

// TestLogAttrsWritten: the attributes of a log record reach the text log
// and the JSON trace formatted as slog formats each kind of value, with
// groups as dotted keys, empty keys dropped, and sorted by key.
func TestLogAttrsWritten(t *testing.T) {
	args := []any{"s", "two words", "i", -1234, "u", uint64(1) << 63, "f", 2.5e-7, "b", true,
		"d", 1500 * time.Millisecond, "t", sim.Epoch.Add(time.Second), slog.Group("g", "n", 7, "m", 0.5),
		slog.Group("", "inline", 3), "", "dropped", "any", []int{1, 2}, "big", 1e21, "a", int64(-9)}
	want := []string{`a=-9`, `any="[1 2]"`, `b=true`, `big=1e+21`, `d=1.5s`, `f=2.5e-07`,
		`g.m=0.5`, `g.n=7`, `i=-1234`, `inline=3`, `s="two words"`,
		`t="` + sim.Epoch.Add(time.Second).String() + `"`, `u=9223372036854775808`}
	var text, jsonl strings.Builder
	w := sim.New(sim.Config{Seed: 1, Log: &text, LogFilter: "debug", Trace: &jsonl})
	w.Spawn("logger", func(ctx context.Context) {
		sim.Logger(ctx).With("w", 1).WithGroup("grp").Debug("kinds", args...)
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	line := lineWith(t, text.String(), " kinds ")
	wantText := " kinds grp." + strings.Join(want, " grp.") + " w=1"
	if !strings.HasSuffix(line, wantText) {
		t.Errorf("text line:\n%s\nwant it to end with\n%s", line, wantText)
	}
	if j := lineWith(t, jsonl.String(), `"kinds"`); !strings.Contains(j, `"grp.u":"9223372036854775808"`) ||
		!strings.Contains(j, `"grp.a":"-9","grp.any":"[1 2]"`) || !strings.HasPrefix(strings.SplitN(j, `"attrs":{`, 2)[1], `"grp.a"`) {
		t.Errorf("JSON line: %s", j)
	}
}

// lineWith returns the line of out holding s.
func lineWith(t *testing.T, out, s string) string {
	t.Helper()
	for l := range strings.Lines(out) {
		if strings.Contains(l, s) {
			return strings.TrimSuffix(l, "\n")
		}
	}
	t.Fatalf("no line holds %q in\n%s", s, out)
	return ""
}

// TestTracedLogAllocs: a debug line with five numbers written to the text
// log costs the engine no allocation: its values are formatted into a
// buffer the records share (the half is room for the run's own
// allocations to vary).
func TestTracedLogAllocs(t *testing.T) {
	run := func(lines int) float64 {
		return testing.AllocsPerRun(5, func() {
			w := sim.New(sim.Config{Seed: 1, Log: io.Discard, LogFilter: "debug"})
			w.Spawn("logger", func(ctx context.Context) {
				l := sim.Logger(ctx)
				for i := range lines {
					// Numbers under 256, which go into an interface unallocated.
					l.Debug("transfer", "from", i%5, "to", 4-i%5, "amount", 100+i%100, "from_balance", 200+i%50, "to_balance", 150+i%100)
				}
			})
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
		})
	}
	const lines = 200
	if per := (run(lines) - run(0)) / lines; per > 0.5 {
		t.Errorf("%.2f allocations a traced debug line, want none", per)
	}
}

// TestTracedLogHashesAsUntraced: a record with attributes of every kind
// folds into the trace hash the same whether the trace shows it (hashed
// and formatted in one pass) or not (hashed alone).
func TestTracedLogHashesAsUntraced(t *testing.T) {
	hash := func(cfg sim.Config) uint64 {
		w := sim.New(cfg)
		w.Spawn("logger", func(ctx context.Context) {
			sim.Logger(ctx).With("w", 1).WithGroup("grp").Info("kinds", "s", "x", "i", -3, "u", uint64(4),
				"f", 0.5, "b", false, "d", time.Second, "t", sim.Epoch, slog.Group("g", "n", 7, slog.Group("", "in", 1)),
				"", "no key", "any", []int{1})
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		return w.TraceHash()
	}
	quiet := hash(sim.Config{Seed: 1})
	for _, cfg := range []sim.Config{{Seed: 1, Trace: io.Discard}, {Seed: 1, Log: io.Discard, LogFilter: "info"}} {
		if h := hash(cfg); h != quiet {
			t.Errorf("%+v: trace hash %#x, untraced %#x", cfg, h, quiet)
		}
	}
}

// TestTextFilterInTurn: the text trace shows each record as its filter
// says when records of shown and hidden packages and levels come in
// turn, the same kind and level again and again.
func TestTextFilterInTurn(t *testing.T) {
	cases := []struct {
		filter string
		want   map[string]bool
	}{
		{"trace,app=info", map[string]bool{"Timer{": true, "DEBUG": false, "INFO": true, "WARN": true}},
		{"sim=info,app=debug", map[string]bool{"Timer{": false, "DEBUG": true, "INFO": true, "WARN": true}},
		{"sim=trace,app=warn", map[string]bool{"Timer{": true, "DEBUG": false, "INFO": false, "WARN": true}},
	}
	for _, c := range cases {
		t.Run(c.filter, func(t *testing.T) {
			var out strings.Builder
			w := sim.New(sim.Config{Seed: 3, Log: &out, LogFilter: c.filter})
			w.Spawn("logger", func(ctx context.Context) {
				log := sim.Logger(ctx)
				for i := range 3 {
					sim.Sleep(ctx, time.Millisecond)
					log.Debug("d", "i", i)
					log.Debug("d", "i", i)
					log.Info("i", "i", i)
					log.Warn("w", "i", i)
				}
			})
			w.Run()
			for s, want := range c.want {
				if n := strings.Count(out.String(), s); (n > 0) != want || (want && n < 3) {
					t.Errorf("%q appears %d times, want it shown: %v:\n%s", s, n, want, out.String())
				}
			}
		})
	}
}
