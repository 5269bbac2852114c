package netsim_test

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// faultCount returns how many faults called name the world recorded.
func faultCount(w *sim.World, name string) int {
	for _, f := range w.Faults() {
		if f.Name == name {
			return f.Count
		}
	}
	return 0
}

// frames sends count frames of [len][crc][payload] from the client and
// returns how many the server found corrupted (a bad checksum).
func frames(t *testing.T, x *world, count int) (corrupted int) {
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			for range count {
				var hdr [8]byte
				if _, err := io.ReadFull(c, hdr[:]); err != nil {
					return err
				}
				n := binary.BigEndian.Uint32(hdr[:4])
				if n > 4096 { // the length itself was hit
					corrupted++
					return nil
				}
				body := make([]byte, n)
				if _, err := io.ReadFull(c, body); err != nil {
					return err
				}
				if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(hdr[4:]) {
					corrupted++
				}
			}
			return nil
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			for i := range count {
				body := make([]byte, 100+i%900)
				for j := range body {
					body[j] = byte(i + j)
				}
				var hdr [8]byte
				binary.BigEndian.PutUint32(hdr[:4], uint32(len(body)))
				binary.BigEndian.PutUint32(hdr[4:], crc32.ChecksumIEEE(body))
				if _, err := c.Write(append(hdr[:], body...)); err != nil {
					return err
				}
				if err := sim.Sleep(ctx, time.Millisecond); err != nil { // a chunk per frame
					return err
				}
			}
			return nil
		},
	})
	return corrupted
}

func TestBitFlipsAreCaughtByAChecksum(t *testing.T) {
	x := newWorld(t, 1, netsim.Config{Faults: netsim.Faults{BitFlipP: 0.5}})
	if got := frames(t, x, 50); got == 0 {
		t.Fatal("no frame arrived corrupted with BitFlipP=0.5")
	}
	if faultCount(x.w, "BitFlip") == 0 {
		t.Fatal("bit flips were not recorded as faults")
	}
	clean := newWorld(t, 1, netsim.Config{})
	if got := frames(t, clean, 50); got != 0 {
		t.Fatalf("%d frames corrupted without faults", got)
	}
}

func TestPartialIOKeepsTheStreamIntact(t *testing.T) {
	x := newWorld(t, 2, netsim.Config{Faults: netsim.Faults{PartialP: 1}})
	if got := frames(t, x, 30); got != 0 {
		t.Fatalf("%d frames corrupted by partial reads and writes", got)
	}
	if faultCount(x.w, "PartialWrite") == 0 || faultCount(x.w, "PartialRead") == 0 {
		t.Fatalf("faults: %+v", x.w.Faults())
	}
}

func TestRandomCloseResetsTheConnection(t *testing.T) {
	x := newWorld(t, 3, netsim.Config{Faults: netsim.Faults{RandomCloseP: 1, RandomCloseResetP: 1}})
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			_, err := io.Copy(io.Discard, c)
			if !errors.Is(err, netsim.ErrConnectionReset) {
				return errors.New("server read: " + errString(err))
			}
			return nil
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			c.Write([]byte("x")) // the write is the I/O on which the close strikes
			if _, err := c.Write([]byte("y")); !errors.Is(err, netsim.ErrConnectionReset) {
				return errors.New("second write: " + errString(err))
			}
			return nil
		},
	})
	if faultCount(x.w, "RandomClose") != 1 {
		t.Fatalf("faults: %+v", x.w.Faults())
	}
}

// roundTrip returns how long one 10-byte exchange takes on x.
func roundTrip(t *testing.T, x *world, before func(ctx context.Context, c net.Conn)) time.Duration {
	var took time.Duration
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			buf := make([]byte, 10)
			if _, err := io.ReadFull(c, buf); err != nil {
				return err
			}
			_, err := c.Write(buf)
			return err
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			if before != nil {
				before(ctx, c)
			}
			start := x.w.Now()
			if _, err := c.Write(make([]byte, 10)); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, make([]byte, 10)); err != nil {
				return err
			}
			took = x.w.Now() - start
			return nil
		},
	})
	return took
}

func TestClogsAndCutsDelayDelivery(t *testing.T) {
	if d := roundTrip(t, newWorld(t, 4, netsim.Config{}), nil); d > 8*time.Millisecond { // two latencies and the accept latency
		t.Fatalf("a clean round trip took %v", d)
	}
	for _, tt := range []struct {
		name string
		cfg  netsim.Config
		do   func(x *world) func(ctx context.Context, c net.Conn)
	}{
		{"clog", netsim.Config{Faults: netsim.Faults{ClogP: 1}}, nil},
		{"read clog", netsim.Config{Faults: netsim.Faults{ReadClogP: 1}}, nil},
		{"manual clog", netsim.Config{}, func(x *world) func(context.Context, net.Conn) {
			return func(_ context.Context, c net.Conn) { x.n.Clog(c, 100*time.Millisecond) }
		}},
		{"cut", netsim.Config{}, func(x *world) func(context.Context, net.Conn) {
			return func(_ context.Context, c net.Conn) { x.n.Cut(c, 100*time.Millisecond) }
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 4, tt.cfg)
			var before func(context.Context, net.Conn)
			if tt.do != nil {
				before = tt.do(x)
			}
			if d := roundTrip(t, x, before); d < 100*time.Millisecond {
				t.Fatalf("round trip took %v, want at least the 100 ms clog", d)
			}
		})
	}
}

func TestStableConnectionsAreExempt(t *testing.T) {
	x := newWorld(t, 4, netsim.Config{Faults: netsim.Faults{ClogP: 1, BitFlipP: 1}})
	d := roundTrip(t, x, func(_ context.Context, c net.Conn) { netsim.Stable(c) })
	if d > 8*time.Millisecond || len(x.w.Faults()) != 0 { // two latencies and the accept latency
		t.Fatalf("a stable connection took %v and met %+v", d, x.w.Faults())
	}
}

func TestPartitionStopsOnlyThoseHosts(t *testing.T) {
	x := newWorld(t, 5, netsim.Config{})
	third := x.n.AddHost("third", netip.MustParseAddr("10.0.1.2"))
	arrived := map[string]time.Duration{}
	listen := func(h *netsim.Host, name string) func(context.Context) error {
		return func(ctx context.Context) error {
			l, err := h.Listen(ctx, ":7000")
			if err != nil {
				return err
			}
			c, err := l.Accept()
			if err != nil {
				return err
			}
			if _, err := io.ReadFull(c, make([]byte, 5)); err != nil {
				return err
			}
			arrived[name] = x.w.Now()
			return nil
		}
	}
	send := func(to string) func(context.Context) error {
		return func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, to+":7000")
			if err != nil {
				return err
			}
			if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil {
				return err
			}
			if to == "server" {
				x.n.Partition([]netip.Addr{x.client.Addr()}, []netip.Addr{x.server.Addr()}, netsim.BothWays, time.Second)
			}
			_, err = c.Write([]byte("hello"))
			return err
		}
	}
	x.run(t, map[string]func(context.Context) error{
		"a-server": listen(x.server, "server"), "a-third": listen(third, "third"),
		"b-to-server": send("server"), "b-to-third": send("third"),
	})
	if arrived["third"] > 30*time.Millisecond {
		t.Errorf("traffic to an unpartitioned host arrived at %v", arrived["third"])
	}
	if arrived["server"] < time.Second {
		t.Errorf("traffic across the partition arrived at %v, before it healed", arrived["server"])
	}
	if faultCount(x.w, "Partition") != 1 {
		t.Errorf("faults: %+v", x.w.Faults())
	}
}

func TestCrashResetsOrHalfOpens(t *testing.T) {
	for _, mode := range []netsim.CrashMode{netsim.CrashReset, netsim.CrashHalfOpen} {
		halfOpen := mode == netsim.CrashHalfOpen
		x := newWorld(t, 6, netsim.Config{})
		var failedAt, wroteOK, tried time.Duration
		x.run(t, map[string]func(context.Context) error{
			"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
				if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil {
					return err
				}
				x.server.Crash(mode)
				return nil
			}),
			"b-client": func(ctx context.Context) error {
				c, err := x.client.Dial(ctx, "server:7000")
				if err != nil {
					return err
				}
				if err := sim.Sleep(ctx, 20*time.Millisecond); err != nil {
					return err
				}
				tried = x.w.Now()
				if _, err := c.Write([]byte("still there?")); err == nil {
					wroteOK = x.w.Now()
				}
				_, err = c.Read(make([]byte, 1))
				if !errors.Is(err, netsim.ErrConnectionReset) {
					return errors.New("read after the crash: " + errString(err))
				}
				failedAt = x.w.Now()
				return nil
			},
		})
		switch {
		case !halfOpen && (wroteOK != 0 || failedAt != tried):
			t.Errorf("crash: write succeeded at %v, read failed at %v; want an immediate reset", wroteOK, failedAt)
		case halfOpen && (wroteOK == 0 || failedAt-tried < time.Second):
			t.Errorf("half-open: write at %v, reset at %v; want the write to succeed and the reset 1-5 s later", wroteOK, failedAt)
		}
	}
}

func TestConnectFailures(t *testing.T) {
	refused, hung := 0, 0
	for seed := range uint64(20) {
		x := newWorld(t, seed, netsim.Config{Faults: netsim.Faults{ConnectFailP: 1}})
		x.run(t, map[string]func(context.Context) error{
			"a-server": func(ctx context.Context) error { _, err := x.server.Listen(ctx, ":7000"); return err },
			"b-client": func(ctx context.Context) error {
				ctx, cancel := sim.WithTimeout(ctx, time.Second)
				defer cancel()
				_, err := x.client.Dial(ctx, "server:7000")
				switch {
				case errors.Is(err, netsim.ErrConnectionRefused):
					refused++
				case errors.Is(err, context.DeadlineExceeded):
					hung++
				default:
					return errors.New("dial: " + errString(err))
				}
				return nil
			},
		})
	}
	if refused == 0 || hung == 0 {
		t.Fatalf("%d refused and %d hung of 20 failed dials; want both kinds", refused, hung)
	}
}

// TestHangingDialTimesOut: a dial nobody answers, without a deadline of
// its own, fails as the kernel's would: ETIMEDOUT after 127 s, a timeout.
func TestHangingDialTimesOut(t *testing.T) {
	timedOut := 0
	for seed := range uint64(10) {
		x := newWorld(t, seed, netsim.Config{Faults: netsim.Faults{ConnectFailP: 1}})
		x.run(t, map[string]func(context.Context) error{
			"a-server": func(ctx context.Context) error { _, err := x.server.Listen(ctx, ":7000"); return err },
			"b-client": func(ctx context.Context) error {
				_, err := x.client.Dial(ctx, "server:7000")
				var ne net.Error
				switch {
				case errors.Is(err, netsim.ErrConnectionRefused):
				case errors.Is(err, syscall.ETIMEDOUT) && errors.As(err, &ne) && ne.Timeout() && x.w.Now() >= 127*time.Second:
					timedOut++
				default:
					return errors.New("dial at " + x.w.Now().String() + ": " + errString(err))
				}
				return nil
			},
		})
	}
	if timedOut == 0 {
		t.Fatal("no hanging dial in 10 seeds")
	}
}

func TestChaosDrawsPartitionsThatHeal(t *testing.T) {
	x := newWorld(t, 8, netsim.Config{Faults: netsim.Faults{PartitionP: 0.5}})
	var restored bool
	x.run(t, map[string]func(context.Context) error{
		"chaos": func(ctx context.Context) error {
			x.n.StartChaos(ctx)
			err := sim.Sleep(ctx, 5*time.Second)
			x.n.Heal()
			restored = true
			return err
		},
	})
	if !restored || faultCount(x.w, "Partition") < 5 {
		t.Fatalf("faults over 5 s of chaos: %+v", x.w.Faults())
	}
}

func TestDatagrams(t *testing.T) {
	for _, tt := range []struct {
		name      string
		faults    netsim.Faults
		min, max  int
		reordered bool
	}{
		{"clean", netsim.Faults{}, 20, 20, false},
		{"loss", netsim.Faults{DatagramLossP: 1}, 0, 0, false},
		{"dup", netsim.Faults{DatagramDupP: 1}, 40, 40, false},
		{"reorder", netsim.Faults{DatagramReorder: true}, 20, 20, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 9, netsim.Config{Faults: tt.faults})
			var got []byte
			x.run(t, map[string]func(context.Context) error{
				"a-server": func(ctx context.Context) error {
					pc, err := x.server.ListenPacket(ctx, ":5000")
					if err != nil {
						return err
					}
					for {
						pc.SetReadDeadline(x.w.Time().Add(time.Second))
						buf := make([]byte, 10)
						n, from, err := pc.ReadFrom(buf)
						if errors.Is(err, os.ErrDeadlineExceeded) {
							return nil
						} else if err != nil {
							return err
						}
						if from.String()[:9] != "10.0.0.1:" || n != 1 {
							return errors.New("datagram from " + from.String())
						}
						got = append(got, buf[0])
					}
				},
				"b-client": func(ctx context.Context) error {
					pc, err := x.client.ListenPacket(ctx, ":0")
					if err != nil {
						return err
					}
					to := &net.UDPAddr{IP: net.IPv4(10, 0, 1, 1), Port: 5000}
					for i := range 20 {
						if _, err := pc.WriteTo([]byte{byte(i)}, to); err != nil {
							return err
						}
					}
					return nil
				},
			})
			inOrder := true
			for i := 1; i < len(got); i++ {
				inOrder = inOrder && got[i] >= got[i-1]
			}
			if len(got) < tt.min || len(got) > tt.max || inOrder == tt.reordered {
				t.Fatalf("received %v", got)
			}
		})
	}
}
