package netsim

import (
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// sendBufferSize is the capacity of a connection's send buffer: a write
// that does not fit waits for room.
const sendBufferSize = 64 << 10

// maxChunk is the most a ProcessSendBuffer moves onto the wire at once.
const maxChunk = 64 << 10

// defaultReceiveWindow is the receive window of each direction of a
// connection when Config.ReceiveWindow is zero: 128 KiB, Linux's default
// receive buffer (the middle value of net.ipv4.tcp_rmem). A peer that does
// not read stops the writer once this window and the writer's send buffer
// are full, as on a real network; without a window a simulated writer
// never blocks, and a protocol whose two peers both write before they
// read, which deadlocks on TCP, would pass every seed.
const defaultReceiveWindow = 128 << 10

// conn is one connection: its two endpoints and a pipe in each direction,
// allocated together (newConn), as they live and die together. What a
// connection rarely needs (its faults' ends, its trace text) and an end's
// deadlines are made on first use: with 16,000 connections open, a
// connection's bytes, and its pointers that the garbage collector follows,
// are what set-up and collection cost (456 bytes, 792 with all inline).
type conn struct {
	n       *Network
	id      uint64
	addr    [2]netip.AddrPort // the dialing end's local and remote addresses: end i's local is addr[i]
	dialErr error             // why the dial failed
	dialers sim.WaitQueue
	x       *connExtra // made on first use
	stable  bool       // exempt from chaos
	cut     bool       // delivery stopped until CutRestore

	// Dialing.
	ready     bool
	abandoned bool // the dialer gave up
	portHeld  bool // its local port is in its dialing host's dialed set

	pipe [2]pipe     // pipe[i] carries end[i]'s writes to end[1-i]
	end  [2]endpoint // 0 dialed, 1 accepted
}

// connExtra is what a connection needs only under faults or when traced.
type connExtra struct {
	cutUntil      time.Duration    // when the longest cut ends
	clogUntil     [2]time.Duration // by pipe: when the longest clog ends
	readClogUntil [2]time.Duration
	text          [2]pipeText // by pipe: what the trace says of it, once it asked
}

// extra returns c's connExtra, made on first use.
func (c *conn) extra() *connExtra {
	if c.x == nil {
		c.x = new(connExtra)
	}
	return c.x
}

// endpoint is one end of a connection: the net.Conn a task holds.
type endpoint struct {
	c        *conn
	host     *Host
	dl       *deadlines // nil until a deadline is set
	connIdx  int32      // index of c in host.conns, where this end lists it
	dir      uint8      // its index in c.end, and of the pipe it writes to
	closed   bool       // Close was called here
	reset    bool       // the connection was reset: I/O fails
	gone     bool       // its host crashed; the peer does not know yet
	abortive bool       // SetLinger(0): Close resets instead of sending a FIN
}

var _ net.Conn = (*endpoint)(nil)

// rx is the pipe this end reads from, tx the one it writes to.
func (e *endpoint) rx() *pipe { return &e.c.pipe[(e.dir^1)&1] } // dir is 0 or 1: no bounds check
func (e *endpoint) tx() *pipe { return &e.c.pipe[e.dir&1] }

// laddr is this end's address, raddr the peer's.
func (e *endpoint) laddr() netip.AddrPort { return e.c.addr[e.dir] }
func (e *endpoint) raddr() netip.AddrPort { return e.c.addr[1-e.dir] }

// deadlines are an end's read and write deadlines.
type deadlines struct{ read, write deadline }

// noDeadlines are the deadlines of an end that never set one: none. They
// are only read (waitOn writes a deadline's timer only when it is on).
var noDeadlines deadlines

// deadlines returns e's deadlines, noDeadlines if it never set one.
func (e *endpoint) deadlines() *deadlines {
	if e.dl == nil {
		return &noDeadlines
	}
	return e.dl
}

// setDeadlines returns e's deadlines to set them, made on first use; nil
// when t is the zero time and e never set one: there is nothing to clear.
func (e *endpoint) setDeadlines(t time.Time) *deadlines {
	if e.dl == nil && !t.IsZero() {
		e.dl = new(deadlines)
	}
	return e.dl
}

// pipe is one direction of a connection.
type pipe struct {
	c *conn
	// buf holds everything written and not yet read, in order: first the
	// arrived bytes (the receive buffer, readable), then the onWire bytes
	// on their way, then the send buffer's. One queue for the three, so
	// that a byte is copied in by Write and out by Read, and never between.
	// The arrived and onWire bytes together stay within the network's
	// receive window (room), the send buffer's within sendBufferSize.
	buf                  byteQueue
	arrived, onWire      int
	last                 time.Duration // arrival of the last chunk or FIN sent
	dir                  uint8         // its index in c.pipe: it carries c.end[dir]'s writes
	pumping              bool          // a ProcessSendBuffer is scheduled
	finQueued, finSent   bool
	eof                  bool // the FIN arrived
	clogged, readClogged bool
	writers, readers     sim.WaitQueue
}

// LocalAddr returns this end's address.
func (e *endpoint) LocalAddr() net.Addr { return net.TCPAddrFromAddrPort(e.laddr()) }

// RemoteAddr returns the peer's address.
func (e *endpoint) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(e.raddr()) }

func (e *endpoint) err(op string, err error) error {
	return opError(op, e.LocalAddr(), e.RemoteAddr(), err)
}

// Read reads what has arrived, waiting for data, the peer's FIN (io.EOF),
// a reset, the read deadline or the task's cancellation. Once the read
// deadline has passed it fails at once, data or not, as package net does.
func (e *endpoint) Read(p []byte) (int, error) {
	in := e.rx()
	woke := false // waitOn returned: the deadline had not passed, and has not now
	for {
		switch {
		case e.closed:
			return 0, e.err("read", net.ErrClosed)
		case len(p) > 0 && !woke && e.dl != nil && e.dl.read.passed(e.host):
			return 0, e.err("read", errDeadline)
		case e.reset:
			return 0, e.err("read", ErrConnectionReset)
		case len(p) == 0:
			return 0, nil
		case in.readClogged:
			// The data and the FIN are there, but not readable yet.
		case in.arrived > 0: // the faults of a read are drawn in this frame
			n := e.c.n
			if !n.ioFaults {
				k := in.read(p)
				if in.stalled() { // the room read freed reopens the window
					in.kick()
				}
				return k, nil
			}
			if !e.c.stable && n.fault(n.cfg.Faults.PartialP) {
				p = e.partialRead(in, p)
			}
			k := in.read(p)
			if in.stalled() {
				in.kick()
			}
			if n.mayCloseAtRandom(e.c) && n.w.Rand().Bool(n.cfg.Faults.RandomCloseP) {
				n.randomClose(e.c)
			}
			return k, nil
		case in.eof:
			return 0, io.EOF
		}
		// Without a deadline, Wait is called here rather than through
		// waitOn: every frame between a task and its switch costs a
		// mispredicted return after the switch, and this is the hottest wait.
		var err error
		if t := e.c.n.w.Current(); t != nil && (e.dl == nil || !e.dl.read.on) {
			err, woke = in.readers.WaitTask(t, "conn read"), false
		} else {
			err, woke = waitOn(e.host, &in.readers, "conn read", &e.deadlines().read), true
		}
		if err != nil {
			return 0, e.err("read", err)
		}
	}
}

// partialRead is a read's PartialRead fault, its draw having said to
// inject it: p cut to the length drawn, when that is shorter than p and
// than what arrived, and the fault may happen.
func (e *endpoint) partialRead(in *pipe, p []byte) []byte {
	n := e.c.n
	k := 1 + n.w.Rand().IntN(1000)
	if k < len(p) && k < in.arrived && n.inject(e.c, "PartialRead", "bytes="+itoa(k)) {
		p = p[:k]
	}
	return p
}

// Write appends p to the send buffer, waiting for room when it is full; it
// returns once every byte is buffered, or with the error that stopped it.
// A zero-length write succeeds on an open connection and sends nothing.
// Once the write deadline has passed it fails at once, room or not, as
// package net does.
func (e *endpoint) Write(p []byte) (int, error) {
	out := e.tx()
	if err := e.writeErr(out); err != nil {
		return 0, err
	}
	written := 0
	for written < len(p) {
		room := sendBufferSize - out.unsent()
		if room == 0 {
			if err := waitOn(e.host, &out.writers, out.writeWait(), &e.deadlines().write); err != nil {
				return written, e.err("write", err)
			}
		} else {
			k := min(room, len(p)-written)
			out.buf.push(p[written : written+k])
			written += k
			injected := false
			if n := e.c.n; n.ioFaults && !e.c.stable {
				// The pipe may be clogged, or its reading side, each drawn
				// here rather than in a call: the draws are all most writes do.
				if !out.clogged && n.fault(n.cfg.Faults.ClogP) {
					n.clog(out, n.clogDuration())
					injected = true
				}
				if !out.readClogged && n.fault(n.cfg.Faults.ReadClogP) {
					n.readClog(out, n.clogDuration())
					injected = true
				}
			}
			out.kick()
			if !injected {
				continue // nothing could have ended the connection
			}
		}
		if err := e.writeErr(out); err != nil {
			return written, err
		}
	}
	if n := e.c.n; n.ioFaults && n.mayCloseAtRandom(e.c) && n.w.Rand().Bool(n.cfg.Faults.RandomCloseP) {
		n.randomClose(e.c)
	}
	return written, nil
}

// writeWait is what a writer waits on when the send buffer is full, for
// the deadlock report: whether the peer's receive window is full too says
// that the peer is not reading, not that the network is slow.
func (p *pipe) writeWait() string {
	if p.room() <= 0 {
		return "conn write (send buffer full, peer's receive window full)"
	}
	return "conn write (send buffer full)"
}

// writeErr says why nothing more can be written, if so.
func (e *endpoint) writeErr(out *pipe) error {
	switch {
	case e.closed:
		return e.err("write", net.ErrClosed)
	case e.dl != nil && e.dl.write.passed(e.host):
		return e.err("write", errDeadline)
	case e.reset:
		return e.err("write", ErrConnectionReset)
	case out.finQueued:
		return e.err("write", syscall.EPIPE)
	}
	return nil
}

// Close sends a FIN after everything written so far; reads and writes on
// this end fail from now on, and the peer reads io.EOF after the data.
func (e *endpoint) Close() error {
	if e.closed {
		return e.err("close", net.ErrClosed)
	}
	e.closed = true
	if e.abortive && !e.reset {
		e.c.resetConn()
		return nil
	}
	out := e.tx()
	if !e.reset {
		out.finQueued = true
		out.kick()
		e.rx().discard()
	}
	out.writers.WakeAll()
	e.rx().readers.WakeAll()
	e.c.maybeDone()
	return nil
}

// SetLinger(0) makes Close abort the connection with a reset (the peer
// reads ECONNRESET) instead of a FIN, as it does for a *net.TCPConn; any
// other value restores the graceful close.
func (e *endpoint) SetLinger(sec int) error {
	e.abortive = sec == 0
	return nil
}

// CloseWrite sends a FIN after everything written so far and lets the
// reads go on: the peer reads io.EOF, this end's writes fail (EPIPE), as
// for a *net.TCPConn.
func (e *endpoint) CloseWrite() error {
	switch {
	case e.closed:
		return e.err("close", net.ErrClosed)
	case e.reset:
		return e.err("close", ErrConnectionReset)
	}
	out := e.tx()
	out.finQueued = true
	out.kick()
	out.writers.WakeAll()
	return nil
}

// SetDeadline sets both deadlines.
func (e *endpoint) SetDeadline(t time.Time) error {
	if e.closed {
		return e.err("set deadline", net.ErrClosed)
	}
	if dl := e.setDeadlines(t); dl != nil {
		dl.read.set(e.host, t)
		dl.write.at, dl.write.on = dl.read.at, dl.read.on // the same time: the clock read once
	}
	e.rx().readers.WakeAll() // wakeAll's, inlined: SetDeadline is called per request
	e.tx().writers.WakeAll()
	return nil
}

// SetReadDeadline sets the time (of the host's wall clock, see
// Host.SetClock) from which Read fails with a timeout, blocked or not; a
// later time makes reads work again, the zero time means none.
func (e *endpoint) SetReadDeadline(t time.Time) error {
	if e.closed {
		return e.err("set deadline", net.ErrClosed)
	}
	if dl := e.setDeadlines(t); dl != nil {
		dl.read.set(e.host, t)
	}
	e.rx().readers.WakeAll()
	return nil
}

// SetWriteDeadline sets the time (of the host's wall clock) from which
// Write fails with a timeout, blocked or not; a later time makes writes
// work again, the zero time means none.
func (e *endpoint) SetWriteDeadline(t time.Time) error {
	if e.closed {
		return e.err("set deadline", net.ErrClosed)
	}
	if dl := e.setDeadlines(t); dl != nil {
		dl.write.set(e.host, t)
	}
	e.tx().writers.WakeAll()
	return nil
}

func (e *endpoint) wakeAll() {
	e.rx().readers.WakeAll()
	e.tx().writers.WakeAll()
}

// resetConn aborts the connection: both ends fail their I/O with
// ECONNRESET at once and buffered data is dropped.
func (c *conn) resetConn() {
	for i := range c.end {
		c.end[i].reset = true
	}
	for i := range c.pipe {
		p := &c.pipe[i]
		p.buf.reset()
		p.arrived, p.onWire = 0, 0
		p.writers.WakeAll()
		p.readers.WakeAll()
	}
	c.detach()
}

// maybeDone forgets a connection whose two ends are closed.
func (c *conn) maybeDone() {
	if c.end[0].closed && (c.end[1].closed || c.end[1].host == nil) {
		c.detach()
	}
}
