package envtest

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/orrerysim/orrery/env"
)

// Network is the suite of the network's deadlines, as package net keeps
// them on the operating system: a deadline is a time of the host's clock
// (e.Clock().Now()); an operation started once it has passed fails at once
// (a read with data waiting, a write with room in the buffer, an accept
// with a connection queued), one blocked when it passes ends; both fail
// with an error that wraps os.ErrDeadlineExceeded and is a net.Error whose
// Timeout is true; a later deadline, or none, makes the socket usable
// again. Its sockets are on "localhost", its durations milliseconds. (A
// write blocked by a peer that does not read is left out: the simulated
// network has no receive window, so such a write does not block there.)
var Network = []Case{
	{"read past its deadline with data waiting", readPastDeadline},
	{"write past its deadline with room in the buffer", writePastDeadline},
	{"accept past its deadline with a connection queued", acceptPastDeadline},
	{"datagram read past its deadline with a datagram waiting", datagramReadPastDeadline},
	{"datagram write past its deadline", datagramWritePastDeadline},
	{"blocked read ends at its deadline", blockedReadEnds},
	{"blocked read ends when its deadline moves to the past", blockedReadMoved},
}

// conns is a listener with a connection it accepted: dialed is the
// dialing end, accepted the other.
type conns struct {
	l                net.Listener
	dialed, accepted net.Conn
}

func connect(ctx context.Context, e env.Env) (*conns, error) {
	l, err := e.Net().Listen(ctx, "localhost:0")
	if err != nil {
		return nil, err
	}
	c := &conns{l: l}
	if c.dialed, err = e.Net().Dial(ctx, l.Addr().String()); err != nil {
		l.Close()
		return nil, err
	}
	if c.accepted, err = l.Accept(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *conns) close() {
	c.l.Close()
	c.dialed.Close()
	if c.accepted != nil {
		c.accepted.Close()
	}
}

// timedOut checks that err is the error of an operation past its deadline.
func timedOut(what string, err error) error {
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		return fail(what + ": " + errString(err) + ", want os.ErrDeadlineExceeded, a net.Error whose Timeout is true")
	}
	return nil
}

// settle waits for bytes sent to reach their receiver.
func settle(ctx context.Context, e env.Env) error { return e.Clock().Sleep(ctx, 5*time.Millisecond) }

func readPastDeadline(ctx context.Context, e env.Env) error {
	c, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer c.close()
	if _, err := c.dialed.Write([]byte("hello")); err != nil {
		return err
	}
	if err := settle(ctx, e); err != nil {
		return err
	}
	c.accepted.SetReadDeadline(e.Clock().Now().Add(-time.Millisecond))
	if n, err := c.accepted.Read(make([]byte, 5)); n != 0 || timedOut("read", err) != nil {
		return fail("a read past its deadline, data waiting, read " + strconv.Itoa(n) + " bytes: " + errString(err))
	}
	c.accepted.SetReadDeadline(e.Clock().Now().Add(time.Minute))
	b := make([]byte, 5)
	if _, err := io.ReadFull(c.accepted, b); err != nil || string(b) != "hello" {
		return fail("a read after a later deadline: " + string(b) + ", " + errString(err))
	}
	return nil
}

func writePastDeadline(ctx context.Context, e env.Env) error {
	c, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer c.close()
	c.dialed.SetWriteDeadline(e.Clock().Now().Add(-time.Millisecond))
	if n, err := c.dialed.Write([]byte("lost")); n != 0 || timedOut("write", err) != nil {
		return fail("a write past its deadline wrote " + strconv.Itoa(n) + " bytes: " + errString(err))
	}
	c.dialed.SetWriteDeadline(time.Time{})
	if _, err := c.dialed.Write([]byte("kept")); err != nil {
		return fail("a write without a deadline: " + errString(err))
	}
	b := make([]byte, 4)
	if _, err := io.ReadFull(c.accepted, b); err != nil || string(b) != "kept" {
		return fail("the peer read " + string(b) + ", " + errString(err) + `, want "kept" alone`)
	}
	return nil
}

func acceptPastDeadline(ctx context.Context, e env.Env) error {
	c, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer c.close()
	queued, err := e.Net().Dial(ctx, c.l.Addr().String())
	if err != nil {
		return err
	}
	defer queued.Close()
	dl, ok := c.l.(interface{ SetDeadline(time.Time) error })
	if !ok {
		return fail("the listener has no SetDeadline")
	}
	dl.SetDeadline(e.Clock().Now().Add(-time.Millisecond))
	if _, err := c.l.Accept(); timedOut("accept", err) != nil {
		return fail("an accept past its deadline, a connection queued: " + errString(err))
	}
	dl.SetDeadline(time.Time{})
	got, err := c.l.Accept()
	if err != nil {
		return fail("an accept without a deadline: " + errString(err))
	}
	return got.Close()
}

// datagrams returns two datagram sockets on localhost.
func datagrams(ctx context.Context, e env.Env) (a, b net.PacketConn, err error) {
	if a, err = e.Net().ListenPacket(ctx, "localhost:0"); err != nil {
		return nil, nil, err
	}
	if b, err = e.Net().ListenPacket(ctx, "localhost:0"); err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, b, nil
}

func datagramReadPastDeadline(ctx context.Context, e env.Env) error {
	a, b, err := datagrams(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	defer b.Close()
	tcp := &net.TCPAddr{IP: b.LocalAddr().(*net.UDPAddr).IP, Port: b.LocalAddr().(*net.UDPAddr).Port}
	if _, err := a.WriteTo([]byte("dgram"), tcp); !errors.Is(err, syscall.EINVAL) {
		return fail("a datagram written to a TCP address: " + errString(err))
	}
	if _, err := a.WriteTo([]byte("dgram"), b.LocalAddr()); err != nil {
		return err
	}
	if err := settle(ctx, e); err != nil {
		return err
	}
	b.SetReadDeadline(e.Clock().Now().Add(-time.Millisecond))
	buf := make([]byte, 16)
	if _, _, err := b.ReadFrom(buf); timedOut("read", err) != nil {
		return fail("a datagram read past its deadline, a datagram waiting: " + errString(err))
	}
	b.SetReadDeadline(e.Clock().Now().Add(time.Minute))
	if n, _, err := b.ReadFrom(buf); err != nil || string(buf[:n]) != "dgram" {
		return fail("a datagram read after a later deadline: " + string(buf[:n]) + ", " + errString(err))
	}
	return nil
}

func datagramWritePastDeadline(ctx context.Context, e env.Env) error {
	a, b, err := datagrams(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	defer b.Close()
	a.SetWriteDeadline(e.Clock().Now().Add(-time.Millisecond))
	if _, err := a.WriteTo([]byte("x"), b.LocalAddr()); timedOut("write", err) != nil {
		return fail("a datagram write past its deadline: " + errString(err))
	}
	a.SetWriteDeadline(time.Time{})
	if _, err := a.WriteTo([]byte("x"), b.LocalAddr()); err != nil {
		return fail("a datagram write without a deadline: " + errString(err))
	}
	return nil
}

// wait is how far the blocked cases' deadlines are.
const wait = 10 * time.Millisecond

func blockedReadEnds(ctx context.Context, e env.Env) error {
	c, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer c.close()
	start := e.Clock().Monotonic()
	c.accepted.SetReadDeadline(e.Clock().Now().Add(wait))
	if _, err := c.accepted.Read(make([]byte, 1)); timedOut("read", err) != nil {
		return fail("a read nobody answers, with a deadline: " + errString(err))
	}
	if d := e.Clock().Monotonic() - start; d < wait {
		return fail("a read timed out after " + d.String() + " of the host's clock, before its deadline " + wait.String() + " away")
	}
	return nil
}

func blockedReadMoved(ctx context.Context, e env.Env) error {
	c, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer c.close()
	e.Go("envtest/mover", func(ctx context.Context) {
		if e.Clock().Sleep(ctx, 2*time.Millisecond) == nil {
			c.accepted.SetReadDeadline(e.Clock().Now().Add(-time.Hour))
		}
	})
	if _, err := c.accepted.Read(make([]byte, 1)); timedOut("read", err) != nil {
		return fail("a read whose deadline another task moved to the past: " + errString(err))
	}
	return nil
}
