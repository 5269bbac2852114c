package netsim_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// oneWayDelays returns the one-way delays of n datagrams from client to
// server.
func oneWayDelays(t *testing.T, seed uint64, cfg netsim.Config, n int) []time.Duration {
	x := newWorld(t, seed, cfg)
	var got []time.Duration
	sent := make([]time.Duration, n)
	x.run(t, map[string]func(context.Context) error{
		"a-server": func(ctx context.Context) error {
			pc, err := x.server.ListenPacket(ctx, ":5000")
			if err != nil {
				return err
			}
			for range n {
				buf := make([]byte, 1)
				if _, _, err := pc.ReadFrom(buf); err != nil {
					return err
				}
				got = append(got, x.w.Now()-sent[buf[0]])
			}
			return nil
		},
		"b-client": func(ctx context.Context) error {
			pc, err := x.client.ListenPacket(ctx, ":0")
			if err != nil {
				return err
			}
			for i := range n {
				sent[i] = x.w.Now()
				pc.WriteTo([]byte{byte(i)}, &net.UDPAddr{IP: net.IPv4(10, 0, 1, 1), Port: 5000})
				if err := sim.Sleep(ctx, 50*time.Millisecond); err != nil {
					return err
				}
			}
			return nil
		},
	})
	return got
}

func TestLatencyShapes(t *testing.T) {
	const ms = time.Millisecond
	for _, tt := range []struct {
		name     string
		lat      netsim.Latency
		lo, hi   time.Duration
		slowSeen bool
	}{
		{"default uniform", netsim.Latency{}, 100 * time.Microsecond, 600 * time.Microsecond, false},
		{"uniform", netsim.Latency{Min: ms, Max: 2 * ms}, ms, 2 * ms, false},
		{"exponential", netsim.Latency{Shape: netsim.Exponential, Min: ms, Max: 20 * ms, Mean: 2 * ms}, ms, 20 * ms, false},
		{"bimodal", netsim.Latency{Shape: netsim.Bimodal, Min: ms, Max: 2 * ms, SlowP: 0.2, SlowMin: 50 * ms, SlowMax: 60 * ms}, ms, 60 * ms, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			slow := false
			for _, d := range oneWayDelays(t, 1, netsim.Config{Latency: tt.lat}, 100) {
				if d < tt.lo || d > tt.hi {
					t.Fatalf("a delay of %v outside [%v, %v]", d, tt.lo, tt.hi)
				}
				slow = slow || d >= 50*ms
			}
			if slow != tt.slowSeen {
				t.Fatalf("slow tail seen: %v, want %v", slow, tt.slowSeen)
			}
		})
	}
}

func TestPairLatencyIsDrawnOncePerPair(t *testing.T) {
	cfg := netsim.Config{Latency: netsim.Latency{Min: time.Millisecond, Max: time.Millisecond},
		Faults: netsim.Faults{PairLatencyMax: 10 * time.Millisecond}}
	delays := oneWayDelays(t, 3, cfg, 20)
	for _, d := range delays {
		if d != delays[0] {
			t.Fatalf("delays of one pair differ: %v", delays)
		}
	}
	if delays[0] == time.Millisecond {
		t.Fatal("no extra latency was added for the pair")
	}
}

func TestOneWayAndHostPartitions(t *testing.T) {
	for _, tt := range []struct {
		name     string
		cut      func(x *world)
		toServer bool // does the client's datagram reach the server
		toClient bool
	}{
		{"one way", func(x *world) {
			x.n.Partition([]netip.Addr{x.client.Addr()}, []netip.Addr{x.server.Addr()}, netsim.OneWay, time.Hour)
		}, false, true},
		{"send-only block of the client", func(x *world) { x.n.SendPartition(x.client.Addr(), time.Hour) }, false, true},
		{"receive block of the client", func(x *world) { x.n.RecvPartition(x.client.Addr(), time.Hour) }, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 4, netsim.Config{})
			got := map[string]bool{}
			recv := func(h *netsim.Host, name string) func(context.Context) error {
				return func(ctx context.Context) error {
					pc, err := h.ListenPacket(ctx, ":5000")
					if err != nil {
						return err
					}
					pc.SetReadDeadline(x.w.Time().Add(time.Second))
					_, _, err = pc.ReadFrom(make([]byte, 1))
					if err == nil {
						got[name] = true
					} else if !errors.Is(err, os.ErrDeadlineExceeded) {
						return err
					}
					return nil
				}
			}
			send := func(h *netsim.Host, to string) func(context.Context) error {
				return func(ctx context.Context) error {
					pc, err := h.ListenPacket(ctx, ":0")
					if err != nil {
						return err
					}
					_, err = pc.WriteTo([]byte{1}, &net.UDPAddr{IP: net.ParseIP(to), Port: 5000})
					return err
				}
			}
			tt.cut(x)
			x.run(t, map[string]func(context.Context) error{
				"a-recv-server": recv(x.server, "server"), "a-recv-client": recv(x.client, "client"),
				"b-to-server": send(x.client, "10.0.1.1"), "b-to-client": send(x.server, "10.0.0.1"),
			})
			if got["server"] != tt.toServer || got["client"] != tt.toClient {
				t.Fatalf("reached: %v; want server %v, client %v", got, tt.toServer, tt.toClient)
			}
		})
	}
}
