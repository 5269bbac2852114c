package netsim_test

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// world is a network of two hosts, client (10.0.0.1) and server
// (10.0.1.1), on a fresh World.
type world struct {
	w              *sim.World
	n              *netsim.Network
	client, server *netsim.Host
	log            strings.Builder
}

func newWorld(t testing.TB, seed uint64, cfg netsim.Config) *world {
	t.Helper()
	return newWorldUntil(seed, cfg, sim.DefaultMaxTime)
}

// newWorldUntil is newWorld with a MaxTime: a benchmark's b.N round trips
// may need more than the default hour of logical time.
func newWorldUntil(seed uint64, cfg netsim.Config, maxTime time.Duration) *world {
	x := &world{}
	x.w = sim.New(sim.Config{Seed: seed, Log: &x.log, LogFilter: "off", MaxTime: maxTime})
	x.n = netsim.New(x.w, cfg)
	x.client = x.n.AddHost("client", netip.MustParseAddr("10.0.0.1"))
	x.server = x.n.AddHost("server", netip.MustParseAddr("10.0.1.1"))
	return x
}

// run runs the tasks to the end and fails the test on a failure.
func (x *world) run(t testing.TB, tasks map[string]func(ctx context.Context) error) {
	t.Helper()
	for _, name := range sortedKeys(tasks) {
		fn := tasks[name]
		x.w.Spawn(name, func(ctx context.Context) {
			if err := fn(ctx); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	if err := x.w.Run(); err != nil {
		var f *sim.Failure
		if errors.As(err, &f) {
			t.Fatal(f.Report()) // with the parked tasks and the stack
		}
		t.Fatal(err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// readOne listens at address on h, accepts one connection and reads it to
// the peer's FIN.
func readOne(ctx context.Context, h *netsim.Host, address string) (string, error) {
	l, err := h.Listen(ctx, address)
	if err != nil {
		return "", err
	}
	c, err := l.Accept()
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	return string(b), err
}
