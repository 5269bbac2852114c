package netsim_test

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/cputime"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// BenchmarkConnSetup sets up n connections, from 100 client hosts to one
// server that accepts each with an echo task, and reports the real time
// and the memory each connection costs, at n from 100 to 16,000 side by
// side: a cost per connection that stays flat is one that scales. One op
// is 16,000 connections set up and closed, n at a time.
func BenchmarkConnSetup(b *testing.B) {
	for _, n := range []int{100, 1_000, 16_000} {
		b.Run(fmt.Sprintf("conns=%d", n), func(b *testing.B) {
			var setup, cpu time.Duration
			reps := 16_000 / n // as many connections at every n
			for b.Loop() {
				for range reps {
					took, tookCPU := connSetup(b, n)
					setup, cpu = setup+took, cpu+tookCPU
				}
			}
			b.ReportMetric(float64(setup.Nanoseconds())/float64(reps*n*b.N), "ns/conn")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(reps*n*b.N), "cpu-ns/conn")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// connSetup dials n connections and returns the real time and the CPU
// time of the process from the first spawn until all are established.
func connSetup(b testing.TB, n int) (took, tookCPU time.Duration) {
	const hosts = 100
	w := sim.New(sim.Config{Seed: 1, MaxTime: math.MaxInt64})
	net := netsim.New(w, netsim.Config{})
	server := net.AddHost("server", netip.MustParseAddr("10.1.0.1"))
	errs := make(chan error, 1)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	w.Spawn("server", func(ctx context.Context) { acceptEchoes(ctx, server, n, fail) })
	var dialed sim.WaitGroup
	start, cpu0 := time.Now(), cputime.Process()
	for i := range hosts {
		h := net.AddHost(fmt.Sprintf("client-%d", i), netip.AddrFrom4([4]byte{10, 0, byte(i / 250), byte(i%250 + 1)}))
		for j := i; j < n; j += hosts {
			dialed.Add(1)
			w.Spawn("dialer", func(ctx context.Context) {
				c, err := h.Dial(ctx, "server:7000")
				dialed.Done()
				if err != nil {
					fail(err)
					return
				}
				dialed.Wait(ctx)
				c.Close()
			})
		}
	}
	w.Spawn("timer", func(ctx context.Context) {
		dialed.Wait(ctx)
		took, tookCPU = time.Since(start), cputime.Process()-cpu0
	})
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	return took, tookCPU
}

// TestConnSetupAllocs counts the allocations that one more connection
// costs (dial, accept, an echo task, close), as the difference between
// worlds of 100 and 1,000 connections, against a budget: a connection,
// its pipes and its endpoints are one allocation, and dialing a host by
// name makes no parse error (26.8 allocations before, 21.8 after).
func TestConnSetupAllocs(t *testing.T) {
	mallocs := func(n int) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		connSetup(t, n)
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	const budget = 22
	mallocs(100) // warm up
	per := float64(mallocs(1_000)-mallocs(100)) / 900
	t.Logf("%.1f allocations per connection", per)
	if per > budget {
		t.Errorf("a connection costs %.1f allocations, over the budget of %d", per, budget)
	}
}
