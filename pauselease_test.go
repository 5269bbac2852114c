package orrery_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
)

// lockState is the lock server's lease and the store's stale writes.
type lockState struct {
	holder  string
	expires time.Time // on the lock server's clock
	stale   []string
}

type lockReq struct {
	client string
	reply  *env.Chan[bool]
}

// The lease's timing: its term, the margin a worker keeps before its end,
// and how long a worker prepares a write between its check and the write.
const (
	lockTerm    = 300 * time.Millisecond
	lockMargin  = 10 * time.Millisecond
	lockPrepare = 5 * time.Millisecond
)

// stalePauseLeases is a lease-guarded store: a lock server grants a lease
// of lockTerm by its clock; each of two workers, holding it, checks that
// its lease has lockMargin left by its own clock (from when it asked),
// prepares a write for lockPrepare, and writes. Without pauses the margin
// covers the preparation; a pause between the check and the write lets
// the lease expire and the other worker take it, and the write lands on a
// stale lease, which the invariant catches. recheck fixes the bug: the
// worker checks again after preparing, with nothing between the check and
// the write.
func stalePauseLeases(pauses chaos.Pauses, recheck bool) orrery.Simulation {
	return orrery.Simulation{
		Name:  "stale-lease",
		Chaos: chaos.Config{Pause: pauses},
		Processes: []orrery.Process{
			{Name: "lock", Main: lockServer},
			{Name: "worker", Count: 2, Main: func(e env.Env) error { return lockWorker(e, recheck) }},
		},
		Workloads: []orrery.Workload{{Name: "driver", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), 30*time.Second) }}
		}}},
		Invariants: []orrery.Invariant{{Name: "no stale write", Check: func(s *orrery.State) error {
			if v, ok := s.Get("lock"); ok && len(v.(*lockState).stale) > 0 {
				return errors.New(v.(*lockState).stale[0])
			}
			return nil
		}}},
	}
}

func lockServer(e env.Env) error {
	st := &lockState{}
	in := env.NewChan[lockReq](e, 0)
	orrery.Publish(e.Context(), "lock", st)
	orrery.Publish(e.Context(), "lock-inbox", in)
	for {
		r, _, err := in.Recv(e.Context())
		if err != nil {
			return nil
		}
		now := e.Clock().Now()
		granted := st.holder == "" || st.holder == r.client || !now.Before(st.expires)
		if granted {
			st.holder, st.expires = r.client, now.Add(lockTerm)
		}
		r.reply.TrySend(granted)
	}
}

func lockWorker(e env.Env, recheck bool) error {
	ctx, clock := e.Context(), e.Clock()
	for clock.Sleep(ctx, 10*time.Millisecond) == nil {
		st, _ := orrery.Published(ctx, "lock")
		in, _ := orrery.Published(ctx, "lock-inbox")
		if st == nil || in == nil {
			continue
		}
		start := clock.Monotonic()
		reply := env.NewChan[bool](e, 1)
		if in.(*env.Chan[lockReq]).Send(ctx, lockReq{client: e.Name(), reply: reply}) != nil {
			return nil
		}
		if granted, _, err := reply.Recv(ctx); err != nil || !granted {
			continue
		}
		until := start + lockTerm - lockMargin
		for clock.Monotonic() < until { // the check
			if clock.Sleep(ctx, lockPrepare) != nil {
				return nil
			}
			if recheck && clock.Monotonic() >= until {
				break
			}
			write(st.(*lockState), e.Name())
		}
	}
	return nil
}

// write is the store's write by client, which must hold the lease.
func write(st *lockState, client string) {
	if st.holder != client {
		st.stale = append(st.stale, fmt.Sprintf("%s wrote on a stale lease: %s holds it", client, st.holder))
	}
}

// TestPauseFindsStaleLease: the lease bug is found with pauses on and not
// with them off, and its fix holds under pauses.
func TestPauseFindsStaleLease(t *testing.T) {
	const seeds = 200
	run := func(p chaos.Pauses, recheck bool) int {
		rep, err := orrery.Run(stalePauseLeases(p, recheck), orrery.Options{Seeds: seeds})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Failures {
			if !strings.Contains(f.Message, "wrote on a stale lease") {
				t.Errorf("seed %#x failed otherwise: %s", f.Seed, f.Message)
			}
		}
		return len(rep.Failures)
	}
	if n := run(chaos.Pauses{}, false); n != 0 {
		t.Errorf("without pauses %d of %d seeds failed, want none", n, seeds)
	}
	n := run(chaos.StandardPauses, false)
	if n == 0 {
		t.Errorf("under StandardPauses no seed of %d caught the stale lease", seeds)
	}
	if fixed := run(chaos.StandardPauses, true); fixed != 0 {
		t.Errorf("the fixed worker failed %d of %d seeds under pauses, want none", fixed, seeds)
	}
	t.Logf("stale lease: %d of %d seeds fail under StandardPauses, none without pauses, none fixed", n, seeds)
}
