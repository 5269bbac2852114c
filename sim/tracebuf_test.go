package sim_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// countingWriter counts the writes it takes.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// TestTraceIsBuffered: a traced run writes its records a chunk at a time,
// not one write per record, and whether it ends well or in a panic, the
// whole trace is written when Run returns; a World that steps has written
// its trace when Step returns.
func TestTraceIsBuffered(t *testing.T) {
	for _, panics := range []bool{false, true} {
		var json, text countingWriter
		w := sim.New(sim.Config{Seed: 1, Trace: &json, Log: &text, LogFilter: "trace"})
		w.Spawn("sleeper", func(ctx context.Context) {
			for i := range 1000 {
				sim.Logger(ctx).Info("slept", "i", i)
				sim.Sleep(ctx, time.Millisecond)
			}
			if panics {
				panic("kaboom")
			}
		})
		err := w.Run()
		if (err != nil) != panics {
			t.Fatalf("panics %v: %v", panics, err)
		}
		for name, out := range map[string]*countingWriter{"json": &json, "text": &text} {
			lines := strings.Count(out.String(), "\n")
			if lines < 2000 || out.writes > lines/100 {
				t.Errorf("panics %v: %s: %d writes for %d lines", panics, name, out.writes, lines)
			}
			if !strings.Contains(out.String(), "End") || panics != strings.Contains(out.String(), "kaboom") {
				t.Errorf("panics %v: %s trace ends:\n%s", panics, name, out.String()[max(0, out.Len()-300):])
			}
		}
	}
}

// TestTraceWrittenAtEachStep: each Step leaves its records written.
func TestTraceWrittenAtEachStep(t *testing.T) {
	var json bytes.Buffer
	w := sim.New(sim.Config{Seed: 1, Trace: &json})
	w.Spawn("sleeper", func(ctx context.Context) { sim.Sleep(ctx, time.Second) })
	for step := 1; ; step++ {
		if err := w.Step(); err != nil {
			break
		}
		if n := strings.Count(json.String(), "\n"); n < step {
			t.Fatalf("after step %d, %d lines written", step, n)
		}
	}
}
