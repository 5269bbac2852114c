package netsim

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// record writes the trace record of a fault on a connection.
func (n *Network) record(c *conn, fault, detail string) {
	e := c.ends[0]
	addrs := e.local.String() + "->" + e.remote.String()
	if detail != "" {
		addrs += " " + detail
	}
	n.w.Record("netsim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: fault,
		Obj: "conn", ID: c.id, Detail: addrs})
}

// recordNet writes the trace record of a fault of the network as a whole.
func (n *Network) recordNet(fault string, id uint64, detail string) {
	n.w.Record("netsim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: fault,
		Obj: "id", ID: id, Detail: detail})
}

// writeFaults may clog the pipe p was just written to, or its reading side.
func (n *Network) writeFaults(c *conn, p *pipe) {
	f := &n.cfg.Faults
	if c.stable {
		return
	}
	if !p.clogged && n.fault(f.ClogP) {
		p.clogged = true
		d := n.clogDuration()
		n.record(c, "Clog", "for="+d.String())
		n.w.Schedule(d, sim.OpClogClear, c.id, int64(p.dir), c)
	}
	if !p.readClogged && n.fault(f.ReadClogP) {
		p.readClogged = true
		d := n.clogDuration()
		n.record(c, "ReadClog", "for="+d.String())
		n.w.Schedule(d, sim.OpReadClogClear, c.id, int64(p.dir), c)
	}
}

func (n *Network) clogDuration() time.Duration {
	lo, hi := bounds(n.cfg.Faults.ClogMin, n.cfg.Faults.ClogMax, 100*time.Millisecond, 300*time.Millisecond)
	return n.w.Rand().Duration(lo, hi)
}

// maybeRandomClose closes a connection under the application, at most once
// per cooldown in the whole network: a reset, or a FIN both ways.
func (n *Network) maybeRandomClose(c *conn) {
	f := &n.cfg.Faults
	if c.stable || f.RandomCloseP == 0 {
		return
	}
	cool := f.RandomCloseCooldown
	if cool == 0 {
		cool = 5 * time.Second
	}
	if n.anyClose && n.w.Now()-n.lastClose < cool {
		return
	}
	if !n.fault(f.RandomCloseP) {
		return
	}
	n.anyClose, n.lastClose = true, n.w.Now()
	resetP := f.RandomCloseResetP
	if resetP == 0 {
		resetP = 0.3
	}
	if n.w.Rand().Bool(resetP) {
		n.record(c, "RandomClose", "rst")
		c.resetConn()
		return
	}
	n.record(c, "RandomClose", "fin")
	for _, p := range c.pipes {
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
	for range k {
		bit := r.IntN(len(data) * 8)
		data[bit/8] ^= 1 << (bit % 8)
	}
	n.record(c, "BitFlip", "bits="+strconv.Itoa(k)+" bytes="+strconv.Itoa(len(data)))
}

// partition is one partition or one-host send/receive block: the ordered
// pairs it cuts, released by its restore event.
type partition struct {
	n     *Network
	id    uint64
	pairs [][2]netip.Addr
	op    sim.Op
	desc  string
}

// Partition cuts traffic from every host of a to every host of b, and back
// unless oneWay, for d of logical time (then PartitionRestore heals it).
// Data already on the wire arrives; new data waits in the send buffers;
// dials across it get no answer until it heals.
func (n *Network) Partition(a, b []netip.Addr, oneWay bool, d time.Duration) {
	p := &partition{n: n, id: n.newID(), op: sim.OpPartitionRestore}
	for _, x := range a {
		for _, y := range b {
			p.pairs = append(p.pairs, [2]netip.Addr{x, y})
			if !oneWay {
				p.pairs = append(p.pairs, [2]netip.Addr{y, x})
			}
		}
	}
	arrow := "<->"
	if oneWay {
		arrow = "->"
	}
	p.desc = fmt.Sprintf("%v%s%v", addrList(a), arrow, addrList(b))
	n.block(p, "Partition", d)
}

// SendPartition stops everything host h sends for d (SendPartitionClear
// heals it); RecvPartition stops everything it receives.
func (n *Network) SendPartition(h netip.Addr, d time.Duration) { n.hostBlock(h, true, d) }

// RecvPartition stops everything host h receives for d.
func (n *Network) RecvPartition(h netip.Addr, d time.Duration) { n.hostBlock(h, false, d) }

func (n *Network) hostBlock(a netip.Addr, send bool, d time.Duration) {
	p := &partition{n: n, id: n.newID(), op: sim.OpRecvPartitionClear, desc: "recv " + a.String()}
	if send {
		p.op, p.desc = sim.OpSendPartitionClear, "send "+a.String()
	}
	for _, h := range n.hosts {
		if h.addr == a {
			continue
		}
		pair := [2]netip.Addr{h.addr, a}
		if send {
			pair = [2]netip.Addr{a, h.addr}
		}
		p.pairs = append(p.pairs, pair)
	}
	n.block(p, "Partition", d)
}

func (n *Network) block(p *partition, fault string, d time.Duration) {
	for _, pair := range p.pairs {
		n.blocked[pair]++
	}
	n.recordNet(fault, p.id, p.desc+" for="+d.String())
	n.w.Schedule(d, p.op, p.id, 0, p)
}

// HandleEvent ends the partition.
func (p *partition) HandleEvent(*sim.Event) {
	for _, pair := range p.pairs {
		if p.n.blocked[pair] > 1 {
			p.n.blocked[pair]--
		} else {
			delete(p.n.blocked, pair)
		}
	}
	p.n.kickAll()
}

// DescribeEvent names the hosts.
func (p *partition) DescribeEvent(*sim.Event) (string, string) { return "", p.desc }

func addrList(as []netip.Addr) string {
	if len(as) == 1 {
		return as[0].String()
	}
	return fmt.Sprint(as)
}

// kickAll restarts every pipe that may have been blocked.
func (n *Network) kickAll() {
	for _, h := range n.hosts {
		for _, c := range h.conns {
			if c.ends[0].host == h { // once per connection
				c.pipes[0].kick()
				c.pipes[1].kick()
			}
		}
	}
}

// endpointOf returns the simulated connection behind a net.Conn of this
// package, or nil.
func endpointOf(nc net.Conn) *endpoint {
	e, _ := nc.(*endpoint)
	return e
}

// Clog stops the data that nc writes from leaving for d (ClogClear ends it).
func (n *Network) Clog(nc net.Conn, d time.Duration) error {
	e := endpointOf(nc)
	if e == nil {
		return fmt.Errorf("netsim: Clog: %T is not a simulated connection", nc)
	}
	p := e.out()
	p.clogged = true
	n.record(e.c, "Clog", "for="+d.String())
	n.w.Schedule(d, sim.OpClogClear, e.c.id, int64(p.dir), e.c)
	return nil
}

// Cut stops delivery on nc's connection, both ways, for d (CutRestore
// resumes it): the connection looks alive and nothing arrives.
func (n *Network) Cut(nc net.Conn, d time.Duration) error {
	e := endpointOf(nc)
	if e == nil {
		return fmt.Errorf("netsim: Cut: %T is not a simulated connection", nc)
	}
	e.c.cut = true
	n.record(e.c, "Cut", "for="+d.String())
	n.w.Schedule(d, sim.OpCutRestore, e.c.id, 0, e.c)
	return nil
}

// Kill ends nc's connection from the network: a reset, or a FIN both ways.
func (n *Network) Kill(nc net.Conn, reset bool) error {
	e := endpointOf(nc)
	if e == nil {
		return fmt.Errorf("netsim: Kill: %T is not a simulated connection", nc)
	}
	if reset {
		n.record(e.c, "Kill", "rst")
		e.c.resetConn()
		return nil
	}
	n.record(e.c, "Kill", "fin")
	for _, p := range e.c.pipes {
		p.finQueued = true
		p.kick()
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

// Heal ends every fault: partitions, clogs and cuts lift at once, and no
// new fault is injected until Unheal (the heal phase before the final
// checks).
func (n *Network) Heal() {
	n.faultsOn = false
	clear(n.blocked)
	for _, h := range n.hosts {
		for _, c := range h.conns {
			c.cut = false
			for _, p := range c.pipes {
				p.clogged, p.readClogged = false, false
				p.readers.WakeAll()
			}
		}
	}
	n.StopChaos()
	n.kickAll()
}

// Unheal lets faults be injected again.
func (n *Network) Unheal() { n.faultsOn = true }

// StartChaos draws, every ChaosInterval (default 100 ms), whether to start
// a partition, with the Faults' PartitionP: random halves of the hosts, a
// random group against the rest, or one host isolated; one-way with
// OneWayP. ctx is any context of the simulation.
func (n *Network) StartChaos(ctx context.Context) {
	f := &n.cfg.Faults
	if f.PartitionP == 0 || n.chaos != nil {
		return
	}
	every := f.ChaosInterval
	if every == 0 {
		every = 100 * time.Millisecond
	}
	n.chaos = sim.TickFunc(ctx, every, n.chaosTick)
}

// StopChaos stops the partitions StartChaos draws.
func (n *Network) StopChaos() {
	if n.chaos != nil {
		n.chaos.Stop()
		n.chaos = nil
	}
}

func (n *Network) chaosTick() {
	f := &n.cfg.Faults
	if len(n.hosts) < 2 || !n.fault(f.PartitionP) {
		return
	}
	r := n.w.Rand()
	addrs := make([]netip.Addr, len(n.hosts))
	for i, h := range n.hosts {
		addrs[i] = h.addr
	}
	r.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	var k int
	switch r.IntN(3) {
	case 0: // halves
		k = len(addrs) / 2
	case 1: // a group of random size
		k = 1 + r.IntN(len(addrs)-1)
	default: // one host alone
		k = 1
	}
	lo, hi := bounds(f.PartitionMin, f.PartitionMax, 200*time.Millisecond, 2*time.Second)
	n.Partition(addrs[:k], addrs[k:], r.Bool(f.OneWayP), r.Duration(lo, hi))
}

// Crash takes every socket of h down at once, as a process crash does: its
// listeners and datagram sockets close, and its connections are reset
// (peers read ECONNRESET) or, with halfOpen, left half open: the peer's
// writes succeed until HalfOpenError resets the connection after a delay.
func (h *Host) Crash(halfOpen bool) {
	n := h.n
	for _, l := range sortedListeners(h) {
		l.Close()
	}
	for _, s := range sortedSockets(h) {
		s.Close()
	}
	conns := append([]*conn(nil), h.conns...)
	for _, c := range conns {
		if !halfOpen {
			c.resetConn()
			continue
		}
		for _, e := range c.ends {
			if e.host == h {
				e.gone, e.reset = true, true
			}
		}
		lo, hi := bounds(n.cfg.Faults.HalfOpenMin, n.cfg.Faults.HalfOpenMax, time.Second, 5*time.Second)
		n.record(c, "HalfOpen", "")
		n.w.Schedule(n.w.Rand().Duration(lo, hi), sim.OpHalfOpenError, c.id, 0, c)
	}
	h.conns = h.conns[:0]
}
