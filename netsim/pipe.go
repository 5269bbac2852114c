package netsim

import (
	"strconv"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// kick schedules a ProcessSendBuffer unless one is pending, the pipe is
// blocked (it is kicked again when the block lifts) or it has nothing it
// may send.
func (p *pipe) kick() {
	if p.pumping || p.blocked() || !p.canSend() {
		return
	}
	p.pumping = true
	w := p.c.n.w
	w.ScheduleAt(w.Now(), sim.OpProcessSendBuffer, p.c.id, int64(p.dir), p.c)
}

// blocked reports whether data cannot leave: a clog, a cut or a partition.
func (p *pipe) blocked() bool {
	c := p.c
	if c.stable {
		return false
	}
	if p.clogged || c.cut {
		return true
	}
	if !c.n.partitioned { // no partition: skip the addresses
		return false
	}
	return c.n.blockedPair(c.addr[p.dir].Addr(), c.addr[1-p.dir].Addr())
}

// canSend reports whether a ProcessSendBuffer would send something: data
// that the peer's receive window has room for, or the FIN once every byte
// was sent. A pipe with data and no room stalls until the peer's Read
// frees some and kicks it (or its Close or crash discards what it holds).
func (p *pipe) canSend() bool {
	if p.unsent() > 0 {
		return p.room() > 0
	}
	return p.finQueued && !p.finSent
}

// room is how many more bytes the peer's receive window takes: the bytes
// it has not read, arrived or on their way, count against it. (The window
// opens as soon as the peer reads, without the latency of a real window
// update: the simulation keeps one latency per chunk.)
func (p *pipe) room() int { return p.c.n.window - p.arrived - p.onWire }

// pump is ProcessSendBuffer: it moves a chunk onto the wire, as much as
// the peer's receive window has room for, to arrive after the latency and
// after every chunk before it.
func (p *pipe) pump() {
	p.pumping = false
	if p.blocked() {
		return
	}
	c, n := p.c, p.c.n
	if k := min(p.unsent(), p.room()); k > 0 {
		k = min(k, maxChunk)
		if n.ioFaults && !c.stable && n.fault(n.cfg.Faults.PartialP) {
			if short := min(k, 1+n.w.Rand().IntN(1000)); n.inject(c, "PartialWrite", "bytes="+strconv.Itoa(short)) {
				k = short
			}
		}
		p.onWire += k
		n.w.ScheduleAt(p.arrival(), sim.OpDataDelivery, c.id, int64(p.dir)|int64(k)<<1, c)
		p.writers.WakeAll()
	}
	if p.unsent() > 0 {
		p.kick() // nothing when the window is full: the peer's read kicks it
		return
	}
	if p.finQueued && !p.finSent {
		p.finSent = true
		n.w.ScheduleAt(p.arrival(), sim.OpFinDelivery, c.id, int64(p.dir), c)
	}
}

// arrival is when something sent now arrives: after the latency, and never
// before what was sent earlier.
func (p *pipe) arrival() time.Duration {
	c, n := p.c, p.c.n
	lat := &n.lat // baseLatency, in this frame: every chunk draws one
	if n.slow && n.faultsOn {
		lat = &n.faultLat
	}
	var d time.Duration
	if lat.Shape == Uniform {
		d = n.w.Rand().Duration(lat.Min, lat.Max)
	} else {
		d = lat.draw(n.w.Rand())
	}
	at := n.w.Now() + d
	if n.cfg.Faults.PairLatencyMax > 0 { // the addresses only when needed
		at += n.pairLatency(c.addr[p.dir].Addr(), c.addr[1-p.dir].Addr())
	}
	p.last = max(p.last, at)
	return p.last
}

// unsent is how many bytes wait in the send buffer.
func (p *pipe) unsent() int { return p.buf.len() - p.arrived - p.onWire }

// read copies arrived bytes into b. It is front and skip in one: the k
// bytes it takes are arrived ones, so none of skip's bounds apply. Read
// then kicks the pipe if it stalled (see stalled): kicking here would make
// read too large to inline into Read, whose hot path it is.
func (p *pipe) read(b []byte) int {
	q := &p.buf
	k := copy(b, q.buf[q.head:q.head+p.arrived])
	p.arrived -= k
	if q.head += k; q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	return k
}

// stalled reports whether the pipe has data unsent and no
// ProcessSendBuffer pending: the receive window or a block (a clog, a cut,
// a partition) holds it. A read that frees room in the window then kicks
// it, and kick tells the two apart.
func (p *pipe) stalled() bool { return !p.pumping && p.unsent() > 0 }

// drop discards k bytes of the wire, and the arrived ones before them,
// which nobody will read: the receiver is gone. When the writer is not
// (a half-open connection, whose writes succeed), the data behind them
// goes on, to be dropped too, as the room they leave in the window allows.
func (p *pipe) drop(k int) {
	p.buf.skip(p.arrived + k)
	p.arrived, p.onWire = 0, max(p.onWire-k, 0)
	if !p.c.end[p.dir&1].reset {
		p.kick()
	}
}

// discard drops the arrived bytes of a pipe whose reader closed or is
// gone, which nobody will read (closing a socket frees its receive
// buffer), and kicks a pipe that the window stalled: its next chunk then
// meets the end that will not read it (deliverNowhere), as it would have
// without a window.
func (p *pipe) discard() {
	p.buf.skip(p.arrived)
	p.arrived = 0
	p.kick()
}

// deliverNowhere is DataDelivery of k bytes to the end to, which is reset,
// gone or closed: the bytes are dropped, and a closed end's connection is
// reset (the peer answers data for a closed socket with a reset).
func (p *pipe) deliverNowhere(k int, to *endpoint) {
	if to.reset || to.gone || to.host == nil {
		p.drop(k)
		return
	}
	p.c.resetConn()
}

// HandleEvent applies a network or connection event of this connection.
func (c *conn) HandleEvent(ev *sim.Event) {
	p := &c.pipe[ev.Arg&1]
	switch ev.Op {
	case sim.OpProcessSendBuffer:
		p.pump()
	case sim.OpDataDelivery: // deliver, in this frame: half the events of a connection
		k, to := int(ev.Arg>>1), &c.end[(p.dir^1)&1]
		if to.reset || to.gone || to.host == nil || to.closed {
			p.deliverNowhere(k, to)
			return
		}
		k = min(k, p.onWire) // a reset may have emptied the wire meanwhile
		if n := c.n; !c.stable && n.fault(n.cfg.Faults.BitFlipP) {
			n.flipBits(c, p.buf.front(p.arrived + k)[p.arrived:])
		}
		p.arrived += k
		p.onWire -= k
		p.readers.WakeAll()
	case sim.OpFinDelivery:
		p.eof = true
		p.readers.WakeAll()
	case sim.OpConnectionReady:
		c.establish()
	case sim.OpClogClear:
		if c.n.w.Now() >= c.extra().clogUntil[p.dir] {
			p.clogged = false
			p.kick()
		}
	case sim.OpReadClogClear:
		if c.n.w.Now() >= c.extra().readClogUntil[p.dir] {
			p.readClogged = false
			p.readers.WakeAll()
		}
	case sim.OpCutRestore:
		if c.n.w.Now() >= c.extra().cutUntil {
			c.cut = false
			c.pipe[0].kick()
			c.pipe[1].kick()
		}
	case sim.OpHalfOpenError:
		c.resetConn()
	}
}

// DescribeEvent gives the bytes and the addresses of the direction.
func (c *conn) DescribeEvent(ev *sim.Event) (string, string) {
	name, detail, b := c.AppendEventDetail(nil, ev)
	if detail == "" {
		detail = string(b)
	}
	return name, detail
}

// AppendEventDetail is DescribeEvent for the trace of every event, which
// asks for it without an allocation: the detail is a string the pipe
// keeps (see pipeText), or when it has none that fits, appended to b.
func (c *conn) AppendEventDetail(b []byte, ev *sim.Event) (string, string, []byte) {
	p := &c.pipe[ev.Arg&1]
	switch ev.Op {
	case sim.OpDataDelivery:
		d, b := p.bytesDetail(b, ev.Arg>>1)
		return "", d, b
	case sim.OpProcessSendBuffer:
		if p.unsent() == 0 && p.finQueued {
			return "", "", append(append(b, "fin "...), p.addrs()...)
		}
		d, b := p.bytesDetail(b, int64(p.unsent()))
		return "", d, b
	case sim.OpConnectionReady:
		return c.hostNames(), p.addrs(), b
	}
	return "", p.addrs(), b
}

// pipeText is what the trace says of a pipe, kept once asked for: its
// addresses, and the detail of its events that moved a count of bytes,
// made when two such events in a row moved the same count (as a
// connection's requests and replies mostly do), for at most maxBytesTexts
// counts in all.
type pipeText struct {
	addrs string // "10.0.0.1:40001->10.0.1.1:7000"
	bytes string // "bytes=64 10.0.0.1:40001->10.0.1.1:7000", or ""
	n     int64  // the count that bytes says
	last  int64  // the count of the pipe's last such event
	made  int    // how many bytes strings were made
}

// maxBytesTexts is the most counts a pipe keeps the detail of, one after
// another: a pipe whose counts keep changing appends them instead.
const maxBytesTexts = 8

// text returns p's pipeText, its addresses made on first use (those of a
// connection never change).
func (p *pipe) text() *pipeText {
	t := &p.c.extra().text[p.dir]
	if t.addrs == "" {
		c := p.c
		t.addrs = c.addr[p.dir].String() + "->" + c.addr[1-p.dir].String()
	}
	return t
}

// addrs is "10.0.0.1:40001->10.0.1.1:7000", the direction of p.
func (p *pipe) addrs() string { return p.text().addrs }

// bytesDetail is "bytes=n " and p's addresses: the string p keeps when it
// says n, or else appended to b.
func (p *pipe) bytesDetail(b []byte, n int64) (string, []byte) {
	t := p.text()
	switch {
	case n == t.n && t.bytes != "":
		t.last = n
		return t.bytes, b
	case n == t.last && t.made < maxBytesTexts:
		t.made++
		t.n, t.bytes = n, "bytes="+strconv.FormatInt(n, 10)+" "+t.addrs
		return t.bytes, b
	}
	t.last = n
	return "", append(append(strconv.AppendInt(append(b, "bytes="...), n, 10), ' '), t.addrs...)
}

// hostNames is "client-1->bank", for ConnectionReady lines.
func (c *conn) hostNames() string {
	to := "?"
	if h := c.n.byAddr[c.addr[1].Addr()]; h != nil {
		to = h.name
	}
	return c.end[0].host.name + "->" + to
}
