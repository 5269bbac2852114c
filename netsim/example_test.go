package netsim_test

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"

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
