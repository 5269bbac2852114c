package orrery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/netsim"
)

// A simulation of a counter server and a client that adds to it, with an
// invariant over the server's published state, swept over 20 seeds.
func ExampleRun() {
	sim := orrery.Simulation{
		Name: "example",
		Processes: []orrery.Process{{Name: "server", Main: func(e env.Env) error {
			total := new(int)
			inbox := env.NewChan[int](e, 0)
			orrery.Publish(e.Context(), "total", total)
			orrery.Publish(e.Context(), "inbox", inbox)
			for {
				v, _, err := inbox.Recv(e.Context())
				if err != nil {
					return err
				}
				*total += v
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				inbox, _ := orrery.Published(e.Context(), "inbox")
				for range 10 {
					e.Clock().Sleep(e.Context(), time.Duration(e.Rand().IntN(100))*time.Millisecond)
					if err := inbox.(*env.Chan[int]).Send(e.Context(), 1); err != nil {
						return err
					}
				}
				return nil
			}}
		}}},
		Invariants: []orrery.Invariant{{Name: "bounded", Check: func(s *orrery.State) error {
			if v, ok := s.Get("total"); ok && *v.(*int) > 10 {
				return errors.New("more than was sent")
			}
			return nil
		}}},
	}
	rep, err := orrery.Run(sim, orrery.Options{Seeds: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Seeds, "seeds,", rep.Failed, "failed")
	// Output: 20 seeds, 0 failed
}

// Reboot is the manual fault control: a workload (or a test's fault
// injector) crashes a process, which comes back after a recovery delay.
func ExampleReboot() {
	boots := 0
	sim := orrery.Simulation{
		Name: "reboot",
		Processes: []orrery.Process{{Name: "db", Main: func(e env.Env) error {
			boots++
			return env.WaitDone(e.Context(), e)
		}}},
		Workloads: []orrery.Workload{{Name: "chaos-monkey", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				if err := orrery.Reboot(e.Context(), "db", orrery.Crash); err != nil {
					return err
				}
				return e.Clock().Sleep(e.Context(), time.Minute)
			}}
		}}},
	}
	rep, _ := orrery.Run(sim, orrery.Options{Replay: []uint64{1}})
	fmt.Println("boots:", boots, "faults:", rep.Faults)
	// Output: boots: 2 faults: [{DiskCrash 1} {Reboot 1}]
}

// Network is the manual control of the network's faults: here the client
// partitions itself from the server for a second, during which its request
// waits in the send buffer and the read times out; once the partition
// heals, the request goes through and the answer arrives.
func ExampleNetwork() {
	sim := orrery.Simulation{
		Name: "partition",
		Processes: []orrery.Process{{Name: "server", Main: func(e env.Env) error {
			ln, err := e.Net().Listen(e.Context(), ":7000")
			if err != nil {
				return err
			}
			for {
				c, err := ln.Accept()
				if err != nil {
					return err
				}
				e.Go("echo", func(ctx context.Context) { io.Copy(c, c) })
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx := e.Context()
				c, err := e.Net().Dial(ctx, "server:7000")
				if err != nil {
					return err
				}
				server, _ := orrery.Lookup(ctx, "server")
				orrery.Network(ctx).Partition([]netip.Addr{e.Addr()}, []netip.Addr{server.Addr}, netsim.BothWays, time.Second)
				buf := make([]byte, 4)
				c.Write([]byte("ping"))
				c.SetReadDeadline(e.Clock().Now().Add(500 * time.Millisecond))
				_, err = io.ReadFull(c, buf)
				fmt.Println("during the partition:", errors.Is(err, os.ErrDeadlineExceeded))
				c.SetReadDeadline(time.Time{})
				_, err = io.ReadFull(c, buf)
				fmt.Printf("after it: %s %v\n", buf, err)
				return c.Close()
			}}
		}}},
	}
	rep, _ := orrery.Run(sim, orrery.Options{Replay: []uint64{1}})
	fmt.Println("failed:", rep.Failed)
	// Output:
	// during the partition: true
	// after it: ping <nil>
	// failed: 0
}

// Planted bugs stay in the code, off unless a run asks for them.
func ExamplePlanted() {
	sim := orrery.Simulation{
		Name:      "planted",
		Bugs:      []string{"off-by-one"},
		Processes: []orrery.Process{{Name: "p", Main: func(e env.Env) error { return nil }}},
		Workloads: []orrery.Workload{{Name: "w", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				if orrery.Planted(e.Context(), "off-by-one") {
					return errors.New("off by one")
				}
				return nil
			}}
		}}},
	}
	clean, _ := orrery.Run(sim, orrery.Options{Seeds: 5})
	buggy, _ := orrery.Run(sim, orrery.Options{Seeds: 5, Bugs: []string{"off-by-one"}})
	fmt.Println(clean.Failed, buggy.Failed, buggy.Failures[0].Message)
	// Output: 0 5 w: run: off by one
}

// ParseSeed reads the seeds that replay commands print.
func ExampleParseSeed() {
	a, _ := orrery.ParseSeed("0x2a")
	b, _ := orrery.ParseSeed("42")
	_, err := orrery.ParseSeed("0xZZ")
	fmt.Println(a, b, err)
	// Output: 42 42 seed "0xZZ": want a 64-bit number, hex (0x2a) or decimal (42)
}

// Buggify is false outside a simulation, so it can stay in code that ships.
func ExampleBuggify() {
	fmt.Println(orrery.Buggify(context.Background()))
	// Output: false
}

// Shards of a run (--shard K/N, or a Kubernetes Indexed Job) each write a
// report; merged, they count every seed once.
func ExampleMergeReports() {
	sim := tiny()
	var shards []*orrery.Report
	for k := range 3 {
		rep, _ := orrery.Run(sim, orrery.Options{Seeds: 30, Shard: orrery.Shard{Index: k, Count: 3}})
		shards = append(shards, rep)
	}
	merged, err := orrery.MergeReports(shards...)
	fmt.Println(merged.Seeds, merged.Failed, err)
	// Output: 30 0 <nil>
}

// Hosts find each other by name and by tag; processes are at 10.0.1.x,
// workloads at 10.0.0.x.
func ExampleHostsWithTag() {
	sim := tiny()
	sim.Processes[0].Count = 2
	sim.Processes[0].Tags = []string{"replica"}
	sim.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			for _, h := range orrery.HostsWithTag(e.Context(), "replica") {
				fmt.Println(h.Name, h.Addr)
			}
			fmt.Println(e.Name(), e.Addr())
			return nil
		}}
	}
	orrery.Run(sim, orrery.Options{Replay: []uint64{1}})
	// Output:
	// node-1 10.0.1.1
	// node-2 10.0.1.2
	// driver 10.0.0.1
}

// A workload of several instances splits its work by instance number, here
// the keys whose number modulo Count is its own.
func ExampleInstance() {
	const writers = 3
	wrote := make([][]int, writers)
	sim := tiny()
	sim.Workloads = []orrery.Workload{{Name: "writer", Count: writers, New: func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			me := orrery.Instance(e.Context())
			for key := me; key < 10; key += writers {
				wrote[me] = append(wrote[me], key)
			}
			return nil
		}}
	}}}
	if _, err := orrery.Run(sim, orrery.Options{Replay: []uint64{1}}); err != nil {
		fmt.Println(err)
	}
	for i, keys := range wrote {
		fmt.Println(i, keys)
	}
	// Output:
	// 0 [0 3 6 9]
	// 1 [1 4 7]
	// 2 [2 5 8]
}

// tiny is a simulation of one idle process and one workload.
func tiny() orrery.Simulation {
	return orrery.Simulation{
		Name:      "tiny",
		Processes: []orrery.Process{{Name: "node", Main: func(e env.Env) error { return env.WaitDone(e.Context(), e) }}},
		Workloads: []orrery.Workload{{Name: "driver", New: func() orrery.Driver { return orrery.Funcs{} }}},
	}
}
