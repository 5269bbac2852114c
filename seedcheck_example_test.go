package orrery_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// summer is a server that adds what it receives to a published total.
func summer(e env.Env) error {
	total, inbox := new(int), env.NewChan[int](e, 0)
	orrery.Publish(e.Context(), "total", total)
	orrery.Publish(e.Context(), "inbox", inbox)
	for {
		v, _, err := inbox.Recv(e.Context())
		if err != nil {
			return nil
		}
		*total += v
	}
}

// A seed check runs once per seed, after the simulation: here it compares
// the server's final total with what the client sent, and attaches the
// total to the seed for its artifacts.
func ExampleSeedCheck() {
	sim := orrery.Simulation{
		Name:      "sum",
		Processes: []orrery.Process{{Name: "server", Main: summer}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				inbox, _ := orrery.Published(e.Context(), "inbox")
				for i := range 10 {
					if err := inbox.(*env.Chan[int]).Send(e.Context(), i); err != nil {
						return err
					}
				}
				return nil
			}}
		}}},
		SeedChecks: []orrery.SeedCheck{{Name: "total", Check: func(ctx context.Context) error {
			total, _ := orrery.Published(ctx, "total")
			orrery.AddArtifact(ctx, "total.txt", func(w io.Writer) error {
				_, err := fmt.Fprintln(w, *total.(*int))
				return err
			})
			if got := *total.(*int); got != 45 {
				return fmt.Errorf("total %d, want 45", got)
			}
			return nil
		}}},
	}
	rep, err := orrery.Run(sim, orrery.Options{Seeds: 3, CheckTimeout: 10 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Seeds, "seeds,", rep.Failed, "failed,", rep.Unknown, "unknown")
	// Output: 3 seeds, 0 failed, 0 unknown
}

// A workload that records no history tells the liveness check of the
// request it waits for; the server here never answers, so the request is
// still pending the bound after the faults healed.
func ExampleTrackRequests() {
	sim := orrery.Simulation{
		Name:      "silent",
		Processes: []orrery.Process{{Name: "server", Main: summer}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx := e.Context()
				sent := e.Clock().Monotonic()
				orrery.TrackRequests(ctx, func() []orrery.Request {
					return []orrery.Request{{Client: "0", Op: "get(total)", Since: sent}}
				})
				for { // retries that never get an answer
					if err := e.Clock().Sleep(ctx, time.Second); err != nil {
						return err
					}
				}
			}}
		}}},
		Liveness: 10 * time.Second,
	}
	sim.Chaos.Duration = 5 * time.Second
	rep, err := orrery.Run(sim, orrery.Options{Seeds: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := rep.Failures[0]
	lines := strings.Split(f.Message, "\n")
	fmt.Printf("%s at t=%v\n%s\n", f.Kind, f.At, strings.Join(lines[:4], "\n"))
	// Output:
	// stall at t=15s
	// liveness: 1 request still pending 10s after the faults healed at t=5.000000s (or after they were sent):
	//   client 0: get(total) since t=0.000000s
	// nodes:
	//   server: up
}

// A seed check learns when the chaos phase ended, to judge what happened
// after it.
func ExampleHealed() {
	sim := orrery.Simulation{
		Name:      "heal",
		Processes: []orrery.Process{{Name: "server", Main: summer}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), 3*time.Second) }}
		}}},
		SeedChecks: []orrery.SeedCheck{{Name: "heal", Check: func(ctx context.Context) error {
			at, ok := orrery.Healed(ctx)
			fmt.Println("healed:", ok, "at", at)
			return nil
		}}},
	}
	sim.Chaos.Duration = 2 * time.Second
	if _, err := orrery.Run(sim, orrery.Options{Seeds: 1}); err != nil {
		fmt.Println(err)
	}
	// Output: healed: true at 2s
}
