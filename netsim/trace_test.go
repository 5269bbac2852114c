package netsim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/golden"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// exchange is a short conversation: a dial, a request, a response, a close.
func exchange(x *world) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			buf := make([]byte, 64)
			if _, err := io.ReadFull(c, buf); err != nil {
				return err
			}
			if _, err := c.Write(buf); err != nil {
				return err
			}
			return c.Close()
		}),
		"b-client": func(ctx context.Context) error {
			if err := sim.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			if _, err := c.Write(make([]byte, 64)); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, make([]byte, 64)); err != nil {
				return err
			}
			return c.Close()
		},
	}
}

func TestTraceLines(t *testing.T) {
	x := newWorld(t, 42, netsim.Config{})
	x.w = sim.New(sim.Config{Seed: 42, Log: &x.log, LogFilter: "trace"})
	x.n = netsim.New(x.w, netsim.Config{})
	x.client = x.n.AddHost("client", mustAddr("10.0.0.1"))
	x.server = x.n.AddHost("server", mustAddr("10.0.1.1"))
	x.run(t, exchange(x))
	for _, want := range []string{
		"Connection{conn=2 ConnectionReady \"client->server\" 10.0.0.1:",
		"Network{conn=2 DataDelivery bytes=64 10.0.0.1:",
		"Network{conn=2 FinDelivery 10.0.1.1:7000->10.0.0.1:",
		"Connection{id=1 BindComplete \"server\" 10.0.1.1:7000}",
	} {
		if !strings.Contains(x.log.String(), want) {
			t.Errorf("trace lacks %q", want)
		}
	}
}

// faulty is a conversation through manual faults: a partition, a clog, a
// cut, a datagram, and a crash that leaves the connection half open.
func faulty(x *world) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			pc, err := x.server.ListenPacket(ctx, ":5000")
			if err != nil {
				return err
			}
			if _, _, err := pc.ReadFrom(make([]byte, 8)); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, make([]byte, 32)); err != nil {
				return err
			}
			x.server.Crash(netsim.CrashHalfOpen)
			return nil
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			pc, err := x.client.ListenPacket(ctx, ":0")
			if err != nil {
				return err
			}
			sim.Sleep(ctx, 10*time.Millisecond) // the server has accepted and bound its socket
			pc.WriteTo([]byte("datagram"), &net.UDPAddr{IP: net.IPv4(10, 0, 1, 1), Port: 5000})
			x.n.Partition([]netip.Addr{x.client.Addr()}, []netip.Addr{x.server.Addr()}, netsim.OneWay, 20*time.Millisecond)
			c.Write(make([]byte, 16)) // leaves when the partition heals
			x.n.Cut(c, 30*time.Millisecond)
			x.n.Clog(c, 40*time.Millisecond)
			c.Write(make([]byte, 16))
			_, err = c.Read(make([]byte, 1)) // the half-open connection fails in the end
			if !errors.Is(err, netsim.ErrConnectionReset) {
				return err
			}
			return nil
		},
	}
}

func TestTraceGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		fn   func(x *world) map[string]func(context.Context) error
	}{
		{"exchange", exchange},
		{"faults", faulty},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 42, netsim.Config{})
			x.w = sim.New(sim.Config{Seed: 42, Log: &x.log, LogFilter: "trace"})
			x.n = netsim.New(x.w, netsim.Config{})
			x.client = x.n.AddHost("client", mustAddr("10.0.0.1"))
			x.server = x.n.AddHost("server", mustAddr("10.0.1.1"))
			x.run(t, tt.fn(x))
			golden.Check(t, filepath.Join("testdata", tt.name+".trace"), []byte(x.log.String()))
		})
	}
}

// TestSameSeedSameTrace runs chatty clients under a swarm of faults and
// chaos twice per seed: the traces must hash the same, whatever failed.
func TestSameSeedSameTrace(t *testing.T) {
	for seed := range uint64(20) {
		var hashes [2]uint64
		var outcomes [2]string
		for i := range hashes {
			hashes[i], outcomes[i] = chattyRun(seed)
		}
		if hashes[0] != hashes[1] || outcomes[0] != outcomes[1] {
			t.Fatalf("seed %d: trace hashes %x and %x, outcomes %q and %q", seed, hashes[0], hashes[1], outcomes[0], outcomes[1])
		}
	}
}

// chattyRun is one seed of three hosts exchanging messages under
// SwarmFaults and StartChaos; it returns the trace hash and what happened.
func chattyRun(seed uint64) (uint64, string) {
	w := sim.New(sim.Config{Seed: seed})
	n := netsim.New(w, netsim.Config{Faults: netsim.SwarmFaults(sim.NewRand(seed, 7))})
	hosts := []*netsim.Host{n.AddHost("a", mustAddr("10.0.0.1")), n.AddHost("b", mustAddr("10.0.0.2")),
		n.AddHost("c", mustAddr("10.0.0.3"))}
	var outcome strings.Builder
	for _, h := range hosts {
		w.SpawnDaemon(h.Name()+"/echo", func(ctx context.Context) {
			l, err := h.Listen(ctx, ":7000")
			if err != nil {
				return
			}
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				sim.GoDaemon(ctx, "echo", func(context.Context) { io.Copy(c, c); c.Close() })
			}
		})
		w.Spawn(h.Name()+"/client", func(ctx context.Context) {
			n.StartChaos(ctx)
			for i := range 20 {
				ctx, cancel := sim.WithTimeout(ctx, 500*time.Millisecond)
				c, err := h.Dial(ctx, hosts[i%len(hosts)].Name()+":7000")
				if err == nil {
					c.SetDeadline(w.Time().Add(500 * time.Millisecond))
					c.Write(make([]byte, 100*i))
					_, err = io.ReadFull(c, make([]byte, 100*i))
					c.Close()
				}
				cancel()
				fmt.Fprintf(&outcome, "%s %d: %v\n", h.Name(), i, err)
			}
			n.Heal()
		})
	}
	if err := w.Run(); err != nil {
		fmt.Fprintln(&outcome, err)
	}
	return w.TraceHash(), outcome.String()
}
