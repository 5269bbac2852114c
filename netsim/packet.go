package netsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// packetConn is a datagram socket: the net.PacketConn of ListenPacket.
type packetConn struct {
	h       *Host
	id      uint64
	local   netip.AddrPort
	queue   []datagram
	readers sim.WaitQueue
	closed  bool
	readDL  deadline
	writeDL deadline
	last    map[netip.AddrPort]time.Duration // arrival of the last datagram to each destination
}

type datagram struct {
	from netip.AddrPort
	to   netip.AddrPort
	data []byte
}

var _ net.PacketConn = (*packetConn)(nil)

// ListenPacket binds a datagram socket at address (port 0 picks one).
func (h *Host) ListenPacket(ctx context.Context, address string) (net.PacketConn, error) {
	ap, err := h.parseAddr(address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: "udp", Err: err}
	}
	port := ap.Port()
	if port == 0 {
		if port, err = h.ephemeral(); err != nil {
			return nil, &net.OpError{Op: "listen", Net: "udp", Err: err}
		}
	}
	if _, used := h.sockets[port]; used {
		return nil, &net.OpError{Op: "listen", Net: "udp", Err: ErrAddressInUse}
	}
	s := &packetConn{h: h, id: h.n.newID(), local: netip.AddrPortFrom(h.addr, port)}
	h.sockets[port] = s
	return s, nil
}

// ReadFrom waits for a datagram and copies it into p (the rest of a longer
// datagram is lost, as with UDP). Once the read deadline has passed it
// fails at once, datagram waiting or not, as package net does.
func (s *packetConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		if s.closed {
			return 0, nil, s.err("read", net.ErrClosed)
		}
		if s.readDL.passed(s.h) {
			return 0, nil, s.err("read", errDeadline)
		}
		if len(s.queue) > 0 {
			d := s.queue[0]
			s.queue = s.queue[1:]
			return copy(p, d.data), net.UDPAddrFromAddrPort(d.from), nil
		}
		if err := waitOn(s.h, &s.readers, "netsim recvfrom", &s.readDL); err != nil {
			return 0, nil, s.err("read", err)
		}
	}
}

// WriteTo sends p as one datagram to addr (a *net.UDPAddr, or any net.Addr
// whose String is "host:port"). It never blocks; a datagram nobody receives
// is lost. Once the write deadline has passed it fails, as package net
// does.
func (s *packetConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	if s.closed {
		return 0, s.err("write", net.ErrClosed)
	}
	if s.writeDL.passed(s.h) {
		return 0, s.err("write", errDeadline)
	}
	if len(p) > maxDatagram {
		return 0, s.err("write", syscall.EMSGSIZE)
	}
	to, err := s.destination(addr)
	if err != nil {
		return 0, s.err("write", err)
	}
	n, f := s.h.n, &s.h.n.cfg.Faults
	if n.blockedPair(s.local.Addr(), to.Addr()) {
		return len(p), nil // lost in the partition, whose record says so
	}
	copies, path := 1, s.local.String()+"->"+to.String()
	switch {
	case n.fault(f.DatagramLossP):
		if n.injectNet("DatagramLoss", "sock", s.id, path) {
			return len(p), nil
		}
	case n.fault(f.DatagramDupP) && n.injectNet("DatagramDup", "sock", s.id, path):
		copies = 2
	}
	for range copies {
		d := &delivery{n: n, sock: s, dg: datagram{from: s.local, to: to, data: slices.Clone(p)}}
		n.w.ScheduleAt(s.arrival(to), sim.OpDatagramDelivery, s.id, int64(len(p)), d)
	}
	return len(p), nil
}

// maxDatagram is the largest payload of one datagram, as for UDP over
// IPv4.
const maxDatagram = 65507

// destination resolves the address of WriteTo: a *net.UDPAddr, as a
// UDP socket of package net takes, which refuses any other type with
// EINVAL; code that passed another here would fail in production.
func (s *packetConn) destination(addr net.Addr) (netip.AddrPort, error) {
	a, ok := addr.(*net.UDPAddr)
	switch {
	case addr == nil || (ok && a == nil):
		return netip.AddrPort{}, errors.New("no destination address")
	case !ok:
		return netip.AddrPort{}, fmt.Errorf("destination %v is a %T, not a *net.UDPAddr: %w", addr, addr, syscall.EINVAL)
	}
	ap := a.AddrPort()
	ip := ap.Addr().Unmap()
	if !ip.IsValid() || ip.IsUnspecified() {
		ip = s.h.addr // as the kernel does: the host itself
	}
	return netip.AddrPortFrom(ip, ap.Port()), nil
}

// arrival is when a datagram sent now to `to` arrives: in order after the
// previous ones to the same destination, unless reordering is on.
func (s *packetConn) arrival(to netip.AddrPort) time.Duration {
	n := s.h.n
	lat := n.latency(s.local.Addr(), to.Addr())
	if n.cfg.Faults.DatagramReorder && n.faultsOn {
		return n.w.Now() + lat + time.Duration(n.w.Rand().Int64N(int64(10*lat)+1))
	}
	if s.last == nil {
		s.last = map[netip.AddrPort]time.Duration{}
	}
	at := max(n.w.Now()+lat, s.last[to])
	s.last[to] = at
	return at
}

// delivery is one datagram in flight.
type delivery struct {
	n    *Network
	sock *packetConn
	dg   datagram
}

// HandleEvent is DatagramDelivery: the datagram reaches the socket bound at
// its destination, if any. (A partition drops datagrams when they are
// sent; those already on the wire arrive, as stream data does.)
func (d *delivery) HandleEvent(*sim.Event) {
	n := d.n
	h := n.byAddr[d.dg.to.Addr()]
	if h == nil {
		return
	}
	s := h.sockets[d.dg.to.Port()]
	if s == nil || s.closed {
		return
	}
	s.queue = append(s.queue, d.dg)
	s.readers.WakeAll()
}

// DescribeEvent gives the size and the addresses.
func (d *delivery) DescribeEvent(*sim.Event) (string, string) {
	return "", "bytes=" + strconv.Itoa(len(d.dg.data)) + " " + d.dg.from.String() + "->" + d.dg.to.String()
}

// Close closes the socket; a blocked ReadFrom returns net.ErrClosed.
func (s *packetConn) Close() error {
	if s.closed {
		return s.err("close", net.ErrClosed)
	}
	s.closed = true
	if s.h.sockets[s.local.Port()] == s {
		delete(s.h.sockets, s.local.Port())
	}
	s.readers.WakeAll()
	return nil
}

// LocalAddr returns the bound address.
func (s *packetConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(s.local) }

// SetDeadline sets both deadlines.
func (s *packetConn) SetDeadline(t time.Time) error {
	if err := s.SetReadDeadline(t); err != nil {
		return err
	}
	return s.SetWriteDeadline(t)
}

// SetReadDeadline sets the time (of the host's wall clock) from which
// ReadFrom fails with a timeout, blocked or not; the zero time means none.
func (s *packetConn) SetReadDeadline(t time.Time) error {
	if s.closed {
		return s.err("set deadline", net.ErrClosed)
	}
	s.readDL.set(s.h, t)
	s.readers.WakeAll()
	return nil
}

// SetWriteDeadline sets the time from which WriteTo fails with a timeout
// (it never blocks); the zero time means none.
func (s *packetConn) SetWriteDeadline(t time.Time) error {
	if s.closed {
		return s.err("set deadline", net.ErrClosed)
	}
	s.writeDL.set(s.h, t)
	return nil
}

func (s *packetConn) err(op string, err error) error {
	return &net.OpError{Op: op, Net: "udp", Source: s.LocalAddr(), Err: err}
}

// sortedListeners and sortedSockets list a host's sockets by port, so that
// closing them all happens in the same order on every run.
func sortedListeners(h *Host) []*listener {
	out := make([]*listener, 0, len(h.listeners))
	for _, l := range h.listeners {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b *listener) int { return int(a.addr.Port()) - int(b.addr.Port()) })
	return out
}

func sortedSockets(h *Host) []*packetConn {
	out := make([]*packetConn, 0, len(h.sockets))
	for _, s := range h.sockets {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *packetConn) int { return int(a.local.Port()) - int(b.local.Port()) })
	return out
}
