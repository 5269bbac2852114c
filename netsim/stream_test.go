package netsim_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// serve accepts one connection on the server at :7000 and runs fn on it.
func serve(x *world, fn func(ctx context.Context, c net.Conn) error) func(context.Context) error {
	return func(ctx context.Context) error {
		l, err := x.server.Listen(ctx, ":7000")
		if err != nil {
			return err
		}
		defer l.Close()
		c, err := l.Accept()
		if err != nil {
			return err
		}
		return fn(ctx, c)
	}
}

// echo copies what c receives back to it until the peer's FIN.
func echo(ctx context.Context, c net.Conn) error {
	_, err := io.Copy(c, c)
	return err
}

func TestEchoWithBufio(t *testing.T) {
	x := newWorld(t, 1, netsim.Config{})
	var got []string
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			defer c.Close()
			if c.LocalAddr().String() != "10.0.1.1:7000" || c.RemoteAddr().(*net.TCPAddr).IP.String() != "10.0.0.1" {
				return errors.New("addresses: " + c.LocalAddr().String() + " " + c.RemoteAddr().String())
			}
			_, err := io.Copy(c, c) // echo until the client's FIN
			return err
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			defer c.Close()
			w, r := bufio.NewWriter(c), bufio.NewReader(c)
			for _, line := range []string{"hello\n", "world\n"} {
				w.WriteString(line)
				if err := w.Flush(); err != nil {
					return err
				}
				s, err := r.ReadString('\n')
				if err != nil {
					return err
				}
				got = append(got, s)
			}
			return nil
		},
	})
	if len(got) != 2 || got[0] != "hello\n" || got[1] != "world\n" {
		t.Fatalf("echoed %q", got)
	}
}

// TestBytesArriveExactlyAndInOrder writes random sizes (up to four send
// buffers at once) and reads random sizes, over many seeds.
func TestBytesArriveExactlyAndInOrder(t *testing.T) {
	for seed := range uint64(20) {
		x := newWorld(t, seed, netsim.Config{})
		r := sim.NewRand(seed, 99)
		want := make([]byte, 300_000+r.IntN(300_000))
		for i := range want {
			want[i] = byte(r.Uint64())
		}
		var got bytes.Buffer
		x.run(t, map[string]func(context.Context) error{
			"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
				buf := make([]byte, 300_000)
				for {
					n, err := c.Read(buf[:1+r.IntN(len(buf))])
					got.Write(buf[:n])
					if err == io.EOF {
						return nil
					}
					if err != nil {
						return err
					}
				}
			}),
			"b-client": func(ctx context.Context) error {
				c, err := x.client.Dial(ctx, "10.0.1.1:7000")
				if err != nil {
					return err
				}
				for rest := want; len(rest) > 0; {
					k := min(len(rest), 1+r.IntN(4*64<<10))
					if n, err := c.Write(rest[:k]); err != nil || n != k {
						return err
					}
					rest = rest[k:]
				}
				return c.Close()
			},
		})
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("seed %d: received %d bytes, sent %d, or not the same", seed, got.Len(), len(want))
		}
	}
}

func TestGobOverAConnection(t *testing.T) {
	type msg struct {
		N    int
		Text string
	}
	x := newWorld(t, 2, netsim.Config{})
	var got []msg
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			dec := gob.NewDecoder(c)
			for {
				var m msg
				if err := dec.Decode(&m); err == io.EOF {
					return nil
				} else if err != nil {
					return err
				}
				got = append(got, m)
			}
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			enc := gob.NewEncoder(c)
			for i := range 3 {
				if err := enc.Encode(msg{i, "m"}); err != nil {
					return err
				}
			}
			return c.Close()
		},
	})
	if len(got) != 3 || got[2].N != 2 {
		t.Fatalf("decoded %+v", got)
	}
}

func TestDialingNobodyIsRefused(t *testing.T) {
	x := newWorld(t, 3, netsim.Config{})
	x.run(t, map[string]func(context.Context) error{
		"client": func(ctx context.Context) error {
			start := x.w.Now()
			_, err := x.client.Dial(ctx, "server:7000")
			if !errors.Is(err, netsim.ErrConnectionRefused) {
				return errors.New("dial: " + errString(err))
			}
			if x.w.Now()-start < time.Millisecond {
				return errors.New("refused without the connect latency")
			}
			return nil
		},
	})
}

func TestReadDeadlineTimesOut(t *testing.T) {
	x := newWorld(t, 4, netsim.Config{})
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			return sim.Sleep(ctx, time.Second) // never writes
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			start := x.w.Now()
			c.SetReadDeadline(x.w.Time().Add(10 * time.Millisecond))
			_, err = c.Read(make([]byte, 10))
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
				return errors.New("read: " + errString(err))
			}
			if d := x.w.Now() - start; d != 10*time.Millisecond {
				return errors.New("timed out after " + d.String())
			}
			return nil
		},
	})
}

func TestCloseDeliversDataThenEOF(t *testing.T) {
	x := newWorld(t, 5, netsim.Config{})
	var n int64
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			var err error
			n, err = io.Copy(io.Discard, c) // nil at EOF
			if _, rerr := c.Read(make([]byte, 1)); rerr != io.EOF {
				return errors.New("second read after EOF: " + errString(rerr))
			}
			return err
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			if _, err := c.Write(make([]byte, 200_000)); err != nil {
				return err
			}
			if err := c.Close(); err != nil {
				return err
			}
			if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
				return errors.New("write after close: " + errString(err))
			}
			if err := c.Close(); !errors.Is(err, net.ErrClosed) {
				return errors.New("second close: " + errString(err))
			}
			return nil
		},
	})
	if n != 200_000 {
		t.Fatalf("read %d bytes before EOF, want 200000", n)
	}
}

func TestKillEndsThePeer(t *testing.T) {
	tests := []struct {
		mode netsim.KillMode
		want error // what the peer's read fails with
	}{
		{netsim.KillReset, netsim.ErrConnectionReset},
		{netsim.KillFIN, io.EOF},
	}
	for _, tt := range tests {
		x := newWorld(t, 6, netsim.Config{})
		x.run(t, map[string]func(context.Context) error{
			"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
				_, err := c.Read(make([]byte, 10))
				if !errors.Is(err, tt.want) {
					return fmt.Errorf("kill mode %d: read: %s, want %v", tt.mode, errString(err), tt.want)
				}
				return nil
			}),
			"b-client": func(ctx context.Context) error {
				c, err := x.client.Dial(ctx, "server:7000")
				if err != nil {
					return err
				}
				if err := sim.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
				return x.n.Kill(c, tt.mode)
			},
		})
	}
}

func TestCloseWithLingerZeroResets(t *testing.T) {
	x := newWorld(t, 8, netsim.Config{})
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			_, err := io.Copy(io.Discard, c)
			if !errors.Is(err, netsim.ErrConnectionReset) {
				return errors.New("read: " + errString(err))
			}
			return nil
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			c.Write([]byte("unfinished"))
			sim.Sleep(ctx, time.Millisecond)
			c.(interface{ SetLinger(int) error }).SetLinger(0)
			return c.Close()
		},
	})
}

func TestBadAddresses(t *testing.T) {
	x := newWorld(t, 7, netsim.Config{})
	x.run(t, map[string]func(context.Context) error{
		"client": func(ctx context.Context) error {
			for _, addr := range []string{"nonsense", "server", "server:http", "server:99999", "nosuchhost:1"} {
				if _, err := x.client.Dial(ctx, addr); err == nil {
					return errors.New("dialed " + addr)
				}
			}
			if _, err := x.client.Dial(ctx, "nosuchhost:1"); !errors.Is(err, netsim.ErrUnknownHost) {
				return errors.New("unknown host: " + errString(err))
			}
			if _, err := x.client.Listen(ctx, "10.0.1.1:80"); err == nil {
				return errors.New("listened on another host's address")
			}
			if _, err := x.client.Listen(ctx, ":80"); err != nil {
				return err
			}
			if _, err := x.client.Listen(ctx, ":80"); !errors.Is(err, netsim.ErrAddressInUse) {
				return errors.New("second listen: " + errString(err))
			}
			return nil
		},
	})
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
