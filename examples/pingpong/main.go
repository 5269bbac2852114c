package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/orrerysim/orrery/sim"
)

func main() {
	seed := flag.Uint64("seed", 1, "the seed to run")
	pings := flag.Int("pings", 3, "how many pings the client must get answered")
	tracePath := flag.String("trace", "", "also write the trace as JSON Lines to this file")
	flag.Parse()
	filter := os.Getenv("ORRERY_LOG")
	if filter == "" {
		filter = "trace"
	}
	var jsonl io.Writer
	if *tracePath != "" {
		f, err := os.Create(*tracePath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pingpong:", err)
			os.Exit(2)
		}
		defer f.Close()
		jsonl = f
	}
	if _, err := run(*seed, *pings, os.Stdout, filter, jsonl); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)

	}
}

// run simulates one seed, writing its trace to out, and returns the trace
// hash.
func run(seed uint64, pings int, out io.Writer, filter string, jsonl io.Writer) (uint64, error) {
	return runTimeline(seed, nil, pings, out, filter, jsonl)
}

// runTimeline is run on the timeline tl (see sim.Timeline).
func runTimeline(seed uint64, tl sim.Timeline, pings int, out io.Writer, filter string, jsonl io.Writer) (uint64, error) {
	w := sim.New(sim.Config{Seed: seed, Name: "pingpong", Log: out, LogFilter: filter, Trace: jsonl})
	if err := w.SetTimeline(tl); err != nil {
		return 0, err
	}
	requests := sim.NewChan[int](0)
	replies := sim.NewChan[int](1)
	w.SpawnDaemon("server", func(ctx context.Context) { serve(ctx, w, requests, replies) })
	w.Spawn("client", func(ctx context.Context) { ping(ctx, pings, requests, replies) })
	err := w.Run()
	fmt.Fprintf(out, "seed %#x: t=%v events=%d rng=%d hash=%#x\n", seed, w.Now(), w.Seq(), w.RNGCalls(), w.TraceHash())
	return w.TraceHash(), err
}

// serve answers each ping after a delay of 1 to 300 ms.
func serve(ctx context.Context, w *sim.World, requests, replies *sim.Chan[int]) {
	for {
		n, ok, err := requests.Recv(ctx)
		if err != nil || !ok {
			return
		}
		if sim.Sleep(ctx, w.Rand().Duration(time.Millisecond, 300*time.Millisecond)) != nil {
			return
		}
		replies.TrySend(n)
	}
}

// ping sends until it has pings answers, waiting at most 200 ms for each.
func ping(ctx context.Context, pings int, requests, replies *sim.Chan[int]) {
	log := sim.Logger(ctx)
	for n := 0; n < pings; {
		if err := requests.Send(ctx, n); err != nil {
			return
		}
		var got int
		i, err := sim.Select(ctx, replies.RecvCase(&got), sim.After(ctx, 200*time.Millisecond).RecvCase(nil))
		switch {
		case err != nil:
			return
		case i == 0 && got == n:
			log.Info("pong", "n", n)
			n++
		case i == 0:
			log.Info("stale pong", "n", got, "want", n)
		default:
			log.Warn("timeout, retrying", "n", n)
		}
	}
}
