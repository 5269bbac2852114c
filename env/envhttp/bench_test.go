package envhttp_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envhttp"
)

// BenchmarkRoundTrip measures, side by side in one run, simulated HTTP
// round trips (envhttp's client and server, a GET with a 64-byte answer on
// a kept-alive connection) and raw netsim round trips (64 bytes each way
// on one connection), both in one seed of a simulation, and reports each
// per second of real time and their ratio.
func BenchmarkRoundTrip(b *testing.B) {
	const n = 2000
	var httpWall, rawWall time.Duration
	for b.Loop() {
		httpWall += timeRun(b, httpRoundTrips(n))
		rawWall += timeRun(b, rawRoundTrips(n))
	}
	httpRate := float64(n*b.N) / httpWall.Seconds()
	rawRate := float64(n*b.N) / rawWall.Seconds()
	b.ReportMetric(httpRate, "http-req/s")
	b.ReportMetric(rawRate, "netsim-rt/s")
	b.ReportMetric(httpRate/rawRate, "http/raw")
	b.ReportMetric(0, "ns/op")
}

func timeRun(b *testing.B, s orrery.Simulation) time.Duration {
	start := time.Now()
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
	if err != nil || !rep.OK() {
		b.Fatalf("run: %v %+v", err, rep)
	}
	return time.Since(start)
}

func httpRoundTrips(n int) orrery.Simulation {
	answer := pattern(64)
	return pair(envhttp.Server{}, handle(func(w http.ResponseWriter, r *http.Request) { w.Write(answer) }), func(e env.Env) error {
		c := envhttp.Client(e)
		for range n {
			req, _ := http.NewRequestWithContext(e.Context(), "GET", "http://server:8080/", nil)
			resp, err := c.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil
	})
}

func rawRoundTrips(n int) orrery.Simulation {
	s := pair(envhttp.Server{}, nil, func(e env.Env) error {
		c, err := e.Net().Dial(e.Context(), "server:9000")
		if err != nil {
			return err
		}
		defer c.Close()
		buf := make([]byte, 64)
		for range n {
			if _, err := c.Write(buf); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				return err
			}
		}
		return nil
	})
	s.Processes[0].Main = func(e env.Env) error {
		l, err := e.Net().Listen(e.Context(), ":9000")
		if err != nil {
			return err
		}
		c, err := l.Accept()
		if err != nil {
			return err
		}
		buf := make([]byte, 64)
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				return nil
			}
			if _, err := c.Write(buf); err != nil {
				return nil
			}
		}
	}
	return s
}
