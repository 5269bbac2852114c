package netsim_test

import (
	"context"
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
		keep    []uint64
		blocked bool
	}{
		{"no filter", false, nil, true},
		{"kept", true, []uint64{1}, true},
		{"suppressed", true, []uint64{}, false},
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
		keep    []uint64
		corrupt bool
	}{
		{"all kept", nil, true},
		{"none kept", []uint64{}, false},
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
