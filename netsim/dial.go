package netsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

	"github.com/orrerysim/orrery/sim"
)

// listener is a bound stream socket: the net.Listener of Listen.
type listener struct {
	h       *Host
	id      uint64
	addr    netip.AddrPort
	queue   []*endpoint // established, not yet accepted
	waiters sim.WaitQueue
	closed  bool
	bound   bool
	dl      deadline // Accept's
}

var _ net.Listener = (*listener)(nil)

// Listen binds a stream listener at address ("host:port"; the host part
// must be this host's name or address, or empty; port 0 picks one). It
// blocks for the bind latency.
func (h *Host) Listen(ctx context.Context, address string) (net.Listener, error) {
	ap, err := h.parseAddr(address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: "tcp", Err: err}
	}
	if ap.Addr() != h.addr && !ap.Addr().IsUnspecified() {
		return nil, &net.OpError{Op: "listen", Net: "tcp", Err: fmt.Errorf("%v is not an address of host %s: %w", ap.Addr(), h.name, syscall.EADDRNOTAVAIL)}
	}
	port := ap.Port()
	if port == 0 {
		if port, err = h.ephemeral(); err != nil {
			return nil, &net.OpError{Op: "listen", Net: "tcp", Err: err}
		}
	}
	if _, used := h.listeners[port]; used {
		return nil, &net.OpError{Op: "listen", Net: "tcp", Addr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(h.addr, port)), Err: ErrAddressInUse}
	}
	l := &listener{h: h, id: h.n.newID(), addr: netip.AddrPortFrom(h.addr, port)}
	h.listeners[port] = l
	h.n.w.Schedule(h.n.w.Rand().Duration(h.n.cfg.bindBounds()), sim.OpBindComplete, l.id, 0, l)
	for !l.bound {
		if err := l.waiters.Wait(ctx, "bind"); err != nil {
			l.Close()
			return nil, &net.OpError{Op: "listen", Net: "tcp", Addr: l.Addr(), Err: err}
		}
	}
	return l, nil
}

// HandleEvent is BindComplete.
func (l *listener) HandleEvent(*sim.Event) {
	l.bound = true
	l.waiters.WakeAll()
}

// DescribeEvent names the address bound.
func (l *listener) DescribeEvent(*sim.Event) (string, string) { return l.h.name, l.addr.String() }

// Accept waits for the next connection, the deadline, the listener's
// Close or the calling task's cancellation; then it takes the accept
// latency to hand the connection over. Once the deadline has passed it
// fails at once, connection waiting or not, as package net does.
func (l *listener) Accept() (net.Conn, error) {
	for {
		if l.closed {
			return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
		}
		if l.dl.passed(l.h) {
			return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: errDeadline}
		}
		if len(l.queue) > 0 {
			e := l.queue[0]
			l.queue = l.queue[1:]
			if err := l.handOver(e); err != nil {
				return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: err}
			}
			return e, nil
		}
		if err := waitOn(l.h, &l.waiters, "accept", &l.dl); err != nil {
			return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: err}
		}
	}
}

// handOver waits the accept latency for e, taken from the queue. If the
// calling task is cancelled meanwhile, e goes back to the head of the
// queue for the next Accept; if the listener is closed, e is reset as the
// other connections not yet accepted.
func (l *listener) handOver(e *endpoint) error {
	w := l.h.n.w
	t := w.Current()
	if t == nil {
		return errors.New("netsim: blocking I/O outside a simulated task")
	}
	if err := sim.Sleep(t.Context(), w.Rand().Duration(l.h.n.cfg.acceptBounds())); err != nil {
		l.queue = append([]*endpoint{e}, l.queue...)
		l.waiters.WakeOne() // an Accept may have found the queue empty meanwhile
		return err
	}
	if l.closed {
		e.c.resetConn()
		return net.ErrClosed
	}
	return nil
}

// Close stops listening; connections not yet accepted are reset.
func (l *listener) Close() error {
	if l.closed {
		return &net.OpError{Op: "close", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	l.closed = true
	if l.h.listeners[l.addr.Port()] == l {
		delete(l.h.listeners, l.addr.Port())
	}
	for _, e := range l.queue {
		e.c.resetConn()
	}
	l.queue = nil
	l.waiters.WakeAll()
	return nil
}

// SetDeadline sets the time (of the host's wall clock) from which Accept
// fails with a timeout, as for a *net.TCPListener; the zero time means
// none.
func (l *listener) SetDeadline(t time.Time) error {
	if l.closed {
		return &net.OpError{Op: "set deadline", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	l.dl.set(l.h, t)
	l.waiters.WakeAll()
	return nil
}

// Addr returns the address bound.
func (l *listener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }

// Dial connects to address ("host:port", host a name or an IP). It blocks
// for the connect latency, and fails with ErrConnectionRefused when nobody
// listens there; ctx bounds the wait.
//
// Its frame is kept small (the fault and the errors are built out of line):
// a task's stack starts small, and a dial that grew it would pay for a copy
// of the stack per connection, from fresh memory when many tasks live.
func (h *Host) Dial(ctx context.Context, address string) (net.Conn, error) {
	remote, err := h.parseAddr(address)
	if err != nil {
		return nil, dialError(nil, err)
	}
	n := h.n
	port, err := h.ephemeral()
	if err != nil {
		return nil, dialError(nil, err)
	}
	c := newConn(n, h, netip.AddrPortFrom(h.addr, port), remote)
	h.holdPort(c)
	defer abandonUnready(c)
	if n.fault(n.cfg.Faults.ConnectFailP) {
		if injected, err := n.dialFault(ctx, c); injected {
			return nil, dialError(c, err)
		}
	}
	n.w.Schedule(n.w.Rand().Duration(n.cfg.connectBounds()), sim.OpConnectionReady, c.id, 0, c)
	for !c.ready && c.dialErr == nil {
		if err := c.dialers.Wait(ctx, h.dialWait(address)); err != nil {
			return nil, dialError(c, err)
		}
	}
	if c.dialErr != nil {
		return nil, dialError(c, c.dialErr)
	}
	return &c.end[0], nil
}

// abandonUnready abandons a connection whose dial ended without it: an
// error, or the dialing task unwinding from its wait after a crash, which
// returns from nothing. It never connects later, and frees its port.
func abandonUnready(c *conn) {
	if !c.ready {
		c.abandoned = true
		c.end[0].host.releasePort(c)
	}
}

// dialWait returns "dial "+address, what a dialing task waits for (a
// deadlock report shows it), made once for the address h dialed last
// rather than once a dial: a client dials the same server again and again.
// Out of line, it adds nothing to Dial's frame.
//
//go:noinline
func (h *Host) dialWait(address string) string {
	if address != h.lastDial[0] {
		h.lastDial = [2]string{address, "dial " + address}
	}
	return h.lastDial[1]
}

// dialError is the error of a failed Dial of c (nil when the address did
// not parse or no port was left), whose local port it frees.
//
//go:noinline
func dialError(c *conn, err error) error {
	if c == nil {
		return &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	c.end[0].host.releasePort(c)
	return c.end[0].err("dial", err)
}

// dialFault draws a connect failure for c, refused or hung, and applies it
// unless the fault filter suppresses it: then it returns true and the
// dial's error.
//
//go:noinline
func (n *Network) dialFault(ctx context.Context, c *conn) (bool, error) {
	fault, refused := "ConnectHang", n.w.Rand().Bool(0.5)
	if refused {
		fault = "ConnectRefused"
	}
	if !n.inject(c, fault, "") {
		return false, nil
	}
	lo, hi := n.cfg.connectBounds()
	return true, n.failDial(ctx, refused, lo, hi)
}

// connChunk is how many connections newConn allocates at once: as many
// as fill 6,912 bytes, a size class of the allocator, with the header it
// adds to a large object with pointers (15 of 456 bytes).
const connChunk = (6912 - 8) / int(unsafe.Sizeof(conn{}))

// newConn makes a connection dialed by dialer from local to remote. The
// connections are allocated connChunk at a time, from the dialing task's
// stack: an allocation that takes a new span from the heap goes deep
// enough into the allocator to grow a task's 2 KB stack (a copy of the
// whole stack to a new one of 4 KB), which one dial in nine paid for with
// a connection at a time. A connection still referenced keeps its chunk,
// not its chunk-mates' buffers: detach drops those.
func newConn(n *Network, dialer *Host, local, remote netip.AddrPort) *conn {
	if len(n.connSpare) == 0 {
		n.connSpare = make([]conn, connChunk)
	}
	c := &n.connSpare[0]
	n.connSpare = n.connSpare[1:]
	c.n, c.id = n, n.newID()
	c.addr = [2]netip.AddrPort{local, remote}
	c.pipe[0].c, c.pipe[1].c, c.pipe[1].dir = c, c, 1
	c.end[0].c, c.end[0].host = c, dialer
	c.end[1].c, c.end[1].dir = c, 1
	return c
}

// synTimeout is how long a dial nobody answers waits before it fails, as
// Linux gives up after six SYN retries.
const synTimeout = 127 * time.Second

// failDial applies a connect failure and returns the dial's error: refused
// after the connect latency, or no answer until the caller gives up, or the
// kernel does (ETIMEDOUT after synTimeout, a net.Error whose Timeout() is
// true).
func (n *Network) failDial(ctx context.Context, refused bool, lo, hi time.Duration) error {
	if refused {
		if err := sim.Sleep(ctx, n.w.Rand().Duration(lo, hi)); err != nil {
			return err
		}
		return ErrConnectionRefused
	}
	if err := sim.Sleep(ctx, synTimeout); err != nil {
		return err
	}
	return syscall.ETIMEDOUT
}

// establish is ConnectionReady: the SYN reached the other host.
func (c *conn) establish() {
	if c.abandoned {
		return
	}
	n := c.n
	from, to := c.addr[0].Addr(), c.addr[1].Addr()
	if !c.stable && (n.blockedPair(from, to) || n.blockedPair(to, from)) {
		// No answer across a partition: the SYN is sent again later.
		n.w.Schedule(200*time.Millisecond, sim.OpConnectionReady, c.id, 0, c)
		return
	}
	dst := n.byAddr[to]
	var l *listener
	if dst != nil {
		l = dst.listeners[c.addr[1].Port()]
	}
	if l == nil || !l.bound {
		c.dialErr = ErrConnectionRefused
		c.dialers.WakeAll()
		return
	}
	c.end[1].host = dst
	c.end[0].host.addConn(c, &c.end[0])
	if dst != c.end[0].host {
		dst.addConn(c, &c.end[1])
	}
	l.queue = append(l.queue, &c.end[1])
	l.waiters.WakeOne()
	c.ready = true
	c.dialers.WakeAll()
}

// addConn lists c, established, on h, where its end e is.
func (h *Host) addConn(c *conn, e *endpoint) {
	e.connIdx = int32(len(h.conns))
	h.conns = append(h.conns, c)
}

// openConns returns h's open connections in the order they opened, after
// dropping the closed ones from the list.
func (h *Host) openConns() []*conn {
	if h.connHoles > 0 {
		h.compactConns()
	}
	return h.conns
}

// compactConns drops the holes of h's list, keeping the order.
func (h *Host) compactConns() {
	live := h.conns[:0]
	for _, c := range h.conns {
		if c != nil {
			c.endOn(h).connIdx = int32(len(live))
			live = append(live, c)
		}
	}
	clear(h.conns[len(live):])
	h.conns, h.connHoles = live, 0
}

// endOn returns the end of c that lists it on h: the dialing end if both
// are on h.
func (c *conn) endOn(h *Host) *endpoint {
	if c.end[0].host == h {
		return &c.end[0]
	}
	return &c.end[1]
}

// detach removes the connection from its hosts' lists in constant time:
// its entry becomes a hole, and a list half holes is compacted. (Removing
// it by search and copy cost time in proportion to the connections open,
// which made closing 16,000 connections quadratic.) It also lets go of
// the pipes' empty buffers, which a chunk-mate still open would keep.
func (c *conn) detach() {
	c.end[0].host.releasePort(c)
	for i := range c.pipe {
		p := &c.pipe[i]
		if p.buf.len() == 0 {
			p.buf = byteQueue{}
		}
	}
	for i := range c.end {
		e := &c.end[i]
		if e.host == nil {
			continue
		}
		h := e.host
		if i := int(e.connIdx); i < len(h.conns) && h.conns[i] == c {
			h.conns[i] = nil
			h.connHoles++
			if h.connHoles >= 8 && 2*h.connHoles >= len(h.conns) {
				h.compactConns()
			}
		}
	}
}
