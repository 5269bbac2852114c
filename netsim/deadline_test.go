package netsim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// pair is a connection between the client and the server of x, with the
// listener that accepted it and a datagram socket on each host.
type pair struct {
	l        net.Listener
	cli, srv net.Conn
	pc, ps   net.PacketConn // client's, server's
	dial     func(ctx context.Context, address string) (net.Conn, error)
}

// connect makes a pair, in one task: Dial returns once the listener has
// queued the connection, before it is accepted.
func connect(ctx context.Context, x *world) (*pair, error) {
	p := &pair{dial: x.client.Dial}
	var err error
	if p.l, err = x.server.Listen(ctx, ":7000"); err != nil {
		return nil, err
	}
	if p.cli, err = x.client.Dial(ctx, "server:7000"); err != nil {
		return nil, err
	}
	if p.srv, err = p.l.Accept(); err != nil {
		return nil, err
	}
	if p.pc, err = x.client.ListenPacket(ctx, ":9000"); err != nil {
		return nil, err
	}
	p.ps, err = x.server.ListenPacket(ctx, ":9000")
	return p, err
}

// timeoutErr checks that err is what package net returns for an operation
// op whose deadline passed.
func timeoutErr(op string, err error) error {
	var ne net.Error
	var oe *net.OpError
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() ||
		!errors.As(err, &oe) || oe.Op != op {
		return fmt.Errorf("%s: %s, want a *net.OpError of %s wrapping os.ErrDeadlineExceeded, a net.Error whose Timeout is true", op, errString(err), op)
	}
	return nil
}

type setDeadline interface{ SetDeadline(time.Time) error }

// An operation whose deadline has passed fails at once, as on the
// operating system and net.Pipe: a read with data buffered, a write with
// room in the send buffer, an accept with a connection queued, a datagram
// read with a datagram waiting. A later deadline (or none) makes the
// socket usable again, and nothing was lost or sent by the failed call.
func TestPastDeadlineFailsAtOnce(t *testing.T) {
	tests := []struct {
		name string
		op   string
		// arm puts data in place and sets the deadline at; fail is the
		// call that must time out; redo the same after the deadline is
		// lifted, which must work.
		arm        func(ctx context.Context, p *pair, at time.Time) error
		fail, redo func(p *pair) error
	}{
		{"read with data buffered", "read", func(ctx context.Context, p *pair, at time.Time) error {
			if _, err := p.cli.Write([]byte("hello")); err != nil {
				return err
			}
			if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil { // it arrives
				return err
			}
			return p.srv.SetReadDeadline(at)
		}, func(p *pair) error {
			n, err := p.srv.Read(make([]byte, 10))
			if n != 0 {
				return fmt.Errorf("read %d bytes past the deadline", n)
			}
			return err
		}, func(p *pair) error {
			if err := p.srv.SetReadDeadline(time.Time{}); err != nil {
				return err
			}
			return readIs(p.srv, "hello")
		}},
		{"write with room in the send buffer", "write", func(ctx context.Context, p *pair, at time.Time) error {
			return p.cli.SetWriteDeadline(at)
		}, func(p *pair) error {
			n, err := p.cli.Write([]byte("lost"))
			if n != 0 {
				return fmt.Errorf("wrote %d bytes past the deadline", n)
			}
			return err
		}, func(p *pair) error {
			if err := p.cli.SetWriteDeadline(time.Time{}); err != nil {
				return err
			}
			if _, err := p.cli.Write([]byte("kept")); err != nil {
				return err
			}
			return readIs(p.srv, "kept")
		}},
		{"zero-length write", "write", func(ctx context.Context, p *pair, at time.Time) error {
			return p.cli.SetDeadline(at)
		}, func(p *pair) error {
			_, err := p.cli.Write(nil)
			return err
		}, func(p *pair) error {
			p.cli.SetDeadline(time.Time{})
			_, err := p.cli.Write(nil)
			return err
		}},
		{"accept with a connection queued", "accept", func(ctx context.Context, p *pair, at time.Time) error {
			if _, err := p.dial(ctx, "server:7000"); err != nil {
				return err
			}
			return p.l.(setDeadline).SetDeadline(at)
		}, func(p *pair) error {
			_, err := p.l.Accept()
			return err
		}, func(p *pair) error {
			p.l.(setDeadline).SetDeadline(time.Time{})
			_, err := p.l.Accept() // the one queued
			return err
		}},
		{"datagram read with a datagram waiting", "read", func(ctx context.Context, p *pair, at time.Time) error {
			if _, err := p.pc.WriteTo([]byte("dgram"), p.ps.LocalAddr()); err != nil {
				return err
			}
			if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil {
				return err
			}
			return p.ps.SetReadDeadline(at)
		}, func(p *pair) error {
			_, _, err := p.ps.ReadFrom(make([]byte, 10))
			return err
		}, func(p *pair) error {
			p.ps.SetDeadline(time.Time{})
			b := make([]byte, 10)
			n, _, err := p.ps.ReadFrom(b)
			if err == nil && string(b[:n]) != "dgram" {
				return fmt.Errorf("read %q after the deadline was lifted, want the datagram", b[:n])
			}
			return err
		}},
		{"datagram write", "write", func(ctx context.Context, p *pair, at time.Time) error {
			return p.pc.SetWriteDeadline(at)
		}, func(p *pair) error {
			_, err := p.pc.WriteTo([]byte("x"), p.ps.LocalAddr())
			return err
		}, func(p *pair) error {
			p.pc.SetWriteDeadline(time.Time{})
			_, err := p.pc.WriteTo([]byte("x"), p.ps.LocalAddr())
			return err
		}},
	}
	for _, tt := range tests {
		for _, when := range []struct {
			name string
			at   func(now time.Time) time.Time
		}{{"now", func(now time.Time) time.Time { return now }}, {"a second ago", func(now time.Time) time.Time { return now.Add(-time.Second) }}} {
			t.Run(tt.name+"/deadline "+when.name, func(t *testing.T) {
				x := newWorld(t, 1, netsim.Config{})
				x.run(t, map[string]func(context.Context) error{"test": func(ctx context.Context) error {
					return pastDeadline(ctx, x, tt.op, when.at, tt.arm, tt.fail, tt.redo)
				}})
			})
		}
	}
}

// pastDeadline runs one case of TestPastDeadlineFailsAtOnce.
func pastDeadline(ctx context.Context, x *world, op string, at func(time.Time) time.Time,
	arm func(context.Context, *pair, time.Time) error, fail, redo func(*pair) error) error {
	p, err := connect(ctx, x)
	if err != nil {
		return err
	}
	if err := arm(ctx, p, at(x.w.Time())); err != nil {
		return err
	}
	start := x.w.Now()
	if err := timeoutErr(op, fail(p)); err != nil {
		return err
	}
	if x.w.Now() != start {
		return fmt.Errorf("the call took %v to time out, want no time", x.w.Now()-start)
	}
	return redo(p)
}

// readIs reads c until it has len(want) bytes and compares them.
func readIs(c net.Conn, want string) error {
	b := make([]byte, len(want))
	if _, err := io.ReadFull(c, b); err != nil {
		return err
	}
	if string(b) != want {
		return fmt.Errorf("read %q, want %q", b, want)
	}
	return nil
}

// A deadline that passes while an operation is blocked wakes it with the
// timeout error at that instant; a deadline moved while it is blocked
// (earlier, past, later, none) applies at once.
func TestDeadlineUnblocks(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		op   string
		// block is the blocked call; move, run by another task after
		// 10ms, moves its deadline (nil: leaves it); want is when the
		// call ends (after the start), wantErr whether it times out.
		block   func(p *pair) error
		first   time.Duration // the deadline set before the call, from its start
		move    func(p *pair, now time.Time) error
		want    time.Duration
		timeout bool
	}{
		{"read at its deadline", "read", readByte, 30 * ms, nil, 30 * ms, true},
		{"read, deadline moved to the past", "read", readByte, 0,
			func(p *pair, now time.Time) error { return p.srv.SetReadDeadline(now.Add(-time.Hour)) }, 10 * ms, true},
		{"read, deadline moved earlier", "read", readByte, time.Second,
			func(p *pair, now time.Time) error { return p.srv.SetDeadline(now.Add(5 * ms)) }, 15 * ms, true},
		{"read, deadline moved later, data comes", "read", readByte, 30 * ms,
			func(p *pair, now time.Time) error {
				p.srv.SetReadDeadline(now.Add(time.Second))
				_, err := p.cli.Write([]byte("x"))
				return err
			}, -1, false},
		{"write at its deadline (send buffer full)", "write", writeMuch, 20 * ms, nil, 20 * ms, true},
		{"write, deadline moved to the past", "write", writeMuch, 0,
			func(p *pair, now time.Time) error { return p.cli.SetWriteDeadline(now) }, 10 * ms, true},
		{"accept at its deadline", "accept", func(p *pair) error { _, err := p.l.Accept(); return err }, 25 * ms, nil, 25 * ms, true},
		{"datagram read at its deadline", "read", func(p *pair) error {
			_, _, err := p.ps.ReadFrom(make([]byte, 1))
			return err
		}, 25 * ms, nil, 25 * ms, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 2, netsim.Config{})
			var p *pair
			var start time.Duration
			x.run(t, map[string]func(context.Context) error{
				"a-blocked": func(ctx context.Context) error {
					var err error
					if p, err = connect(ctx, x); err != nil {
						return err
					}
					if tt.op == "write" {
						x.n.Clog(p.cli, time.Second) // nothing leaves: a big write fills the send buffer
					}
					if tt.first > 0 {
						at := x.w.Time().Add(tt.first)
						p.srv.SetReadDeadline(at)
						p.cli.SetWriteDeadline(at)
						p.l.(setDeadline).SetDeadline(at)
						p.ps.SetReadDeadline(at)
					}
					start = x.w.Now()
					err = tt.block(p)
					took := x.w.Now() - start
					if tt.timeout {
						if err := timeoutErr(tt.op, err); err != nil {
							return err
						}
					} else if err != nil {
						return err
					}
					if tt.want >= 0 && took != tt.want {
						return fmt.Errorf("the call ended after %v, want %v", took, tt.want)
					}
					return nil
				},
				"b-mover": func(ctx context.Context) error {
					if tt.move == nil {
						return nil
					}
					for p == nil {
						if err := sim.Sleep(ctx, ms); err != nil {
							return err
						}
					}
					if err := sim.Sleep(ctx, start+10*ms-x.w.Now()); err != nil {
						return err
					}
					return tt.move(p, x.w.Time())
				},
			})
		})
	}
}

func readByte(p *pair) error {
	_, err := p.srv.Read(make([]byte, 1))
	return err
}

func writeMuch(p *pair) error {
	_, err := p.cli.Write(make([]byte, 200_000))
	return err
}

// Deadlines are times of the host's own clock (its env.Clock's Now) and
// pass when that clock reads them: a deadline a second away on a host
// whose clock runs 50% fast passes after 2/3 s of true time, on one 50%
// slow after 2 s, and an offset does not move it. A change of drift while
// an operation waits retimes it; a step of the wall clock does not, as the
// operating system keeps a deadline on its monotonic clock.
func TestDeadlinesOnTheHostClock(t *testing.T) {
	tests := []struct {
		name   string
		offset time.Duration
		ppm    int64
		change func(c *sim.HostClock) // after 500ms of true time, if set
		want   time.Duration          // true time until the read times out
	}{
		{"true time", 0, 0, nil, time.Second},
		{"50% fast", 0, 500_000, nil, 666_666_667},
		{"50% slow", 0, -500_000, nil, 2 * time.Second},
		{"an hour ahead", time.Hour, 0, nil, time.Second},
		{"an hour behind, 0.1% fast", -time.Hour, 1000, nil, 999_000_999},
		{"speeds up halfway", 0, 0, func(c *sim.HostClock) { c.SetDrift(500_000) }, 833_333_334},
		{"wall clock stepped back halfway", 0, 0, func(c *sim.HostClock) { c.Step(-time.Minute) }, time.Second},
		{"wall clock stepped on halfway", 0, 0, func(c *sim.HostClock) { c.Step(time.Minute) }, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 3, netsim.Config{})
			clock := sim.NewHostClock(x.w, "server", tt.offset, tt.ppm)
			x.server.SetClock(clock)
			var start time.Duration
			x.run(t, map[string]func(context.Context) error{
				"a-reader": func(ctx context.Context) error {
					p, err := connect(ctx, x)
					if err != nil {
						return err
					}
					if err := p.srv.SetReadDeadline(clock.Now()); err != nil {
						return err
					}
					if err := timeoutErr("read", readByte(p)); err != nil {
						return fmt.Errorf("deadline now on the host's clock: %w", err)
					}
					start = x.w.Now()
					p.srv.SetReadDeadline(clock.Now().Add(time.Second))
					if err := timeoutErr("read", readByte(p)); err != nil {
						return err
					}
					if took := x.w.Now() - start; took < tt.want-1 || took > tt.want+1 { // the clock rounds to 1ns
						return fmt.Errorf("timed out after %v of true time, want %v", took, tt.want)
					}
					return nil
				},
				"b-changer": func(ctx context.Context) error {
					if tt.change == nil {
						return nil
					}
					for start == 0 {
						if err := sim.Sleep(ctx, time.Millisecond); err != nil {
							return err
						}
					}
					if err := sim.Sleep(ctx, start+500*time.Millisecond-x.w.Now()); err != nil {
						return err
					}
					tt.change(clock)
					return nil
				},
			})
		})
	}
}

// Writes, accepts and datagram reads keep their deadlines on the host's
// clock too, and a past deadline is past on that clock: a second ago on a
// clock an hour ahead of true time is past, not an hour away.
func TestEveryDeadlineOnTheHostClock(t *testing.T) {
	x := newWorld(t, 4, netsim.Config{})
	cc := sim.NewHostClock(x.w, "client", time.Hour, 500_000)
	sc := sim.NewHostClock(x.w, "server", time.Hour, -500_000)
	x.client.SetClock(cc)
	x.server.SetClock(sc)
	x.run(t, map[string]func(context.Context) error{"test": func(ctx context.Context) error {
		p, err := connect(ctx, x)
		if err != nil {
			return err
		}
		p.cli.SetWriteDeadline(cc.Now().Add(-time.Second))
		if err := timeoutErr("write", writeMuch(p)); err != nil {
			return fmt.Errorf("a second ago on the client's clock: %w", err)
		}
		x.n.Clog(p.cli, 10*time.Second)
		steps := []struct {
			op     string
			clock  *sim.HostClock
			set    func(time.Time) error
			call   func(p *pair) error
			wantIn time.Duration // true time
		}{
			{"write", cc, p.cli.SetWriteDeadline, writeMuch, 666_666_667},
			{"accept", sc, p.l.(setDeadline).SetDeadline, func(p *pair) error { _, err := p.l.Accept(); return err }, 2 * time.Second},
			{"read", sc, p.ps.SetReadDeadline, func(p *pair) error { _, _, err := p.ps.ReadFrom(nil); return err }, 2 * time.Second},
		}
		for _, s := range steps {
			s.set(s.clock.Now().Add(time.Second))
			start := x.w.Now()
			if err := timeoutErr(s.op, s.call(p)); err != nil {
				return err
			}
			if took := x.w.Now() - start; took < s.wantIn-1 || took > s.wantIn+1 {
				return fmt.Errorf("%s timed out after %v of true time, want %v", s.op, took, s.wantIn)
			}
		}
		return nil
	}})
}

// A run full of deadlines on drifting clocks, under faults, is the same
// run twice: same trace hash, same outcomes.
func TestDeadlinesDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		h1, out1 := deadlineRun(seed)
		h2, out2 := deadlineRun(seed)
		if h1 != h2 || out1 != out2 {
			t.Fatalf("seed %d: trace hashes %#x and %#x\n%s\n%s", seed, h1, h2, out1, out2)
		}
		if !strings.Contains(out1, "i/o timeout") {
			t.Errorf("seed %d: no deadline passed:\n%s", seed, out1)
		}
	}
}

// deadlineRun has three hosts on clocks that drift apart (one changes its
// rate halfway) exchange messages under short deadlines and faults; it
// returns the trace hash and what each exchange gave.
func deadlineRun(seed uint64) (uint64, string) {
	w := sim.New(sim.Config{Seed: seed, LogFilter: "off"})
	n := netsim.New(w, netsim.Config{Faults: netsim.SwarmFaults(sim.NewRand(seed, 9))})
	var hosts []*netsim.Host
	var clocks []*sim.HostClock
	for i, ppm := range []int64{-200_000, 0, 300_000} {
		h := n.AddHost(fmt.Sprintf("h%d", i), mustAddr(fmt.Sprintf("10.0.0.%d", i+1)))
		clocks = append(clocks, sim.NewHostClock(w, h.Name(), time.Duration(i)*time.Minute, ppm))
		h.SetClock(clocks[i])
		hosts = append(hosts, h)
	}
	var outcome strings.Builder
	for i, h := range hosts {
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
				c.SetReadDeadline(clocks[i].Now().Add(40 * time.Millisecond))
				sim.GoDaemon(ctx, "echo", func(context.Context) { io.Copy(c, c); c.Close() })
			}
		})
		w.Spawn(h.Name()+"/client", func(ctx context.Context) {
			n.StartChaos(ctx)
			for k := range 15 {
				if k == 7 && i == 1 {
					clocks[i].SetDrift(-400_000)
				}
				c, err := h.Dial(ctx, hosts[(i+k)%len(hosts)].Name()+":7000")
				if err == nil {
					c.SetDeadline(clocks[i].Now().Add(time.Duration(k*3) * time.Millisecond))
					c.Write(make([]byte, 1000*k))
					_, err = io.ReadFull(c, make([]byte, 1000*k))
					c.Close()
				}
				fmt.Fprintf(&outcome, "%s %d t=%v: %v\n", h.Name(), k, w.Now(), err)
			}
			n.Heal()
		})
	}
	if err := w.Run(); err != nil {
		fmt.Fprintln(&outcome, err)
	}
	return w.TraceHash(), outcome.String()
}

// Two tasks blocked on one socket share its deadline: when one of them is
// woken (a connection for one of two Accepts, data for one of two
// readers), the other still times out at the deadline.
func TestDeadlineOfTwoWaiters(t *testing.T) {
	x := newWorld(t, 5, netsim.Config{})
	var l net.Listener
	var start time.Duration
	accept := func(ctx context.Context) error {
		for l == nil {
			if err := sim.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
		}
		_, err := l.Accept()
		if err == nil {
			return nil // the one that got the connection
		}
		if err := timeoutErr("accept", err); err != nil {
			return err
		}
		if took := x.w.Now() - start; took != 100*time.Millisecond {
			return fmt.Errorf("the other accept timed out after %v, want 100ms", took)
		}
		return nil
	}
	x.run(t, map[string]func(context.Context) error{
		"a-listener": func(ctx context.Context) error {
			var err error
			ln, err := x.server.Listen(ctx, ":7000")
			if err != nil {
				return err
			}
			start = x.w.Now()
			ln.(setDeadline).SetDeadline(x.w.Time().Add(100 * time.Millisecond))
			l = ln
			return nil
		},
		"b-accept": accept,
		"c-accept": accept,
		"d-dialer": func(ctx context.Context) error {
			if err := sim.Sleep(ctx, 20*time.Millisecond); err != nil {
				return err
			}
			_, err := x.client.Dial(ctx, "server:7000")
			return err
		},
	})
}
