package netsim_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// expectErr fails unless err wraps want and is a *net.OpError, as package
// net returns.
func expectErr(what string, err, want error) error {
	var op *net.OpError
	if !errors.Is(err, want) || !errors.As(err, &op) {
		return errors.New(what + ": " + errString(err) + ", want a *net.OpError wrapping " + want.Error())
	}
	return nil
}

func TestIOOnDeadConnections(t *testing.T) {
	x := newWorld(t, 10, netsim.Config{})
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			_, err := c.Read(make([]byte, 1))
			return expectErr("read after a reset", err, netsim.ErrConnectionReset)
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			if n, err := c.Write(nil); n != 0 || err != nil {
				return errors.New("zero-length write on an open connection: " + errString(err))
			}
			if err := x.n.Kill(c, netsim.KillReset); err != nil {
				return err
			}
			_, err = c.Read(make([]byte, 1))
			if err := expectErr("read after a reset", err, netsim.ErrConnectionReset); err != nil {
				return err
			}
			if _, err := c.Write([]byte("x")); err != nil && !errors.Is(err, netsim.ErrConnectionReset) {
				return errors.New("write after a reset: " + errString(err))
			}
			c.Close()
			_, err = c.Write(nil)
			if err := expectErr("zero-length write after Close", err, net.ErrClosed); err != nil {
				return err
			}
			_, err = c.Read(nil)
			if err := expectErr("read after Close", err, net.ErrClosed); err != nil {
				return err
			}
			return expectErr("SetDeadline after Close", c.SetDeadline(time.Time{}), net.ErrClosed)
		},
	})
}

func TestCloseWriteHalfCloses(t *testing.T) {
	x := newWorld(t, 11, netsim.Config{})
	var reply []byte
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			req, err := io.ReadAll(c) // until the client's FIN
			if err != nil {
				return err
			}
			if _, err := c.Write(append(req, '!')); err != nil {
				return err
			}
			return c.Close()
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			c.Write([]byte("request"))
			cw := c.(interface{ CloseWrite() error })
			if err := cw.CloseWrite(); err != nil {
				return err
			}
			_, err = c.Write([]byte("more"))
			if err := expectErr("write after CloseWrite", err, syscall.EPIPE); err != nil {
				return err
			}
			reply, err = io.ReadAll(c)
			return err
		},
	})
	if string(reply) != "request!" {
		t.Fatalf("reply %q", reply)
	}
}

func TestDeadlines(t *testing.T) {
	x := newWorld(t, 12, netsim.Config{})
	x.run(t, map[string]func(context.Context) error{
		"a-server": func(ctx context.Context) error {
			l, err := x.server.Listen(ctx, ":7000")
			if err != nil {
				return err
			}
			l.(interface{ SetDeadline(time.Time) error }).SetDeadline(x.w.Time().Add(50 * time.Millisecond))
			if _, err := l.Accept(); err != nil {
				return err
			}
			_, err = l.Accept() // nobody else dials
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				return errors.New("second accept: " + errString(err))
			}
			return sim.Sleep(ctx, time.Second) // never reads: c's window fills
		},
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			x.n.Clog(c, time.Second) // nothing leaves: the send buffer fills
			c.SetWriteDeadline(x.w.Time().Add(20 * time.Millisecond))
			start := x.w.Now()
			n, err := c.Write(make([]byte, 200_000))
			var ne net.Error
			if n != 64<<10 || !errors.As(err, &ne) || !ne.Timeout() {
				return errors.New("write: " + strconv.Itoa(n) + " bytes, " + errString(err))
			}
			if d := x.w.Now() - start; d != 20*time.Millisecond {
				return errors.New("timed out after " + d.String())
			}
			return nil
		},
	})
}

func TestCancellingTheTaskInterruptsIO(t *testing.T) {
	x := newWorld(t, 13, netsim.Config{})
	var reader *sim.Task
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			return sim.Sleep(ctx, time.Second)
		}),
		"b-client": func(ctx context.Context) error {
			reader = sim.CurrentTask(ctx)
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			_, err = c.Read(make([]byte, 1)) // no ctx: the task's own
			if !errors.Is(err, context.Canceled) {
				return errors.New("read of a cancelled task: " + errString(err))
			}
			return nil
		},
		"c-canceller": func(ctx context.Context) error {
			if err := sim.Sleep(ctx, 100*time.Millisecond); err != nil {
				return err
			}
			reader.Cancel()
			return nil
		},
	})
}

func TestLoopback(t *testing.T) {
	x := newWorld(t, 14, netsim.Config{})
	var got string
	x.run(t, map[string]func(context.Context) error{
		"a-server": func(ctx context.Context) (err error) {
			got, err = readOne(ctx, x.client, "client:9000")
			return err
		},
		"b-client": func(ctx context.Context) error {
			for _, addr := range []string{":9000", "localhost:9000", "10.0.0.1:9000"} {
				if addrs, err := x.client.LookupHost(ctx, addr[:len(addr)-5]); err != nil || addrs[0] != x.client.Addr() {
					return errors.New("lookup " + addr + ": " + errString(err))
				}
			}
			c, err := x.client.Dial(ctx, "localhost:9000")
			if err != nil {
				return err
			}
			if c.LocalAddr().(*net.TCPAddr).IP.String() != "10.0.0.1" {
				return errors.New("local address " + c.LocalAddr().String())
			}
			c.Write([]byte("self"))
			return c.Close()
		},
	})
	if got != "self" {
		t.Fatalf("read %q", got)
	}
	if _, err := x.client.LookupHost(context.Background(), "nosuchhost"); err == nil {
		t.Fatal("looked up a host that does not exist")
	}
}

func TestDatagramBadInput(t *testing.T) {
	x := newWorld(t, 15, netsim.Config{})
	x.run(t, map[string]func(context.Context) error{
		"client": func(ctx context.Context) error {
			pc, err := x.client.ListenPacket(ctx, ":5000")
			if err != nil {
				return err
			}
			if _, err := x.client.ListenPacket(ctx, ":5000"); !errors.Is(err, netsim.ErrAddressInUse) {
				return errors.New("second bind: " + errString(err))
			}
			if _, err := pc.WriteTo([]byte("x"), nil); err == nil {
				return errors.New("wrote to no address")
			}
			if _, err := pc.WriteTo([]byte("x"), &net.TCPAddr{IP: net.IPv4(10, 0, 1, 1), Port: 5000}); !errors.Is(err, syscall.EINVAL) {
				return errors.New("wrote to a TCP address: " + errString(err)) // as a UDP socket of package net refuses it
			}
			to := &net.UDPAddr{IP: net.IPv4(10, 0, 1, 1), Port: 5000}
			if _, err := pc.WriteTo(make([]byte, 70_000), to); !errors.Is(err, syscall.EMSGSIZE) {
				return errors.New("a 70 kB datagram: " + errString(err))
			}
			pc.Close()
			if _, err := pc.WriteTo([]byte("x"), to); !errors.Is(err, net.ErrClosed) {
				return errors.New("write after close: " + errString(err))
			}
			if _, _, err := pc.ReadFrom(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
				return errors.New("read after close: " + errString(err))
			}
			return nil
		},
	})
}

// FuzzAddresses: whatever the address, Dial, Listen and ListenPacket return
// a value or an error, never panic or hang.
func FuzzAddresses(f *testing.F) {
	for _, s := range []string{"server:7000", ":0", "10.0.1.1:1", "[::1]:80", "nonsense", "server",
		"server:http", "server:99999", "nosuchhost:1", "localhost:-1", ":", "[10.0.0.1]:5", "10.0.0.1:5:6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		x := newWorld(t, 1, netsim.Config{})
		x.run(t, map[string]func(context.Context) error{
			"a": func(ctx context.Context) error {
				ctx, cancel := sim.WithTimeout(ctx, time.Second)
				defer cancel()
				if l, err := x.client.Listen(ctx, addr); err == nil {
					l.Close()
				}
				if pc, err := x.client.ListenPacket(ctx, addr); err == nil {
					pc.Close()
				}
				if c, err := x.client.Dial(ctx, addr); err == nil {
					c.Close()
				}
				return nil
			},
		})
	})
}

func TestAddHostRejectsAmbiguousHosts(t *testing.T) {
	for _, tt := range []struct {
		name string
		addr netip.Addr
	}{
		{"", netip.MustParseAddr("10.0.0.9")},
		{"localhost", netip.MustParseAddr("10.0.0.9")},
		{"10.0.0.9", netip.MustParseAddr("10.0.0.9")},
		{"client", netip.MustParseAddr("10.0.0.9")}, // the name is taken
		{"other", netip.MustParseAddr("10.0.0.1")},  // the address is taken
		{"other", netip.Addr{}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AddHost(%q, %v) did not panic", tt.name, tt.addr)
				}
			}()
			newWorld(t, 1, netsim.Config{}).n.AddHost(tt.name, tt.addr)
		}()
	}
}

// TestAcceptLatency: Accept hands a connection over after the accept
// latency; an acceptor cancelled meanwhile leaves the connection to the
// next Accept, and a listener closed meanwhile resets it.
func TestAcceptLatency(t *testing.T) {
	// Connected at 10 ms, handed over at 13 ms.
	const lat = 3 * time.Millisecond
	cfg := netsim.Config{AcceptMin: lat, AcceptMax: lat, ConnectMin: 10 * time.Millisecond, ConnectMax: 10 * time.Millisecond}
	const during = 11500 * time.Microsecond
	t.Run("delay", func(t *testing.T) {
		x := newWorld(t, 14, cfg)
		var ready, accepted time.Duration
		x.run(t, map[string]func(context.Context) error{
			"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
				accepted = x.w.Now()
				return nil
			}),
			"b-client": func(ctx context.Context) error {
				_, err := x.client.Dial(ctx, "server:7000")
				ready = x.w.Now()
				return err
			},
		})
		if accepted-ready != lat {
			t.Fatalf("connected at %v, accepted at %v: want the %v accept latency between", ready, accepted, lat)
		}
	})
	t.Run("cancelled acceptor", func(t *testing.T) {
		x := newWorld(t, 15, cfg)
		var first *sim.Task
		x.run(t, map[string]func(context.Context) error{
			"a-server": func(ctx context.Context) error {
				l, err := x.server.Listen(ctx, ":7000")
				if err != nil {
					return err
				}
				first = sim.Go(ctx, "first", func(ctx context.Context) {
					if _, err := l.Accept(); !errors.Is(err, context.Canceled) {
						t.Errorf("cancelled Accept: %v", err)
					}
				})
				sim.Sleep(ctx, during)
				first.Cancel()
				c, err := l.Accept()
				if err != nil {
					return err
				}
				buf := make([]byte, 2)
				if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hi" {
					return errors.New("second Accept read " + strconv.Quote(string(buf)) + ": " + errString(err))
				}
				return nil
			},
			"b-client": func(ctx context.Context) error {
				c, err := x.client.Dial(ctx, "server:7000")
				if err != nil {
					return err
				}
				_, err = c.Write([]byte("hi"))
				return err
			},
		})
	})
	t.Run("closed listener", func(t *testing.T) {
		x := newWorld(t, 16, cfg)
		x.run(t, map[string]func(context.Context) error{
			"a-server": func(ctx context.Context) error {
				l, err := x.server.Listen(ctx, ":7000")
				if err != nil {
					return err
				}
				sim.Go(ctx, "closer", func(ctx context.Context) {
					sim.Sleep(ctx, during)
					l.Close()
				})
				_, err = l.Accept()
				return expectErr("Accept on a listener closed during the hand-over", err, net.ErrClosed)
			},
			"b-client": func(ctx context.Context) error {
				c, err := x.client.Dial(ctx, "server:7000")
				if err != nil {
					return err
				}
				_, err = c.Read(make([]byte, 1))
				return expectErr("read of a connection never accepted", err, netsim.ErrConnectionReset)
			},
		})
	})
}
