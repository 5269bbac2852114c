package netsim

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// TestOpenConnsKeepOrder dials connections between two hosts, closes some
// of them in an order of their own, and checks that each host lists the
// ones left in the order they opened (chaos and partitions walk the list
// and draw from it, so its order is part of a seed's trace), whether the
// closed ones left holes or the list was compacted.
func TestOpenConnsKeepOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		close func(i int) bool
	}{
		{"none closed", 20, func(int) bool { return false }},
		{"a few holes", 20, func(i int) bool { return i%7 == 3 }},
		{"compacted", 40, func(i int) bool { return i%3 != 0 }},
		{"all but the last", 30, func(i int) bool { return i != 29 }},
		{"all", 12, func(int) bool { return true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOpenConns(t, tc.n, tc.close)
		})
	}
}

func checkOpenConns(t *testing.T, n int, closes func(i int) bool) {
	w := sim.New(sim.Config{Seed: 1})
	nw := New(w, Config{})
	a := nw.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	b := nw.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	var dialed []*conn
	w.Spawn("server", func(ctx context.Context) {
		l, err := b.Listen(ctx, ":7000")
		if err != nil {
			t.Error(err)
			return
		}
		for range n {
			if _, err := l.Accept(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	w.Spawn("client", func(ctx context.Context) {
		sim.Sleep(ctx, 1) // the server listens first
		var conns []net.Conn
		for range n {
			c, err := a.Dial(ctx, "b:7000")
			if err != nil {
				t.Error(err)
				return
			}
			conns = append(conns, c)
			dialed = append(dialed, c.(*endpoint).c)
		}
		// Close from the last to the first, as the list is least kind to.
		for i := n - 1; i >= 0; i-- {
			if closes(i) {
				conns[i].Close()
				dialed[i].ends[1].Close() // both ends closed: the connection is done
			}
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var want []*conn
	for i, c := range dialed {
		if !closes(i) {
			want = append(want, c)
		}
	}
	for _, h := range []*Host{a, b} {
		got := h.openConns()
		if !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Errorf("host %s lists %d connections, want the %d left open in the order they opened", h.name, len(got), len(want))
		}
		for i, c := range got {
			if c.endOn(h).connIdx != i {
				t.Errorf("host %s: connection %d of its list says it is at %d", h.name, i, c.endOn(h).connIdx)
			}
		}
	}
}
