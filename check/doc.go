// Package check records what the clients of a simulated system saw and
// checks that it is linearizable, with porcupine
// (github.com/anishathalye/porcupine).
//
// A workload records every request it makes on an Object: Call when it
// sends the request, then Return with the answer, or Unknown when it cannot
// know whether the request took effect (a timeout, a reset connection).
// Times are the simulation's logical time, so a history records true
// time, never a host's skewed clock; recording draws nothing from the
// seed's random stream and schedules nothing.
//
//	var kv = check.NewObject("kv", check.KV())
//
//	sim := orrery.Simulation{
//		...
//		SeedChecks: []orrery.SeedCheck{kv.Linearizable()},
//		Liveness:   10 * time.Second,
//	}
//
//	// in a workload's Run:
//	h := kv.Record(e.Context())
//	op := h.Call(orrery.Instance(e.Context()), check.Put("x", "1"))
//	if err := client.Put(ctx, "x", "1"); err != nil {
//		op.Unknown()
//	} else {
//		op.Return(check.KVOutput{})
//	}
//
// Linearizable is a SeedCheck: it runs once per seed, after the workloads'
// Check, outside the simulation and within Options.CheckTimeout. A history
// that is not linearizable fails the seed with the shortest prefix of the
// history that no order of the operations explains, and porcupine's page
// of the history is attached to the seed (orrery run --artifacts DIR
// writes it next to the seed's trace). A check that runs out of time
// leaves the seed unknown, never passed.
//
// The models KV, Register and Counter cover the common cases; any
// porcupine.Model works, provided its Step accepts, for an operation whose
// outcome is unknown (IsUnknown reports it), any state: such an operation
// may or may not have taken effect, which porcupine models by letting it
// return at the end of time.
//
// The recorders of a seed are also the requests the liveness check of
// Simulation.Liveness watches: an operation still pending too long after
// the faults healed fails the seed with its name.
package check
