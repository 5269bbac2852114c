package sim_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/golden"
	"github.com/orrerysim/orrery/sim"
)

// exchange is a small workload whose trace has every record type the engine
// writes: timers, a deadline, logs, a failure-free shutdown.
func exchange(w *sim.World) {
	ch := sim.NewChan[string](0)
	w.SpawnDaemon("server", func(ctx context.Context) {
		log := sim.Logger(ctx)
		for {
			msg, ok, err := ch.Recv(ctx)
			if err != nil || !ok {
				log.Info("server stops", "err", err)
				return
			}
			sim.Sleep(ctx, w.Rand().Duration(time.Millisecond, 10*time.Millisecond))
			log.Debug("handled", "msg", msg)
		}
	})
	w.Spawn("client", func(ctx context.Context) {
		for i, msg := range []string{"hello", "world"} {
			sctx, cancel := sim.WithTimeout(ctx, 5*time.Millisecond)
			err := ch.Send(sctx, msg)
			cancel()
			sim.Logger(ctx).Info("sent", "i", i, "err", err)
			sim.Sleep(ctx, 20*time.Millisecond)
		}
	})
}

func TestTraceGolden(t *testing.T) {
	for _, format := range []string{"text", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			cfg := sim.Config{Seed: 11, Name: "exchange", LogFilter: "trace", Log: &buf}
			if format == "jsonl" {
				cfg = sim.Config{Seed: 11, Name: "exchange", Trace: &buf}
			}
			w := sim.New(cfg)
			exchange(w)
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "exchange."+format), buf.Bytes())
		})
	}
}

func TestLogFilter(t *testing.T) {
	tests := []struct {
		filter       string
		events, logs bool
		debug        bool
	}{
		{"", false, false, false},
		{"info", false, true, false},
		{"debug", false, true, true},
		{"trace", true, true, true},
		{"sim=trace,info", true, true, false},
		{"netsim=trace,info", false, true, false},
		{"app=debug,error", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			var buf bytes.Buffer
			w := sim.New(sim.Config{Seed: 11, LogFilter: tt.filter, Log: &buf})
			if tt.filter == "" {
				t.Setenv("ORRERY_LOG", "")
				w = sim.New(sim.Config{Seed: 11, Log: &buf})
			}
			exchange(w)
			w.Run()
			out := buf.String()
			if got := strings.Contains(out, "Timer{"); got != tt.events {
				t.Errorf("events shown = %v, want %v:\n%s", got, tt.events, out)
			}
			if got := strings.Contains(out, "INFO"); got != tt.logs {
				t.Errorf("info logs shown = %v, want %v:\n%s", got, tt.logs, out)
			}
			if got := strings.Contains(out, "DEBUG"); got != tt.debug {
				t.Errorf("debug logs shown = %v, want %v:\n%s", got, tt.debug, out)
			}
		})
	}
}

func TestFailureInTrace(t *testing.T) {
	var buf bytes.Buffer
	w := sim.New(sim.Config{Seed: 2, Trace: &buf})
	w.Spawn("boom", func(ctx context.Context) { sim.Sleep(ctx, time.Second); panic("kaboom") })
	w.Run()
	if !strings.Contains(buf.String(), `"level":"ERROR","kind":"Log"`) || !strings.Contains(buf.String(), `"msg":"failure: panic at t=1.000000s seq=1`) {
		t.Errorf("the trace does not record the failure:\n%s", buf.String())
	}
}

// TestTraceHashGolden pins the trace hashes of 20 seeds of the everything
// workload. CI runs it both with and without the race detector, so equal
// hashes across the two runs are checked, not assumed.
func TestTraceHashGolden(t *testing.T) {
	var b strings.Builder
	for seed := range uint64(20) {
		h, err := runHash(t, sim.Config{Seed: seed}, everything)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		fmt.Fprintf(&b, "seed=%d hash=%#016x\n", seed, h)
	}
	golden.Check(t, filepath.Join("testdata", "everything.hashes"), []byte(b.String()))
}

// link stands for a connection of the network package: its events print
// with the connection's addresses.
type link struct{ addrs string }

func (l link) HandleEvent(*sim.Event) {}
func (l link) DescribeEvent(ev *sim.Event) (string, string) {
	if ev.Op == sim.OpDataDelivery {
		return "", fmt.Sprintf("bytes=%d %s", ev.Arg, l.addrs)
	}
	return "", l.addrs
}

// TestEventsOfOtherPackages shows that events scheduled by other packages
// print and classify like the engine's own: Kind{obj=id Op ...} lines.
func TestEventsOfOtherPackages(t *testing.T) {
	var buf bytes.Buffer
	w := sim.New(sim.Config{Log: &buf, LogFilter: "trace"})
	w.Schedule(time.Second, sim.OpDataDelivery, 3, 64, link{"10.0.0.1:40001->10.0.1.1:7000"})
	w.Schedule(2*time.Second, sim.OpPartitionRestore, 5, 0, link{"10.0.1.1<->10.0.1.2"})
	w.Schedule(3*time.Second, sim.OpWriteComplete, 9, 4096, link{})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "other-packages.text"), buf.Bytes())
	for _, want := range []string{
		"t=1.000000s seq=1 rng=0 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=0\n",
		"t=2.000000s seq=2 rng=0 Connection{id=5 PartitionRestore 10.0.1.1<->10.0.1.2} cause=0 infra\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("trace lacks %q", want)
		}
	}
}
