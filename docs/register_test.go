package docs_test

import (
	"context"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/check"
	"github.com/orrerysim/orrery/env"
)

// cell is the register of linearizability.md: every seed records its
// history of it.
var cell = check.NewObject("cell", check.Register(0))

// registerRequest is what a client sends the register's server.
type registerRequest struct {
	write bool
	value int
	reply *env.Chan[int]
}

// registerSimulation is the simulation of linearizability.md: a server
// holds a register and a replica of it that catches up 5 ms after each
// write; three clients write and read it, each recording its operations,
// and one reply in a hundred is lost. The planted bug stale-read serves
// one read in four from the replica.
func registerSimulation() orrery.Simulation {
	return orrery.Simulation{
		Name:      "register",
		Processes: []orrery.Process{{Name: "server", Main: registerServer}},
		Workloads: []orrery.Workload{{Name: "client", Count: 3, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: registerClient}
		}}},
		SeedChecks: []orrery.SeedCheck{cell.Linearizable()},
		Bugs:       []string{"stale-read"},
	}
}

func registerServer(e env.Env) error {
	ctx := e.Context()
	inbox := env.NewChan[registerRequest](e, 16)
	orrery.Publish(ctx, "inbox", inbox)
	value, replica := 0, 0
	for {
		req, _, err := inbox.Recv(ctx)
		if err != nil {
			return nil
		}
		e.Clock().Sleep(ctx, time.Duration(e.Rand().IntN(3))*time.Millisecond)
		v := value
		switch {
		case req.write:
			value, v = req.value, req.value
			e.Go("replicate", func(ctx context.Context) {
				if e.Clock().Sleep(ctx, 5*time.Millisecond) == nil {
					replica = v
				}
			})
			e.Log().Info("write", "value", v)
		case orrery.Planted(ctx, "stale-read") && e.Rand().IntN(4) == 0:
			v = replica
			e.Log().Info("read from the replica", "value", v)
		default:
			e.Log().Info("read", "value", v)
		}
		if e.Rand().IntN(100) > 0 { // one reply in a hundred is lost
			req.reply.TrySend(v)
		}
	}
}

func registerClient(e env.Env) error {
	ctx := e.Context()
	h := cell.Record(ctx)
	me := orrery.Instance(ctx)
	inbox, _ := orrery.Published(ctx, "inbox")
	for i := range 20 {
		if err := e.Clock().Sleep(ctx, time.Duration(e.Rand().IntN(30))*time.Millisecond); err != nil {
			return err
		}
		req := registerRequest{reply: env.NewChan[int](e, 1)}
		input := check.Read()
		if e.Rand().IntN(2) == 0 {
			req.write, req.value = true, 100*(me+1)+i
			input = check.Write(req.value)
		}
		op := h.Call(me, input)
		if err := inbox.(*env.Chan[registerRequest]).Send(ctx, req); err != nil {
			return err
		}
		wait, cancel := e.Clock().WithTimeout(ctx, 100*time.Millisecond)
		v, _, err := req.reply.Recv(wait)
		cancel()
		switch {
		case err != nil:
			op.Unknown() // the reply was lost: the write may have happened
		case req.write:
			op.Return(nil)
		default:
			op.Return(v)
		}
	}
	return nil
}
