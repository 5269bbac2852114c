package docs_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
)

// leaseSimulation is the lease of faults.md's Pauses section: a lock
// server grants a lease of 300 ms by its clock; each of two workers,
// holding it, checks that 10 ms of its lease are left by its own clock,
// prepares a write for 5 ms and writes. The planted bug stale-lease
// leaves out the check after the preparation, so a pause in between lets
// the write land after the other worker took the lease.
func leaseSimulation() orrery.Simulation {
	type state struct {
		holder  string
		expires time.Time
		stale   string
	}
	type request struct {
		client string
		reply  *env.Chan[bool]
	}
	const term, margin, prepare = 300 * time.Millisecond, 10 * time.Millisecond, 5 * time.Millisecond
	server := func(e env.Env) error {
		st, in := &state{}, env.NewChan[request](e, 0)
		orrery.Publish(e.Context(), "lease", st)
		orrery.Publish(e.Context(), "inbox", in)
		for {
			r, _, err := in.Recv(e.Context())
			if err != nil {
				return nil
			}
			now := e.Clock().Now()
			ok := st.holder == "" || st.holder == r.client || !now.Before(st.expires)
			if ok {
				st.holder, st.expires = r.client, now.Add(term)
			}
			r.reply.TrySend(ok)
		}
	}
	worker := func(e env.Env) error {
		ctx, clock := e.Context(), e.Clock()
		for clock.Sleep(ctx, 10*time.Millisecond) == nil {
			st, _ := orrery.Published(ctx, "lease")
			in, _ := orrery.Published(ctx, "inbox")
			if st == nil || in == nil {
				continue
			}
			start, reply := clock.Monotonic(), env.NewChan[bool](e, 1)
			if in.(*env.Chan[request]).Send(ctx, request{e.Name(), reply}) != nil {
				return nil
			}
			if ok, _, err := reply.Recv(ctx); err != nil || !ok {
				continue
			}
			until := start + term - margin
			for clock.Monotonic() < until {
				if clock.Sleep(ctx, prepare) != nil {
					return nil
				}
				if !orrery.Planted(ctx, "stale-lease") && clock.Monotonic() >= until {
					break
				}
				if s := st.(*state); s.holder != e.Name() && s.stale == "" {
					s.stale = fmt.Sprintf("%s wrote on a stale lease: %s holds it", e.Name(), s.holder)
				}
			}
		}
		return nil
	}
	return orrery.Simulation{
		Name:  "lease",
		Bugs:  []string{"stale-lease"},
		Chaos: chaos.Config{Pause: chaos.StandardPauses},
		Processes: []orrery.Process{
			{Name: "lock", Main: server},
			{Name: "worker", Count: 2, Main: worker},
		},
		Workloads: []orrery.Workload{{Name: "driver", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), 30*time.Second) }}
		}}},
		Invariants: []orrery.Invariant{{Name: "no stale write", Check: func(s *orrery.State) error {
			if v, ok := s.Get("lease"); ok && v.(*state).stale != "" {
				return errors.New(v.(*state).stale)
			}
			return nil
		}}},
	}
}
