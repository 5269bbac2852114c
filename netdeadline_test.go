package orrery_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envtest"
	"github.com/orrerysim/orrery/sim"
)

// A socket deadline is a time of the host's own clock: on hosts whose
// clocks are up to an hour off true time, a read deadline of Now plus a
// second passes a second later on that host's clock (not at once, nor an
// hour later, as it would if netsim read it on true time).
func TestSocketDeadlinesOnTheHostsClock(t *testing.T) {
	s := orrery.Simulation{
		Name:   "deadlines",
		Clocks: orrery.Clocks{MaxOffset: time.Hour, MaxDriftPPM: 100_000},
		Processes: []orrery.Process{{Name: "mute", Main: func(e env.Env) error {
			l, err := e.Net().Listen(e.Context(), ":7000")
			if err != nil {
				return err
			}
			for {
				if _, err := l.Accept(); err != nil {
					return err
				}
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				c, err := e.Net().Dial(e.Context(), "mute:7000")
				for ; err != nil; c, err = e.Net().Dial(e.Context(), "mute:7000") {
					if err := e.Clock().Sleep(e.Context(), 10*time.Millisecond); err != nil {
						return err // before the server listens, the dial is refused
					}
				}
				start := e.Clock().Monotonic()
				c.SetReadDeadline(e.Clock().Now().Add(time.Second))
				_, err = c.Read(make([]byte, 1))
				took := e.Clock().Monotonic() - start
				if !errors.Is(err, os.ErrDeadlineExceeded) || took < time.Second || took > time.Second+time.Microsecond {
					return fmt.Errorf("read: %v after %v of the host's clock, want a timeout after 1s", err, took)
				}
				return nil
			}}
		}}},
	}
	rep, err := orrery.Run(s, orrery.Options{Seeds: 20, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("failures: %+v", rep.Failures)
	}
}

// A workload's Env in a simulation passes the network suite that the
// operating system passes, on hosts whose clocks are off and drift.
func TestNetworkConformanceOfTheSimulation(t *testing.T) {
	envtest.Run(t, func(t *testing.T, body func(ctx context.Context, e env.Env) error) {
		s := orrery.Simulation{
			Name:   "conformance",
			Clocks: orrery.Clocks{MaxOffset: time.Hour, MaxDriftPPM: sim.MaxDriftPPM},
			Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error {
				return env.WaitDone(e.Context(), e)
			}}},
			Workloads: []orrery.Workload{{Name: "w", New: func() orrery.Driver {
				return orrery.Funcs{RunFunc: func(e env.Env) error { return body(e.Context(), e) }}
			}}},
		}
		rep, err := orrery.Run(s, orrery.Options{Seeds: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("failures: %+v", rep.Failures)
		}
	}, envtest.Network)
}
