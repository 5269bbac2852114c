package netsim

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// TestUnreadBytesStayBounded checks what a connection holds for a peer
// that never reads while the writer tries to send 1 MiB: the window's
// bytes arrived or on the wire, the send buffer's waiting, and no more.
// (Without a window the pipe held the whole megabyte.)
func TestUnreadBytesStayBounded(t *testing.T) {
	for _, window := range []int{0, 1, 4096, defaultReceiveWindow} {
		w := sim.New(sim.Config{Seed: 1})
		n := New(w, Config{ReceiveWindow: window})
		a := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
		b := n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
		var p *pipe
		w.Spawn("reader", func(ctx context.Context) {
			l, err := b.Listen(ctx, ":7000")
			if err == nil {
				_, err = l.Accept()
			}
			if err == nil {
				err = sim.Sleep(ctx, 2*time.Second) // and never reads
			}
			if err != nil {
				t.Error(err)
			}
		})
		w.Spawn("writer", func(ctx context.Context) {
			c, err := a.Dial(ctx, "b:7000")
			if err != nil {
				t.Error(err)
				return
			}
			p = c.(*endpoint).tx()
			c.SetWriteDeadline(w.Time().Add(time.Second))
			c.Write(make([]byte, 1<<20))
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		win := n.window
		if held, inWindow := p.buf.len(), p.arrived+p.onWire; held != win+sendBufferSize || inWindow != win {
			t.Errorf("window %d: the pipe holds %d bytes, %d of them arrived or on the wire; want %d and %d",
				window, held, inWindow, win+sendBufferSize, win)
		}
	}
}
