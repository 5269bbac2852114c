package netsim

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// TestDialedPortsDistinct opens 2,000 connections from one host at once
// and checks that no two share a local port (drawn at random, 2,000 of
// 28,232 ports would collide about 70 times), as a server that keys its
// clients by address relies on; and that closing them frees every port.
func TestDialedPortsDistinct(t *testing.T) {
	const n = 2_000
	w := sim.New(sim.Config{Seed: 1})
	nw := New(w, Config{})
	a := nw.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	b := nw.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	w.Spawn("server", func(ctx context.Context) {
		l, err := b.Listen(ctx, ":7000")
		if err != nil {
			t.Error(err)
			return
		}
		for range n {
			c, err := l.Accept()
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
		}
	})
	w.Spawn("client", func(ctx context.Context) {
		sim.Sleep(ctx, 1) // the server listens first
		seen := map[netip.AddrPort]bool{}
		var conns []net.Conn
		for range n {
			c, err := a.Dial(ctx, "b:7000")
			if err != nil {
				t.Error(err)
				return
			}
			local := c.LocalAddr().(*net.TCPAddr).AddrPort()
			if seen[local] {
				t.Errorf("two open connections from %v", local)
			}
			seen[local] = true
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	if len(a.dialed) != 0 {
		t.Errorf("%d ports still held after every connection closed", len(a.dialed))
	}
}

// TestEphemeralExhausted fills a host's ephemeral range and checks that a
// draw finds the one port left, and fails with EADDRNOTAVAIL once none is.
func TestEphemeralExhausted(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	h := New(w, Config{}).AddHost("a", netip.MustParseAddr("10.0.0.1"))
	const left = ephemeralFirst + 12_345
	h.dialed = map[uint16]*conn{}
	for p := ephemeralFirst; p < ephemeralFirst+ephemeralCount; p++ {
		if p != left {
			h.dialed[uint16(p)] = nil
		}
	}
	if p, err := h.ephemeral(); err != nil || p != left {
		t.Errorf("ephemeral() = %d, %v with one port left; want %d", p, err, left)
	}
	h.dialed[left] = nil
	if _, err := h.ephemeral(); !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Errorf("ephemeral() with no port left: %v, want EADDRNOTAVAIL", err)
	}
}
