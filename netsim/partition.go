package netsim

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// partition is one partition or one-host send/receive block: the ordered
// pairs it cuts, released by its restore event.
type partition struct {
	n     *Network
	id    uint64
	epoch int // the Network's epoch when it began; Heal ends every earlier one
	pairs [][2]netip.Addr
	op    sim.Op
	desc  string
}

// Direction is which way a Partition cuts traffic. It is not a bool, so a
// call reads BothWays or OneWay rather than a bare true or false.
type Direction uint8

const (
	// BothWays cuts traffic from a to b and from b to a.
	BothWays Direction = iota
	// OneWay cuts traffic from a to b only.
	OneWay
)

// Partition cuts traffic from every host of a to every host of b, and back
// unless dir is OneWay, for d of logical time (then PartitionRestore heals
// it). Data already on the wire arrives; new data waits in the send
// buffers; datagrams across it are lost; dials across it get no answer
// until it heals. Addresses of no host are ignored.
func (n *Network) Partition(a, b []netip.Addr, dir Direction, d time.Duration) {
	oneWay := dir == OneWay
	p := n.newPartition(sim.OpPartitionRestore)
	for _, x := range a {
		for _, y := range b {
			if x == y {
				continue
			}
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
	p.desc = addrList(a) + arrow + addrList(b)
	n.block(p, "Partition", d)
}

// SendPartition stops everything host a sends for d (SendPartitionClear
// heals it): its peers stop hearing from it, while it still hears them.
func (n *Network) SendPartition(a netip.Addr, d time.Duration) { n.hostBlock(a, true, d) }

// RecvPartition stops everything host a receives for d
// (RecvPartitionClear heals it).
func (n *Network) RecvPartition(a netip.Addr, d time.Duration) { n.hostBlock(a, false, d) }

func (n *Network) hostBlock(a netip.Addr, send bool, d time.Duration) {
	p := n.newPartition(sim.OpRecvPartitionClear)
	p.desc = "recv " + a.String()
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
	n.block(p, "HostPartition", d)
}

func (n *Network) newPartition(op sim.Op) *partition {
	return &partition{n: n, id: n.newID(), epoch: n.epoch, op: op}
}

func (n *Network) block(p *partition, fault string, d time.Duration) {
	if !n.injectNet(fault, "id", p.id, p.desc+" for="+d.String()) {
		return
	}
	for _, pair := range p.pairs {
		n.blocked[pair]++
	}
	n.partitioned = len(n.blocked) > 0
	n.w.Schedule(d, p.op, p.id, 0, p)
}

// HandleEvent ends the partition, unless Heal already did.
func (p *partition) HandleEvent(*sim.Event) {
	if p.epoch != p.n.epoch {
		return
	}
	for _, pair := range p.pairs {
		if p.n.blocked[pair] > 1 {
			p.n.blocked[pair]--
		} else {
			delete(p.n.blocked, pair)
		}
	}
	p.n.partitioned = len(p.n.blocked) > 0
	p.n.kickAll()
}

// DescribeEvent names the hosts.
func (p *partition) DescribeEvent(*sim.Event) (string, string) { return "", p.desc }

// addrList prints one address, or several joined by commas.
func addrList(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

// kickAll restarts every pipe that may have been blocked, and the dials
// waiting across a partition.
func (n *Network) kickAll() {
	for _, h := range n.hosts {
		for _, c := range h.openConns() {
			if c.end[0].host == h { // once per connection
				c.pipe[0].kick()
				c.pipe[1].kick()
			}
		}
	}
}

// Heal ends every fault: partitions, clogs and cuts lift at once, chaos
// stops, and no fault is injected any more (the heal phase before the final
// checks); faults made by hand afterwards still apply. Connections already
// half open still fail later, as their peer is gone.
func (n *Network) Heal() {
	n.faultsOn, n.ioFaults = false, false
	n.epoch++
	clear(n.blocked)
	n.partitioned = false
	for _, h := range n.hosts {
		for _, c := range h.openConns() {
			c.cut = false
			for i := range c.pipe {
				p := &c.pipe[i]
				p.clogged, p.readClogged = false, false
				p.readers.WakeAll()
			}
		}
	}
	n.StopChaos()
	n.kickAll()
}

// armFaults lets the Faults of the Config be injected.
func (n *Network) armFaults() {
	f := &n.cfg.Faults
	n.faultsOn = true
	n.ioFaults = f.ClogP > 0 || f.ReadClogP > 0 || f.RandomCloseP > 0 || f.PartialP > 0
}

// StartChaos starts the faults that strike the network as a whole: every
// ChaosInterval (default 100 ms) it draws, with the Faults' PartitionP,
// HostPartitionP and CutP, whether to start a partition (random halves
// of the hosts, a random group against the rest, or one host isolated;
// one-way with OneWayP), to stop one host's sending or receiving, or to
// cut one connection. ctx is any context of the simulation; StopChaos or
// Heal ends it. Without those knobs it does nothing.
func (n *Network) StartChaos(ctx context.Context) {
	f := &n.cfg.Faults
	if f.PartitionP == 0 && f.HostPartitionP == 0 && f.CutP == 0 || n.chaos != nil || !n.faultsOn {
		return
	}
	every := f.ChaosInterval
	if every == 0 {
		every = 100 * time.Millisecond
	}
	n.chaos = sim.TickFunc(ctx, every, n.chaosTick)
}

// StopChaos stops what StartChaos started; faults already in place last
// their time.
func (n *Network) StopChaos() {
	if n.chaos != nil {
		n.chaos.Stop()
		n.chaos = nil
	}
}

func (n *Network) chaosTick() {
	f := &n.cfg.Faults
	lo, hi := bounds(f.PartitionMin, f.PartitionMax, 200*time.Millisecond, 2*time.Second)
	if len(n.hosts) >= 2 && n.fault(f.PartitionP) {
		n.randomPartition(n.w.Rand().Duration(lo, hi))
	}
	if len(n.hosts) >= 2 && n.fault(f.HostPartitionP) {
		r := n.w.Rand()
		h := n.hosts[r.IntN(len(n.hosts))]
		n.hostBlock(h.addr, r.Bool(0.5), r.Duration(lo, hi))
	}
	if n.fault(f.CutP) {
		if c := n.randomConn(); c != nil {
			n.cutConn(c, n.w.Rand().Duration(lo, hi))
		}
	}
}

// randomPartition splits the hosts: random halves, a group of random size
// against the rest, or one host alone; one-way with OneWayP.
func (n *Network) randomPartition(d time.Duration) {
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
	n.Partition(addrs[:k], addrs[k:], direction(n.fault(n.cfg.Faults.OneWayP)), d)
}

// randomConn picks an open connection that chaos may strike, or nil.
func (n *Network) randomConn() *conn {
	var open []*conn
	for _, h := range n.hosts {
		for _, c := range h.openConns() {
			if c.end[0].host == h && !c.stable && !c.cut {
				open = append(open, c)
			}
		}
	}
	if len(open) == 0 {
		return nil
	}
	return open[n.w.Rand().IntN(len(open))]
}

// direction is OneWay when oneWay holds, BothWays otherwise.
func direction(oneWay bool) Direction {
	if oneWay {
		return OneWay
	}
	return BothWays
}
