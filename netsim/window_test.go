package netsim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// The sizes of the stream model that these tests see from outside: the
// send buffer of each end, and the receive window when
// Config.ReceiveWindow is zero.
const (
	sendBuffer    = 64 << 10
	defaultWindow = 128 << 10
	mib           = 1 << 20
)

// windowFull is what a writer stopped by a peer that does not read waits
// on, in a deadlock report.
const windowFull = "conn write (send buffer full, peer's receive window full)"

// pattern is n bytes that differ from their neighbours, so that a byte
// lost, repeated or moved shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// A peer that never reads stops the writer once the receive window and
// the send buffer are full: a write of 1 MiB buffers exactly their sum,
// then blocks until its deadline.
func TestUnreadWindowStopsTheWriter(t *testing.T) {
	for _, tt := range []struct {
		name   string
		window int // Config.ReceiveWindow
		want   int // what the write buffers before it blocks
	}{
		{"default window", 0, defaultWindow + sendBuffer},
		{"16 KiB window", 16 << 10, 16<<10 + sendBuffer},
		{"one-byte window", 1, 1 + sendBuffer},
		{"window over the write", 2 * mib, mib},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 1, netsim.Config{ReceiveWindow: tt.window})
			x.run(t, map[string]func(context.Context) error{
				"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
					return sim.Sleep(ctx, 2*time.Second) // and never reads
				}),
				"b-client": func(ctx context.Context) error {
					c, err := x.client.Dial(ctx, "server:7000")
					if err != nil {
						return err
					}
					defer c.Close()
					c.SetWriteDeadline(x.w.Time().Add(time.Second))
					start := x.w.Now()
					n, err := c.Write(pattern(mib))
					if n != tt.want {
						return fmt.Errorf("wrote %d bytes, want %d (%v)", n, tt.want, err)
					}
					if n < mib && (timeoutErr("write", err) != nil || x.w.Now()-start != time.Second) {
						return fmt.Errorf("write ended after %v with %v, want a timeout after 1s", x.w.Now()-start, err)
					}
					return nil
				},
			})
		})
	}
}

// A reader that reads slowly, or less than the window at a time, gets
// every byte, in order and intact, then io.EOF: the FIN waits for the data
// the window held back.
func TestSlowReaderGetsEveryByte(t *testing.T) {
	for _, tt := range []struct {
		name   string
		window int
		size   int           // bytes sent
		read   int           // bytes per read
		pause  time.Duration // between reads
		clog   bool          // the reader's side is read-clogged at first
	}{
		{"default window, 1000-byte reads", 0, mib, 1000, time.Millisecond, false},
		{"reads larger than the window", 1000, 256 << 10, 4096, 100 * time.Microsecond, false},
		{"one-byte window", 1, 2000, 3, 0, false},
		{"read clog first", 0, mib, 64 << 10, 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 3, netsim.Config{ReceiveWindow: tt.window})
			want := pattern(tt.size)
			x.run(t, map[string]func(context.Context) error{
				"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
					if tt.clog {
						x.n.ReadClog(c, 50*time.Millisecond)
					}
					got, err := readSlowly(ctx, c, tt.read, tt.pause)
					if err == nil && !bytes.Equal(got, want) {
						err = fmt.Errorf("read %d bytes, not the %d written", len(got), len(want))
					}
					return err
				}),
				"b-client": func(ctx context.Context) error {
					c, err := x.client.Dial(ctx, "server:7000")
					if err != nil {
						return err
					}
					if _, err := c.Write(want); err != nil {
						return err
					}
					return c.Close()
				},
			})
		})
	}
}

// readSlowly reads c to io.EOF, at most size bytes a read, pausing
// between reads.
func readSlowly(ctx context.Context, c net.Conn, size int, pause time.Duration) ([]byte, error) {
	var got []byte
	buf := make([]byte, size)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return got, nil
		} else if err != nil {
			return got, err
		}
		if pause > 0 {
			if err := sim.Sleep(ctx, pause); err != nil {
				return got, err
			}
		}
	}
}

// Two peers that each write a message before reading the other's
// deadlock, as over TCP, once a message is larger than the peer's receive
// window and the writer's send buffer together; the deadlock report says
// that each writer waits for its peer's window.
func TestWriteWriteDeadlock(t *testing.T) {
	for _, tt := range []struct {
		name     string
		window   int
		size     int
		deadlock bool
	}{
		{"1 MiB each", 0, mib, true},
		{"window and send buffer exactly", 0, defaultWindow + sendBuffer, false},
		{"one byte more", 0, defaultWindow + sendBuffer + 1, true},
		{"small messages, small window", 1000, 1000 + sendBuffer, false},
		{"a byte over a small window", 1000, 1001 + sendBuffer, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 1, netsim.Config{ReceiveWindow: tt.window})
			exchange := func(c net.Conn) error {
				if _, err := c.Write(pattern(tt.size)); err != nil {
					return err
				}
				_, err := io.ReadFull(c, make([]byte, tt.size))
				return err
			}
			x.w.Spawn("server", func(ctx context.Context) {
				if err := serve(x, func(ctx context.Context, c net.Conn) error { return exchange(c) })(ctx); err != nil {
					t.Error(err)
				}
			})
			x.w.Spawn("client", func(ctx context.Context) {
				c, err := x.client.Dial(ctx, "server:7000")
				if err == nil {
					err = exchange(c)
				}
				if err != nil {
					t.Error(err)
				}
			})
			checkDeadlock(t, x.w.Run(), tt.deadlock, "server", "client")
		})
	}
}

// checkDeadlock checks that err is a deadlock whose every named task waits
// on a full receive window when want is true, and nil when it is false.
func checkDeadlock(t *testing.T, err error, want bool, names ...string) {
	t.Helper()
	var f *sim.Failure
	switch {
	case !want && err != nil:
		t.Fatalf("Run = %v, want no deadlock", err)
	case !want:
		return
	case !errors.As(err, &f) || f.Kind != sim.FailDeadlock:
		t.Fatalf("Run = %v, want a deadlock", err)
	}
	waits := map[string]string{}
	for _, p := range f.Parked {
		waits[p.Name] = p.Waiting
	}
	for _, name := range names {
		if waits[name] != windowFull {
			t.Errorf("%s waits on %q, want %q", name, waits[name], windowFull)
		}
	}
	if !strings.Contains(f.Report(), windowFull) {
		t.Errorf("the report does not say %q:\n%s", windowFull, f.Report())
	}
}

// The peer's receive window changes nothing for an end that will not
// read again: data sent to an end closed with unread data resets the
// connection, as it did before the window filled; data sent to a crashed
// host's half-open end is dropped, and writes succeed until the
// connection fails.
func TestWindowOfAnEndThatWillNotRead(t *testing.T) {
	for _, tt := range []struct {
		name    string
		end     func(x *world, c net.Conn)
		write   error // what the write of 1 MiB returns
		thenErr error // what a read after it returns
	}{
		{"closed with unread data", func(x *world, c net.Conn) { c.Close() },
			netsim.ErrConnectionReset, netsim.ErrConnectionReset},
		{"crashed, half open", func(x *world, c net.Conn) { x.server.Crash(netsim.CrashHalfOpen) },
			nil, netsim.ErrConnectionReset},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newWorld(t, 1, netsim.Config{})
			x.run(t, map[string]func(context.Context) error{
				"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
					if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil { // the window fills
						return err
					}
					tt.end(x, c)
					return nil
				}),
				"b-client": func(ctx context.Context) error {
					c, err := x.client.Dial(ctx, "server:7000")
					if err != nil {
						return err
					}
					defer c.Close()
					if _, err := c.Write(pattern(mib)); !errors.Is(err, tt.write) {
						return fmt.Errorf("write: %v, want %v", err, tt.write)
					}
					if _, err := c.Read(make([]byte, 1)); !errors.Is(err, tt.thenErr) {
						return fmt.Errorf("read: %v, want %v", err, tt.thenErr)
					}
					return nil
				},
			})
		})
	}
}

// TestWindowSameSeedSameTrace runs bulk exchanges that a small window
// stalls, under a swarm of faults and chaos, twice per seed: the traces
// must hash the same, whatever failed.
func TestWindowSameSeedSameTrace(t *testing.T) {
	for seed := range uint64(10) {
		var hashes [2]uint64
		var outcomes [2]string
		for i := range hashes {
			hashes[i], outcomes[i] = windowRun(seed)
		}
		if hashes[0] != hashes[1] || outcomes[0] != outcomes[1] {
			t.Fatalf("seed %d: trace hashes %x and %x, outcomes %q and %q", seed, hashes[0], hashes[1], outcomes[0], outcomes[1])
		}
	}
}

// windowRun is one seed of clients that each send a message of up to
// 190 KB to an echo server before reading the echo, through an 8 KiB
// window: the larger messages stall both ways until a deadline ends them.
// It returns the trace hash and what happened.
func windowRun(seed uint64) (uint64, string) {
	w := sim.New(sim.Config{Seed: seed})
	n := netsim.New(w, netsim.Config{ReceiveWindow: 8 << 10, Faults: netsim.SwarmFaults(sim.NewRand(seed, 7))})
	server, client := n.AddHost("server", mustAddr("10.0.1.1")), n.AddHost("client", mustAddr("10.0.0.1"))
	var outcome strings.Builder
	w.SpawnDaemon("server/echo", func(ctx context.Context) {
		l, err := server.Listen(ctx, ":7000")
		for err == nil {
			var c net.Conn
			if c, err = l.Accept(); err == nil {
				sim.GoDaemon(ctx, "echo", func(context.Context) { io.Copy(c, c); c.Close() })
			}
		}
	})
	w.Spawn("client/main", func(ctx context.Context) {
		n.StartChaos(ctx)
		for i := range 20 {
			c, err := client.Dial(ctx, "server:7000")
			if err == nil {
				c.SetDeadline(w.Time().Add(2 * time.Second))
				msg := pattern(10_000 * i)
				if _, err = c.Write(msg); err == nil {
					_, err = io.ReadFull(c, msg)
				}
				c.Close()
			}
			fmt.Fprintf(&outcome, "%d: %v\n", i, err)
		}
		n.Heal()
	})
	if err := w.Run(); err != nil {
		fmt.Fprintln(&outcome, err)
	}
	return w.TraceHash(), outcome.String()
}

// Two peers that both send 1 MiB before reading deadlock, as over TCP:
// each peer's 128 KiB receive window and each writer's 64 KiB send buffer
// fill, and the deadlock report says what each writer waits for.
func ExampleConfig_receiveWindow() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{}) // ReceiveWindow zero: 128 KiB
	a := n.AddHost("a", mustAddr("10.0.0.1"))
	b := n.AddHost("b", mustAddr("10.0.0.2"))
	exchange := func(c net.Conn) {
		c.Write(make([]byte, mib))
		io.ReadFull(c, make([]byte, mib))
	}
	w.Spawn("b/server", func(ctx context.Context) {
		l, _ := b.Listen(ctx, ":7000")
		if c, err := l.Accept(); err == nil {
			exchange(c)
		}
	})
	w.Spawn("a/client", func(ctx context.Context) {
		if c, err := a.Dial(ctx, "b:7000"); err == nil {
			exchange(c)
		}
	})
	var f *sim.Failure
	if errors.As(w.Run(), &f) {
		fmt.Println(f.Kind)
		for _, p := range f.Parked {
			fmt.Printf("%s: %s\n", p.Name, p.Waiting)
		}
	}
	// Output:
	// deadlock
	// b/server: conn write (send buffer full, peer's receive window full)
	// a/client: conn write (send buffer full, peer's receive window full)
}
