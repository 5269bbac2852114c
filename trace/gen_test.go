package trace

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"
)

// genTrace writes a realistic trace of n lines to w: a Start record, the
// ConnectionReady events of a few connections, then a mix of timers,
// deliveries, sends and logs whose causes point at recent events, and a
// failure record and an End record last. From line split on (when split > 0)
// every record draws one more random number, as a different seed would: the
// trace diverges there. The same arguments give the same bytes.
func genTrace(w io.Writer, n, split int) error {
	g := &gen{rnd: rand.New(rand.NewPCG(1, 2)), bw: bufio.NewWriterSize(w, 256<<10)}
	g.emit(&Record{Kind: KindStart, Attrs: []Attr{{"seed", "0x2a"}, {"sim", "bank"}}})
	for c := uint64(1); c <= genConns && g.lines < n-2; c++ {
		g.addrs[c] = fmt.Sprintf(" 10.0.0.%d:4000%d->10.0.1.1:7000", c, c)
		g.event(&Record{Kind: "Connection", Op: "ConnectionReady", Obj: "conn", ID: c, Detail: g.addrs[c][1:]})
	}
	for g.lines < n-2 {
		if split > 0 && g.lines >= split-1 {
			g.rng++
		}
		g.step()
	}
	g.emit(&Record{Kind: KindLog, Level: slog.LevelError, Msg: "failure: invariant conservation violated",
		Task: 3, TaskName: "bank/client-3", Attrs: []Attr{{"total", "99"}}})
	g.emit(&Record{Kind: KindEnd, Attrs: []Attr{{"unseed", "0x7f"}}})
	return g.bw.Flush()
}

const genConns = 8

type gen struct {
	rnd    *rand.Rand
	bw     *bufio.Writer
	buf    []byte
	lines  int
	at     time.Duration
	seq    uint64     // seq of the last event
	rng    uint64     // RNG calls so far
	recent [64]uint64 // seqs of recent events, for causes
	addrs  [genConns + 1]string
}

// step writes one random record.
func (g *gen) step() {
	g.rng += uint64(g.rnd.IntN(3))
	task := uint64(g.rnd.IntN(8) + 1)
	name := "bank/client-" + strconv.FormatUint(task, 10)
	conn := uint64(g.rnd.IntN(genConns) + 1)
	switch k := g.rnd.IntN(10); {
	case k < 4:
		g.event(&Record{Kind: "Timer", Op: "Timer", Obj: "task", ID: task, Name: name, Task: task, TaskName: name})
	case k < 7:
		g.event(&Record{Kind: "Network", Op: "DataDelivery", Obj: "conn", ID: conn, Task: task, TaskName: name,
			Detail: "bytes=" + strconv.Itoa(g.rnd.IntN(4096)) + g.addrs[conn]})
	case k < 8:
		g.event(&Record{Kind: "Network", Op: "ProcessSendBuffer", Obj: "conn", ID: conn, Task: task, TaskName: name})
	default:
		g.emit(&Record{Kind: KindLog, Level: slog.LevelInfo, Seq: g.seq, Task: task, TaskName: name,
			Msg: "transfer done", Attrs: []Attr{{"amount", strconv.Itoa(g.rnd.IntN(100))}, {"to", "acct-7"}}})
	}
}

// event gives r the next seq, a later time and a recent cause, and writes it.
func (g *gen) event(r *Record) {
	g.at += time.Duration(g.rnd.IntN(500)) * time.Microsecond
	g.seq++
	r.Seq, r.Level = g.seq, LevelTrace
	if g.seq > uint64(len(g.recent)) {
		r.Cause = g.recent[g.rnd.IntN(len(g.recent))]
	}
	g.recent[g.seq%uint64(len(g.recent))] = g.seq
	g.emit(r)
}

func (g *gen) emit(r *Record) {
	r.At, r.RNG = g.at, g.rng
	if r.Seq == 0 && !r.IsEvent() {
		r.Seq = g.seq
	}
	g.buf = AppendJSON(g.buf[:0], r)
	g.buf = append(g.buf, '\n')
	g.bw.Write(g.buf)
	g.lines++
}
