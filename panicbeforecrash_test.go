package orrery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// TestPanicBeforeACrashIsReported: a Main that panics fails its seed with
// the panic, even when a deferred call that runs while the panic unwinds
// crashes the process (itself, or by waiting until another task crashes
// it). The crash unwinds the task too, and used to take the panic's
// place: the seed passed. A panic in the cleanup of a process that had
// crashed first stays no failure.
func TestPanicBeforeACrashIsReported(t *testing.T) {
	tests := []struct {
		name     string
		main     func(e env.Env) error
		wantFail string // "" when the seed must pass
	}{
		{"a deferred call crashes its own process", func(e env.Env) error {
			defer func() { _ = orrery.Reboot(e.Context(), e.Name(), orrery.Crash) }()
			panic("boom before the crash")
		}, "boom before the crash"},
		{"a deferred call waits and the process is crashed", func(e env.Env) error {
			defer func() { _ = e.Clock().Sleep(e.Context(), time.Minute) }()
			panic("boom before the crash")
		}, "boom before the crash"},
		{"the panic is recovered after the crash", func(e env.Env) error {
			func() {
				defer func() { _ = recover() }()
				defer func() { _ = orrery.Reboot(e.Context(), e.Name(), orrery.Crash) }()
				panic("recovered")
			}()
			_ = e.Clock().Sleep(e.Context(), time.Second) // unwinds: the process crashed
			panic("ran on after the crash")
		}, ""},
		{"the cleanup of a crashed process panics", func(e env.Env) error {
			defer func() { panic("cleanup after the crash") }()
			return e.Clock().Sleep(e.Context(), time.Minute)
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			boots := 0
			s := orrery.Simulation{
				Name: "panic-then-crash",
				Processes: []orrery.Process{{Name: "a", Main: func(e env.Env) error {
					if boots++; boots > 1 {
						return env.WaitDone(e.Context(), e)
					}
					return tt.main(e)
				}}},
				Workloads: []orrery.Workload{{Name: "crasher", New: func() orrery.Driver {
					return orrery.Funcs{RunFunc: func(e env.Env) error {
						if err := e.Clock().Sleep(e.Context(), time.Second); err != nil {
							return err
						}
						_ = orrery.Reboot(e.Context(), "a", orrery.Crash)
						return e.Clock().Sleep(e.Context(), 20*time.Second)
					}}
				}}},
			}
			rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFail == "" {
				if !rep.OK() {
					t.Fatalf("seed failed: %v", rep.Failures[0].Message)
				}
				return
			}
			if rep.OK() {
				t.Fatalf("seed passed; want it to fail with %q", tt.wantFail)
			}
			if msg := rep.Failures[0].Message; !strings.Contains(msg, tt.wantFail) {
				t.Errorf("failure %q; want it to name %q", msg, tt.wantFail)
			}
		})
	}
}
