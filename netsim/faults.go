package netsim

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// inject numbers a fault on c about to be injected, writes its trace record
// with the connection's addresses from the dialer's side
// ("10.0.0.1:40001->10.0.1.1:7000 for=120ms"), and reports whether it may
// happen (see sim.World.InjectFault).
func (n *Network) inject(c *conn, fault, detail string) bool {
	return n.injectDir(&c.pipe[0], fault, detail)
}

// injectDir is inject for a fault on one direction of a connection.
func (n *Network) injectDir(p *pipe, fault, detail string) bool {
	s := p.addrs()
	if detail != "" {
		s += " " + detail
	}
	return n.w.InjectFault("netsim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: fault,
		Obj: "conn", ID: p.c.id, Detail: s})
}

// injectNet is inject for a fault that is not about one connection: a
// partition ("id"), a datagram socket's loss ("sock").
func (n *Network) injectNet(fault, obj string, id uint64, detail string) bool {
	return n.w.InjectFault("netsim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: fault,
		Obj: obj, ID: id, Detail: detail})
}

// clog stops p's data from leaving for d; a longer clog already in place
// stays.
func (n *Network) clog(p *pipe, d time.Duration) {
	if !n.injectDir(p, "Clog", "for="+d.String()) {
		return
	}
	p.clogged = true
	x := p.c.extra()
	x.clogUntil[p.dir] = max(x.clogUntil[p.dir], n.w.Now()+d)
	n.w.Schedule(d, sim.OpClogClear, p.c.id, int64(p.dir), p.c)
}

// readClog keeps what arrives through p from being read for d.
func (n *Network) readClog(p *pipe, d time.Duration) {
	if !n.injectDir(p, "ReadClog", "for="+d.String()) {
		return
	}
	p.readClogged = true
	x := p.c.extra()
	x.readClogUntil[p.dir] = max(x.readClogUntil[p.dir], n.w.Now()+d)
	n.w.Schedule(d, sim.OpReadClogClear, p.c.id, int64(p.dir), p.c)
}

// cutConn stops delivery on c, both ways, for d.
func (n *Network) cutConn(c *conn, d time.Duration) {
	if !n.inject(c, "Cut", "for="+d.String()) {
		return
	}
	c.cut = true
	x := c.extra()
	x.cutUntil = max(x.cutUntil, n.w.Now()+d)
	n.w.Schedule(d, sim.OpCutRestore, c.id, 0, c)
}

func (n *Network) clogDuration() time.Duration {
	lo, hi := bounds(n.cfg.Faults.ClogMin, n.cfg.Faults.ClogMax, 100*time.Millisecond, 300*time.Millisecond)
	return n.w.Rand().Duration(lo, hi)
}

// mayCloseAtRandom reports whether a random close of c is drawn now: the
// connection is not stable, random closes are on and the cooldown since
// the last one is over. A connection is closed under the application at
// random, at most once per cooldown in the whole network: a reset, or a
// FIN both ways. After each read and write the caller checks this and
// draws (Bool(RandomCloseP)) in its own frame, which every read and write
// would otherwise pay a call for, and calls randomClose when the draw
// says to close.
func (n *Network) mayCloseAtRandom(c *conn) bool {
	return !c.stable && n.cfg.Faults.RandomCloseP > 0 && n.faultsOn &&
		!(n.anyClose && n.w.Now()-n.lastClose < n.closeCooldown)
}

// randomClose closes c at random, its draw having said to close.
func (n *Network) randomClose(c *conn) {
	f := &n.cfg.Faults
	resetP := f.RandomCloseResetP
	if resetP == 0 {
		resetP = 0.3
	}
	// A suppressed close still starts the cooldown, so that the draws
	// after it stay those of the run that closed.
	n.anyClose, n.lastClose = true, n.w.Now()
	rst := n.w.Rand().Bool(resetP)
	switch {
	case rst && n.inject(c, "RandomClose", "rst"):
		c.resetConn()
	case !rst && n.inject(c, "RandomClose", "fin"):
		c.finBoth()
	}
}

// finBoth closes both directions as if each end had called Close, without
// closing the ends: reads return io.EOF after the data, writes fail.
func (c *conn) finBoth() {
	for i := range c.pipe {
		p := &c.pipe[i]
		p.finQueued = true
		p.kick()
		p.writers.WakeAll()
	}
}

// flipBits flips 1 to 32 bits of data, k bits with probability ~2^-k.
func (n *Network) flipBits(c *conn, data []byte) {
	r := n.w.Rand()
	k := 1
	for k < 32 && r.Bool(0.5) {
		k++
	}
	bits := make([]int, k)
	for i := range bits {
		bits[i] = r.IntN(len(data) * 8)
	}
	if !n.inject(c, "BitFlip", "bits="+strconv.Itoa(k)+" bytes="+strconv.Itoa(len(data))) {
		return
	}
	for _, bit := range bits {
		data[bit/8] ^= 1 << (bit % 8)
	}
}

// endpointOf returns the simulated connection behind a net.Conn of this
// package, or nil.
func endpointOf(nc net.Conn) *endpoint {
	e, _ := nc.(*endpoint)
	return e
}

// control returns the simulated end behind nc for a manual fault, or an
// error naming the caller.
func control(op string, nc net.Conn, d time.Duration) (*endpoint, error) {
	e := endpointOf(nc)
	switch {
	case e == nil:
		return nil, fmt.Errorf("netsim: %s: %T is not a simulated connection", op, nc)
	case d < 0:
		return nil, fmt.Errorf("netsim: %s: negative duration %v", op, d)
	}
	return e, nil
}

// Clog stops the data that nc writes from leaving for d (ClogClear ends
// it): it waits in the send buffer, and writes block once that is full.
func (n *Network) Clog(nc net.Conn, d time.Duration) error {
	e, err := control("Clog", nc, d)
	if err != nil {
		return err
	}
	n.clog(e.tx(), d)
	return nil
}

// ReadClog keeps what arrives for nc from being read for d (ReadClogClear
// ends it): reads wait although the data is there.
func (n *Network) ReadClog(nc net.Conn, d time.Duration) error {
	e, err := control("ReadClog", nc, d)
	if err != nil {
		return err
	}
	n.readClog(e.rx(), d)
	return nil
}

// Cut stops delivery on nc's connection, both ways, for d (CutRestore
// resumes it): the connection looks alive and nothing arrives.
func (n *Network) Cut(nc net.Conn, d time.Duration) error {
	e, err := control("Cut", nc, d)
	if err != nil {
		return err
	}
	n.cutConn(e.c, d)
	return nil
}

// KillMode is how Kill ends a connection.
type KillMode uint8

const (
	// KillReset resets the connection: both ends fail with
	// ErrConnectionReset at once.
	KillReset KillMode = iota
	// KillFIN closes it both ways: both ends read io.EOF after the data in
	// flight, and their writes fail.
	KillFIN
)

// Kill ends nc's connection from the network, as mode says.
func (n *Network) Kill(nc net.Conn, mode KillMode) error {
	e, err := control("Kill", nc, 0)
	if err != nil {
		return err
	}
	switch {
	case mode == KillReset && n.inject(e.c, "Kill", "rst"):
		e.c.resetConn()
	case mode != KillReset && n.inject(e.c, "Kill", "fin"):
		e.c.finBoth()
	}
	return nil
}

// Stable exempts nc's connection from every fault (a control link the test
// relies on).
func Stable(nc net.Conn) {
	if e := endpointOf(nc); e != nil {
		e.c.stable = true
	}
}

// CrashMode is what a Crash does to the crashed host's connections.
type CrashMode uint8

const (
	// CrashReset resets them: peers read ECONNRESET at once.
	CrashReset CrashMode = iota
	// CrashHalfOpen leaves them half open: the peer's writes succeed until
	// HalfOpenError resets the connection after HalfOpenMin-HalfOpenMax.
	// Each is a HalfOpen fault, which the fault filter may suppress
	// (sim.World.SetFaultFilter): that connection is then reset at once,
	// as CrashReset resets it.
	CrashHalfOpen
)

// Crash takes every socket of h down at once, as a process crash does: its
// listeners and datagram sockets close, and its connections are reset or
// left half open, as mode says (a connection of h to itself is always
// reset). The host stays usable: the process that boots next listens and
// dials again, on the same ports.
func (h *Host) Crash(mode CrashMode) {
	for _, l := range sortedListeners(h) {
		l.Close()
	}
	for _, s := range sortedSockets(h) {
		s.Close()
	}
	conns := h.openConns()
	h.conns = nil
	for _, c := range conns {
		if mode != CrashHalfOpen || c.end[0].host == c.end[1].host {
			c.resetConn()
			continue
		}
		h.n.halfOpen(c, h)
	}
}

// halfOpen leaves c's end on h gone, unknown to the peer until
// HalfOpenError. It is a fault the fault filter may suppress: a suppressed
// one still draws how long the connection would have stayed half open, and
// resets the connection at once, as CrashReset does.
func (n *Network) halfOpen(c *conn, h *Host) {
	lo, hi := bounds(n.cfg.Faults.HalfOpenMin, n.cfg.Faults.HalfOpenMax, time.Second, 5*time.Second)
	d := n.w.Rand().Duration(lo, hi)
	if !n.inject(c, "HalfOpen", "for="+d.String()) {
		c.resetConn()
		return
	}
	for i := range c.end {
		e := &c.end[i]
		if e.host == h {
			e.gone, e.reset = true, true
			e.rx().discard()
			e.wakeAll()
		}
	}
	n.w.Schedule(d, sim.OpHalfOpenError, c.id, 0, c)
}
