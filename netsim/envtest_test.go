package netsim_test

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envtest"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/simenv"
)

// hostEnv is the env.Env of one simulated host reduced to what the
// network suite uses: its netsim.Host, its clock, simenv's primitives.
type hostEnv struct {
	w     *sim.World
	ctx   context.Context
	h     *netsim.Host
	clock *sim.HostClock // nil: true time
}

func (e *hostEnv) Name() string             { return e.h.Name() }
func (e *hostEnv) Addr() netip.Addr         { return e.h.Addr() }
func (e *hostEnv) Context() context.Context { return e.ctx }
func (e *hostEnv) Clock() env.Clock         { return simenv.Clock{W: e.w, H: e.clock} }
func (e *hostEnv) Rand() env.Rand           { return e.w.Rand() }
func (e *hostEnv) Log() *slog.Logger        { return e.w.Logger() }
func (e *hostEnv) Net() env.Network         { return e.h }
func (e *hostEnv) Disk() env.Disk           { return nil }
func (e *hostEnv) Runtime() env.Runtime     { return simenv.Runtime{} }
func (e *hostEnv) Go(name string, fn func(ctx context.Context)) {
	sim.Go(e.ctx, name, fn)
}

// runHost runs body on a host of a fresh network whose clock is made by
// clock (nil: true time), and returns the trace hash.
func runHost(t *testing.T, seed uint64, clock func(w *sim.World) *sim.HostClock, body func(ctx context.Context, e env.Env) error) uint64 {
	w := sim.New(sim.Config{Seed: seed, LogFilter: "off"})
	e := &hostEnv{w: w, h: netsim.New(w, netsim.Config{}).AddHost("test", netip.MustParseAddr("10.0.0.1"))}
	if clock != nil {
		e.clock = clock(w)
		e.h.SetClock(e.clock)
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

// The simulated network passes the suite the operating system's does
// (env/realenv runs it on real sockets), on true time and on host clocks
// that are off and drift.
func TestNetworkConformance(t *testing.T) {
	clocks := []struct {
		name  string
		clock func(w *sim.World) *sim.HostClock
	}{
		{"true time", nil},
		{"fast", func(w *sim.World) *sim.HostClock { return sim.NewHostClock(w, "test", time.Hour, 500_000) }},
		{"slow", func(w *sim.World) *sim.HostClock { return sim.NewHostClock(w, "test", -time.Hour, -500_000) }},
	}
	for _, c := range clocks {
		t.Run(c.name, func(t *testing.T) {
			envtest.Run(t, func(t *testing.T, body func(ctx context.Context, e env.Env) error) {
				runHost(t, 1, c.clock, body)
			}, envtest.Network)
		})
	}
}

func TestNetworkConformanceSameSeedSameTrace(t *testing.T) {
	fast := func(w *sim.World) *sim.HostClock { return sim.NewHostClock(w, "test", time.Hour, 500_000) }
	for _, c := range envtest.Network {
		if a, b := runHost(t, 7, fast, c.Body), runHost(t, 7, fast, c.Body); a != b {
			t.Fatalf("%s: trace hashes %x and %x", c.Name, a, b)
		}
	}
}
