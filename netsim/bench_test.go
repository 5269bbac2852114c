package netsim_test

import (
	"context"
	"io"
	"net"
	"testing"
	"testing/synctest"

	"github.com/orrerysim/orrery/netsim"
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
	x := newWorld(b, 1, netsim.Config{})
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
