package sim_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// A producer and a consumer exchange values over a channel while the
// producer sleeps in logical time. The run takes no real time to speak of.
func Example() {
	w := sim.New(sim.Config{Seed: 42})
	ch := sim.NewChan[int](0)
	w.Spawn("producer", func(ctx context.Context) {
		for i := range 3 {
			if err := sim.Sleep(ctx, time.Second); err != nil {
				return
			}
			ch.Send(ctx, i)
		}
		ch.Close()
	})
	w.Spawn("consumer", func(ctx context.Context) {
		for {
			v, ok, err := ch.Recv(ctx)
			if err != nil || !ok {
				return
			}
			fmt.Printf("t=%v got %d\n", w.Now(), v)
		}
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// t=1s got 0
	// t=2s got 1
	// t=3s got 2
}

// With a text trace, every processed event is one line, stamped with the
// logical time, its seq and the RNG call count.
func Example_trace() {
	w := sim.New(sim.Config{Seed: 7, Log: os.Stdout, LogFilter: "trace"})
	w.Spawn("sleeper", func(ctx context.Context) {
		sim.Sleep(ctx, 250*time.Millisecond)
		sim.Logger(ctx).Info("awake", "after", "250ms")
	})
	w.Run()
	// Output:
	// t=0.000000s seq=0 rng=0 Start{} seed=0x7
	// t=0.250000s seq=1 rng=0 Timer{task=1 "sleeper"} cause=0
	// t=0.250000s seq=1 rng=0 INFO [sleeper#1] awake after=250ms
	// t=0.250000s seq=2 rng=0 Shutdown{} cause=1
	// t=0.250000s seq=2 rng=1 End{} unseed=0x282085f6feca5bf4
}

// Select waits for whichever case is ready first; here a reply that comes too
// late loses to a timeout drawn in logical time.
func ExampleSelect() {
	w := sim.New(sim.Config{})
	replies := sim.NewChan[string](1)
	w.Spawn("server", func(ctx context.Context) {
		sim.Sleep(ctx, 3*time.Second)
		replies.TrySend("late reply")
	})
	w.Spawn("client", func(ctx context.Context) {
		var reply string
		i, _ := sim.Select(ctx, replies.RecvCase(&reply), sim.After(ctx, time.Second).RecvCase(nil))
		fmt.Println("case", i, "at", w.Now())
	})
	w.Run()
	// Output: case 1 at 1s
}

// WithTimeout gives a context that expires in logical time, so a blocked call
// returns context.DeadlineExceeded without any real waiting.
func ExampleWithTimeout() {
	w := sim.New(sim.Config{})
	never := sim.NewChan[int](0)
	w.Spawn("waiter", func(ctx context.Context) {
		ctx, cancel := sim.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		_, _, err := never.Recv(ctx)
		fmt.Println(err, "at", w.Now())
	})
	w.Run()
	// Output: context deadline exceeded at 500ms
}

// Step processes one event at a time, for tests that want to look at the
// state between events.
func ExampleWorld_Step() {
	w := sim.New(sim.Config{})
	w.Spawn("ticker", func(ctx context.Context) {
		for range 2 {
			sim.Sleep(ctx, time.Second)
		}
	})
	for w.Step() == nil {
		fmt.Println("now", w.Now(), "seq", w.Seq())
	}
	// Output:
	// now 0s seq 0
	// now 1s seq 1
	// now 2s seq 2
}

// A failed run returns a *Failure that says what happened, where, and which
// seed replays it.
func ExampleFailure() {
	w := sim.New(sim.Config{Seed: 0x2a})
	ch := sim.NewChan[int](0)
	w.Spawn("reader", func(ctx context.Context) { ch.Recv(ctx) })
	err := w.Run()
	fmt.Println(err.(*sim.Failure).Report())
	// Output:
	// deadlock at t=0.000000s seq=0 rng=0: no event queued and no task runnable, but 1 non-daemon tasks have not returned (seed 0x2a)
	//   task 1 "reader" waiting on chan recv at sim/example_test.go:117
	// replay: sim.New(sim.Config{Seed: 0x2a}) and run the same simulation
}

// Mutex serializes tasks in logical time; Unlock hands the lock to the
// longest waiter.
func ExampleMutex() {
	w := sim.New(sim.Config{})
	var mu sim.Mutex
	for _, name := range []string{"a", "b"} {
		w.Spawn(name, func(ctx context.Context) {
			mu.Lock(ctx)
			defer mu.Unlock()
			sim.Sleep(ctx, time.Second)
		})
	}
	w.Run()
	fmt.Println("both done at", w.Now())
	// Output: both done at 2s
}

// mailbox is a simulated device: a message put in arrives after 5 ms, by
// an event, and wakes the tasks waiting for it.
type mailbox struct {
	w       *sim.World
	waiting sim.WaitQueue
	arrived []string
	sent    []string
}

func (m *mailbox) put(msg string) {
	m.sent = append(m.sent, msg)
	m.w.Schedule(5*time.Millisecond, sim.OpDataDelivery, 1, int64(len(msg)), m)
}

func (m *mailbox) HandleEvent(*sim.Event) {
	m.arrived = append(m.arrived, m.sent[0])
	m.sent = m.sent[1:]
	m.waiting.WakeAll()
}

func (m *mailbox) DescribeEvent(ev *sim.Event) (string, string) {
	return "mailbox", fmt.Sprintf("bytes=%d", ev.Arg)
}

// take waits for a message. A device that has the running task at hand
// waits with WaitTask, one frame shallower than Wait(ctx, ...).
func (m *mailbox) take() (string, error) {
	for len(m.arrived) == 0 {
		if err := m.waiting.WaitTask(m.w.Current(), "mailbox"); err != nil {
			return "", err
		}
	}
	msg := m.arrived[0]
	m.arrived = m.arrived[1:]
	return msg, nil
}

// A WaitQueue is how a simulated device parks the tasks that wait on it
// until one of its events wakes them.
func ExampleWaitQueue() {
	w := sim.New(sim.Config{})
	box := &mailbox{w: w}
	w.Spawn("reader", func(ctx context.Context) {
		for range 2 {
			msg, err := box.take()
			fmt.Println(w.Now(), msg, err)
		}
	})
	w.Spawn("writer", func(ctx context.Context) {
		box.put("hello")
		sim.Sleep(ctx, time.Second)
		box.put("again")
	})
	w.Run()
	// Output:
	// 5ms hello <nil>
	// 1.005s again <nil>
}

// Wait gives up when the context is done first.
func ExampleWaitQueue_Wait() {
	w := sim.New(sim.Config{})
	var q sim.WaitQueue
	w.Spawn("waiter", func(ctx context.Context) {
		ctx, cancel := sim.WithTimeout(ctx, time.Second)
		defer cancel()
		err := q.Wait(ctx, "nobody")
		fmt.Println(w.Now(), err)
	})
	w.Run()
	// Output: 1s context deadline exceeded
}

// A host paused for 2 s: its task, sleeping 1 s, wakes at the resume, and
// its clock, which kept running, shows the jump.
func ExampleHost_Pause() {
	w := sim.New(sim.Config{Seed: 1})
	clock := sim.NewHostClock(w, "db", 0, 0)
	db := sim.NewHost(w, "db", clock)
	w.Spawn("db/main", func(ctx context.Context) {
		before := clock.Mono()
		db.Pause(2 * time.Second) // takes effect when the task next blocks
		clock.Sleep(ctx, time.Second)
		fmt.Println("slept", clock.Mono()-before, "for 1s")
	}).SetHost(db)
	w.Run()
	// Output: slept 2s for 1s
}
