package netsim_test

import (
	"context"
	"io"
	"math"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkRequestTimeouts is BenchmarkPingPong's request loop with and
// without a timeout per request: a context made with WithTimeout (on the
// World's clock or on a host's) before each round trip and cancelled
// after it, as a client with a per-request timeout does. One op is one
// request; the ratio of a case to "none" in the same run is its cost.
func BenchmarkRequestTimeouts(b *testing.B) {
	for _, name := range []string{"none", "world", "hostclock"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			requestLoop(b, name)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}

// requestLoop runs b.N requests of 64 bytes, each answered by an echo,
// with a timeout of the kind named.
func requestLoop(b *testing.B, kind string) {
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
	clock := sim.NewHostClock(x.w, "client", 0, 0)
	x.w.Spawn("client", func(ctx context.Context) {
		c, err := x.client.Dial(ctx, "server:7000")
		if err != nil {
			errs <- err
			return
		}
		msg := make([]byte, 64)
		b.ResetTimer()
		for range b.N {
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
}
