package orrery_test

import (
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// heartbeatCluster is a cluster of nodes that each send a heartbeat to
// one leader every 100 ms over a connection of their own, for the given
// simulated time; beats counts the heartbeats the leader reads.
func heartbeatCluster(nodes int, length time.Duration, beats *atomic.Int64) orrery.Simulation {
	return orrery.Simulation{Name: "heartbeats", MaxTime: length + time.Minute,
		Processes: []orrery.Process{
			{Name: "leader", Main: func(e env.Env) error {
				l, err := e.Net().Listen(e.Context(), ":7000")
				if err != nil {
					return err
				}
				for {
					c, err := l.Accept()
					if err != nil {
						return nil // shut down
					}
					e.Go("beats", func(context.Context) {
						defer c.Close()
						msg := make([]byte, 8)
						for {
							if _, err := io.ReadFull(c, msg); err != nil {
								return
							}
							beats.Add(1)
						}
					})
				}
			}},
			{Name: "node", Count: nodes, Main: func(e env.Env) error {
				c, err := e.Net().Dial(e.Context(), "leader:7000")
				if err != nil {
					return err
				}
				defer c.Close()
				msg := make([]byte, 8)
				for {
					if err := e.Clock().Sleep(e.Context(), 100*time.Millisecond); err != nil {
						return nil
					}
					if _, err := c.Write(msg); err != nil {
						return nil
					}
				}
			}},
		},
		Workloads: []orrery.Workload{{Name: "clock", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), length) }}
		}}},
	}
}

// BenchmarkThousandHosts runs one seed of a 1,000-host cluster (999
// nodes heartbeating to one leader every 100 ms, for 60 simulated
// seconds) in this process, and reports the peak memory of the process
// (heap and stacks, sampled every 10 ms of real time) per host and in
// MiB, events per second of real time, and how much faster than real
// time the seed ran. The budget is 2 GiB in all.
func BenchmarkThousandHosts(b *testing.B) {
	const hosts, length = 1000, 60 * time.Second
	var beats atomic.Int64
	s := heartbeatCluster(hosts-1, length, &beats)
	var peak uint64
	var events uint64
	for b.Loop() {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := samplePeak(&peak)
		rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
		stop()
		if err != nil || !rep.OK() {
			b.Fatalf("run: %v %+v", err, rep.Failures)
		}
		events += rep.Events
	}
	if beats.Load() < int64(b.N)*(hosts-1)*500 {
		b.Fatalf("%d heartbeats read in %d runs, want about 600 per node and run", beats.Load(), b.N)
	}
	b.ReportMetric(float64(peak)/(1<<20), "MiB-peak")
	b.ReportMetric(float64(peak)/hosts, "B/host")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(length.Seconds()*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
	b.ReportMetric(0, "ns/op")
	if peak > 2<<30 {
		b.Errorf("peak memory %d MiB, over the 2 GiB budget", peak>>20)
	}
}

// samplePeak records the largest heap-and-stack footprint of the process
// into peak until the returned function is called.
func samplePeak(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse+m.StackInuse)
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
