package netsim

import (
	"net"
	"net/netip"
	"time"
)

// Controls are the manual fault controls of a Network, the part a
// workload or fault injector may use: partition groups of hosts, stop one
// host sending or receiving, clog, cut or kill a connection, heal. Setting
// the network up (AddHost) and its random chaos (StartChaos) stay with the
// code that owns the Network. Each method is the Network's of that name.
type Controls interface {
	Partition(a, b []netip.Addr, dir Direction, d time.Duration)
	SendPartition(a netip.Addr, d time.Duration)
	RecvPartition(a netip.Addr, d time.Duration)
	Clog(nc net.Conn, d time.Duration) error
	ReadClog(nc net.Conn, d time.Duration) error
	Cut(nc net.Conn, d time.Duration) error
	Kill(nc net.Conn, mode KillMode) error
	Heal()
}

var _ Controls = (*Network)(nil)
