package check_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/check"
	"github.com/orrerysim/orrery/env"
)

// kvRequest is what a client sends the key-value server of kvSim.
type kvRequest struct {
	in    check.KVInput
	reply *env.Chan[string]
}

// kvSim is a key-value server and clients that each make ops random gets
// and puts on keys keys, recorded on obj.
func kvSim(obj *check.Object, clients, ops, keys int) orrery.Simulation {
	return orrery.Simulation{
		Name: "kv",
		Processes: []orrery.Process{{Name: "server", Main: func(e env.Env) error {
			data, inbox := map[string]string{}, env.NewChan[kvRequest](e, 16)
			orrery.Publish(e.Context(), "inbox", inbox)
			for {
				req, _, err := inbox.Recv(e.Context())
				if err != nil {
					return nil
				}
				e.Clock().Sleep(e.Context(), time.Duration(e.Rand().IntN(3))*time.Millisecond)
				if req.in.Op == check.OpPut {
					data[req.in.Key] = req.in.Value
				}
				req.reply.TrySend(data[req.in.Key])
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", Count: clients, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return kvClient(e, obj, ops, keys) }}
		}}},
		SeedChecks: []orrery.SeedCheck{obj.Linearizable()},
	}
}

func kvClient(e env.Env, obj *check.Object, ops, keys int) error {
	ctx := e.Context()
	h, me := obj.Record(ctx), orrery.Instance(ctx)
	inbox, _ := orrery.Published(ctx, "inbox")
	for i := range ops {
		if err := e.Clock().Sleep(ctx, time.Duration(e.Rand().IntN(10))*time.Millisecond); err != nil {
			return err
		}
		key := fmt.Sprint("k", e.Rand().IntN(keys))
		req := kvRequest{in: check.Get(key), reply: env.NewChan[string](e, 1)}
		if e.Rand().IntN(2) == 0 {
			req.in = check.Put(key, fmt.Sprint(me, ".", i))
		}
		op := h.Call(me, req.in)
		if err := inbox.(*env.Chan[kvRequest]).Send(ctx, req); err != nil {
			return err
		}
		v, _, err := req.reply.Recv(ctx)
		if err != nil {
			return err
		}
		op.Return(check.KVOutput{Value: v})
	}
	return nil
}

// BenchmarkCheckShare measures the share of a seed's real time spent in
// the linearizability check, on the register of the examples (3 clients,
// 60 operations a seed) and on a key-value store of 5 clients and 1,000
// operations a seed on 5 keys. One op is one seed.
func BenchmarkCheckShare(b *testing.B) {
	for _, tc := range []struct {
		name string
		sim  orrery.Simulation
	}{
		{"register-60ops", registerSim()},
		{"kv-1000ops", kvSim(check.NewObject("kv", check.KV()), 5, 200, 5)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var checking time.Duration
			s := tc.sim
			inner := s.SeedChecks[0].Check
			s.SeedChecks = []orrery.SeedCheck{{Name: s.SeedChecks[0].Name, Check: func(ctx context.Context) error {
				start := time.Now()
				defer func() { checking += time.Since(start) }()
				return inner(ctx)
			}}}
			b.ResetTimer()
			rep, err := orrery.Run(s, orrery.Options{Seeds: b.N, Parallel: 1})
			if err != nil || !rep.OK() {
				b.Fatalf("run: %v %+v", err, rep.Failures)
			}
			b.ReportMetric(100*float64(checking)/float64(rep.CPU), "check-%")
			b.ReportMetric(float64(checking.Microseconds())/float64(b.N), "check-µs/seed")
		})
	}
}
