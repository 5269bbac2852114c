package netsim_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"testing/synctest"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// pingPong exchanges rounds 64-byte messages over c and d: c writes, d
// reads and answers, c reads the answer.
func pingPong(rounds int, c, d net.Conn, errs chan<- error) (client, server func()) {
	client = func() {
		msg := make([]byte, 64)
		for range rounds {
			if _, err := c.Write(msg); err != nil {
				errs <- err
				return
			}
			if _, err := io.ReadFull(c, msg); err != nil {
				errs <- err
				return
			}
		}
	}
	server = func() {
		msg := make([]byte, 64)
		for range rounds {
			if _, err := io.ReadFull(d, msg); err != nil {
				errs <- err
				return
			}
			if _, err := d.Write(msg); err != nil {
				errs <- err
				return
			}
		}
	}
	return client, server
}

// BenchmarkPingPong: two tasks exchange 64-byte messages over one simulated
// connection, trace off; one op is one round trip.
func BenchmarkPingPong(b *testing.B) {
	x := newWorldUntil(1, netsim.Config{}, math.MaxInt64)
	errs := make(chan error, 2)
	x.w.Spawn("server", func(ctx context.Context) {
		l, err := x.server.Listen(ctx, ":7000")
		if err != nil {
			errs <- err
			return
		}
		d, err := l.Accept()
		if err != nil {
			errs <- err
			return
		}
		_, server := pingPong(b.N, nil, d, errs)
		server()
	})
	x.w.Spawn("client", func(ctx context.Context) {
		c, err := x.client.Dial(ctx, "server:7000")
		if err != nil {
			errs <- err
			return
		}
		b.ResetTimer()
		client, _ := pingPong(b.N, c, nil, errs)
		client()
		b.StopTimer()
	})
	if err := x.w.Run(); err != nil {
		b.Fatal(err)
	}
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}

// BenchmarkPingPongSynctest is the same exchange over net.Pipe inside a
// testing/synctest bubble: the baseline Go offers for deterministic tests
// of networked code.
func BenchmarkPingPongSynctest(b *testing.B) {
	errs := make(chan error, 2)
	// synctest.Test wants a *testing.T, which a benchmark does not have; a
	// zero one serves, since the bubble never fails or logs. The clock
	// inside the bubble is fake, so the timer runs outside it.
	b.ResetTimer()
	synctest.Test(&testing.T{}, func(*testing.T) {
		c, d := net.Pipe()
		client, server := pingPong(b.N, c, d, errs)
		done := make(chan struct{})
		go func() { server(); close(done) }()
		client()
		<-done
	})
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}

// BenchmarkManyConns: 1,000 connections from 10 client hosts to one server,
// each exchanging 64-byte messages with an echo task; one op is one round
// trip on any of them. It reports events/s and the memory each connection
// holds (its two tasks included) once all are established.
func BenchmarkManyConns(b *testing.B) {
	const hosts, perHost = 10, 100
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := sim.New(sim.Config{Seed: 1, MaxTime: math.MaxInt64})
	n := netsim.New(w, netsim.Config{})
	server := n.AddHost("server", netip.MustParseAddr("10.0.1.1"))
	x := &manyConns{gate: sim.NewChan[struct{}](0), left: b.N, errs: make(chan error, 1)}
	w.Spawn("server", func(ctx context.Context) { acceptEchoes(ctx, server, hosts*perHost, x.fail) })
	for i := range hosts {
		h := n.AddHost(fmt.Sprintf("client-%d", i), netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		for j := range perHost {
			x.dialed.Add(1)
			w.Spawn(fmt.Sprintf("client-%d/%d", i, j), func(ctx context.Context) { x.client(ctx, h) })
		}
	}
	var startSeq uint64
	w.Spawn("start", func(ctx context.Context) {
		x.dialed.Wait(ctx)
		runtime.GC()
		runtime.ReadMemStats(&after)
		startSeq = w.Seq()
		b.ResetTimer()
		x.gate.Close()
	})
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	select {
	case err := <-x.errs:
		b.Fatal(err)
	default:
	}
	mem := float64(after.HeapAlloc+after.StackInuse) - float64(before.HeapAlloc+before.StackInuse)
	b.ReportMetric(float64(w.Seq()-startSeq)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
	b.ReportMetric(mem/(hosts*perHost), "B/conn")
}

// manyConns is BenchmarkManyConns's shared state: the clients take round
// trips from left until none is left.
type manyConns struct {
	dialed sim.WaitGroup
	gate   *sim.Chan[struct{}] // closed when every connection is up
	left   int
	errs   chan error
}

func (x *manyConns) fail(err error) {
	select {
	case x.errs <- err:
	default:
	}
}

// client dials, waits at the gate, then does round trips while some are
// left.
func (x *manyConns) client(ctx context.Context, h *netsim.Host) {
	c, err := h.Dial(ctx, "server:7000")
	x.dialed.Done()
	if err != nil {
		x.fail(err)
		return
	}
	defer c.Close()
	x.gate.Recv(ctx)
	msg := make([]byte, 64)
	for x.left > 0 {
		x.left-- // claimed before it starts, so that exactly b.N are done
		if _, err := c.Write(msg); err != nil {
			x.fail(err)
			return
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			x.fail(err)
			return
		}
	}
}

// acceptEchoes accepts count connections and echoes each in a task of its
// own until the client closes.
func acceptEchoes(ctx context.Context, h *netsim.Host, count int, fail func(error)) {
	acceptEchoTasks(ctx, h, count, nil, fail)
}
