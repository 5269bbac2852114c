package check_test

import (
	"fmt"
	"math"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/check"
	"github.com/orrerysim/orrery/env"
)

// cell is the register of the examples: every seed records its own
// history of it.
var cell = check.NewObject("cell", check.Register(0))

// request is what a client sends the register's server.
type request struct {
	write bool
	value int
	reply *env.Chan[int]
}

// serve is a register server; with the planted bug "stale-read" it answers
// reads from a copy it refreshes only now and then.
func serve(e env.Env) error {
	value, cached := 0, 0
	inbox := env.NewChan[request](e, 16)
	orrery.Publish(e.Context(), "inbox", inbox)
	for {
		req, _, err := inbox.Recv(e.Context())
		if err != nil {
			return err
		}
		e.Clock().Sleep(e.Context(), time.Duration(e.Rand().IntN(5))*time.Millisecond)
		switch {
		case req.write:
			value = req.value
			if e.Rand().IntN(4) == 0 {
				cached = value
			}
			req.reply.TrySend(0)
		case orrery.Planted(e.Context(), "stale-read"):
			req.reply.TrySend(cached)
		default:
			req.reply.TrySend(value)
		}
	}
}

// client writes and reads the register, recording every operation.
func client(e env.Env) error {
	ctx := e.Context()
	h := cell.Record(ctx)
	inbox, _ := orrery.Published(ctx, "inbox")
	me := orrery.Instance(ctx)
	for i := range 20 {
		e.Clock().Sleep(ctx, time.Duration(e.Rand().IntN(50))*time.Millisecond)
		req := request{reply: env.NewChan[int](e, 1)}
		in := check.Read()
		if e.Rand().IntN(2) == 0 {
			req.write, req.value = true, 10*me+i
			in = check.Write(req.value)
		}
		op := h.Call(me, in)
		if err := inbox.(*env.Chan[request]).Send(ctx, req); err != nil {
			return err
		}
		v, _, err := req.reply.Recv(ctx)
		if err != nil {
			return err
		}
		if req.write {
			op.Return(nil)
		} else {
			op.Return(v)
		}
	}
	return nil
}

func registerSim() orrery.Simulation {
	return orrery.Simulation{
		Name:      "register",
		Processes: []orrery.Process{{Name: "server", Main: serve}},
		Workloads: []orrery.Workload{{Name: "client", Count: 3, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: client}
		}}},
		SeedChecks: []orrery.SeedCheck{cell.Linearizable()},
		Bugs:       []string{"stale-read"},
	}
}

// Three clients write and read a register; every seed's history is checked
// for linearizability once the seed is over.
func ExampleObject_Linearizable() {
	rep, err := orrery.Run(registerSim(), orrery.Options{Seeds: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Seeds, "seeds,", rep.Failed, "failed,", rep.Unknown, "unknown")
	// Output: 20 seeds, 0 failed, 0 unknown
}

// With the planted stale read, the check fails the seed with the shortest
// prefix of its history that no order of the operations explains.
func ExampleViolation() {
	rep, err := orrery.Run(registerSim(), orrery.Options{Seeds: 20, Bugs: []string{"stale-read"}, FailFast: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Failures[0].Message)
	// Output:
	// check linearizable cell: not linearizable: no order explains the history of cell up to t=0.098000s, when client 0's read() -> 0 returned (7 of its 60 operations):
	//    client 1  [t=0.023000s, t=0.027000s]  read() -> 0
	//    client 2  [t=0.033000s, t=0.034000s]  read() -> 0
	//    client 0  [t=0.047000s, t=0.047000s]  write(0)
	//    client 1  [t=0.047000s, t=0.047000s]  read() -> 0
	//    client 2  [t=0.064000s, t=0.067000s]  write(21)
	//  > client 0  [t=0.094000s, t=0.098000s]  read() -> 0
	//    client 1  [t=0.095000s, pending]  read() -> ?
}

// A workload records an operation when it sends the request, and its
// answer when it comes; a request whose outcome it cannot know is Unknown.
func ExampleRecorder_Call() {
	kv := check.NewObject("kv", check.KV())
	sim := orrery.Simulation{
		Name: "kv",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error {
			_, _, err := env.NewChan[int](e, 0).Recv(e.Context()) // serves nothing
			return err
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				h := kv.Record(e.Context())
				put := h.Call(0, check.Put("x", "1"))
				e.Clock().Sleep(e.Context(), time.Millisecond)
				put.Return(check.KVOutput{})
				lost := h.Call(0, check.Put("x", "2"))
				lost.Unknown() // the connection was reset: it may have been applied
				get := h.Call(0, check.Get("x"))
				get.Return(check.KVOutput{Value: "2"})
				return nil
			}}
		}}},
		SeedChecks: []orrery.SeedCheck{kv.Linearizable()},
	}
	rep, err := orrery.Run(sim, orrery.Options{Seeds: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.OK())
	// Output: true
}

// The models are porcupine models: they check a history of your own as
// well. A write that timed out may have taken effect, so a later read may
// see it, or not.
func ExampleKV() {
	history := []porcupine.Operation{
		{ClientId: 0, Input: check.Put("x", "1"), Output: check.KVOutput{}, Call: 0, Return: 10},
		{ClientId: 1, Input: check.Put("x", "2"), Output: check.Unknown, Call: 5, Return: math.MaxInt64},
		{ClientId: 0, Input: check.Get("x"), Output: check.KVOutput{Value: "2"}, Call: 20, Return: 30},
		{ClientId: 0, Input: check.Get("x"), Output: check.KVOutput{Value: "1"}, Call: 40, Return: 50},
	}
	fmt.Println(porcupine.CheckOperations(check.KV(), history[:3]))
	fmt.Println(porcupine.CheckOperations(check.KV(), history))
	// Output:
	// true
	// false
}
