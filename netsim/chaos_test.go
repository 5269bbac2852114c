package netsim_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

func TestHealLiftsEveryFaultAtOnce(t *testing.T) {
	x := newWorld(t, 20, netsim.Config{Faults: netsim.Faults{ClogP: 1, BitFlipP: 1}})
	var took time.Duration
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, echo),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			x.n.Partition([]netip.Addr{x.client.Addr()}, []netip.Addr{x.server.Addr()}, netsim.BothWays, time.Minute)
			x.n.Cut(c, time.Minute)
			c.Write([]byte("ping")) // clogs too (ClogP=1)
			if err := sim.Sleep(ctx, time.Second); err != nil {
				return err
			}
			start := x.w.Now()
			x.n.Heal()
			got := make([]byte, 4)
			if _, err := io.ReadFull(c, got); err != nil {
				return err
			}
			if string(got) != "ping" {
				return errors.New("echo came back as " + string(got) + " after the heal")
			}
			took = x.w.Now() - start
			return c.Close()
		},
	})
	if took > 2*time.Millisecond {
		t.Fatalf("the echo took %v after Heal; want a plain round trip", took)
	}
}

// TestRestoreOfAHealedPartitionIsIgnored: after Heal, the restore event
// of a partition made before must not lift one made after Heal.
func TestRestoreOfAHealedPartitionIsIgnored(t *testing.T) {
	x := newWorld(t, 21, netsim.Config{})
	var arrived time.Duration
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			_, err := io.ReadFull(c, make([]byte, 1))
			arrived = x.w.Now()
			return err
		}),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			pair := func(d time.Duration) {
				x.n.Partition([]netip.Addr{x.client.Addr()}, []netip.Addr{x.server.Addr()}, netsim.BothWays, d)
			}
			pair(100 * time.Millisecond) // its restore comes at +100 ms
			x.n.Heal()
			pair(time.Second)
			c.Write([]byte("x"))
			return nil
		},
	})
	if arrived < time.Second {
		t.Fatalf("data crossed the second partition at %v", arrived)
	}
}

func TestChaosStrikesHostsAndConnections(t *testing.T) {
	x := newWorld(t, 22, netsim.Config{Faults: netsim.Faults{
		PartitionP: 0.2, OneWayP: 0.5, HostPartitionP: 0.2, CutP: 0.2, ChaosInterval: 50 * time.Millisecond}})
	third := x.n.AddHost("third", netip.MustParseAddr("10.0.1.2"))
	var echoed int
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, echo),
		"a-third":  func(ctx context.Context) error { _, err := third.Listen(ctx, ":7000"); return err },
		"b-client": func(ctx context.Context) error {
			x.n.StartChaos(ctx)
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			for range 50 { // the echo survives: faults delay, never lose, stream data
				if _, err := c.Write([]byte("abc")); err != nil {
					return err
				}
				if _, err := io.ReadFull(c, make([]byte, 3)); err != nil {
					return err
				}
				echoed++
				if err := sim.Sleep(ctx, 50*time.Millisecond); err != nil {
					return err
				}
			}
			x.n.Heal()
			return c.Close()
		},
	})
	for _, name := range []string{"Partition", "HostPartition", "Cut"} {
		if faultCount(x.w, name) == 0 {
			t.Errorf("no %s in %+v", name, x.w.Faults())
		}
	}
	if echoed != 50 {
		t.Errorf("%d echoes", echoed)
	}
}

func TestAHostListensAgainAfterACrash(t *testing.T) {
	x := newWorld(t, 23, netsim.Config{})
	var second string
	x.run(t, map[string]func(context.Context) error{
		"a-server": func(ctx context.Context) error {
			if _, err := x.server.Listen(ctx, ":7000"); err != nil {
				return err
			}
			if err := sim.Sleep(ctx, 10*time.Millisecond); err != nil {
				return err
			}
			x.server.Crash(netsim.CrashReset)
			var err error
			second, err = readOne(ctx, x.server, ":7000") // the rebooted process
			return err
		},
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			if err := sim.Sleep(ctx, 20*time.Millisecond); err != nil {
				return err
			}
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, netsim.ErrConnectionReset) {
				return errors.New("read across the crash: " + errString(err))
			}
			c, err = x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			c.Write([]byte("again"))
			return c.Close()
		},
	})
	if second != "again" {
		t.Fatalf("the second connection carried %q", second)
	}
}

func TestSlowNetworkFaultEndsWithHeal(t *testing.T) {
	slow := netsim.Latency{Min: 50 * time.Millisecond, Max: 50 * time.Millisecond}
	x := newWorld(t, 24, netsim.Config{Faults: netsim.Faults{Latency: slow}})
	var before, after time.Duration
	x.run(t, map[string]func(context.Context) error{
		"a-server": serve(x, echo),
		"b-client": func(ctx context.Context) error {
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			rt := func() time.Duration {
				start := x.w.Now()
				c.Write([]byte("x"))
				io.ReadFull(c, make([]byte, 1))
				return x.w.Now() - start
			}
			before = rt()
			x.n.Heal()
			after = rt()
			return c.Close()
		},
	})
	if before != 100*time.Millisecond || after > 2*time.Millisecond {
		t.Fatalf("round trips of %v with the slow network, %v healed", before, after)
	}
}
