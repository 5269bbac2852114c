package netsim

import (
	"context"
	"io"
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
				dialed[i].end[1].Close() // both ends closed: the connection is done
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
			if int(c.endOn(h).connIdx) != i {
				t.Errorf("host %s: connection %d of its list says it is at %d", h.name, i, c.endOn(h).connIdx)
			}
		}
	}
}

// TestDoneConnDropsBuffers exchanges a message over a connection, ends it
// by a close of both ends or by a reset, and checks that its pipes hold no
// buffer then: connections are allocated a chunk at a time, and one still
// open would keep its chunk-mates' buffers.
func TestDoneConnDropsBuffers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reset bool
	}{
		{"both ends closed", false},
		{"reset", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := exchangeAndEnd(t, tc.reset)
			for i := range c.pipe {
				p := &c.pipe[i]
				if p.buf.buf != nil {
					t.Errorf("pipe %d keeps a buffer of %d bytes", i, cap(p.buf.buf))
				}
			}
			if len(c.n.hosts[0].openConns())+len(c.n.hosts[1].openConns()) > 0 {
				t.Error("the connection is still listed")
			}
		})
	}
}

// exchangeAndEnd dials from a to b, writes a message each way, then ends
// the connection (the client resets it, or both close) and returns it.
func exchangeAndEnd(t *testing.T, reset bool) *conn {
	w := sim.New(sim.Config{Seed: 1})
	nw := New(w, Config{})
	a := nw.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	b := nw.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	var dialed *conn
	w.Spawn("server", func(ctx context.Context) {
		l, err := b.Listen(ctx, ":7000")
		if err != nil {
			t.Error(err)
			return
		}
		s, err := l.Accept()
		if err != nil {
			t.Error(err)
			return
		}
		defer s.Close()
		msg := make([]byte, 5)
		if _, err := io.ReadFull(s, msg); err != nil {
			t.Error(err)
			return
		}
		s.Write(msg)
		io.ReadAll(s) // until the client's FIN or reset
	})
	w.Spawn("client", func(ctx context.Context) {
		sim.Sleep(ctx, 1) // the server listens first
		c, err := a.Dial(ctx, "b:7000")
		if err != nil {
			t.Error(err)
			return
		}
		dialed = c.(*endpoint).c
		c.Write([]byte("hello"))
		if _, err := io.ReadFull(c, make([]byte, 5)); err != nil {
			t.Error(err)
		}
		if reset {
			c.(*endpoint).SetLinger(0)
		}
		c.Close()
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return dialed
}

// TestDialWait checks what a dialing task waits for, as a deadlock report
// shows it, when a host dials one address after another.
func TestDialWait(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	h := New(w, Config{}).AddHost("a", netip.MustParseAddr("10.0.0.1"))
	for _, tc := range []struct{ address, want string }{
		{"b:7000", "dial b:7000"},
		{"b:7000", "dial b:7000"},
		{"10.0.0.3:80", "dial 10.0.0.3:80"},
		{"b:7000", "dial b:7000"},
	} {
		if got := h.dialWait(tc.address); got != tc.want {
			t.Errorf("dialWait(%q) = %q, want %q", tc.address, got, tc.want)
		}
	}
}
