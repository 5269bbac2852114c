package orrery_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// served is the state the server of livenessSim publishes.
type served struct{ Answered int }

// livenessSim is a server that answers requests, and, with the planted bug
// "deaf", stops answering at t=2s, after the faults healed at t=1s; its
// client retries every 100 ms and tracks its request in flight.
func livenessSim() orrery.Simulation {
	type request struct {
		id    int
		reply *env.Chan[int]
	}
	return orrery.Simulation{
		Name: "liveness",
		Processes: []orrery.Process{{Name: "server", Main: func(e env.Env) error {
			inbox := env.NewChan[request](e, 8)
			st := &served{}
			orrery.Publish(e.Context(), "inbox", inbox)
			orrery.Publish(e.Context(), "server/state", st)
			for {
				req, _, err := inbox.Recv(e.Context())
				if err != nil {
					return err
				}
				if orrery.Planted(e.Context(), "deaf") && e.Clock().Monotonic() >= 2*time.Second {
					continue
				}
				st.Answered++
				req.reply.TrySend(req.id)
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx := e.Context()
				var inFlight []orrery.Request
				orrery.TrackRequests(ctx, func() []orrery.Request { return inFlight })
				inbox, _ := orrery.Published(ctx, "inbox")
				for id := range 40 {
					e.Clock().Sleep(ctx, 100*time.Millisecond)
					inFlight = []orrery.Request{{Client: "0", Op: fmt.Sprintf("req %d", id), Since: e.Clock().Monotonic()}}
					req := request{id: id, reply: env.NewChan[int](e, 1)}
					for {
						if err := inbox.(*env.Chan[request]).Send(ctx, req); err != nil {
							return err
						}
						wait, cancel := e.Clock().WithTimeout(ctx, 100*time.Millisecond)
						_, _, err := req.reply.Recv(wait)
						cancel()
						if err == nil {
							break
						}
					}
					inFlight = nil
				}
				return nil
			}}
		}}},
		Liveness: 2 * time.Second,
		Bugs:     []string{"deaf"},
	}
}

// TestLiveness: a request still pending the bound after the faults healed
// fails the seed, naming the request and the state of each node; a
// system that keeps answering passes, and the failure repeats.
func TestLiveness(t *testing.T) {
	s := livenessSim()
	s.Chaos.Duration = time.Second
	rep, err := orrery.Run(s, orrery.Options{Seeds: 5})
	if err != nil || !rep.OK() {
		t.Fatalf("without the bug: %v %+v", err, rep.Failures)
	}
	rep, err = orrery.Run(s, orrery.Options{Seeds: 5, Bugs: []string{"deaf"}, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 5 {
		t.Fatalf("%d of 5 seeds failed with the bug", rep.Failed)
	}
	f := rep.Failures[0]
	for _, want := range []string{
		"liveness: 1 request still pending 2s after the faults healed at t=1.000000s (or after they were sent):",
		"\n  client 0: req 19 since t=2.0",
		"\nnodes:\n  server: up",
		"\n  server/state = {Answered:19}",
	} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, f.Message)
		}
	}
	if f.Kind != "stall" || f.At < 4*time.Second || f.At > 4100*time.Millisecond {
		t.Errorf("failed as %s at %v, want a stall at about 4s", f.Kind, f.At)
	}
}

// TestLivenessValidation: a negative bound is refused.
func TestLivenessValidation(t *testing.T) {
	s := livenessSim()
	s.Liveness = -time.Second
	if _, err := orrery.Run(s, orrery.Options{Seeds: 1}); err == nil || !strings.Contains(err.Error(), "negative Liveness") {
		t.Errorf("negative bound: %v", err)
	}
}

// TestHealed: Healed says when the chaos phase ended, to a workload after
// it and to a seed check; before it, and outside a simulation, it is
// false.
func TestHealed(t *testing.T) {
	s := livenessSim()
	s.Chaos.Duration = time.Second
	var during, after bool
	var at time.Duration
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			_, during = orrery.Healed(e.Context())
			return e.Clock().Sleep(e.Context(), 2*time.Second)
		}}
	}
	s.SeedChecks = []orrery.SeedCheck{{Name: "healed", Check: func(ctx context.Context) error {
		at, after = orrery.Healed(ctx)
		return nil
	}}}
	if _, err := orrery.Run(s, orrery.Options{Seeds: 1}); err != nil {
		t.Fatal(err)
	}
	if during || !after || at != time.Second {
		t.Errorf("healed during the chaos phase %v, after %v at %v; want false, true at 1s", during, after, at)
	}
	if _, ok := orrery.Healed(context.Background()); ok {
		t.Error("healed outside a simulation")
	}
}
