package netsim_test

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
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
		n.Partition([]netip.Addr{a.Addr()}, []netip.Addr{b.Addr()}, false, time.Second)
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
