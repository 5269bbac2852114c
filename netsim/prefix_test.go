package netsim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// TestStreamsStayPrefixesUnderChaos: under a swarm of faults that keep a
// stream's integrity (all but bit flips), what each side of a connection
// reads is always a prefix of what the other side wrote: faults delay a
// stream, cut it short or reset it, never reorder, repeat or skip its
// bytes. Both sides write and read at once, in random sizes, under two
// seconds of chaos; once it is healed, every task ends (no stuck stream).
func TestStreamsStayPrefixesUnderChaos(t *testing.T) {
	met := map[string]int{} // fault kind -> seeds that met it
	for seed := range uint64(40) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			f := intense(netsim.SwarmFaults(sim.NewRand(seed, 7)))
			x := newWorld(t, seed, netsim.Config{Faults: f})
			r := sim.NewRand(seed, 99)
			sent := [2][]byte{randomBytes(r, 200_000), randomBytes(r, 200_000)}
			var got [2]bytes.Buffer
			var ln net.Listener
			x.run(t, map[string]func(context.Context) error{
				"a-server": func(ctx context.Context) error {
					var err error
					if ln, err = x.server.Listen(ctx, ":7000"); err != nil {
						return err
					}
					c, err := ln.Accept()
					if err != nil {
						return nil // the dial failed: nothing to exchange
					}
					return duplex(ctx, r, c, sent[1], &got[0])
				},
				"b-client": func(ctx context.Context) error {
					c, err := x.client.Dial(ctx, "server:7000")
					if err != nil { // an injected connect failure
						return ln.Close()
					}
					return duplex(ctx, r, c, sent[0], &got[1])
				},
				"c-chaos": func(ctx context.Context) error {
					x.n.StartChaos(ctx)
					err := sim.Sleep(ctx, 2*time.Second)
					x.n.Heal() // what is left of the streams must flow now
					return err
				},
			})
			for _, f := range x.w.Faults() {
				met[f.Name]++
			}
			for i, what := range []string{"server", "client"} {
				if !bytes.HasPrefix(sent[i], got[i].Bytes()) {
					t.Errorf("the %s read %d bytes that are not a prefix of the %d sent to it", what, got[i].Len(), len(sent[i]))
				}
			}
		})
	}
	t.Logf("seeds per fault: %v", met)
	for _, kind := range []string{"Partition", "HostPartition", "Cut", "Clog", "ReadClog", "PartialWrite", "PartialRead", "RandomClose"} {
		if met[kind] == 0 {
			t.Errorf("no seed met a %s: the test lost its teeth (met: %v)", kind, met)
		}
	}
}

// duplex writes out to c in random sizes while a second task reads what
// c receives into got, until both directions are done: all written and
// closed for writing, and EOF or an error read. Errors of the connection
// (a reset, a random close) end it early; they are the faults at work.
func duplex(ctx context.Context, r *sim.Rand, c net.Conn, out []byte, got *bytes.Buffer) error {
	read := sim.Go(ctx, "reader", func(ctx context.Context) {
		buf := make([]byte, 70_000)
		for {
			n, err := c.Read(buf[:1+r.IntN(len(buf))])
			got.Write(buf[:n])
			if err != nil {
				return
			}
		}
	})
	for rest := out; len(rest) > 0; {
		k := min(len(rest), 1+r.IntN(20_000))
		n, err := c.Write(rest[:k])
		rest = rest[n:]
		if err != nil {
			break
		}
		if err := sim.Sleep(ctx, time.Duration(r.IntN(20))*time.Millisecond); err != nil {
			return err
		}
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	if err := read.Join(ctx); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return c.Close()
}

// intense turns a swarm draw's families up, so that a short exchange meets
// them: chaos every 10 ms, and the families drawn on at levels that strike
// a few times per connection. Bit flips are off: they corrupt, by design.
func intense(f netsim.Faults) netsim.Faults {
	up := func(p *float64, level float64) {
		if *p > 0 {
			*p = max(*p, level)
		}
	}
	f.ChaosInterval = 10 * time.Millisecond
	up(&f.PartitionP, 0.05)
	up(&f.HostPartitionP, 0.05)
	up(&f.CutP, 0.05)
	up(&f.RandomCloseP, 0.005)
	up(&f.PartialP, 0.1)
	f.RandomCloseCooldown = time.Millisecond
	f.BitFlipP = 0
	return f
}

func randomBytes(r *sim.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint64())
	}
	return b
}
