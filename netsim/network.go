package netsim

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// Network is one simulated network: its hosts, their sockets and
// connections, and the faults between them.
type Network struct {
	w      *sim.World
	cfg    Config
	hosts  []*Host
	byAddr map[netip.Addr]*Host
	byName map[string]*Host

	nextID        uint64  // connection and socket ids, shared so that traces never mix them up
	lat           Latency // Config.Latency, resolved
	faultLat      Latency // Faults.Latency, resolved, if set
	slow          bool    // faultLat applies
	pairExtra     map[[2]netip.Addr]time.Duration
	blocked       map[[2]netip.Addr]int // ordered pairs cut off by partitions, counted
	partitioned   bool                  // len(blocked) > 0, which every chunk sent checks
	window        int                   // Config.ReceiveWindow, resolved; beside partitioned, which kick reads too
	epoch         int                   // Heal's count: partitions of an earlier epoch are gone
	lastClose     time.Duration         // the last random close, for its cooldown
	closeCooldown time.Duration         // Faults.RandomCloseCooldown, resolved
	anyClose      bool
	chaos         *sim.Ticker
	faultsOn      bool
	ioFaults      bool   // a fault may strike a read or write: worth the checks
	connSpare     []conn // the rest of the chunk newConn allocated last
}

// New returns a network of w with the model cfg. It panics on an invalid
// Config: configurations are code, and Validate says what is wrong.
func New(w *sim.World, cfg Config) *Network {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	n := &Network{w: w, cfg: cfg, byAddr: map[netip.Addr]*Host{}, byName: map[string]*Host{},
		lat: cfg.Latency.resolved(), faultLat: cfg.Faults.Latency.resolved(), slow: cfg.Faults.Latency != Latency{},
		pairExtra: map[[2]netip.Addr]time.Duration{}, blocked: map[[2]netip.Addr]int{}}
	n.closeCooldown = cmp.Or(cfg.Faults.RandomCloseCooldown, 5*time.Second)
	n.window = cmp.Or(cfg.ReceiveWindow, defaultReceiveWindow)
	n.armFaults()
	return n
}

// Host is one machine of the network; it is the env.Network of the process
// or workload that runs on it.
type Host struct {
	n         *Network
	name      string
	addr      netip.Addr
	listeners map[uint16]*listener
	sockets   map[uint16]*packetConn
	dialed    portSet        // the local ports of the connections it dialed, until they are done or fail
	conns     []*conn        // open connections with an end on this host, in the order they opened; nil where one closed (openConns)
	connHoles int            // the nils in conns
	clock     *sim.HostClock // what its deadlines count (SetClock); nil: true time
	lastDial  [2]string      // the address it dialed last, and what its dialers wait for (dialWait)
}

var _ env.Network = (*Host)(nil)

// AddHost adds a host with a name unique in the network and an address. It
// panics if either is taken or unusable (an empty name, "localhost", a
// name that is an IP, an invalid address): hosts are set up by code, not
// by input.
func (n *Network) AddHost(name string, addr netip.Addr) *Host {
	if _, err := netip.ParseAddr(name); err == nil || name == "" || name == "localhost" || !addr.IsValid() {
		panic(fmt.Sprintf("netsim: AddHost(%q, %v): a host needs a name that is not an address nor localhost, and a valid address", name, addr))
	}
	if _, ok := n.byName[name]; ok {
		panic(fmt.Sprintf("netsim: two hosts named %q", name))
	}
	if _, ok := n.byAddr[addr]; ok {
		panic(fmt.Sprintf("netsim: two hosts at %v", addr))
	}
	h := &Host{n: n, name: name, addr: addr, listeners: map[uint16]*listener{}, sockets: map[uint16]*packetConn{}}
	n.hosts = append(n.hosts, h)
	n.byAddr[addr] = h
	n.byName[name] = h
	return h
}

// Host returns the host with the given name.
func (n *Network) Host(name string) (*Host, bool) {
	h, ok := n.byName[name]
	return h, ok
}

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// Addr returns the host's address.
func (h *Host) Addr() netip.Addr { return h.addr }

// LookupHost returns the address of a host name, or of an IP literal.
func (h *Host) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	a, err := h.n.resolve(host, h)
	if err != nil {
		return nil, &net.DNSError{Err: err.Error(), Name: host, IsNotFound: true}
	}
	return []netip.Addr{a}, nil
}

func (n *Network) resolve(host string, self *Host) (netip.Addr, error) {
	if host == "" || host == "localhost" {
		return self.addr, nil
	}
	// A name with neither '.' nor ':' is no address: not parsed as one,
	// which would cost an error value per dial by name.
	if strings.ContainsAny(host, ".:") {
		if a, err := netip.ParseAddr(host); err == nil {
			return a, nil
		}
	}
	if other, ok := n.byName[host]; ok {
		return other.addr, nil
	}
	return netip.Addr{}, fmt.Errorf("%w: %q", ErrUnknownHost, host)
}

// parseAddr splits "host:port" and resolves host.
func (h *Host) parseAddr(address string) (netip.AddrPort, error) {
	hostPart, portPart, err := net.SplitHostPort(address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	port, err := strconv.ParseUint(portPart, 10, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("address %s: invalid port %q", address, portPart)
	}
	a, err := h.n.resolve(hostPart, h)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(a, uint16(port)), nil
}

// The range a host draws its ephemeral ports from, Linux's default
// (net.ipv4.ip_local_port_range 32768 60999).
const (
	ephemeralFirst = 32768
	ephemeralCount = 28232
)

// ephemeral draws a free port for an outgoing connection or socket: one
// that no listener, datagram socket or connection this host dialed holds,
// as a real host's stack picks it, so that two connections open at once
// never share an address. When a few draws all hit ports in use, it takes
// the next free port after the last one drawn; it fails with
// EADDRNOTAVAIL, as connect(2) does, when every port of the range is
// taken.
func (h *Host) ephemeral() (uint16, error) {
	const draws = 16
	p := uint16(0)
	for range draws {
		p = uint16(ephemeralFirst + h.n.w.Rand().IntN(ephemeralCount))
		if h.portFree(p) {
			return p, nil
		}
	}
	for range ephemeralCount {
		p++
		if p >= ephemeralFirst+ephemeralCount {
			p = ephemeralFirst
		}
		if h.portFree(p) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("no ephemeral port left on %s: %w", h.name, syscall.EADDRNOTAVAIL)
}

// portFree says whether no socket of h holds port p.
func (h *Host) portFree(p uint16) bool {
	_, listening := h.listeners[p]
	_, bound := h.sockets[p]
	return !listening && !bound && !h.dialed.has(p)
}

// holdPort marks c's local port as taken on h, its dialing host, until
// releasePort.
func (h *Host) holdPort(c *conn) {
	h.dialed.add(c.addr[0].Port())
	c.portHeld = true
}

// releasePort frees c's local port on h, its dialing host: c failed to
// connect or is done.
func (h *Host) releasePort(c *conn) {
	if c.portHeld {
		h.dialed.remove(c.addr[0].Port())
		c.portHeld = false
	}
}

func (n *Network) newID() uint64 {
	n.nextID++
	return n.nextID
}

// latency returns the delay of one chunk or datagram from a to b.
func (n *Network) latency(a, b netip.Addr) time.Duration {
	return n.baseLatency() + n.pairLatency(a, b)
}

// baseLatency draws a delay from the latency distribution in force.
func (n *Network) baseLatency() time.Duration {
	lat := &n.lat
	if n.slow && n.faultsOn {
		lat = &n.faultLat
	}
	if lat.Shape == Uniform { // draw's most common case, without its call
		return n.w.Rand().Duration(lat.Min, lat.Max)
	}
	return lat.draw(n.w.Rand())
}

// pairLatency is the extra delay from a to b, drawn on first use.
func (n *Network) pairLatency(a, b netip.Addr) time.Duration {
	m := n.cfg.Faults.PairLatencyMax
	if m == 0 || !n.faultsOn {
		return 0
	}
	key := [2]netip.Addr{a, b}
	extra, ok := n.pairExtra[key]
	if !ok {
		extra = n.w.Rand().Duration(0, m)
		n.pairExtra[key] = extra
	}
	return extra
}

// fault reports whether a fault of probability p happens now: never once
// the faults are healed, and without a draw when p is zero, so that a
// fault-free run's RNG count does not depend on the knobs.
func (n *Network) fault(p float64) bool {
	return p > 0 && n.faultsOn && n.w.Rand().Bool(p)
}

// blockedPair reports whether traffic from a to b is cut by a partition.
func (n *Network) blockedPair(a, b netip.Addr) bool {
	return len(n.blocked) > 0 && n.blocked[[2]netip.Addr{a, b}] > 0
}
