package orrery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// pauseSeen is what the processes of pauseNet saw, in true time (their
// clocks are not skewed).
type pauseSeen struct {
	read     []time.Duration // when srv read each chunk
	data     string          // what srv read
	echoes   []time.Duration // when the client got each echo from peer
	srvTicks []time.Duration // when srv's ticker task woke
}

// pauseNet has a server srv that reads a connection and ticks every
// 100 ms, an echo server peer, and a client that, 1 s in, pauses srv for
// 2 s, writes to srv during the pause and pings peer.
func pauseNet(seen *pauseSeen) orrery.Simulation {
	echo := func(e env.Env) error {
		l, err := e.Net().Listen(e.Context(), ":7000")
		if err != nil {
			return err
		}
		for {
			c, err := l.Accept()
			if err != nil {
				return err
			}
			e.Go("echo", func(ctx context.Context) { io.Copy(c, c) })
		}
	}
	return orrery.Simulation{
		Name: "pause-net",
		Processes: []orrery.Process{
			{Name: "srv", Main: func(e env.Env) error {
				e.Go("ticker", func(ctx context.Context) {
					for e.Clock().Sleep(ctx, 100*time.Millisecond) == nil {
						seen.srvTicks = append(seen.srvTicks, e.Clock().Monotonic())
					}
				})
				l, err := e.Net().Listen(e.Context(), ":7000")
				if err != nil {
					return err
				}
				c, err := l.Accept()
				if err != nil {
					return err
				}
				buf := make([]byte, 64)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return nil
					}
					seen.read = append(seen.read, e.Clock().Monotonic())
					seen.data += string(buf[:n])
				}
			}},
			{Name: "peer", Main: echo},
		},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return pauseClient(e, seen) }}
		}}},
	}
}

func pauseClient(e env.Env, seen *pauseSeen) error {
	ctx := e.Context()
	srv, err := e.Net().Dial(ctx, "srv:7000")
	if err != nil {
		return err
	}
	peer, err := e.Net().Dial(ctx, "peer:7000")
	if err != nil {
		return err
	}
	if err := e.Clock().Sleep(ctx, time.Second-e.Clock().Monotonic()); err != nil {
		return err
	}
	if err := orrery.Pause(ctx, "srv", 2*time.Second); err != nil {
		return err
	}
	if _, err := srv.Write([]byte("hello, paused")); err != nil {
		return err
	}
	buf := make([]byte, 4)
	for range 5 { // the network and peer go on
		if _, err := peer.Write([]byte("ping")); err != nil {
			return err
		}
		if _, err := io.ReadFull(peer, buf); err != nil {
			return err
		}
		seen.echoes = append(seen.echoes, e.Clock().Monotonic())
	}
	if err := e.Clock().Sleep(ctx, 3*time.Second); err != nil {
		return err
	}
	return srv.Close()
}

func TestPauseHoldsTheHostNotTheNetwork(t *testing.T) {
	var seen pauseSeen
	rep, err := orrery.Run(pauseNet(&seen), orrery.Options{Replay: []uint64{1}})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	const start, end = time.Second, 3 * time.Second
	if len(seen.read) == 0 || seen.read[0] != end || seen.data != "hello, paused" {
		t.Errorf("srv read %q at %v, want %q at the resume, %v", seen.data, seen.read, "hello, paused", end)
	}
	if len(seen.echoes) != 5 || seen.echoes[4] >= end {
		t.Errorf("echoes from peer at %v, want 5 during srv's pause", seen.echoes)
	}
	for _, at := range seen.srvTicks {
		if at > start && at < end {
			t.Errorf("srv's ticker woke at %v, inside its pause [%v, %v]", at, start, end)
		}
	}
	if got := countFaults(rep)["Pause"]; got != 1 {
		t.Errorf("report counts %d Pause faults, want 1 (faults %v)", got, rep.Faults)
	}
}

func countFaults(rep *orrery.Report) map[string]int {
	got := map[string]int{}
	for _, f := range rep.Faults {
		got[f.Name] = f.Count
	}
	return got
}

func TestPauseErrors(t *testing.T) {
	var errs []error
	s := pauseNet(new(pauseSeen))
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			ctx := e.Context()
			errs = append(errs,
				orrery.Pause(ctx, "nobody", time.Second),
				orrery.Pause(ctx, "srv", 0),
				orrery.Pause(ctx, "srv", time.Second),
				orrery.Pause(ctx, "srv", time.Second),
				orrery.Reboot(ctx, "peer", orrery.Crash),
				orrery.Pause(ctx, "peer", time.Second),
				orrery.Pause(context.Background(), "srv", time.Second))
			return nil
		}}
	}
	if _, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"no such host", "must be positive", "", "paused already", "", "already down", "not in a simulation"} {
		if got := fmt.Sprint(errs[i]); (want == "") != (errs[i] == nil) || !strings.Contains(got, want) {
			t.Errorf("call %d: error %v, want %q", i, errs[i], want)
		}
	}
	if !errors.Is(errs[3], sim.ErrPaused) || !errors.Is(errs[5], orrery.ErrDown) {
		t.Errorf("errors %v and %v: want sim.ErrPaused and orrery.ErrDown", errs[3], errs[5])
	}
}

// TestRebootDuringPause crashes or shuts down a paused process: the kill
// ends its pause, and it boots again and serves, long before the pause
// would have ended.
func TestRebootDuringPause(t *testing.T) {
	for _, kind := range []orrery.RebootKind{orrery.Crash, orrery.Graceful} {
		t.Run(kind.String(), func(t *testing.T) {
			s := pauseNet(new(pauseSeen))
			var servedAt time.Duration
			s.Workloads[0].New = func() orrery.Driver {
				return orrery.Funcs{RunFunc: func(e env.Env) error {
					ctx := e.Context()
					if err := orrery.Pause(ctx, "peer", time.Minute); err != nil {
						return err
					}
					if err := orrery.Reboot(ctx, "peer", kind); err != nil {
						return err
					}
					for _, up := range []bool{false, true} { // down (after its grace period), then up again
						for h, _ := orrery.Lookup(ctx, "peer"); h.Up != up; h, _ = orrery.Lookup(ctx, "peer") {
							if err := e.Clock().Sleep(ctx, 100*time.Millisecond); err != nil {
								return err
							}
						}
					}
					c, err := e.Net().Dial(ctx, "peer:7000")
					if err != nil {
						return err
					}
					if _, err := c.Write([]byte("ping")); err != nil {
						return err
					}
					_, err = io.ReadFull(c, make([]byte, 4))
					servedAt = e.Clock().Monotonic()
					return err
				}}
			}
			// One seed at a time: the seeds share servedAt and pauseNet's
			// record of what it saw.
			rep, err := orrery.Run(s, orrery.Options{Seeds: 20, Parallel: 1, CheckDeterminism: true})
			if err != nil || !rep.OK() {
				t.Fatalf("run: %v %+v", err, rep.Failures)
			}
			if servedAt >= time.Minute {
				t.Errorf("the rebooted process served at %v: its pause outlived the kill", servedAt)
			}
			if got := countFaults(rep); got["Pause"] != 20 || got["Resume"] != 20 {
				t.Errorf("faults %v: want a Pause and a Resume per seed", rep.Faults)
			}
		})
	}
}

func TestSameSeedSameTraceWithPauses(t *testing.T) {
	s := stalePauseLeases(chaos.Pauses{P: 0.3, Min: 20 * time.Millisecond, Max: 2 * time.Second}, false)
	for _, seed := range []uint64{1, 2, 0xdeadbeef} {
		var a, b strings.Builder
		opts := orrery.Options{Replay: []uint64{seed}}
		opts.Trace = &a
		if _, err := orrery.Run(s, opts); err != nil {
			t.Fatal(err)
		}
		opts.Trace = &b
		if _, err := orrery.Run(s, opts); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() || !strings.Contains(a.String(), `"op":"Pause"`) {
			t.Fatalf("seed %#x: two runs wrote different traces (%d and %d bytes), or no Pause", seed, a.Len(), b.Len())
		}
	}
}

func ExamplePause() {
	sim := orrery.Simulation{
		Name: "pause-example",
		Processes: []orrery.Process{{Name: "srv", Main: func(e env.Env) error {
			for {
				before := e.Clock().Monotonic()
				if err := e.Clock().Sleep(e.Context(), 100*time.Millisecond); err != nil {
					return nil
				}
				if slept := e.Clock().Monotonic() - before; slept > time.Second {
					fmt.Println("srv slept", slept, "for 100ms")
				}
			}
		}}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				e.Clock().Sleep(e.Context(), 250*time.Millisecond)
				if err := orrery.Pause(e.Context(), "srv", 3*time.Second); err != nil {
					return err
				}
				return e.Clock().Sleep(e.Context(), 5*time.Second)
			}}
		}}},
	}
	rep, _ := orrery.Run(sim, orrery.Options{Replay: []uint64{1}})
	fmt.Println("ok:", rep.OK())
	// Output:
	// srv slept 3.05s for 100ms
	// ok: true
}
