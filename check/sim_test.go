package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/check"
	"github.com/orrerysim/orrery/env"
)

// oneClient is a simulation of one client that records with run, and a
// process that does nothing.
func oneClient(obj *check.Object, run func(e env.Env, h *check.Recorder) error) orrery.Simulation {
	return orrery.Simulation{
		Name: "one",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error {
			_, _, err := env.NewChan[int](e, 0).Recv(e.Context())
			return err
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return run(e, obj.Record(e.Context())) }}
		}}},
		SeedChecks: []orrery.SeedCheck{obj.Linearizable()},
	}
}

// TestSameInstant: operations of one instant keep the order in which they
// happened: a read that starts after a write returned, at the same
// logical time, must see it.
func TestSameInstant(t *testing.T) {
	obj := check.NewObject("cell", check.Register(0))
	s := oneClient(obj, func(e env.Env, h *check.Recorder) error {
		h.Call(0, check.Write(1)).Return(nil)
		h.Call(1, check.Read()).Return(0)
		return nil
	})
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || !strings.Contains(rep.Failures[0].Message, "client 1's read() -> 0 returned") {
		t.Fatalf("a stale read of the same instant passed: %+v", rep.Failures)
	}
}

// TestPage: a seed that is not linearizable gets porcupine's page among
// its artifacts, the healing of the faults marked on it.
func TestPage(t *testing.T) {
	obj := check.NewObject("cell", check.Register(0))
	s := oneClient(obj, func(e env.Env, h *check.Recorder) error {
		h.Call(0, check.Write(1)).Return(nil)
		h.Call(1, check.Read()).Return(0)
		return nil
	})
	dir := t.TempDir()
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1, Artifacts: dir})
	if err != nil || rep.Failed != 1 {
		t.Fatalf("run: %v, %d failed", err, rep.Failed)
	}
	page, err := os.ReadFile(filepath.Join(rep.Failures[0].Artifacts[0], "linearizability-cell.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"faults healed", "write(1)", "operation 1, called at t=0.000000s"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestSecondAnswerPanics: an operation answered twice is a bug of the
// workload, which fails the seed where it happened.
func TestSecondAnswerPanics(t *testing.T) {
	obj := check.NewObject("cell", check.Register(0))
	s := oneClient(obj, func(e env.Env, h *check.Recorder) error {
		op := h.Call(0, check.Write(1))
		op.Return(nil)
		op.Unknown()
		return nil
	})
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := "check: Unknown of operation 0 of cell (write(1)) after it already ended"
	if rep.Failed != 1 || rep.Failures[0].Kind != "panic" || !strings.Contains(rep.Failures[0].Message, want) {
		t.Fatalf("failures %+v, want a panic %q", rep.Failures, want)
	}
}

// TestNothingRecorded: a seed that recorded nothing fails its check,
// which would prove nothing.
func TestNothingRecorded(t *testing.T) {
	obj := check.NewObject("cell", check.Register(0))
	s := oneClient(obj, func(env.Env, *check.Recorder) error { return nil })
	s.Workloads[0].New = func() orrery.Driver { return orrery.Funcs{} }
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || !strings.Contains(rep.Failures[0].Message, "no operation of cell was recorded") {
		t.Fatalf("failures %+v", rep.Failures)
	}
}

// TestPendingOperationsAreLiveness: an operation that never returns is a
// request in flight for the liveness check, named as the model prints it.
func TestPendingOperationsAreLiveness(t *testing.T) {
	obj := check.NewObject("kv", check.KV())
	s := oneClient(obj, func(e env.Env, h *check.Recorder) error {
		h.Call(2, check.Get("x"))
		for range 100 { // a client retrying in vain
			if err := e.Clock().Sleep(e.Context(), 100*time.Millisecond); err != nil {
				return err
			}
		}
		return nil
	})
	s.Liveness = time.Second
	s.Chaos.Duration = 500 * time.Millisecond
	rep, err := orrery.Run(s, orrery.Options{Seeds: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := "liveness: 1 request still pending 1s after the faults healed at t=0.500000s (or after they were sent):\n  client 2: kv get(x) -> ? since t=0.000000s"
	if rep.Failed != 1 || !strings.Contains(rep.Failures[0].Message, want) {
		t.Fatalf("failures %+v, want %q", rep.Failures, want)
	}
}

// TestRecordingIsDeterministic: a simulation that records its history
// gives the same trace and the same verdict in two runs of every seed,
// with or without the planted bug.
func TestRecordingIsDeterministic(t *testing.T) {
	for _, bugs := range [][]string{nil, {"stale-read"}} {
		rep, err := orrery.Run(registerSim(), orrery.Options{Seeds: 30, Bugs: bugs, CheckDeterminism: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Failures {
			if f.Kind != "check" {
				t.Fatalf("bugs %v: seed %#x: %s: %s", bugs, f.Seed, f.Kind, f.Message)
			}
		}
		if (rep.Failed > 0) != (bugs != nil) {
			t.Errorf("bugs %v: %d of 30 seeds failed", bugs, rep.Failed)
		}
	}
}

// TestRecordingLeavesNoTrace: recording draws nothing from the seed and
// schedules nothing: a seed's trace is the same, byte for byte, whether
// its workload records its operations or not.
func TestRecordingLeavesNoTrace(t *testing.T) {
	traces := make([]string, 2)
	for i, record := range []bool{false, true} {
		obj := check.NewObject("cell", check.Register(0))
		s := oneClient(obj, func(e env.Env, h *check.Recorder) error {
			if !record {
				h = nil // a nil recorder records nothing
			}
			for i := range 50 {
				op := h.Call(0, check.Write(i))
				if err := e.Clock().Sleep(e.Context(), time.Duration(e.Rand().IntN(10))*time.Millisecond); err != nil {
					return err
				}
				op.Return(nil)
			}
			return nil
		})
		var b strings.Builder
		if _, err := orrery.Run(s, orrery.Options{Replay: []uint64{42}, Trace: &b}); err != nil {
			t.Fatal(err)
		}
		traces[i] = b.String()
	}
	if traces[0] != traces[1] || len(traces[0]) < 1000 {
		t.Errorf("the traces differ (%d and %d bytes)", len(traces[0]), len(traces[1]))
	}
}
