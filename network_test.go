package orrery_test

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/netsim"
)

// TestNetworkIsOnlyTheFaultControls: what Network returns offers the manual
// faults, not the set-up and chaos of the network the run owns.
func TestNetworkIsOnlyTheFaultControls(t *testing.T) {
	typ := reflect.TypeOf(orrery.Network)
	ret := typ.Out(0)
	for _, name := range []string{"AddHost", "Host", "StartChaos", "StopChaos"} {
		if _, ok := ret.MethodByName(name); ok {
			t.Errorf("Network(ctx) returns %v, which has %s", ret, name)
		}
	}
	for _, name := range []string{"Partition", "SendPartition", "RecvPartition", "Clog", "ReadClog", "Cut", "Kill", "Heal"} {
		if _, ok := ret.MethodByName(name); !ok {
			t.Errorf("Network(ctx) returns %v, which lacks %s", ret, name)
		}
	}
}

func TestNetworkOutsideSimulation(t *testing.T) {
	if orrery.Network(context.Background()) != nil {
		t.Error("Network outside a simulation is not nil")
	}
}

// TestNetworkPartitionFromWorkload: a workload isolates the server for two
// seconds; a dial during it gets no answer before its deadline, one after
// it connects, and the partition and its restore are in the trace and the
// report.
func TestNetworkPartitionFromWorkload(t *testing.T) {
	var during, after error
	sim := orrery.Simulation{
		Name: "isolate",
		Processes: []orrery.Process{{Name: "server", Main: func(e env.Env) error {
			ln, err := e.Net().Listen(e.Context(), ":7000")
			if err != nil {
				return err
			}
			for {
				if _, err := ln.Accept(); err != nil {
					return err
				}
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx := e.Context()
				server, ok := orrery.Lookup(ctx, "server")
				if !ok {
					return errors.New("no server")
				}
				var others []netip.Addr
				for _, h := range orrery.HostsWithTag(ctx, "") {
					if h.Name != "server" {
						others = append(others, h.Addr)
					}
				}
				orrery.Network(ctx).Partition([]netip.Addr{server.Addr}, others, netsim.BothWays, 2*time.Second)
				dctx, cancel := e.Clock().WithTimeout(ctx, time.Second)
				defer cancel()
				_, during = e.Net().Dial(dctx, "server:7000")
				if err := e.Clock().Sleep(ctx, 2*time.Second); err != nil {
					return err
				}
				_, after = e.Net().Dial(ctx, "server:7000")
				return nil
			}}
		}}},
	}
	var trace strings.Builder
	rep, err := orrery.Run(sim, orrery.Options{Replay: []uint64{1}, Log: &trace, LogFilter: "trace"})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v, %+v", err, rep.Failures)
	}
	if !errors.Is(during, context.DeadlineExceeded) || after != nil {
		t.Errorf("dial during the partition: %v, want the deadline; after it: %v, want nil", during, after)
	}
	for _, want := range []string{"Partition", "PartitionRestore"} {
		if !strings.Contains(trace.String(), want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	if !strings.Contains(trace.String(), "10.0.1.1<->10.0.0.1") {
		t.Errorf("trace does not name the partitioned hosts:\n%s", grepLines(trace.String(), "Partition"))
	}
	found := false
	for _, f := range rep.Faults {
		found = found || f.Name == "Partition"
	}
	if !found {
		t.Errorf("report faults %v lack the partition", rep.Faults)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}
