package html

import (
	"bufio"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// genTrace writes a trace of about n records to w: a Start record,
// ConnectionReady events, a mix of timers, deliveries on connections and
// logs whose causes point at recent events, a few faults and process
// events, and last a failure and an End record. The same n gives the same
// bytes.
func genTrace(w io.Writer, n int) error {
	g := &gen{rnd: rand.New(rand.NewPCG(7, 9)), bw: bufio.NewWriterSize(w, 256<<10)}
	g.emit(&trace.Record{Kind: trace.KindStart, Attrs: []trace.Attr{{Key: "seed", Value: "0x2a"}, {Key: "sim", Value: "bank"}}})
	for c := uint64(1); c <= 4; c++ {
		g.event(&trace.Record{Kind: "Connection", Op: "ConnectionReady", Obj: "conn", ID: c,
			Detail: "10.0.0." + strconv.FormatUint(c, 10) + ":40001->10.0.1.1:7000"})
	}
	for g.lines < n-2 {
		g.step()
	}
	g.emit(&trace.Record{Kind: trace.KindLog, Level: slog.LevelError, Seq: g.seq, Task: 3, TaskName: "bank/client-3",
		Msg: trace.FailurePrefix + " invariant conservation violated", Attrs: []trace.Attr{{Key: "total", Value: "99"}}})
	g.emit(&trace.Record{Kind: trace.KindEnd, Attrs: []trace.Attr{{Key: "unseed", Value: "0x7f"}}})
	return g.bw.Flush()
}

type gen struct {
	rnd    *rand.Rand
	bw     *bufio.Writer
	buf    []byte
	lines  int
	at     time.Duration
	seq    uint64
	recent [32]uint64
}

var genTasks = []string{"bank/client-1", "bank/client-2", "bank/client-3", "bank/client-10", "bank/server", "bank/checker", "kv/node-1", "kv/node-2"}

// step writes one random record.
func (g *gen) step() {
	task := uint64(g.rnd.IntN(len(genTasks)))
	name := genTasks[task]
	switch k := g.rnd.IntN(200); {
	case k < 80:
		g.event(&trace.Record{Kind: "Timer", Op: "Timer", Obj: "task", ID: task + 1, Name: name})
	case k < 140:
		conn := uint64(g.rnd.IntN(4) + 1)
		g.event(&trace.Record{Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: conn, Task: task + 1, TaskName: name,
			Detail: "bytes=" + strconv.Itoa(g.rnd.IntN(4096))})
	case k < 196:
		g.emit(&trace.Record{Kind: trace.KindLog, Level: slog.LevelInfo, Seq: g.seq, Task: task + 1, TaskName: name,
			Msg: "transfer done", Attrs: []trace.Attr{{Key: "amount", Value: strconv.Itoa(g.rnd.IntN(100))}}})
	case k < 198:
		g.emit(&trace.Record{Kind: trace.KindFault, Op: "BitFlip", Obj: "file", ID: 2, Name: "kv/node-1", Seq: g.seq})
	default:
		g.event(&trace.Record{Kind: "ProcessRestart", Obj: "proc", ID: 1, Name: "kv/node-2", Infra: true})
	}
}

// event gives r the next seq, a later time and a recent cause.
func (g *gen) event(r *trace.Record) {
	g.at += time.Duration(g.rnd.IntN(500)) * time.Microsecond
	g.seq++
	r.Seq, r.Level = g.seq, trace.LevelTrace
	if g.seq > uint64(len(g.recent)) {
		r.Cause = g.recent[g.rnd.IntN(len(g.recent))]
	}
	g.recent[g.seq%uint64(len(g.recent))] = g.seq
	g.emit(r)
}

func (g *gen) emit(r *trace.Record) {
	r.At = g.at
	g.buf = append(trace.AppendJSON(g.buf[:0], r), '\n')
	g.bw.Write(g.buf)
	g.lines++
}
