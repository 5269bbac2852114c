package orrery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// traceOf runs seed of s with only the faults keep (nil: no filter) and
// returns its trace.
func traceOf(t *testing.T, s orrery.Simulation, seed uint64, keep []sim.FaultID) []trace.Record {
	t.Helper()
	var b strings.Builder
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{seed}, Faults: keep, Trace: &b})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("seed %#x failed: %+v", seed, rep.Failures)
	}
	var out []trace.Record
	rd := trace.NewReader(strings.NewReader(b.String()))
	for {
		r, err := rd.Next()
		if err != nil {
			return out
		}
		out = append(out, r)
	}
}

// faultRecords returns the records of the faults named op.
func faultRecords(rs []trace.Record, op string) []trace.Record {
	var out []trace.Record
	for _, r := range rs {
		if r.Kind == trace.KindFault && r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

func recordAttr(r trace.Record, key string) string {
	for _, a := range r.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// driftProbe is what driftSim's workload saw: its host, and how much its
// clock counted in 2 s of true time.
type driftProbe struct {
	host    string
	counted time.Duration
}

// driftSim's workload measures how much its host's clock counts while 2 s
// of true time pass, inside the drift period every host starts at t=1s
// (P=1) and keeps for 5 s; its process only waits.
func driftSim(p *driftProbe) orrery.Simulation {
	return orrery.Simulation{
		Name:      "drift",
		Clocks:    orrery.Clocks{Drift: orrery.ClockDrift{P: 1, MaxPPM: 400_000, MinFor: 5 * time.Second, MaxFor: 5 * time.Second}},
		Processes: []orrery.Process{{Name: "srv", Main: func(e env.Env) error { return env.WaitDone(e.Context(), e) }}},
		Workloads: []orrery.Workload{{Name: "probe", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx := e.Context()
				p.host = e.Name()
				if err := sim.Sleep(ctx, 1500*time.Millisecond); err != nil {
					return err
				}
				m := e.Clock().Monotonic()
				if err := sim.Sleep(ctx, 2*time.Second); err != nil {
					return err
				}
				p.counted = e.Clock().Monotonic() - m
				return nil
			}}
		}}},
	}
}

// driftRecords returns the ClockDrift records of host.
func driftRecords(rs []trace.Record, host string) []trace.Record {
	var out []trace.Record
	for _, r := range faultRecords(rs, "ClockDrift") {
		if r.Name == host {
			out = append(out, r)
		}
	}
	return out
}

// TestFaultFilterSuppressesClockDrift: a drift period the fault filter
// suppresses leaves the host's clock at its own rate and writes no record
// at its end; its record, at the unfiltered run's RNG count, says
// suppressed.
func TestFaultFilterSuppressesClockDrift(t *testing.T) {
	const seed = 4
	var p driftProbe
	want := driftRecords(traceOf(t, driftSim(&p), seed, nil), p.host)
	if len(want) != 2 || p.counted == 2*time.Second {
		t.Fatalf("unfiltered: %d ClockDrift records of %s, its clock counted %v in 2s; want a period, its start and end",
			len(want), p.host, p.counted)
	}
	for _, tc := range []struct {
		name       string
		keep       []sim.FaultID
		drifted    bool
		suppressed string
		records    int // the probe's ClockDrift records: a kept period's start and end
	}{
		{"kept", []sim.FaultID{{Op: "ClockDrift", Target: p.host, N: 1}}, true, "", 2},
		{"suppressed", []sim.FaultID{}, false, "true", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p driftProbe
			rs := traceOf(t, driftSim(&p), seed, tc.keep)
			got := driftRecords(rs, p.host)
			if drifted := p.counted != 2*time.Second; drifted != tc.drifted {
				t.Errorf("the clock counted %v in 2s of true time: drifted %v, want %v", p.counted, drifted, tc.drifted)
			}
			if len(got) != tc.records {
				t.Fatalf("%d ClockDrift records, want %d", len(got), tc.records)
			}
			if r := got[0]; r.RNG != want[0].RNG || r.At != want[0].At || recordAttr(r, "suppressed") != tc.suppressed {
				t.Errorf("record at t=%v rng=%d suppressed=%q, want t=%v rng=%d suppressed=%q",
					r.At, r.RNG, recordAttr(r, "suppressed"), want[0].At, want[0].RNG, tc.suppressed)
			}
		})
	}
}
