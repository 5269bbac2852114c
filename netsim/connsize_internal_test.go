package netsim

import (
	"context"
	"net/netip"
	"testing"
	"time"
	"unsafe"

	"github.com/orrerysim/orrery/sim"
)

// TestConnSize pins the bytes of a connection, its pipes and its
// endpoints included, on 64-bit machines: with tens of thousands of
// connections open, each byte of one, and each pointer the garbage
// collector follows, is paid at every set-up and collection. (792 bytes
// when the deadlines, the addresses of each end, the fault state and the
// trace text were inline; 456 with them made on first use or shared.)
func TestConnSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are pinned for 64-bit machines")
	}
	for _, tc := range []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"conn", unsafe.Sizeof(conn{}), 456},
		{"pipe", unsafe.Sizeof(pipe{}), 120},
		{"endpoint", unsafe.Sizeof(endpoint{}), 40},
	} {
		if tc.got > tc.want {
			t.Errorf("a %s is %d bytes, over %d", tc.name, tc.got, tc.want)
		}
	}
	if size := connChunk * int(unsafe.Sizeof(conn{})); size+8 > 6912 || size+8+int(unsafe.Sizeof(conn{})) <= 6912 {
		t.Errorf("a chunk of %d connections is %d bytes, not the most that fit in 6,912", connChunk, size)
	}
}

// TestDeadlinesMadeOnFirstUse checks that an end's deadlines are made by
// the first deadline set, not by a clear, and that a deadline set and
// cleared on one end leaves the other without any.
func TestDeadlinesMadeOnFirstUse(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	n := New(w, Config{})
	a := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	b := n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	w.Spawn("server", func(ctx context.Context) {
		l, err := b.Listen(ctx, ":7000")
		if err != nil {
			t.Error(err)
			return
		}
		c, err := l.Accept()
		if err != nil {
			t.Error(err)
			return
		}
		if c.(*endpoint).dl != nil {
			t.Error("an accepted end has deadlines before any is set")
		}
		c.Close()
	})
	w.Spawn("client", func(ctx context.Context) {
		c, err := a.Dial(ctx, "b:7000")
		if err != nil {
			t.Error(err)
			return
		}
		e := c.(*endpoint)
		steps := []struct {
			set  func(time.Time) error
			at   time.Time
			made bool
		}{
			{c.SetDeadline, time.Time{}, false},
			{c.SetReadDeadline, time.Time{}, false},
			{c.SetWriteDeadline, time.Time{}, false},
			{c.SetReadDeadline, sim.Epoch.Add(time.Hour), true},
			{c.SetDeadline, time.Time{}, true},
		}
		for i, s := range steps {
			if err := s.set(s.at); err != nil {
				t.Error(err)
			}
			if made := e.dl != nil; made != s.made {
				t.Errorf("step %d: deadlines made %v, want %v", i, made, s.made)
			}
		}
		if e.deadlines().read.on || e.deadlines().write.on {
			t.Error("a cleared deadline is still on")
		}
		c.Close()
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
}
