package netsim_test

import (
	"context"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// exchange is a short conversation: a dial, a request, a response, a close.
func exchange(x *world) map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"a-server": serve(x, func(ctx context.Context, c net.Conn) error {
			buf := make([]byte, 64)
			if _, err := io.ReadFull(c, buf); err != nil {
				return err
			}
			if _, err := c.Write(buf); err != nil {
				return err
			}
			return c.Close()
		}),
		"b-client": func(ctx context.Context) error {
			if err := sim.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			c, err := x.client.Dial(ctx, "server:7000")
			if err != nil {
				return err
			}
			if _, err := c.Write(make([]byte, 64)); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, make([]byte, 64)); err != nil {
				return err
			}
			return c.Close()
		},
	}
}

func TestTraceLinesGolden(t *testing.T) {
	x := newWorld(t, 42, netsim.Config{})
	x.w = sim.New(sim.Config{Seed: 42, Log: &x.log, LogFilter: "trace"})
	x.n = netsim.New(x.w, netsim.Config{})
	x.client = x.n.AddHost("client", mustAddr("10.0.0.1"))
	x.server = x.n.AddHost("server", mustAddr("10.0.1.1"))
	x.run(t, exchange(x))
	golden(t, "exchange.trace", x.log.String())
	for _, want := range []string{
		"Connection{conn=2 ConnectionReady \"client->server\" 10.0.0.1:",
		"Network{conn=2 DataDelivery bytes=64 10.0.0.1:",
		"Network{conn=2 FinDelivery 10.0.1.1:7000->10.0.0.1:",
		"Connection{id=1 BindComplete \"server\" 10.0.1.1:7000}",
	} {
		if !strings.Contains(x.log.String(), want) {
			t.Errorf("trace lacks %q", want)
		}
	}
}

func TestSameSeedSameTrace(t *testing.T) {
	for seed := range uint64(10) {
		var hashes [2]uint64
		for i := range hashes {
			cfg := netsim.Config{Faults: netsim.SwarmFaults(sim.NewRand(seed, 7))}
			x := newWorld(t, seed, cfg)
			x.run(t, exchange(x))
			hashes[i] = x.w.TraceHash()
		}
		if hashes[0] != hashes[1] {
			t.Fatalf("seed %d: trace hashes %x and %x", seed, hashes[0], hashes[1])
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
	}
}
