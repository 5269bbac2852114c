package orrery

import (
	"context"

	"github.com/orrerysim/orrery/netsim"
)

// Network returns the manual fault controls of the simulated network of the
// seed ctx belongs to, or nil outside a simulation. They are for workloads
// and fault injectors, as Reboot is for processes: partition groups of
// hosts (Partition, with the addresses of Lookup and HostsWithTag), stop
// one host sending or receiving (SendPartition, RecvPartition), clog, cut
// or kill a connection the workload holds (Clog, ReadClog, Cut, Kill), or
// end every fault at once (Heal). Each fault lifts by its own event after
// the duration given and is a record of the trace; the heal phase before
// the workloads' Check lifts them all. Adding hosts and the network's
// random chaos are not among them: the run does those itself
// (Simulation.Chaos).
func Network(ctx context.Context) netsim.Controls {
	c := clusterOf(ctx)
	if c == nil {
		return nil
	}
	return c.net
}
