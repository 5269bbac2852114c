package netsim_test

import (
	"context"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

// BenchmarkRequestTimeoutsSynctest is BenchmarkRequestTimeouts's request
// loop over net.Pipe inside a testing/synctest bubble, the baseline Go
// offers: "none" without a timeout, "context" with a context made by
// context.WithTimeout before each request and cancelled after it. Run
// both benchmarks in one `go test -bench RequestTimeouts` to compare.
func BenchmarkRequestTimeoutsSynctest(b *testing.B) {
	for _, name := range []string{"none", "context"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			requestLoopSynctest(b, name == "context")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}

// requestLoopSynctest runs b.N requests of 64 bytes over net.Pipe, each
// answered by an echo, with a timeout per request if timeouts is set.
func requestLoopSynctest(b *testing.B, timeouts bool) {
	errs := make(chan error, 2)
	// As in BenchmarkPingPongSynctest: a zero *testing.T serves, and the
	// timer runs outside the bubble, whose clock is fake.
	b.ResetTimer()
	synctest.Test(&testing.T{}, func(*testing.T) {
		c, d := net.Pipe()
		_, server := pingPong(b.N, nil, d, errs)
		done := make(chan struct{})
		go func() { server(); close(done) }()
		requestsOverPipe(b.N, c, timeouts, errs)
		<-done
	})
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}

// requestsOverPipe is the client of requestLoopSynctest.
func requestsOverPipe(n int, c net.Conn, timeouts bool, errs chan<- error) {
	msg := make([]byte, 64)
	for range n {
		if err := requestOverPipe(c, msg, timeouts); err != nil {
			errs <- err
			return
		}
	}
}

// requestOverPipe writes msg to c and reads the answer into it, under a
// context with a timeout of its own if timeouts is set.
func requestOverPipe(c net.Conn, msg []byte, timeouts bool) error {
	if timeouts {
		_, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
	}
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err := io.ReadFull(c, msg)
	return err
}
