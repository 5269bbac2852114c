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
	if a.dialed.len() != 0 {
		t.Errorf("%d ports still held after every connection closed", a.dialed.len())
	}
}

// TestEphemeralExhausted fills a host's ephemeral range and checks that a
// draw finds the one port left, and fails with EADDRNOTAVAIL once none is.
func TestEphemeralExhausted(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	h := New(w, Config{}).AddHost("a", netip.MustParseAddr("10.0.0.1"))
	const left = ephemeralFirst + 12_345
	for p := ephemeralFirst; p < ephemeralFirst+ephemeralCount; p++ {
		if p != left {
			h.dialed.add(uint16(p))
		}
	}
	if p, err := h.ephemeral(); err != nil || p != left {
		t.Errorf("ephemeral() = %d, %v with one port left; want %d", p, err, left)
	}
	h.dialed.add(left)
	if _, err := h.ephemeral(); !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Errorf("ephemeral() with no port left: %v, want EADDRNOTAVAIL", err)
	}
}

// TestPortSet adds and removes ports in a portSet and in a map, in
// sequences that stay small, cross to the bitmap, and empty it again, and
// checks that both hold the same ports at each step.
func TestPortSet(t *testing.T) {
	for _, tc := range []struct {
		name   string
		adds   int // ports added before the removals
		remove int // of them removed, oldest first
	}{
		{"empty", 0, 0},
		{"one", 1, 1},
		{"small", portSetSmall, portSetSmall / 2},
		{"to the bitmap", portSetSmall + 1, 0},
		{"bitmap emptied", 500, 500},
		{"whole range", ephemeralCount, ephemeralCount - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s portSet
			model := map[uint16]bool{}
			var order []uint16
			for i := range tc.adds {
				p := uint16(ephemeralFirst + (i*7919)%ephemeralCount) // every port once, scattered
				s.add(p)
				model[p], order = true, append(order, p)
			}
			for _, p := range order[:tc.remove] {
				s.remove(p)
				delete(model, p)
			}
			if s.len() != len(model) {
				t.Errorf("len() = %d, want %d", s.len(), len(model))
			}
			for p := ephemeralFirst - 2; p < ephemeralFirst+ephemeralCount+2; p++ {
				if got := s.has(uint16(p)); got != model[uint16(p)] {
					t.Fatalf("has(%d) = %v, want %v", p, got, model[uint16(p)])
				}
			}
		})
	}
}

// TestPortSetRejectsOtherPorts: a port outside the ephemeral range in the
// set of dialed ports is a bug of ours, which panics.
func TestPortSetRejectsOtherPorts(t *testing.T) {
	for _, p := range []uint16{0, 7000, ephemeralFirst - 1, ephemeralFirst + ephemeralCount} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("add(%d) did not panic", p)
				}
			}()
			var s portSet
			s.add(p)
		}()
	}
}
