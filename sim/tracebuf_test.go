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
	i := 0
	eachEncodedAlone(t, &out, func(line int, r *trace.Record) {
		if r.Kind != trace.KindLog {
			return
		}
		switch want := map[int]string{700: "big", 900: "many"}[i]; {
		case want == "big" && (r.Msg != want || len(r.Attrs) != 1 || r.Attrs[0].Value != big):
			t.Fatalf("line %d: record %d is %q with %d attributes, want the big one", line, i, r.Msg, len(r.Attrs))
		case want == "many" && (r.Msg != want || len(r.Attrs) != len(many) || r.Attrs[2999].Value != "2999"):
			t.Fatalf("line %d: record %d is %q with %d attributes, want 3000", line, i, r.Msg, len(r.Attrs))
		case want == "" && (r.Msg != "line" || fmt.Sprint(r.Attrs) != fmt.Sprint([]trace.Attr{{Key: "i", Value: fmt.Sprint(i)}, {Key: "sq", Value: fmt.Sprint(i * i)}})):
			t.Fatalf("line %d: record %d is %q %v", line, i, r.Msg, r.Attrs)
		}
		i++
	})
	if i != 1500 {
		t.Fatalf("%d log records, want 1500", i)
	}
}

// detailed is a handler that appends its events' details, as the network's
// connections do: the tracer has it append them to the JSON queue's bytes,
// except every third, which it returns as a string of its own.
type detailed struct{}

func (detailed) HandleEvent(*sim.Event) {}
func (d detailed) DescribeEvent(ev *sim.Event) (string, string) {
	name, detail, b := d.AppendEventDetail(nil, ev)
	if detail == "" {
		detail = string(b)
	}
	return name, detail
}
func (detailed) AppendEventDetail(b []byte, ev *sim.Event) (string, string, []byte) {
	if ev.Arg%3 == 1 {
		return "d", detailOf(ev.Arg), b
	}
	return "d", "", append(b, detailOf(ev.Arg)...)
}

// detailOf is the detail of the event with arg i: from none to 70 KB.
func detailOf(i int64) string {
	sizes := []int{0, 1, 40, 3000, 9}
	n := sizes[i%int64(len(sizes))]
	if i%100 == 9 {
		n = 70 << 10
	}
	return strings.Repeat(string(rune('a'+i%26)), n)
}

// TestTraceBuiltInQueue: records built in the JSON queue keep their
// strings when the queue's bytes and attributes grow (an event's detail of
// 70 KB, a log line of 20,000 numbers) and when the queue is encoded
// amid them: every line is its record as encoded alone, every event's
// detail and log line's numbers are theirs, and the text trace of the same
// run says the same.
func TestTraceBuiltInQueue(t *testing.T) {
	many := make([]slog.Attr, 20000)
	for i := range many {
		many[i] = slog.Int(fmt.Sprintf("k%05d", i), 1000000+i)
	}
	var out, text bytes.Buffer
	w := sim.New(sim.Config{Seed: 1, Trace: &out, Log: &text, LogFilter: "trace"})
	for i := range 2000 {
		w.Schedule(time.Duration(i)*time.Millisecond, sim.OpDataDelivery, uint64(i), int64(i), detailed{})
	}
	w.Spawn("logger", func(ctx context.Context) {
		for i := range 400 {
			if i%100 == 50 {
				sim.Logger(ctx).LogAttrs(ctx, slog.LevelInfo, "many", many...)
			} else {
				sim.Logger(ctx).Info("line", "i", i, "sq", i*i)
			}
			sim.Sleep(ctx, 5*time.Millisecond)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	lines, jsonLines := strings.Split(text.String(), "\n"), strings.Split(out.String(), "\n")
	rd := trace.NewReader(&out)
	events, logs := 0, 0
	for n := 0; ; n++ {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, want := lines[n], string(trace.AppendText(nil, &r)); got != want {
			t.Fatalf("text line %d is\n%.200s\nnot as the JSON line's record\n%.200s", n+1, got, want)
		}
		if got, want := jsonLines[n], string(trace.AppendJSON(nil, &r)); got != want {
			t.Fatalf("line %d is\n%.200s\nnot as encoded alone\n%.200s", n+1, got, want)
		}
		if err := checkQueued(r, events, logs, many); err != nil {
			t.Fatalf("line %d: %v", rd.Line(), err)
		}
		switch {
		case r.Kind == trace.KindLog:
			logs++
		case r.Op == "DataDelivery":
			events++
		}
	}
	if events != 2000 || logs != 400 {
		t.Fatalf("%d events and %d log lines, want 2000 and 400", events, logs)
	}
}

// checkQueued checks record r, which follows that many events and log
// lines, of TestTraceBuiltInQueue.
func checkQueued(r trace.Record, events, logs int, many []slog.Attr) error {
	switch {
	case r.Kind == trace.KindLog && logs%100 == 50:
		if len(r.Attrs) != len(many) || r.Attrs[12345].Value != "1012345" {
			return fmt.Errorf("log line %d has %d attributes, want %d", logs, len(r.Attrs), len(many))
		}
	case r.Kind == trace.KindLog:
		if want := fmt.Sprint([]trace.Attr{{Key: "i", Value: fmt.Sprint(logs)}, {Key: "sq", Value: fmt.Sprint(logs * logs)}}); fmt.Sprint(r.Attrs) != want {
			return fmt.Errorf("log line %d has %v, want %s", logs, r.Attrs, want)
		}
	case r.Op == "DataDelivery" && (r.ID != uint64(events) || r.Detail != detailOf(int64(events))):
		return fmt.Errorf("event %d is %d with a detail of %d bytes, want %d", events, r.ID, len(r.Detail), len(detailOf(int64(events))))
	}
	return nil
}

// logsWhenResolved is a log value that logs a line of its own when the
// handler resolves it.
type logsWhenResolved struct {
	ctx context.Context
	n   int
}

func (l logsWhenResolved) LogValue() slog.Value {
	sim.Logger(l.ctx).Info("inner", "n", l.n, "s", "x")
	return slog.IntValue(l.n)
}

// TestTraceNestedLog: a log line written while another is being formatted
// (by a value that logs when it is resolved) does not disturb it: each
// line has its own message and attributes, in the JSON trace and in the
// text trace, with and without JSON, over more lines than a JSON queue
// holds.
func TestTraceNestedLog(t *testing.T) {
	want := map[string]int{}
	for i := range 700 {
		want[fmt.Sprintf("outer a=%d v=%d z=last", i, i)]++
		want[fmt.Sprintf("inner n=%d s=x", i)]++
	}
	for _, withJSON := range []bool{true, false} {
		var out, text bytes.Buffer
		cfg := sim.Config{Seed: 1, Log: &text, LogFilter: "debug"}
		if withJSON {
			cfg.Trace = &out
		}
		w := sim.New(cfg)
		w.Spawn("logger", func(ctx context.Context) {
			for i := range 700 {
				sim.Logger(ctx).Info("outer", "a", i, "v", logsWhenResolved{ctx, i}, "z", "last")
			}
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		var got map[string]int
		if withJSON {
			got = jsonLogLines(t, &out)
		}
		for line, n := range want {
			if withJSON && got[line] != n {
				t.Fatalf("JSON trace: %q %d times, want %d", line, got[line], n)
			}
			if c := strings.Count(text.String(), "] "+line+"\n"); c != n {
				t.Fatalf("text trace (JSON too: %v): %q %d times, want %d", withJSON, line, c, n)
			}
		}
	}
}

// jsonLogLines counts the log lines of a JSON trace by message and
// attributes, as the text trace shows them.
func jsonLogLines(t *testing.T, out io.Reader) map[string]int {
	got := map[string]int{}
	rd := trace.NewReader(out)
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind == trace.KindLog {
			got[string(trace.AppendAttrsText([]byte(r.Msg), r.Attrs))]++
		}
	}
}

// TestTraceRecordDetailCopied: the detail of a record another package
// writes is copied into the JSON queue's bytes, which the records after
// the queue's next encoding reuse (here each small detail lies where the
// one before lay, a detail too large for the rest of the queue's room
// having the queue encoded between them); said kept
// (trace.Record.DetailKept) or not, each line has its own detail, as
// encoded alone.
func TestTraceRecordDetailCopied(t *testing.T) {
	var out bytes.Buffer
	w := sim.New(sim.Config{Seed: 1, Trace: &out})
	big := strings.Repeat("x", 40<<10)
	detail := func(i int) string {
		if i%2 == 1 {
			return big
		}
		return fmt.Sprintf("bit=%d", i/2%7)
	}
	const n = 600
	w.Spawn("faulty", func(ctx context.Context) {
		for i := range n {
			w.Record("chaos", trace.Record{Level: slog.LevelInfo, Kind: trace.KindFault, Op: "flip",
				Detail: detail(i), DetailKept: i/2%3 != 0})
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	faults := 0
	eachEncodedAlone(t, &out, func(line int, r *trace.Record) {
		if r.Kind != trace.KindFault {
			return
		}
		if want := detail(faults); r.Detail != want {
			t.Fatalf("line %d: fault %d has detail %.20q, want %.20q", line, faults, r.Detail, want)
		}
		faults++
	})
	if faults != n {
		t.Fatalf("%d faults, want %d", faults, n)
	}
}

// TestTraceEventsOverLogs: an event's record is built where the queue held
// an earlier record, a log line's with a task name, a message and
// attributes: the event's line has none of them.
func TestTraceEventsOverLogs(t *testing.T) {
	var out bytes.Buffer
	w := sim.New(sim.Config{Seed: 1, Trace: &out})
	w.Spawn("logger", func(ctx context.Context) {
		for i := range 2000 {
			sim.Logger(ctx).Info("line", "i", i)
			if i%3 == 0 {
				sim.Sleep(ctx, time.Millisecond)
			}
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	rd := trace.NewReader(&out)
	events := 0
	for {
		r, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.IsEvent() {
			events++
			if r.TaskName != "" || r.Msg != "" || len(r.Attrs) > 0 {
				t.Fatalf("line %d: event %s %s has a task name %q, a message %q, attributes %v", rd.Line(), r.Kind, r.Op, r.TaskName, r.Msg, r.Attrs)
			}
		}
	}
	if events < 600 {
		t.Fatalf("%d events, want 600 or more", events)
	}
}

// eachEncodedAlone reads the JSON Lines trace in out, checks that each
// line is what AppendJSON writes for its record alone, and calls f with
// the line's number and its record.
func eachEncodedAlone(t *testing.T, out *bytes.Buffer, f func(line int, r *trace.Record)) {
	t.Helper()
	lines := strings.Split(out.String(), "\n")
	rd := trace.NewReader(out)
	for {
		r, err := rd.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, want := lines[rd.Line()-1], string(trace.AppendJSON(nil, &r)); got != want {
			t.Fatalf("line %d is\n%.200s\nnot as encoded alone\n%.200s", rd.Line(), got, want)
		}
		f(rd.Line(), &r)
	}
}
