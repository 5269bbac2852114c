package orrery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// rebootSim has a server whose every boot starts 100 tasks and opens 50
// connections to a peer, and a workload that crashes it n times, waiting
// each time for it to be back with all of them.
func rebootBench(n int, ready *int) orrery.Simulation {
	return orrery.Simulation{
		Name:    "reboot-bench",
		MaxTime: time.Hour + time.Duration(n)*20*time.Second, // recovery takes 1-10 s
		Processes: []orrery.Process{
			{Name: "peer", Main: func(e env.Env) error {
				l, err := e.Net().Listen(e.Context(), ":9000")
				if err != nil {
					return err
				}
				for {
					c, err := l.Accept()
					if err != nil {
						return err
					}
					e.Go("drain", func(ctx context.Context) { c.Read(make([]byte, 1)) })
				}
			}},
			{Name: "srv", Main: func(e env.Env) error {
				for i := range 100 {
					e.Go(fmt.Sprint("worker-", i), func(ctx context.Context) { env.WaitDone(ctx, e) })
				}
				for range 50 { // left open: the reboot resets them
					if _, err := e.Net().Dial(e.Context(), "peer:9000"); err != nil {
						return err
					}
				}
				*ready++
				return env.WaitDone(e.Context(), e)
			}},
		},
		Workloads: []orrery.Workload{{Name: "crasher", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				for i := range n {
					for *ready <= i {
						if err := e.Clock().Sleep(e.Context(), 10*time.Millisecond); err != nil {
							return err
						}
					}
					if err := orrery.Reboot(e.Context(), "srv", orrery.Crash); err != nil {
						return err
					}
				}
				return nil
			}}
		}}},
	}
}

// BenchmarkReboot crashes and restarts a process with 100 tasks and 50
// connections; one op is one reboot (crash, recovery delay, boot, and the
// new boot's tasks and connections set up again).
func BenchmarkReboot(b *testing.B) {
	ready := 0
	rep, err := orrery.Run(rebootBench(b.N, &ready), orrery.Options{Replay: []uint64{1}})
	if err != nil || !rep.OK() {
		b.Fatalf("%v %+v", err, rep.Failures)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reboots/s")
}
