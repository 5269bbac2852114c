package simenv_test

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envtest"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/simenv"
)

// testEnv is the simulation's env.Env reduced to what the suite uses: the
// clock and primitives of simenv and a simulated disk.
type testEnv struct {
	w     *sim.World
	ctx   context.Context
	disk  *disksim.Disk
	clock *sim.HostClock // nil: true time
}

func (e *testEnv) Name() string             { return "test" }
func (e *testEnv) Addr() netip.Addr         { return netip.MustParseAddr("10.0.0.1") }
func (e *testEnv) Context() context.Context { return e.ctx }
func (e *testEnv) Clock() env.Clock         { return simenv.Clock{W: e.w, H: e.clock} }
func (e *testEnv) Rand() env.Rand           { return e.w.Rand() }
func (e *testEnv) Log() *slog.Logger        { return e.w.Logger() }
func (e *testEnv) Net() env.Network         { return nil }
func (e *testEnv) Disk() env.Disk           { return e.disk }
func (e *testEnv) Runtime() env.Runtime     { return simenv.Runtime{} }
func (e *testEnv) Go(name string, fn func(ctx context.Context)) {
	sim.Go(e.ctx, name, fn)
}

// run runs body on a World of the given seed and returns its trace hash.
func run(t *testing.T, seed uint64, body func(ctx context.Context, e env.Env) error) uint64 {
	return runOn(t, seed, nil, body)
}

// runOn is run with the host clock skew(w) (true time for nil skew).
func runOn(t *testing.T, seed uint64, skew func(w *sim.World) *sim.HostClock, body func(ctx context.Context, e env.Env) error) uint64 {
	w := sim.New(sim.Config{Seed: seed})
	e := &testEnv{w: w, disk: disksim.New(w, disksim.Config{}).Disk("test")}
	if skew != nil {
		e.clock = skew(w)
	}
	w.Spawn("test", func(ctx context.Context) {
		e.ctx = ctx
		if err := body(ctx, e); err != nil {
			t.Error(err)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return w.TraceHash()
}

func TestConformance(t *testing.T) {
	envtest.Run(t, func(t *testing.T, body func(ctx context.Context, e env.Env) error) {
		run(t, 1, body)
	}, envtest.Runtime, envtest.Clock, envtest.Disk)
}

func TestSameSeedSameTrace(t *testing.T) {
	for _, c := range append(append(envtest.Runtime, envtest.Clock...), envtest.Disk...) {
		if a, b := run(t, 7, c.Body), run(t, 7, c.Body); a != b {
			t.Fatalf("%s: trace hashes %x and %x", c.Name, a, b)
		}
	}
}

func TestConformanceOnSkewedClocks(t *testing.T) {
	skews := map[string]func(w *sim.World) *sim.HostClock{
		"fast": func(w *sim.World) *sim.HostClock { return sim.NewHostClock(w, "test", 20*time.Millisecond, 300) },
		"slow": func(w *sim.World) *sim.HostClock { return sim.NewHostClock(w, "test", -time.Hour, -300) },
	}
	for _, name := range []string{"fast", "slow"} {
		t.Run(name, func(t *testing.T) {
			envtest.Run(t, func(t *testing.T, body func(ctx context.Context, e env.Env) error) {
				runOn(t, 1, skews[name], body)
			}, envtest.Clock)
		})
	}
}

func TestClockFollowsItsHostClock(t *testing.T) {
	var w *sim.World
	hc := func(ww *sim.World) *sim.HostClock { w = ww; return sim.NewHostClock(ww, "test", time.Second, 1000) }
	runOn(t, 1, hc, func(ctx context.Context, e env.Env) error {
		if got := e.Clock().Now(); !got.Equal(sim.Epoch.Add(time.Second)) {
			t.Errorf("Now = %v, want the epoch plus the 1s offset", got)
		}
		at, _, _ := e.Clock().After(time.Second).Recv(ctx)
		if w.Now() != 999_001_000 || !at.Equal(sim.Epoch.Add(time.Second+1_000_000_001)) {
			t.Errorf("After(1s) on a clock 1000ppm fast fired at true %v reading %v", w.Now(), at.Sub(sim.Epoch))
		}
		return nil
	})
}
