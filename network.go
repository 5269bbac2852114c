package orrery

import (
	"context"

	"github.com/orrerysim/orrery/netsim"
)

// Network returns the simulated network of the seed ctx belongs to, or nil
// outside a simulation. It is the manual fault control of the network for
// workloads and fault injectors, as Reboot is for processes: partition
// groups of hosts (Partition, with the addresses of Lookup and
// HostsWithTag), stop one host sending or receiving (SendPartition,
// RecvPartition), clog, cut or kill a connection the workload holds (Clog,
// ReadClog, Cut, Kill). Each fault lifts by its own event after the
// duration given and is a record of the trace; the heal phase before the
// workloads' Check lifts them all. The run starts and stops the network's
// random chaos itself (Simulation.Chaos).
func Network(ctx context.Context) *netsim.Network {
	c := clusterOf(ctx)
	if c == nil {
		return nil
	}
	return c.net
}
