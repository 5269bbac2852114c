package bank

import (
	"fmt"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
)

// Options shape the bank simulation; the zero value is the default cluster.
type Options struct {
	Accounts  int   // accounts in the bank (default 5)
	Balance   int64 // each account's opening balance (default 100)
	Clients   int   // client workloads (default 4)
	Transfers int   // transfers each client sends (default 50)
	// Chaos is the faults the run meets (default chaos.Standard(): the
	// network's standard faults, with Model as below).
	Chaos *chaos.Config
}

func (o Options) withDefaults() Options {
	if o.Accounts == 0 {
		o.Accounts = 5
	}
	if o.Balance == 0 {
		o.Balance = 100
	}
	if o.Clients == 0 {
		o.Clients = 4
	}
	if o.Transfers == 0 {
		o.Transfers = 50
	}
	if o.Chaos == nil {
		c := chaos.Standard()
		c.Model = Model
		o.Chaos = &c
	}
	return o
}

// Model is the fault families the bank claims to survive, which --swarm
// draws from: every network family (the server and its clients retry
// across clogs, partitions, cuts and slow links), and the standard disk
// families, which the bank, keeping its accounts in memory, never meets.
var Model = []string{
	"latency", "pair-latency", "clog", "partition", "host-partition", "cut", "random-close",
	"bit-flip", "partial", "connect-fail", "datagram",
	"sync-fail", "corrupt", "stall", "throttle", "garbage",
}

// BugLostUpdate is the planted bug: a transfer reads both balances, yields
// to other requests, then writes them back.
const BugLostUpdate = "lost-update"

// ledgerKey is where the server publishes its balances for the invariant.
const ledgerKey = "bank/ledger"

// port is the server's port.
const port = "7000"

// Simulation returns the bank: one server process listening on :7000,
// o.Clients client workloads dialing it, and the conservation invariant.
func Simulation(o Options) orrery.Simulation {
	o = o.withDefaults()
	total := int64(o.Accounts) * o.Balance
	return orrery.Simulation{
		Name:      "bank",
		Processes: []orrery.Process{{Name: "bank", Main: func(e env.Env) error { return serve(e, o) }}},
		Workloads: []orrery.Workload{{Name: "client", Count: o.Clients, New: func() orrery.Driver {
			return &client{opts: o}
		}}},
		Invariants: []orrery.Invariant{{Name: "conservation", Check: func(s *orrery.State) error {
			v, ok := s.Get(ledgerKey)
			if !ok {
				return nil
			}
			if got := v.(*ledger).total(); got != total {
				return fmt.Errorf("the accounts hold %d in total, want %d", got, total)
			}
			return nil
		}}},
		Chaos: *o.Chaos,
		Bugs:  []string{BugLostUpdate},
	}
}
