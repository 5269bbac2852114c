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

// conn is one connection: two endpoints and a pipe in each direction.
type conn struct {
	n        *Network
	id       uint64
	ends     [2]*endpoint  // 0 dialed, 1 accepted
	pipes    [2]*pipe      // pipes[i] carries ends[i]'s writes to ends[1-i]
	stable   bool          // exempt from chaos
	cut      bool          // delivery stopped until CutRestore
	cutUntil time.Duration // when the longest cut ends

	// Dialing.
	ready     bool
	dialErr   error
	abandoned bool // the dialer gave up
	dialers   sim.WaitQueue
}

// endpoint is one end of a connection: the net.Conn a task holds.
type endpoint struct {
	c             *conn
	rx, tx        *pipe // the pipes this end reads from and writes to
	host          *Host
	local, remote netip.AddrPort
	closed        bool // Close was called here
	reset         bool // the connection was reset: I/O fails
	gone          bool // its host crashed; the peer does not know yet
	readDL        deadline
	writeDL       deadline
	abortive      bool // SetLinger(0): Close resets instead of sending a FIN
	connIdx       int  // index of c in host.conns, where this end lists it
}

var _ net.Conn = (*endpoint)(nil)

// pipe is one direction of a connection.
type pipe struct {
	c   *conn
	dir int
	// buf holds everything written and not yet read, in order: first the
	// arrived bytes (the receive buffer, readable), then the onWire bytes
	// on their way, then the send buffer's. One queue for the three, so
	// that a byte is copied in by Write and out by Read, and never between.
	buf                  byteQueue
	arrived, onWire      int
	pumping              bool // a ProcessSendBuffer is scheduled
	finQueued, finSent   bool
	eof                  bool          // the FIN arrived
	last                 time.Duration // arrival of the last chunk or FIN sent
	clogged, readClogged bool
	clogUntil            time.Duration // when the longest clog ends
	readClogUntil        time.Duration
	writers, readers     sim.WaitQueue
	addrText             string // addrs, once a trace asked for it
}

// LocalAddr returns this end's address.
func (e *endpoint) LocalAddr() net.Addr { return net.TCPAddrFromAddrPort(e.local) }

// RemoteAddr returns the peer's address.
func (e *endpoint) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(e.remote) }

func (e *endpoint) err(op string, err error) error {
	return opError(op, e.LocalAddr(), e.RemoteAddr(), err)
}

// Read reads what has arrived, waiting for data, the peer's FIN (io.EOF),
// a reset, the read deadline or the task's cancellation. Once the read
// deadline has passed it fails at once, data or not, as package net does.
func (e *endpoint) Read(p []byte) (int, error) {
	in := e.rx
	for {
		switch {
		case e.closed:
			return 0, e.err("read", net.ErrClosed)
		case len(p) > 0 && e.readDL.passed(e.host):
			return 0, e.err("read", errDeadline)
		case e.reset:
			return 0, e.err("read", ErrConnectionReset)
		case len(p) == 0:
			return 0, nil
		case in.readClogged:
			// The data and the FIN are there, but not readable yet.
		case in.arrived > 0:
			return e.readSome(in, p), nil
		case in.eof:
			return 0, io.EOF
		}
		// Without a deadline, Wait is called here rather than through
		// waitOn: every frame between a task and its switch costs a
		// mispredicted return after the switch, and this is the hottest wait.
		var err error
		if t := e.c.n.w.Current(); t != nil && !e.readDL.on {
			err = in.readers.WaitTask(t, "conn read")
		} else {
			err = waitOn(e.host, &in.readers, "conn read", &e.readDL)
		}
		if err != nil {
			return 0, e.err("read", err)
		}
	}
}

func (e *endpoint) readSome(in *pipe, p []byte) int {
	n := e.c.n
	if !n.ioFaults {
		return in.read(p)
	}
	if !e.c.stable && n.fault(n.cfg.Faults.PartialP) {
		k := 1 + n.w.Rand().IntN(1000)
		if k < len(p) && k < in.arrived && n.inject(e.c, "PartialRead", "bytes="+itoa(k)) {
			p = p[:k]
		}
	}
	k := in.read(p)
	n.maybeRandomClose(e.c)
	return k
}

// Write appends p to the send buffer, waiting for room when it is full; it
// returns once every byte is buffered, or with the error that stopped it.
// A zero-length write succeeds on an open connection and sends nothing.
// Once the write deadline has passed it fails at once, room or not, as
// package net does.
func (e *endpoint) Write(p []byte) (int, error) {
	out := e.tx
	if err := e.writeErr(out); err != nil {
		return 0, err
	}
	written := 0
	for written < len(p) {
		room := sendBufferSize - out.unsent()
		if room == 0 {
			if err := waitOn(e.host, &out.writers, "conn write (send buffer full)", &e.writeDL); err != nil {
				return written, e.err("write", err)
			}
		} else {
			k := min(room, len(p)-written)
			out.buf.push(p[written : written+k])
			written += k
			if !e.c.n.ioFaults {
				out.kick()
				continue // nothing could have ended the connection
			}
			e.c.n.writeFaults(e.c, out)
			out.kick()
		}
		if err := e.writeErr(out); err != nil {
			return written, err
		}
	}
	if e.c.n.ioFaults {
		e.c.n.maybeRandomClose(e.c)
	}
	return written, nil
}

// writeErr says why nothing more can be written, if so.
func (e *endpoint) writeErr(out *pipe) error {
	switch {
	case e.closed:
		return e.err("write", net.ErrClosed)
	case e.writeDL.passed(e.host):
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
	out := e.tx
	if !e.reset {
		out.finQueued = true
		out.kick()
	}
	out.writers.WakeAll()
	e.rx.readers.WakeAll()
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
	out := e.tx
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
	e.readDL.set(e.host, t)
	e.writeDL.set(e.host, t)
	e.wakeAll()
	return nil
}

// SetReadDeadline sets the time (of the host's wall clock, see
// Host.SetClock) from which Read fails with a timeout, blocked or not; a
// later time makes reads work again, the zero time means none.
func (e *endpoint) SetReadDeadline(t time.Time) error {
	if e.closed {
		return e.err("set deadline", net.ErrClosed)
	}
	e.readDL.set(e.host, t)
	e.rx.readers.WakeAll()
	return nil
}

// SetWriteDeadline sets the time (of the host's wall clock) from which
// Write fails with a timeout, blocked or not; a later time makes writes
// work again, the zero time means none.
func (e *endpoint) SetWriteDeadline(t time.Time) error {
	if e.closed {
		return e.err("set deadline", net.ErrClosed)
	}
	e.writeDL.set(e.host, t)
	e.tx.writers.WakeAll()
	return nil
}

func (e *endpoint) wakeAll() {
	e.rx.readers.WakeAll()
	e.tx.writers.WakeAll()
}

// resetConn aborts the connection: both ends fail their I/O with
// ECONNRESET at once and buffered data is dropped.
func (c *conn) resetConn() {
	for _, e := range c.ends {
		if e != nil {
			e.reset = true
		}
	}
	for _, p := range c.pipes {
		p.buf.reset()
		p.arrived, p.onWire = 0, 0
		p.writers.WakeAll()
		p.readers.WakeAll()
	}
	c.detach()
}

// maybeDone forgets a connection whose two ends are closed.
func (c *conn) maybeDone() {
	if c.ends[0].closed && (c.ends[1].closed || c.ends[1].host == nil) {
		c.detach()
	}
}
