package netsim_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// A deadlock report says what each task parked in the network waits on,
// in words a reader of the failure knows: two peers that both read first
// wait on "conn read", a server with no client on "accept".
func TestParkedTasksSayWhatTheyWaitOn(t *testing.T) {
	x := newWorld(t, 1, netsim.Config{})
	read := func(c net.Conn) { _, _ = c.Read(make([]byte, 1)) }
	x.w.Spawn("server", func(ctx context.Context) {
		if err := serve(x, func(ctx context.Context, c net.Conn) error { read(c); return nil })(ctx); err != nil {
			t.Error(err)
		}
	})
	x.w.Spawn("lonely", func(ctx context.Context) {
		l, err := x.server.Listen(ctx, ":7001")
		if err == nil {
			_, _ = l.Accept()
		}
	})
	x.w.Spawn("client", func(ctx context.Context) {
		c, err := x.client.Dial(ctx, "server:7000")
		if err != nil {
			t.Error(err)
			return
		}
		read(c)
	})
	var f *sim.Failure
	if err := x.w.Run(); !errors.As(err, &f) || f.Kind != sim.FailDeadlock {
		t.Fatalf("Run = %v, want a deadlock", err)
	}
	want := map[string]string{"server": "conn read", "client": "conn read", "lonely": "accept"}
	for _, p := range f.Parked {
		if p.Waiting != want[p.Name] {
			t.Errorf("%s waits on %q, want %q", p.Name, p.Waiting, want[p.Name])
		}
		delete(want, p.Name)
	}
	if len(want) > 0 {
		t.Errorf("not listed as parked: %v\n%s", want, f.Report())
	}
}

// TestAbortedDialNeverConnects: a dialing task aborted while it waits for
// the connection (its process crashed) unwinds without a connection, and
// the connection it started never reaches the listener.
func TestAbortedDialNeverConnects(t *testing.T) {
	x := newWorld(t, 1, netsim.Config{})
	var ln net.Listener
	dialer := x.w.Spawn("dialer", func(ctx context.Context) {
		sim.Sleep(ctx, time.Millisecond) // the server listens
		x.client.Dial(ctx, "10.0.1.1:80")
		t.Error("the aborted dialer went on")
	})
	x.run(t, map[string]func(ctx context.Context) error{
		"server": func(ctx context.Context) error {
			var err error
			if ln, err = x.server.Listen(ctx, ":80"); err != nil {
				return err
			}
			ln.(interface{ SetDeadline(time.Time) error }).SetDeadline(sim.Epoch.Add(time.Minute))
			if c, err := ln.Accept(); err == nil {
				return fmt.Errorf("accepted %v from the aborted dialer", c.RemoteAddr())
			}
			return nil
		},
		"killer": func(ctx context.Context) error {
			sim.Sleep(ctx, time.Millisecond+time.Microsecond) // the dialer waits
			dialer.Abort()
			return nil
		},
	})
}
