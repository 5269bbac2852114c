package sim_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/orrerysim/orrery/internal/cputime"
	"github.com/orrerysim/orrery/sim"
)

// timerWake runs 100 tasks that sleep random durations until n timer events
// have been processed.
func timerWake(b *testing.B, cfg sim.Config, n int) {
	w := sim.New(cfg)
	left := n
	for i := range 100 {
		w.Spawn(fmt.Sprintf("sleeper-%d", i), func(ctx context.Context) {
			r := w.Rand()
			for left > 0 {
				left--
				sim.Sleep(ctx, r.Duration(time.Microsecond, time.Millisecond))
			}
		})
	}
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTimerWake measures the engine's core loop: pop a timer event,
// wake its task, let it draw a duration and sleep again. One op is one event.
func BenchmarkTimerWake(b *testing.B) {
	cases := []struct {
		name string
		cfg  sim.Config
	}{
		{"trace=off", sim.Config{Seed: 1}},
		{"trace=jsonl", sim.Config{Seed: 1, Trace: io.Discard}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			timerWake(b, c.cfg, b.N)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// BenchmarkSpawn measures spawning a task and running it to completion.
func BenchmarkSpawn(b *testing.B) {
	b.ReportAllocs()
	w := sim.New(sim.Config{LivelockPolls: math.MaxInt})
	noop := func(context.Context) {}
	w.Spawn("spawner", func(ctx context.Context) {
		for range b.N {
			sim.Go(ctx, "child", noop)
			sim.Yield(ctx)
		}
	})
	b.ResetTimer()
	cpu0 := cputime.Process()
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	reportCPU(b, cputime.Process()-cpu0, "cpu-ns/spawn")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/spawn")
}

// reportCPU reports the CPU time the process used per op, when known: on a
// shared machine it moves less than the wall clock, and the ratio of two
// benchmarks' figures is that of the work they did.
func reportCPU(b *testing.B, cpu time.Duration, unit string) {
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), unit)
	}
}

// relay is an event that schedules itself again until left runs out.
type relay struct {
	w    *sim.World
	left int
}

func (r *relay) HandleEvent(*sim.Event) {
	if r.left--; r.left > 0 {
		r.w.Schedule(time.Microsecond, sim.OpDataDelivery, 1, 64, r)
	}
}

func (r *relay) DescribeEvent(*sim.Event) (string, string) { return "relay", "" }

// BenchmarkEvent measures one event alone, with no task: scheduled,
// queued, popped, hashed and handled. One op is one event.
func BenchmarkEvent(b *testing.B) {
	w := sim.New(sim.Config{Seed: 1, MaxTime: math.MaxInt64})
	w.Schedule(time.Microsecond, sim.OpDataDelivery, 1, 64, &relay{w: w, left: b.N})
	b.ResetTimer()
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// mailslot is a count of messages and the task that waits for one.
type mailslot struct {
	n       int
	waiting sim.WaitQueue
}

func (m *mailslot) post() {
	m.n++
	m.waiting.WakeAll()
}

func (m *mailslot) take(w *sim.World) {
	for m.n == 0 {
		m.waiting.WaitTask(w.Current(), "mailslot")
	}
	m.n--
}

// BenchmarkHandoff measures handing control from one task to another and
// back, with no event and no logical time passing: two wakes, two waits
// and one pair of coroutine switches. One op is one round trip. It is the
// floor under every exchange between tasks (netsim's BenchmarkPingPong
// adds four events and the connection's work to it).
func BenchmarkHandoff(b *testing.B) {
	w := sim.New(sim.Config{Seed: 1, MaxTime: math.MaxInt64, LivelockPolls: math.MaxInt})
	var ping, pong mailslot
	w.Spawn("server", func(ctx context.Context) {
		for range b.N {
			ping.take(w)
			pong.post()
		}
	})
	w.Spawn("client", func(ctx context.Context) {
		b.ResetTimer()
		for range b.N {
			ping.post()
			pong.take(w)
		}
		b.StopTimer()
	})
	if err := w.Run(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
}

// TestHundredThousandParkedTasks parks 100,000 tasks at once and reports the
// memory they hold (budget: 1 GiB).
func TestHundredThousandParkedTasks(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("100,000 goroutines: not under -race or -short")
	}
	const n = 100_000
	var before, during runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := sim.New(sim.Config{})
	gate := sim.NewChan[int](0)
	for i := range n {
		w.Spawn("parked", func(ctx context.Context) { gate.Recv(ctx) })
		_ = i
	}
	w.Spawn("measure", func(ctx context.Context) {
		sim.Sleep(ctx, time.Second) // every other task is parked by now
		runtime.GC()
		runtime.ReadMemStats(&during)
		gate.Close()
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	used := (during.HeapInuse + during.StackInuse) - (before.HeapInuse + before.StackInuse)
	t.Logf("%d parked tasks hold %.1f MiB (%.0f bytes each)", n, float64(used)/(1<<20), float64(used)/n)
	if used > 1<<30 {
		t.Errorf("%d parked tasks hold %d bytes, over the 1 GiB budget", n, used)
	}
}

// BenchmarkMutex measures a Mutex: uncontended, Lock and Unlock by one task
// (the fast path every critical section pays), and contended, two tasks
// taking turns with a Yield inside the critical section, so that every
// Lock waits and every Unlock hands the lock over. One op is one Lock and
// Unlock.
func BenchmarkMutex(b *testing.B) {
	b.Run("uncontended", func(b *testing.B) {
		w := sim.New(sim.Config{Seed: 1})
		var mu sim.Mutex
		w.Spawn("locker", func(ctx context.Context) {
			b.ResetTimer()
			for range b.N {
				mu.Lock(ctx)
				mu.Unlock()
			}
			b.StopTimer()
		})
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("contended", func(b *testing.B) {
		w := sim.New(sim.Config{Seed: 1, LivelockPolls: math.MaxInt})
		var mu sim.Mutex
		for i := range 2 {
			w.Spawn(fmt.Sprintf("locker-%d", i), func(ctx context.Context) {
				for range b.N / 2 {
					mu.Lock(ctx)
					sim.Yield(ctx)
					mu.Unlock()
				}
			})
		}
		b.ResetTimer()
		if err := w.Run(); err != nil {
			b.Fatal(err)
		}
	})
}
