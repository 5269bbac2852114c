package cli

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/golden"
	"github.com/orrerysim/orrery/trace"
)

// The trace files the tests read live in testdata, so that a reader of the
// goldens can open them; TestTraceFiles checks they are what runStory
// writes, and -update rewrites them.

// runStory is a small failing run of the bank simulation: client-2 sends on
// connection 3, a partition ends, a fault is injected, and the delivery
// wakes the checker, which finds the books unbalanced. With diverge, the
// run parts at the delivery (seq 5), as another seed's would: fewer bytes
// and one more random draw from there on.
func runStory(seed string, diverge bool) []trace.Record {
	ms := time.Millisecond
	bytes := "bytes=64 10.0.0.1:40001->10.0.1.1:7000"
	if diverge {
		bytes = "bytes=32 10.0.0.1:40001->10.0.1.1:7000"
	}
	recs := []trace.Record{
		{Kind: trace.KindStart, Attrs: []trace.Attr{{Key: "seed", Value: seed}, {Key: "sim", Value: "bank"}}},
		{Kind: trace.KindLog, Level: slog.LevelInfo, Msg: "cluster up", Attrs: []trace.Attr{{Key: "nodes", Value: "3"}}},
		event(10*ms, 1, 1, "Connection", "ConnectionReady", "conn", 3, "", "10.0.0.1:40001->10.0.1.1:7000", 0),
		event(20*ms, 2, 2, "Timer", "Timer", "task", 12, "bank/client-2", "", 0),
		event(30*ms, 4, 3, "Network", "ProcessSendBuffer", "conn", 3, "", "", 2),
		event(40*ms, 3, 5, "Timer", "Timer", "task", 13, "bank/client-3", "", 0),
		event(50*ms, 5, 6, "Network", "DataDelivery", "conn", 3, "", bytes, 4),
		{At: 50 * ms, Seq: 5, RNG: 6, Kind: trace.KindLog, Level: slog.LevelWarn, Task: 14, TaskName: "bank/server",
			Msg: "slow apply", Attrs: []trace.Attr{{Key: "ms", Value: "250"}}},
		infraEvent(event(60*ms, 6, 6, "Connection", "PartitionRestore", "id", 5, "", "10.0.1.1<->10.0.1.2", 3)),
		{At: 60 * ms, Seq: 6, RNG: 7, Kind: trace.KindFault, Op: "BitFlip", Obj: "file", ID: 2, Name: "/data/wal", Detail: "offset=812"},
		event(70*ms, 7, 7, "Timer", "Timer", "task", 20, "bank/checker", "", 5),
		{At: 70 * ms, Seq: 7, RNG: 7, Kind: trace.KindLog, Level: slog.LevelError, Task: 20, TaskName: "bank/checker",
			Msg: "failure: invariant conservation violated", Attrs: []trace.Attr{{Key: "total", Value: "99"}}},
		{At: 70 * ms, Seq: 7, RNG: 7, Kind: trace.KindEnd, Attrs: []trace.Attr{{Key: "unseed", Value: "0x7f"}}},
	}
	for i := range recs {
		if diverge && i >= 6 {
			recs[i].RNG++
		}
	}
	return recs
}

func event(at time.Duration, seq, rng uint64, kind, op, obj string, id uint64, name, detail string, cause uint64) trace.Record {
	return trace.Record{At: at, Seq: seq, RNG: rng, Level: trace.LevelTrace, Kind: kind, Op: op, Obj: obj, ID: id,
		Name: name, Detail: detail, Cause: cause}
}

func infraEvent(r trace.Record) trace.Record {
	r.Infra = true
	return r
}

// quietStory is a run of another simulation in which nothing fails.
func quietStory() []trace.Record {
	return []trace.Record{
		{Kind: trace.KindStart, Attrs: []trace.Attr{{Key: "seed", Value: "0x1"}, {Key: "sim", Value: "raftkv"}}},
		event(time.Millisecond, 1, 1, "Timer", "Timer", "task", 1, "raftkv/node-1", "", 0),
		{At: time.Millisecond, Seq: 1, RNG: 1, Kind: trace.KindEnd, Attrs: []trace.Attr{{Key: "unseed", Value: "0x2"}}},
	}
}

func jsonLines(recs []trace.Record) []byte {
	var b []byte
	for i := range recs {
		b = append(trace.AppendJSON(b, &recs[i]), '\n')
	}
	return b
}

// traceFiles are the inputs of the tests, by name under testdata.
func traceFiles() map[string][]byte {
	run := jsonLines(runStory("0x2a", false))
	lines := bytes.SplitAfter(run, []byte("\n"))
	malformed := bytes.Join([][]byte{lines[0], lines[1], []byte("{\"t\":oops}\n"), lines[2]}, nil)
	return map[string][]byte{
		"run.jsonl":       run,
		"run-seed2.jsonl": jsonLines(runStory("0x2b", false)),
		"run-split.jsonl": jsonLines(runStory("0x2c", true)),
		"quiet.jsonl":     jsonLines(quietStory()),
		"truncated.jsonl": run[:len(run)-20],
		"malformed.jsonl": malformed,
		"empty.jsonl":     nil,
		"not-trace.txt":   []byte("hello, world\n"),
	}
}

// writeTraceFiles rewrites the trace files, for -update.
func writeTraceFiles() error {
	for name, data := range traceFiles() {
		if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func TestTraceFiles(t *testing.T) {
	for name, want := range traceFiles() {
		golden.Check(t, filepath.Join("testdata", name), want)
	}
}
