package netsim_test

import (
	"context"
	"io"
	"math"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/cputime"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkRequestTimeouts is BenchmarkPingPong's request loop with and
// without a timeout per request: a context made with WithTimeout (on the
// World's clock or on a host's) before each round trip and cancelled
// after it, as a client with a per-request timeout does. One op is one
// request; the ratio of a case to "none" in the same run is its cost.
// "inturn" runs the three loops in turn, requestTurn requests at a time,
// so that a noisy machine weighs on them alike, and reports the share of
// the loop without timeouts that each loop with them keeps, by the wall
// clock and by the process's CPU time (cpu-...), which a shared machine
// moves less.
func BenchmarkRequestTimeouts(b *testing.B) {
	for _, name := range requestKinds {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var cpu time.Duration
			requestLoop(b, name, b.N, func() { b.ResetTimer(); cpu = cputime.Process() },
				func() { b.StopTimer(); cpu = cputime.Process() - cpu })
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
	b.Run("inturn", benchmarkRequestsInTurn)
}

// requestKinds are the loops of BenchmarkRequestTimeouts: no timeout, a
// timeout on the World's clock, one on a host's clock.
var requestKinds = []string{"none", "world", "hostclock"}

// requestTurn is how many requests a loop makes in one turn of "inturn":
// enough for garbage collections to come at their usual pace in a turn.
const requestTurn = 100_000

// benchmarkRequestsInTurn makes b.N requests with each loop, requestTurn
// at a time in turn, and reports each loop's requests per second and
// each loop with timeouts' share of the rate without.
func benchmarkRequestsInTurn(b *testing.B) {
	var took, cpu [3]time.Duration
	for done := 0; done < b.N; done += requestTurn {
		n := min(requestTurn, b.N-done)
		for i, kind := range requestKinds {
			var start time.Time
			var startCPU time.Duration
			requestLoop(b, kind, n, func() { start, startCPU = time.Now(), cputime.Process() },
				func() { took[i], cpu[i] = took[i]+time.Since(start), cpu[i]+cputime.Process()-startCPU })
		}
	}
	for i, kind := range requestKinds {
		b.ReportMetric(float64(b.N)/took[i].Seconds(), kind+"-req/s")
	}
	for i, kind := range requestKinds[1:] {
		b.ReportMetric(took[0].Seconds()/took[i+1].Seconds(), kind+"-share")
		if cpu[i+1] > 0 {
			b.ReportMetric(cpu[0].Seconds()/cpu[i+1].Seconds(), kind+"-cpushare")
		}
	}
	b.ReportMetric(0, "ns/op")
}

// requestLoop runs n requests of 64 bytes, each answered by an echo, with
// a timeout of the kind named; start and stop are called around the
// client's loop, after the connection is set up.
func requestLoop(b *testing.B, kind string, n int, start, stop func()) {
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
		_, server := pingPong(n, nil, d, errs)
		server()
	})
	clock := sim.NewHostClock(x.w, "client", 0, 0)
	x.w.Spawn("client", func(ctx context.Context) {
		c, err := x.client.Dial(ctx, "server:7000")
		if err != nil {
			errs <- err
			return
		}
		msg := make([]byte, 64)
		start()
		for range n {
			cancel := context.CancelFunc(func() {})
			switch kind {
			case "world":
				_, cancel = sim.WithTimeout(ctx, time.Second)
			case "hostclock":
				_, cancel = clock.WithTimeout(ctx, time.Second)
			}
			if _, err := c.Write(msg); err != nil {
				errs <- err
				return
			}
			if _, err := io.ReadFull(c, msg); err != nil {
				errs <- err
				return
			}
			cancel()
		}
		stop()
	})
	if err := x.w.Run(); err != nil {
		b.Fatal(err)
	}
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}
