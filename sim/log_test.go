package sim_test

import (
	"context"
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
