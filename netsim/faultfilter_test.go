package netsim_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// TestFaultFilterSuppressesNetworkFaults: a partition and a clog the fault
// filter does not keep are not applied, and their records say so.
func TestFaultFilterSuppressesNetworkFaults(t *testing.T) {
	for _, tc := range []struct {
		name    string
		set     bool
		keep    []sim.FaultID
		blocked bool
	}{
		{"no filter", false, nil, true},
		{"kept", true, []sim.FaultID{{Op: "Partition", Target: "net", N: 1}}, true},
		{"suppressed", true, []sim.FaultID{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newWorld(t, 5, netsim.Config{})
			if tc.set {
				x.w.SetFaultFilter(tc.keep)
			}
			var arrived time.Duration
			x.run(t, map[string]func(context.Context) error{
				"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
					_, err := io.ReadFull(c, make([]byte, 5))
					arrived = x.w.Now()
					return err
				}),
				"b-client": func(ctx context.Context) error {
					c, err := x.client.Dial(ctx, "server:7000")
					if err != nil {
						return err
					}
					if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil {
						return err
					}
					x.n.Partition([]netip.Addr{x.client.Addr()}, []netip.Addr{x.server.Addr()}, netsim.BothWays, time.Second)
					_, err = c.Write([]byte("hello"))
					return err
				},
			})
			if blocked := arrived >= time.Second; blocked != tc.blocked {
				t.Errorf("data arrived at %v: blocked %v, want %v", arrived, blocked, tc.blocked)
			}
			if n := faultCount(x.w, "Partition"); n != map[bool]int{true: 1}[tc.blocked] {
				t.Errorf("%d Partition faults counted (%+v)", n, x.w.Faults())
			}
			if fs := x.w.InjectedFaults(); tc.set && (len(fs) != 1 || fs[0].Op != "Partition") {
				t.Errorf("injected faults %+v, want the partition", fs)
			}
		})
	}
}

// TestFaultFilterSuppressedBitFlipsLeaveDataIntact: bit flips drawn but not
// kept corrupt nothing, and every one of them is recorded as suppressed.
func TestFaultFilterSuppressedBitFlipsLeaveDataIntact(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keep    []sim.FaultID
		corrupt bool
	}{
		{"all kept", nil, true},
		{"none kept", []sim.FaultID{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newWorld(t, 3, netsim.Config{Faults: netsim.Faults{BitFlipP: 0.2}})
			x.w.SetFaultFilter(tc.keep)
			got := frames(t, x, 50)
			if (got > 0) != tc.corrupt {
				t.Errorf("%d frames corrupted, want some: %v", got, tc.corrupt)
			}
			fs := x.w.InjectedFaults()
			if len(fs) == 0 {
				t.Fatal("no bit flip drawn")
			}
			for _, r := range fs {
				if sup := slices.Contains(r.Attrs, trace.Attr{Key: "suppressed", Value: "true"}); sup == tc.corrupt {
					t.Errorf("fault %s %v: suppressed %v", r.Op, r.Attrs, sup)
				}
			}
		})
	}
}

// TestFaultFilterSuppressesHalfOpen: a half-open connection the fault
// filter does not keep is reset at once, as CrashReset resets it, after
// drawing its duration as a kept one does; its record says suppressed.
func TestFaultFilterSuppressesHalfOpen(t *testing.T) {
	want := halfOpenRun(t, nil) // unfiltered
	if want.rngAfter == want.rngBefore {
		t.Fatal("the crash drew nothing: want the half-open duration drawn")
	}
	for _, tc := range []struct {
		name       string
		keep       []sim.FaultID
		halfOpen   bool
		suppressed string
	}{
		{"kept", []sim.FaultID{{Op: "HalfOpen", Target: "10.0.0.1->10.0.1.1", N: 1}}, true, ""},
		{"suppressed", []sim.FaultID{}, false, "true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := halfOpenRun(t, tc.keep)
			if late := got.resetAfter >= time.Second; got.wroteOK != tc.halfOpen || late != tc.halfOpen {
				t.Errorf("write succeeded %v, reset %v after the crash; want half open %v", got.wroteOK, got.resetAfter, tc.halfOpen)
			}
			if got.rngBefore != want.rngBefore || got.rngAfter != want.rngAfter {
				t.Errorf("RNG count %d before and %d after the crash, want %d and %d (the unfiltered run's)",
					got.rngBefore, got.rngAfter, want.rngBefore, want.rngAfter)
			}
			if n := faultCount(got.w, "HalfOpen"); n != map[bool]int{true: 1}[tc.halfOpen] {
				t.Errorf("%d HalfOpen faults counted (%+v)", n, got.w.Faults())
			}
			fs := got.w.InjectedFaults()
			if len(fs) != 1 || fs[0].Op != "HalfOpen" || attr(fs[0], "suppressed") != tc.suppressed || fs[0].RNG != want.rngAfter {
				t.Errorf("injected faults %+v, want the half-open connection at rng=%d, suppressed=%q", fs, want.rngAfter, tc.suppressed)
			}
		})
	}
}

// halfOpenResult is what a run of halfOpenRun saw.
type halfOpenResult struct {
	w                   *sim.World
	rngBefore, rngAfter uint64 // RNG count around the crash
	wroteOK             bool   // the client's write after the crash succeeded
	resetAfter          time.Duration
}

// halfOpenRun crashes the server, leaving its connection to the client half
// open, with the fault filter keeping keep (nil: no filter), and writes
// and reads from the client after the crash.
func halfOpenRun(t *testing.T, keep []sim.FaultID) halfOpenResult {
	x := newWorld(t, 6, netsim.Config{})
	if keep != nil {
		x.w.SetFaultFilter(keep)
	}
	res := halfOpenResult{w: x.w}
	var tried time.Duration
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil {
				return err
			}
			res.rngBefore = x.w.RNGCalls()
			x.server.Crash(netsim.CrashHalfOpen)
			res.rngAfter = x.w.RNGCalls()
			return nil
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			if err := sim.Sleep(ctx, 20*time.Millisecond); err != nil {
				return err
			}
			tried = x.w.Now()
			_, err = c.Write([]byte("still there?"))
			res.wroteOK = err == nil
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, netsim.ErrConnectionReset) {
				return fmt.Errorf("read after the crash: %v", err)
			}
			res.resetAfter = x.w.Now() - tried
			return nil
		},
	})
	return res
}

// attr returns the value of the record's attribute key, "" if none.
func attr(r trace.Record, key string) string {
	for _, a := range r.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}
