package netsim_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// Two hosts talk over a simulated TCP connection with ordinary Go code.
func Example() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{})
	client := n.AddHost("client", netip.MustParseAddr("10.0.0.1"))
	server := n.AddHost("server", netip.MustParseAddr("10.0.1.1"))
	w.Spawn("server", func(ctx context.Context) {
		l, _ := server.Listen(ctx, ":7000")
		c, _ := l.Accept()
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Fprintf(c, "echo %s", line)
		c.Close()
	})
	w.Spawn("client", func(ctx context.Context) {
		c, err := client.Dial(ctx, "server:7000")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Fprintln(c, "hello")
		reply, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Print(reply)
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output: echo hello
}

// A partition holds back a message until it heals; the reader sees the
// delay and nothing else.
func ExampleNetwork_Partition() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{Latency: netsim.Latency{Min: time.Millisecond, Max: time.Millisecond}})
	a := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	b := n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	w.Spawn("b", func(ctx context.Context) {
		l, _ := b.Listen(ctx, ":7000")
		c, _ := l.Accept()
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Printf("%q at %v\n", line, w.Now().Round(time.Millisecond))
	})
	w.Spawn("a", func(ctx context.Context) {
		c, err := a.Dial(ctx, "b:7000")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("connected at", w.Now().Round(time.Millisecond))
		n.Partition([]netip.Addr{a.Addr()}, []netip.Addr{b.Addr()}, netsim.BothWays, time.Second)
		fmt.Fprintln(c, "hello")
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// connected at 11ms
	// "hello\n" at 1.012s
}

// SwarmFaults draws a different mix for each seed; its String is the line
// to print with the seed.
func ExampleSwarmFaults() {
	f := netsim.SwarmFaults(sim.NewRand(3, 1))
	fmt.Println(f == netsim.SwarmFaults(sim.NewRand(3, 1)), f.Validate())
	fmt.Println(netsim.StandardFaults())
	// Output:
	// true <nil>
	// random-close=1e-05 random-close-rst=0.3 bit-flip=0.0001 partial=0.01 connect-fail=0.01
}

// talk sets up hosts a and b on n, with b accepting one connection from a,
// and runs client (on a) and server (on b) on it.
func talk(w *sim.World, n *netsim.Network, client, server func(ctx context.Context, c net.Conn)) {
	a := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	b := n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	w.Spawn("b", func(ctx context.Context) {
		l, _ := b.Listen(ctx, ":7000")
		c, err := l.Accept()
		if err != nil {
			fmt.Println(err)
			return
		}
		server(ctx, c)
	})
	w.Spawn("a", func(ctx context.Context) {
		c, err := a.Dial(ctx, "b:7000")
		if err != nil {
			fmt.Println(err)
			return
		}
		client(ctx, c)
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
}

// A clog holds back what one end writes for a while: the bytes arrive
// late, and intact.
func ExampleNetwork_Clog() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{})
	talk(w, n, func(ctx context.Context, c net.Conn) {
		n.Clog(c, 300*time.Millisecond)
		fmt.Fprintln(c, "late")
	}, func(ctx context.Context, c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Printf("%q after %v\n", line, w.Now().Round(100*time.Millisecond))
	})
	// Output: "late\n" after 300ms
}

// Kill aborts a connection as a reset would: the peer's next read fails
// with ECONNRESET, as package net reports it.
func ExampleNetwork_Kill() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{})
	talk(w, n, func(ctx context.Context, c net.Conn) {
		n.Kill(c, netsim.KillReset)
	}, func(ctx context.Context, c net.Conn) {
		_, err := c.Read(make([]byte, 1))
		fmt.Println(errors.Is(err, netsim.ErrConnectionReset), err.(*net.OpError).Op)
	})
	// Output: true read
}

// A crash that leaves connections half open: the survivor's writes still
// succeed, and its read fails only when HalfOpenError strikes, seconds
// later.
func ExampleHost_Crash() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{})
	talk(w, n, func(ctx context.Context, c net.Conn) {
		sim.Sleep(ctx, 10*time.Millisecond)
		_, werr := c.Write([]byte("anyone?"))
		_, rerr := c.Read(make([]byte, 1))
		fmt.Println(werr, errors.Is(rerr, netsim.ErrConnectionReset), w.Now() > time.Second)
	}, func(ctx context.Context, c net.Conn) {
		h, _ := n.Host("b")
		h.Crash(netsim.CrashHalfOpen)
	})
	// Output: <nil> true true
}

// A stable connection is exempt from chaos: a control link that the test
// needs to keep whatever the faults.
func ExampleStable() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{Faults: netsim.Faults{ClogP: 1, BitFlipP: 1}})
	talk(w, n, func(ctx context.Context, c net.Conn) {
		netsim.Stable(c)
		fmt.Fprintln(c, "intact")
	}, func(ctx context.Context, c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Printf("%q, %d faults\n", line, len(w.Faults()))
	})
	// Output: "intact\n", 0 faults
}

// Latencies come in three shapes; each prints its resolved parameters.
func ExampleLatency() {
	fmt.Println(netsim.Latency{})
	fmt.Println(netsim.Latency{Shape: netsim.Exponential, Max: 20 * time.Millisecond})
	fmt.Println(netsim.Latency{Shape: netsim.Bimodal, SlowP: 0.01})
	// Output:
	// uniform(100µs-600µs)
	// exponential(0s-20ms mean=5ms)
	// bimodal(100µs-600µs slow=0.01:10ms-100ms)
}

// Validate names what is wrong with a configuration.
func ExampleConfig_Validate() {
	fmt.Println(netsim.Config{}.Validate())
	fmt.Println(netsim.Config{AcceptMin: 5 * time.Millisecond, AcceptMax: time.Millisecond}.Validate())
	// Output:
	// <nil>
	// netsim: accept latency 5ms-1ms: negative, or max below min
}

// A host whose clock runs 25% fast times a read out early in true time: its
// deadline is a time of its own clock.
func ExampleHost_SetClock() {
	w := sim.New(sim.Config{Seed: 1})
	n := netsim.New(w, netsim.Config{})
	client := n.AddHost("client", netip.MustParseAddr("10.0.0.1"))
	server := n.AddHost("server", netip.MustParseAddr("10.0.1.1"))
	clock := sim.NewHostClock(w, "client", time.Hour, 250_000) // an hour ahead, 25% fast
	client.SetClock(clock)
	w.Spawn("server", func(ctx context.Context) {
		l, _ := server.Listen(ctx, ":7000")
		c, _ := l.Accept()
		sim.Sleep(ctx, 5*time.Second) // says nothing
		c.Close()
	})
	w.Spawn("client", func(ctx context.Context) {
		c, _ := client.Dial(ctx, "server:7000")
		start := w.Now()
		c.SetReadDeadline(clock.Now().Add(time.Second))
		_, err := c.Read(make([]byte, 1))
		fmt.Println(errors.Is(err, os.ErrDeadlineExceeded), "after", w.Now()-start, "of true time")
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output: true after 800ms of true time
}
