package sim_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// The helpers below are shared by the tests of the blocking primitives
// (chan, select, sync, timer and ctx tests).

// runSeed runs the simulation that setup builds with the given seed and
// fails the test if the run fails. It returns the finished World, whose Now
// is the time the run ended.
func runSeed(t *testing.T, seed uint64, setup func(w *sim.World)) *sim.World {
	t.Helper()
	w := sim.New(sim.Config{Seed: seed})
	setup(w)
	if err := w.Run(); err != nil {
		var f *sim.Failure
		if errors.As(err, &f) {
			t.Fatalf("seed %d: %s", seed, f.Report())
		}
		t.Fatalf("seed %d: %v", seed, err)
	}
	return w
}

// wantFailure runs the simulation that setup builds and checks that it
// fails with kind, naming the task and a message that contains msg.
func wantFailure(t *testing.T, setup func(w *sim.World), kind sim.FailureKind, task, msg string) {
	t.Helper()
	w := sim.New(sim.Config{Seed: 1})
	setup(w)
	err := w.Run()
	var f *sim.Failure
	if !errors.As(err, &f) {
		t.Fatalf("Run = %v, want a %v failure", err, kind)
	}
	if f.Kind != kind || f.TaskName != task || !strings.Contains(f.Message, msg) {
		t.Errorf("failure %v in task %q: %q; want %v in task %q with a message containing %q",
			f.Kind, f.TaskName, f.Message, kind, task, msg)
	}
}

// sameTraceTwice runs setup twice for each of a few seeds and checks that a
// seed always gives the same trace hash, and that the seeds do not all give
// the same one (the seed drives the schedule).
func sameTraceTwice(t *testing.T, setup func(w *sim.World)) {
	t.Helper()
	distinct := map[uint64]bool{}
	for seed := range uint64(8) {
		first := runSeed(t, seed, setup)
		again := runSeed(t, seed, setup)
		if first.TraceHash() != again.TraceHash() {
			t.Errorf("seed %d: trace hash %#x then %#x", seed, first.TraceHash(), again.TraceHash())
		}
		distinct[first.TraceHash()] = true
	}
	if len(distinct) < 2 {
		t.Errorf("8 seeds gave %d distinct trace hashes: the seed does not drive the schedule", len(distinct))
	}
}

// wantPanic calls f and checks that it panics with a message containing msg.
func wantPanic(t *testing.T, msg string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), msg) {
			t.Errorf("panic %v, want one containing %q", p, msg)
		}
	}()
	f()
}

// testSeeds lists the seeds the schedule-dependent tests try.
var testSeeds = []uint64{0, 1, 2, 3, 42, 0xdeadbeef}

func TestChanUnbufferedHandoff(t *testing.T) {
	tests := []struct {
		name              string
		sendAt, recvAt    time.Duration
		wantSent, wantGot time.Duration // when Send and Recv return
	}{
		{"sender waits for the receiver", 0, time.Second, time.Second, time.Second},
		{"receiver waits for the sender", 2 * time.Second, 0, 2 * time.Second, 2 * time.Second},
		{"both at once", time.Second, time.Second, time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, seed := range testSeeds {
				var sent, got time.Duration
				var v int
				runSeed(t, seed, func(w *sim.World) {
					ch := sim.NewChan[int](0)
					w.Spawn("sender", func(ctx context.Context) {
						sim.Sleep(ctx, tt.sendAt)
						if err := ch.Send(ctx, 7); err != nil {
							t.Errorf("Send: %v", err)
						}
						sent = w.Now()
					})
					w.Spawn("receiver", func(ctx context.Context) {
						sim.Sleep(ctx, tt.recvAt)
						var ok bool
						var err error
						if v, ok, err = ch.Recv(ctx); !ok || err != nil {
							t.Errorf("Recv = %v, %v, %v", v, ok, err)
						}
						got = w.Now()
					})
				})
				if v != 7 || sent != tt.wantSent || got != tt.wantGot {
					t.Errorf("seed %d: got %d; Send returned at %v, Recv at %v; want 7 at %v and %v",
						seed, v, sent, got, tt.wantSent, tt.wantGot)
				}
			}
		})
	}
}

func TestChanBufferedLenCap(t *testing.T) {
	ch := sim.NewChan[string](3)
	if ch.Len() != 0 || ch.Cap() != 3 {
		t.Fatalf("new channel: Len %d Cap %d, want 0 and 3", ch.Len(), ch.Cap())
	}
	for i, v := range []string{"a", "b", "c"} {
		if !ch.TrySend(v) || ch.Len() != i+1 {
			t.Fatalf("TrySend(%q) into %d of 3: Len %d", v, i, ch.Len())
		}
	}
	if ch.TrySend("d") {
		t.Fatal("TrySend into a full channel succeeded")
	}
	var blockedUntil time.Duration
	runSeed(t, 1, func(w *sim.World) {
		w.Spawn("sender", func(ctx context.Context) {
			ch.Send(ctx, "d") // the buffer is full: waits for room
			blockedUntil = w.Now()
		})
		w.Spawn("receiver", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			// The waiting sender's value moves into the first freed slot.
			for i, wantLen := range []int{3, 2, 1, 0} {
				v, _, _ := ch.Recv(ctx)
				if want := string(rune('a' + i)); v != want || ch.Len() != wantLen {
					t.Errorf("receive %d = %q leaving Len %d, want %q leaving %d", i, v, ch.Len(), want, wantLen)
				}
			}
		})
	})
	if blockedUntil != time.Second {
		t.Errorf("Send into a full buffer returned at %v, want 1s when room was made", blockedUntil)
	}
	if ch.Len() != 0 || ch.Cap() != 3 {
		t.Errorf("drained channel: Len %d Cap %d, want 0 and 3", ch.Len(), ch.Cap())
	}
	if u := sim.NewChan[int](0); u.Len() != 0 || u.Cap() != 0 {
		t.Errorf("unbuffered channel: Len %d Cap %d, want 0 and 0", u.Len(), u.Cap())
	}
	wantPanic(t, "negative capacity", func() { sim.NewChan[int](-1) })
}

func TestChanFIFO(t *testing.T) {
	const n = 6
	tests := []struct {
		name  string
		setup func(w *sim.World, got *[]int)
	}{
		{"values through a small buffer", func(w *sim.World, got *[]int) {
			ch := sim.NewChan[int](2)
			w.Spawn("producer", func(ctx context.Context) {
				for i := range n {
					ch.Send(ctx, i)
				}
				ch.Close()
			})
			w.Spawn("consumer", func(ctx context.Context) {
				for {
					sim.Sleep(ctx, time.Millisecond)
					v, ok, _ := ch.Recv(ctx)
					if !ok {
						return
					}
					*got = append(*got, v)
				}
			})
		}},
		{"waiting senders, unbuffered", func(w *sim.World, got *[]int) {
			waitingSenders(w, sim.NewChan[int](0), n, got)
		}},
		{"waiting senders behind a buffer", func(w *sim.World, got *[]int) {
			waitingSenders(w, sim.NewChan[int](2), n, got)
		}},
		{"waiting receivers", func(w *sim.World, got *[]int) {
			ch := sim.NewChan[int](0)
			*got = make([]int, n)
			for i := range n {
				// Receiver i arrives i ms in and must get the i-th value.
				w.Spawn(fmt.Sprint("receiver-", i), func(ctx context.Context) {
					sim.Sleep(ctx, time.Duration(i)*time.Millisecond)
					(*got)[i], _, _ = ch.Recv(ctx)
				})
			}
			w.Spawn("sender", func(ctx context.Context) {
				sim.Sleep(ctx, time.Second)
				for i := range n {
					ch.Send(ctx, i)
				}
			})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, seed := range testSeeds {
				var got []int
				runSeed(t, seed, func(w *sim.World) { tt.setup(w, &got) })
				if fmt.Sprint(got) != "[0 1 2 3 4 5]" {
					t.Errorf("seed %d: order %v, want [0 1 2 3 4 5]", seed, got)
				}
			}
		})
	}
}

// waitingSenders spawns n senders that arrive 1 ms apart and a receiver that
// takes their values once all wait: it must get them in arrival order.
func waitingSenders(w *sim.World, ch *sim.Chan[int], n int, got *[]int) {
	for i := range n {
		w.Spawn(fmt.Sprint("sender-", i), func(ctx context.Context) {
			sim.Sleep(ctx, time.Duration(i)*time.Millisecond)
			ch.Send(ctx, i)
		})
	}
	w.Spawn("receiver", func(ctx context.Context) {
		sim.Sleep(ctx, time.Second)
		for range n {
			v, _, _ := ch.Recv(ctx)
			*got = append(*got, v)
		}
	})
}

func TestChanCloseDrains(t *testing.T) {
	type result struct {
		v   int
		ok  bool
		err error
	}
	var got []result
	runSeed(t, 3, func(w *sim.World) {
		ch := sim.NewChan[int](2)
		ch.TrySend(1)
		ch.TrySend(2)
		ch.Close()
		w.Spawn("receiver", func(ctx context.Context) {
			for range 4 {
				v, ok, err := ch.Recv(ctx)
				got = append(got, result{v: v, ok: ok, err: err})
			}
		})
	})
	want := []result{{v: 1, ok: true}, {v: 2, ok: true}, {}, {}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("receives from a closed buffered channel: %v, want %v", got, want)
	}
}

func TestChanCloseWakesReceivers(t *testing.T) {
	for _, seed := range testSeeds {
		woken := 0
		runSeed(t, seed, func(w *sim.World) {
			ch := sim.NewChan[string](0)
			for i := range 3 {
				w.Spawn(fmt.Sprint("receiver-", i), func(ctx context.Context) {
					v, ok, err := ch.Recv(ctx)
					if v != "" || ok || err != nil || w.Now() != time.Second {
						t.Errorf("Recv = %q, %v, %v at %v; want the zero value, false, nil at 1s", v, ok, err, w.Now())
					}
					woken++
				})
			}
			w.Spawn("closer", func(ctx context.Context) {
				sim.Sleep(ctx, time.Second)
				ch.Close()
			})
		})
		if woken != 3 {
			t.Errorf("seed %d: Close woke %d of 3 receivers", seed, woken)
		}
	}
}

func TestChanCloseMisuse(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *sim.World)
		task  string
		msg   string
	}{
		{"close wakes a blocked sender", func(w *sim.World) {
			ch := sim.NewChan[int](0)
			w.Spawn("sender", func(ctx context.Context) { ch.Send(ctx, 1) })
			w.Spawn("closer", func(ctx context.Context) { sim.Sleep(ctx, time.Second); ch.Close() })
		}, "sender", "send on closed"},
		{"close wakes a sender blocked on a full buffer", func(w *sim.World) {
			ch := sim.NewChan[int](1)
			ch.TrySend(0)
			w.Spawn("sender", func(ctx context.Context) { ch.Send(ctx, 1) })
			w.Spawn("closer", func(ctx context.Context) { sim.Sleep(ctx, time.Second); ch.Close() })
		}, "sender", "send on closed"},
		{"send after close", func(w *sim.World) {
			ch := sim.NewChan[int](1)
			ch.Close()
			w.Spawn("sender", func(ctx context.Context) { ch.Send(ctx, 1) })
		}, "sender", "send on closed"},
		{"close of a closed channel", func(w *sim.World) {
			ch := sim.NewChan[int](1)
			w.Spawn("closer", func(ctx context.Context) {
				ch.Close()
				sim.Sleep(ctx, time.Second)
				ch.Close()
			})
		}, "closer", "close of closed Chan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFailure(t, tt.setup, sim.FailPanic, tt.task, tt.msg)
		})
	}
	ch := sim.NewChan[int](1)
	ch.Close()
	wantPanic(t, "send on closed", func() { ch.TrySend(1) })
}

func TestChanTry(t *testing.T) {
	ch := sim.NewChan[int](0)
	if ch.TrySend(1) {
		t.Error("TrySend on an unbuffered channel without a receiver succeeded")
	}
	if _, _, got := ch.TryRecv(); got {
		t.Error("TryRecv on an empty channel succeeded")
	}
	runSeed(t, 5, func(w *sim.World) {
		w.Spawn("receiver", func(ctx context.Context) {
			if v, ok, err := ch.Recv(ctx); v != 1 || !ok || err != nil {
				t.Errorf("Recv = %v, %v, %v; want the value of TrySend", v, ok, err)
			}
		})
		w.Spawn("sender", func(ctx context.Context) {
			sim.Sleep(ctx, 1500*time.Millisecond) // after the receiver has its value
			if err := ch.Send(ctx, 2); err != nil {
				t.Errorf("Send: %v", err)
			}
			if w.Now() != 2*time.Second {
				t.Errorf("Send returned at %v, want 2s when TryRecv took its value", w.Now())
			}
		})
		w.Spawn("trier", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			if !ch.TrySend(1) {
				t.Error("TrySend with a receiver waiting failed")
			}
			sim.Sleep(ctx, time.Second)
			if v, ok, got := ch.TryRecv(); v != 2 || !ok || !got {
				t.Errorf("TryRecv with a sender waiting = %v, %v, %v; want 2, true, true", v, ok, got)
			}
			ch.Close()
			if v, ok, got := ch.TryRecv(); v != 0 || ok || !got {
				t.Errorf("TryRecv on a closed channel = %v, %v, %v; want 0, false, true", v, ok, got)
			}
		})
	})
}

// cancelWays are the two kinds of cancellable context a waiter may use: ours,
// which tells the World at once, and the standard library's, which the
// World polls.
var cancelWays = []struct {
	name string
	make func(parent context.Context) (context.Context, context.CancelFunc)
}{
	{"sim.WithCancel", sim.WithCancel},
	{"context.WithCancel", context.WithCancel},
}

func TestChanCancel(t *testing.T) {
	ops := []struct {
		name string
		op   func(ctx context.Context, ch *sim.Chan[int]) error
		// after checks that the cancelled waiter left the channel alone.
		after func(ch *sim.Chan[int]) bool
	}{
		{"send", func(ctx context.Context, ch *sim.Chan[int]) error { return ch.Send(ctx, 1) },
			func(ch *sim.Chan[int]) bool { _, _, got := ch.TryRecv(); return !got }},
		{"recv", func(ctx context.Context, ch *sim.Chan[int]) error { _, _, err := ch.Recv(ctx); return err },
			func(ch *sim.Chan[int]) bool { return !ch.TrySend(1) }},
	}
	for _, op := range ops {
		for _, way := range cancelWays {
			t.Run(op.name+"/"+way.name, func(t *testing.T) {
				var err error
				var at time.Duration
				runSeed(t, 2, func(w *sim.World) {
					ch := sim.NewChan[int](0)
					ctx, cancel := way.make(w.Context())
					w.Spawn("waiter", func(context.Context) {
						err = op.op(ctx, ch)
						at = w.Now()
					})
					w.Spawn("canceller", func(ctx context.Context) {
						sim.Sleep(ctx, time.Second)
						cancel()
						sim.Sleep(ctx, time.Millisecond)
						if !op.after(ch) {
							t.Error("the cancelled waiter is still on the channel")
						}
					})
				})
				if !errors.Is(err, context.Canceled) || at != time.Second {
					t.Errorf("waiter returned %v at %v, want context.Canceled at 1s", err, at)
				}
			})
		}
	}
}

func TestChanDoneContextFailsAtOnce(t *testing.T) {
	runSeed(t, 0, func(w *sim.World) {
		ch := sim.NewChan[int](1)
		w.Spawn("task", func(ctx context.Context) {
			cctx, cancel := sim.WithCancel(ctx)
			cancel()
			if err := ch.Send(cctx, 1); !errors.Is(err, context.Canceled) || ch.Len() != 0 {
				t.Errorf("Send with a done context = %v, Len %d; want context.Canceled and nothing sent", err, ch.Len())
			}
			ch.TrySend(2)
			if v, _, err := ch.Recv(cctx); !errors.Is(err, context.Canceled) || v != 0 || ch.Len() != 1 {
				t.Errorf("Recv with a done context = %v, %v; want context.Canceled and nothing taken", v, err)
			}
			if w.Now() != 0 {
				t.Errorf("failing calls let time pass: now %v", w.Now())
			}
		})
	})
}

func TestChanDeadline(t *testing.T) {
	var err error
	w := runSeed(t, 0, func(w *sim.World) {
		ch := sim.NewChan[int](0)
		w.Spawn("waiter", func(ctx context.Context) {
			ctx, cancel := sim.WithTimeout(ctx, 1500*time.Millisecond)
			defer cancel()
			_, _, err = ch.Recv(ctx)
		})
	})
	if !errors.Is(err, context.DeadlineExceeded) || w.Now() != 1500*time.Millisecond {
		t.Errorf("Recv returned %v with the run ending at %v; want DeadlineExceeded at 1.5s", err, w.Now())
	}
}

func TestChanAbortWithdrawsWaiter(t *testing.T) {
	for _, seed := range testSeeds {
		var got []int
		runSeed(t, seed, func(w *sim.World) {
			ch := sim.NewChan[int](0)
			victim := w.Spawn("victim", func(ctx context.Context) { ch.Send(ctx, 1) })
			w.Spawn("sender", func(ctx context.Context) {
				sim.Sleep(ctx, time.Millisecond)
				ch.Send(ctx, 2)
			})
			w.Spawn("receiver", func(ctx context.Context) {
				sim.Sleep(ctx, time.Second)
				victim.Abort()
				v, _, _ := ch.Recv(ctx)
				got = append(got, v)
				if _, _, ok := ch.TryRecv(); ok {
					t.Error("a value is left on the channel")
				}
			})
		})
		if fmt.Sprint(got) != "[2]" {
			t.Errorf("seed %d: received %v, want only the value of the sender that was not aborted", seed, got)
		}
	}
}

// bigValue is larger than any register set: values travel by copy.
type bigValue struct {
	ID      int
	Payload [64]int64
	Name    string
}

func makeBig(i int) bigValue {
	v := bigValue{ID: i, Name: fmt.Sprint("value-", i)}
	for j := range v.Payload {
		v.Payload[j] = int64(i*1000 + j)
	}
	return v
}

func TestChanLargeValues(t *testing.T) {
	for _, capacity := range []int{0, 1, 4} {
		t.Run(fmt.Sprint("cap ", capacity), func(t *testing.T) {
			runSeed(t, 9, func(w *sim.World) {
				ch := sim.NewChan[bigValue](capacity)
				w.Spawn("producer", func(ctx context.Context) {
					for i := range 10 {
						ch.Send(ctx, makeBig(i))
					}
					ch.Close()
				})
				w.Spawn("consumer", func(ctx context.Context) {
					for i := 0; ; i++ {
						v, ok, _ := ch.Recv(ctx)
						if !ok {
							if i != 10 || v != (bigValue{}) {
								t.Errorf("closed after %d values, zero value %v", i, v.ID)
							}
							return
						}
						if v != makeBig(i) {
							t.Errorf("value %d arrived as ID %d name %q payload[63] %d", i, v.ID, v.Name, v.Payload[63])
						}
						sim.Sleep(ctx, time.Millisecond)
					}
				})
			})
		})
	}
}

// chanWorkload has producers and consumers share a small buffer, with
// random sleeps, timeouts and a close: every path of Chan.
func chanWorkload(w *sim.World) {
	ch := sim.NewChan[int](2)
	var producers sim.WaitGroup
	for p := range 3 {
		producers.Go(w.Context(), fmt.Sprint("producer-", p), func(ctx context.Context) {
			for i := range 5 {
				sim.Sleep(ctx, w.Rand().Duration(0, 3*time.Millisecond))
				sctx, cancel := sim.WithTimeout(ctx, 2*time.Millisecond)
				if ch.Send(sctx, p*10+i) != nil {
					ch.TrySend(-1)
				}
				cancel()
			}
		})
	}
	w.Spawn("closer", func(ctx context.Context) {
		producers.Wait(ctx)
		ch.Close()
	})
	for c := range 2 {
		w.Spawn(fmt.Sprint("consumer-", c), func(ctx context.Context) {
			for {
				v, ok, _ := ch.Recv(ctx)
				if !ok {
					return
				}
				sim.Logger(ctx).Info("got", "v", v)
				sim.Sleep(ctx, w.Rand().Duration(0, 4*time.Millisecond))
			}
		})
	}
}

func TestChanDeterminism(t *testing.T) { sameTraceTwice(t, chanWorkload) }
