package sim_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
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

// TestTraceQueuedRecords: JSON Lines records are queued and encoded in
// batches, and the trace is what encoding each record as it comes gives:
// in order, with the values of a log line's attributes (formatted into a
// buffer the next line reuses) and each event's detail as they were, over
// more records than a queue holds, and with records too large for a queue
// (a value of 100 KB, a line of 3,000 attributes) between the others.
func TestTraceQueuedRecords(t *testing.T) {
	big := strings.Repeat("x", 100<<10)
	many := make([]slog.Attr, 3000)
	for i := range many {
		many[i] = slog.Int(fmt.Sprintf("k%04d", i), i)
	}
	var out bytes.Buffer
	w := sim.New(sim.Config{Seed: 1, Trace: &out})
	w.Spawn("logger", func(ctx context.Context) {
		l := sim.Logger(ctx)
		for i := range 1500 {
			switch i {
			case 700:
				l.Info("big", "v", big)
			case 900:
				l.LogAttrs(ctx, slog.LevelInfo, "many", many...)
			default:
				l.Info("line", "i", i, "sq", i*i)
			}
			if i%10 == 0 {
				sim.Sleep(ctx, time.Millisecond)
			}
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	rd := trace.NewReader(&out)
	i := 0
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, want := lines[rd.Line()-1], string(trace.AppendJSON(nil, &r)); got != want {
			t.Fatalf("line %d is\n%.200s\nnot as encoded alone\n%.200s", rd.Line(), got, want)
		}
		if r.Kind != trace.KindLog {
			continue
		}
		switch want := map[int]string{700: "big", 900: "many"}[i]; {
		case want == "big" && (r.Msg != want || len(r.Attrs) != 1 || r.Attrs[0].Value != big):
			t.Fatalf("line %d: record %d is %q with %d attributes, want the big one", rd.Line(), i, r.Msg, len(r.Attrs))
		case want == "many" && (r.Msg != want || len(r.Attrs) != len(many) || r.Attrs[2999].Value != "2999"):
			t.Fatalf("line %d: record %d is %q with %d attributes, want 3000", rd.Line(), i, r.Msg, len(r.Attrs))
		case want == "" && (r.Msg != "line" || fmt.Sprint(r.Attrs) != fmt.Sprint([]trace.Attr{{Key: "i", Value: fmt.Sprint(i)}, {Key: "sq", Value: fmt.Sprint(i * i)}})):
			t.Fatalf("line %d: record %d is %q %v", rd.Line(), i, r.Msg, r.Attrs)
		}
		i++
	}
	if i != 1500 {
		t.Fatalf("%d log records, want 1500", i)
	}
}
