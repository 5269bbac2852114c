package netsim_test

import (
	"context"
	"io"
	"net/netip"
	"testing"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// TestTracedEventsAllocateNothing: a trace of every event of a connection
// (sends, deliveries) allocates nothing per event: a round trip traced
// costs the allocations it costs untraced.
func TestTracedEventsAllocateNothing(t *testing.T) {
	allocs := func(traced bool, rounds int) float64 {
		return testing.AllocsPerRun(3, func() {
			cfg := sim.Config{Seed: 1}
			if traced {
				cfg.Trace = io.Discard
			}
			w := sim.New(cfg)
			n := netsim.New(w, netsim.Config{})
			client := n.AddHost("client", netip.MustParseAddr("10.0.0.1"))
			server := n.AddHost("server", netip.MustParseAddr("10.0.1.1"))
			errs := make(chan error, 4)
			w.Spawn("server", func(ctx context.Context) {
				l, err := server.Listen(ctx, ":7000")
				if err != nil {
					errs <- err
					return
				}
				d, err := l.Accept()
				if err != nil {
					errs <- err
					return
				}
				_, serve := pingPong(rounds, nil, d, errs)
				serve()
			})
			w.Spawn("client", func(ctx context.Context) {
				c, err := client.Dial(ctx, "server:7000")
				if err != nil {
					errs <- err
					return
				}
				call, _ := pingPong(rounds, c, nil, errs)
				call()
			})
			if err := w.Run(); err != nil || len(errs) > 0 {
				t.Fatalf("run: %v, %d errors", err, len(errs))
			}
		})
	}
	const rounds = 100
	traced := allocs(true, rounds) - allocs(true, 0)
	untraced := allocs(false, rounds) - allocs(false, 0)
	if per := (traced - untraced) / rounds; per > 0.5 {
		t.Errorf("a traced round trip allocates %.1f times more than an untraced one, want none", per)
	}
}
