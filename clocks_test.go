package orrery_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// leaseReq asks the lease server for the lease on behalf of client.
type leaseReq struct {
	client string
	reply  *env.Chan[time.Duration] // 0: granted; else how long until it expires
}

// leaseTerm is how long the lease lasts.
const leaseTerm = time.Second

// leaseLatency is the one-way latency of a lease request.
const leaseLatency = 50 * time.Microsecond

// leases is a lease service written against each host's own clock: the
// server grants a lease of leaseTerm judged by its clock, and a client
// acts as the holder until its own clock says leaseTerm passed since it
// asked. It is correct on clocks that agree, and wrong when a client's
// clock runs slower than the server's: two clients then hold the lease at
// once, which the invariant catches.
func leases(clocks orrery.Clocks) orrery.Simulation {
	return orrery.Simulation{
		Name:   "leases",
		Clocks: clocks,
		Processes: []orrery.Process{{Name: "lease", Main: func(e env.Env) error {
			holding := new(int)
			in := env.NewChan[leaseReq](e, 0)
			orrery.Publish(e.Context(), "holding", holding)
			orrery.Publish(e.Context(), "inbox", in)
			var holder string
			var expires time.Time
			for {
				r, _, err := in.Recv(e.Context())
				if err != nil {
					return err
				}
				now := e.Clock().Now()
				if holder != "" && holder != r.client && now.Before(expires) {
					r.reply.TrySend(expires.Sub(now))
					continue
				}
				holder, expires = r.client, now.Add(leaseTerm)
				r.reply.TrySend(0)
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", Count: 2, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: leaseClient}
		}}},
		Invariants: []orrery.Invariant{{Name: "one holder", Check: func(s *orrery.State) error {
			if v, ok := s.Get("holding"); ok && *v.(*int) > 1 {
				return errors.New("two clients hold the lease at once")
			}
			return nil
		}}},
	}
}

func leaseClient(e env.Env) error {
	ctx := e.Context()
	in, _ := orrery.Published(ctx, "inbox")
	h, _ := orrery.Published(ctx, "holding")
	holding := h.(*int)
	for range 8 {
		start, err := acquire(ctx, e, in.(*env.Chan[leaseReq]))
		if err != nil {
			return err
		}
		*holding++
		err = e.Clock().Sleep(ctx, leaseTerm-(e.Clock().Monotonic()-start))
		*holding--
		if err != nil {
			return err
		}
		if err := e.Clock().Sleep(ctx, time.Duration(e.Rand().IntN(3))*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// acquire asks for the lease until it is granted, waiting out the rest of
// another's term, and returns the client's monotonic reading when it sent
// the request that was granted.
func acquire(ctx context.Context, e env.Env, in *env.Chan[leaseReq]) (time.Duration, error) {
	reply := env.NewChan[time.Duration](e, 1)
	for {
		start := e.Clock().Monotonic()
		if err := e.Clock().Sleep(ctx, leaseLatency); err != nil {
			return 0, err
		}
		if err := in.Send(ctx, leaseReq{client: e.Name(), reply: reply}); err != nil {
			return 0, err
		}
		wait, _, err := reply.Recv(ctx)
		if err != nil || wait == 0 {
			return start, err
		}
		if err := e.Clock().Sleep(ctx, wait); err != nil {
			return 0, err
		}
	}
}

func TestLeaseOnHostClocksFailsUnderSkew(t *testing.T) {
	const seeds = 200
	run := func(clocks orrery.Clocks) int {
		rep, err := orrery.Run(leases(clocks), orrery.Options{Seeds: seeds})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Failures {
			if !strings.Contains(f.Message, "two clients hold the lease") {
				t.Errorf("seed %#x failed otherwise: %s", f.Seed, f.Message)
			}
		}
		return len(rep.Failures)
	}
	if n := run(orrery.Clocks{}); n != 0 {
		t.Errorf("without skew %d of %d seeds failed, want none", n, seeds)
	}
	n := run(orrery.NTPClocks)
	if n == 0 {
		t.Errorf("under NTPClocks no seed of %d caught the lease bug", seeds)
	}
	t.Logf("lease bug: %d of %d seeds fail under NTPClocks, none without skew", n, seeds)
}

func TestClockFaultsAreRecordedAndDeterministic(t *testing.T) {
	clocks := orrery.NTPClockFaults
	clocks.Step.P, clocks.Drift.P = 0.3, 0.3
	s := leases(clocks)
	s.Invariants = nil // the bug is not what this test looks at
	rep, err := orrery.Run(s, orrery.Options{Seeds: 10, CheckDeterminism: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("report: %+v", rep.Failures)
	}
	got := map[string]int{}
	for _, f := range rep.Faults {
		got[f.Name] = f.Count
	}
	if got["ClockStep"] == 0 || got["ClockDrift"] == 0 {
		t.Errorf("faults %v: want ClockStep and ClockDrift records", rep.Faults)
	}
}

func TestSameSeedSameTraceWithClockFaults(t *testing.T) {
	clocks := orrery.NTPClockFaults
	clocks.Step.P, clocks.Drift.P = 0.3, 0.3
	for _, seed := range []uint64{1, 2, 0xdeadbeef} {
		var a, b strings.Builder
		opts := orrery.Options{Replay: []uint64{seed}}
		opts.Trace = &a
		if _, err := orrery.Run(leases(clocks), opts); err != nil {
			t.Fatal(err)
		}
		opts.Trace = &b
		if _, err := orrery.Run(leases(clocks), opts); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() || !strings.Contains(a.String(), "ClockStep") {
			t.Fatalf("seed %#x: two runs wrote different traces (%d and %d bytes), or no ClockStep", seed, a.Len(), b.Len())
		}
	}
}

func TestClocksValidate(t *testing.T) {
	tests := []struct {
		name   string
		clocks orrery.Clocks
		want   string // "" for valid
	}{
		{"zero", orrery.Clocks{}, ""},
		{"ntp", orrery.NTPClockFaults, ""},
		{"negative offset", orrery.Clocks{MaxOffset: -1}, "MaxOffset"},
		{"drift too large", orrery.Clocks{MaxDriftPPM: 2_000_000}, "MaxDriftPPM"},
		{"step probability", orrery.Clocks{Step: orrery.ClockStep{P: 1.5}}, "Step"},
		{"drift period reversed", orrery.Clocks{Drift: orrery.ClockDrift{P: 0.1, MinFor: 2, MaxFor: 1}}, "Drift"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.clocks.Validate()
			if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestManualClockControl(t *testing.T) {
	s := leases(orrery.Clocks{})
	s.Invariants = nil
	s.Workloads = []orrery.Workload{{Name: "stepper", New: func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			wall, mono := e.Clock().Now(), e.Clock().Monotonic()
			if err := orrery.StepClock(e.Context(), e.Name(), -time.Minute); err != nil {
				return err
			}
			if err := orrery.SetClockDrift(e.Context(), e.Name(), 100_000); err != nil {
				return err
			}
			if err := e.Clock().Sleep(e.Context(), time.Second); err != nil {
				return err
			}
			// At 1.1 times true speed the clock ticks past 1s within 1ns.
			d := e.Clock().Monotonic() - mono
			if d < time.Second || d > time.Second+time.Nanosecond {
				return errors.New("monotonic counted " + d.String() + ", want 1s")
			}
			if w := e.Clock().Now().Sub(wall); w != d-time.Minute {
				return errors.New("wall moved " + w.String() + ", want a minute less than " + d.String())
			}
			if orrery.StepClock(e.Context(), "nobody", 1) == nil {
				return errors.New("StepClock of an unknown host succeeded")
			}
			return nil
		}}
	}}}
	rep, err := orrery.Run(s, orrery.Options{Seeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("failures: %+v", rep.Failures)
	}
}

func TestLogRecordsShowASkewedHostsClock(t *testing.T) {
	tests := []struct {
		name      string
		clocks    orrery.Clocks
		wantClock bool
	}{
		{"no skew", orrery.Clocks{}, false},
		{"ntp", orrery.Clocks{MaxOffset: time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := leases(tt.clocks)
			s.Workloads = []orrery.Workload{{Name: "logger", New: func() orrery.Driver {
				return orrery.Funcs{RunFunc: func(e env.Env) error {
					e.Log().Info("hello from the host", "k", 1)
					e.Log().With("a", 1).WithGroup("g").Info("hello from a derived logger", "k", 2)
					return nil
				}}
			}}}
			var tr strings.Builder
			opts := orrery.Options{Replay: []uint64{5}}
			opts.Trace = &tr
			if _, err := orrery.Run(s, opts); err != nil {
				t.Fatal(err)
			}
			for _, msg := range []string{"hello from the host", "hello from a derived logger"} {
				var line string
				for l := range strings.Lines(tr.String()) {
					if strings.Contains(l, msg) {
						line = l
					}
				}
				if line == "" {
					t.Fatalf("no log record %q in the trace", msg)
				}
				if got := strings.Contains(line, `clock":`); got != tt.wantClock { // "g.clock" in a group
					t.Errorf("record %s: has clock %v, want %v", line, got, tt.wantClock)
				}
			}
		})
	}
}
