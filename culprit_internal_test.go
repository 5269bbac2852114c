package orrery

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/trace"
)

// culpritTrace is the common part of two traces, as the engine writes it:
// task 2 "db/main" sleeps and writes a file, task 3 "web/conn" sends bytes
// that the network delivers (DataDelivery, scheduled by the handler of
// ProcessSendBuffer, has no task of its own).
var culpritTrace = []trace.Record{
	{Kind: trace.KindStart},
	{Seq: 1, Kind: "Timer", Op: "Timer", Obj: "task", ID: 2, Name: "db/main", Task: 2, Level: trace.LevelTrace},
	{Seq: 2, Kind: "Storage", Op: "WriteComplete", Obj: "file", ID: 1, Name: "db:wal", Task: 2, Cause: 1, Level: trace.LevelTrace},
	{Seq: 3, Kind: "Log", Task: 3, TaskName: "web/conn", Msg: "serving"},
	{Seq: 4, Kind: "Network", Op: "ProcessSendBuffer", Obj: "conn", ID: 7, Task: 3, Cause: 3, Level: trace.LevelTrace},
	{Seq: 5, Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: 7, Task: 0, Cause: 4, Level: trace.LevelTrace},
}

// indexOf feeds records to a task index as a trace does.
func indexOf(t *testing.T, recs []trace.Record) *taskIndex {
	t.Helper()
	x := newTaskIndex()
	var buf bytes.Buffer
	for i := range recs {
		buf.Write(append(trace.AppendJSON(nil, &recs[i]), '\n'))
	}
	if _, err := x.pw.Write(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	x.close()
	return x
}

func TestCulpritNamesTaskHostAndKind(t *testing.T) {
	tests := []struct {
		name string
		a, b trace.Record
		want string
	}{
		{"timer", trace.Record{Seq: 9, Kind: "Timer", Op: "Timer", Obj: "task", ID: 2, Name: "db/main", Task: 2, At: 1},
			trace.Record{Seq: 9, Kind: "Timer", Op: "Timer", Obj: "task", ID: 2, Name: "db/main", Task: 2, At: 2},
			`task "db/main" on host db: its Timer event differs`},
		{"storage, named from an earlier record", trace.Record{Seq: 9, Kind: "Storage", Op: "WriteComplete", Obj: "file", ID: 1, Name: "db:wal", Task: 2, Detail: "bytes=1"},
			trace.Record{Seq: 9, Kind: "Storage", Op: "WriteComplete", Obj: "file", ID: 1, Name: "db:wal", Task: 2, Detail: "bytes=2"},
			`task "db/main" on host db: its Storage event WriteComplete differs`},
		{"network, from the cause chain", trace.Record{Seq: 9, Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: 7, Cause: 5, At: 1},
			trace.Record{Seq: 9, Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: 7, Cause: 5, At: 2},
			`task "web/conn" on host web: its Network event DataDelivery differs`},
		{"connection", trace.Record{Seq: 9, Kind: "Connection", Op: "ConnectionReady", Obj: "conn", ID: 8, Task: 3},
			trace.Record{Seq: 9, Kind: "Connection", Op: "ConnectRefused", Obj: "conn", ID: 8, Task: 3},
			`task "web/conn" on host web: its Connection event ConnectionReady in one run where its Connection event ConnectRefused in the other`},
		{"log", trace.Record{Kind: "Log", Task: 3, TaskName: "web/conn", Msg: "a"},
			trace.Record{Kind: "Log", Task: 3, TaskName: "web/conn", Msg: "b"},
			`the application log of task "web/conn" on host web differs`},
		{"task switch", trace.Record{Seq: 9, Kind: "Timer", Op: "Timer", Obj: "task", ID: 2, Name: "db/main", Task: 2},
			trace.Record{Kind: "Log", Task: 3, TaskName: "web/conn", Msg: "b"},
			`a task switch: task "db/main" on host db ran (its Timer event) in one run where task "web/conn" on host web ran (its log)`},
		{"unknown task", trace.Record{Seq: 9, Kind: "Storage", Op: "SyncComplete", Obj: "file", ID: 4, Name: "cache:x", Task: 11, At: 1},
			trace.Record{Seq: 9, Kind: "Storage", Op: "SyncComplete", Obj: "file", ID: 4, Name: "cache:x", Task: 11, At: 2},
			`task #11 on host cache: its Storage event SyncComplete differs`},
		{"failure message", failureRecord(`invariant at t=0.000000s seq=9 rng=3: invariant "no bad key": key a is bad`),
			failureRecord(`invariant at t=0.000000s seq=9 rng=3: invariant "no bad key": key b is bad`),
			`the invariant "no bad key" failed with a different message in each run: a message built from map iteration order`},
		{"failures of two sources", failureRecord(`invariant at t=0.000000s seq=9 rng=3: invariant "no bad key": key a is bad`),
			failureRecord(`panic at t=0.000000s seq=9 rng=3 in task 3 "web/conn": panic: kaboom`),
			`the invariant "no bad key" failed in one run where the panic of task "web/conn" failed in the other`},
		{"assertion details", trace.Record{Seq: 9, Kind: "Assert", Op: "Always", Name: "sorted", Task: 3, TaskName: "web/conn", Attrs: []trace.Attr{{Key: "first", Value: "a"}}},
			trace.Record{Seq: 9, Kind: "Assert", Op: "Always", Name: "sorted", Task: 3, TaskName: "web/conn", Attrs: []trace.Attr{{Key: "first", Value: "b"}}},
			`the assertion Always "sorted" of task "web/conn" on host web recorded different details in each run: a detail built from map iteration order`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := indexOf(t, culpritTrace)
			res := trace.DiffResult{A: trace.DiffSide{Records: []trace.Record{tt.a}}, B: trace.DiffSide{Records: []trace.Record{tt.b}}}
			if got := culprit(res, x, x); !strings.Contains(got, "likely culprit: "+tt.want) {
				t.Errorf("culprit:\n%s\nwant %q", got, tt.want)
			}
		})
	}
}

// failureRecord is the record of a failure in a trace, as sim's tracer
// writes it: "failure: " and the failure's one-line summary.
func failureRecord(summary string) trace.Record {
	return trace.Record{Seq: 9, Kind: trace.KindLog, Level: slog.LevelError, Msg: "failure: " + summary + " (seed 0x1)"}
}

func TestCulpritOneRunEndedEarly(t *testing.T) {
	x := indexOf(t, culpritTrace)
	res := trace.DiffResult{B: trace.DiffSide{Records: []trace.Record{culpritTrace[5]}}}
	want := `likely culprit: one run ended where the other goes on with the Network event DataDelivery of task "web/conn" on host web`
	if got := culprit(res, x, x); !strings.Contains(got, want) {
		t.Errorf("culprit:\n%s\nwant %q", got, want)
	}
}
