package sim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

func TestMutexExclusion(t *testing.T) {
	const tasks, rounds = 20, 5
	for _, seed := range testSeeds {
		counter := 0
		runSeed(t, seed, func(w *sim.World) {
			var mu sim.Mutex
			holders := 0
			w.AddInvariant("one holder", func() error {
				if holders > 1 {
					return fmt.Errorf("%d tasks hold the mutex", holders)
				}
				return nil
			})
			for i := range tasks {
				w.Spawn(fmt.Sprint("incr-", i), func(ctx context.Context) {
					for range rounds {
						if err := mu.Lock(ctx); err != nil {
							t.Errorf("Lock: %v", err)
							return
						}
						holders++
						v := counter
						sim.Sleep(ctx, w.Rand().Duration(0, time.Millisecond)) // others run meanwhile
						counter = v + 1
						holders--
						mu.Unlock()
						sim.Sleep(ctx, w.Rand().Duration(0, time.Millisecond))
					}
				})
			}
		})
		if counter != tasks*rounds {
			t.Errorf("seed %d: counter %d, want %d: an increment was lost", seed, counter, tasks*rounds)
		}
	}
}

func TestMutexFIFOHandoff(t *testing.T) {
	const n = 6
	for _, seed := range testSeeds {
		var order []int
		runSeed(t, seed, func(w *sim.World) {
			var mu sim.Mutex
			w.Spawn("holder", func(ctx context.Context) {
				mu.Lock(ctx)
				sim.Sleep(ctx, time.Second)
				mu.Unlock()
			})
			for i := range n {
				w.Spawn(fmt.Sprint("waiter-", i), func(ctx context.Context) {
					sim.Sleep(ctx, time.Duration(i+1)*time.Millisecond) // arrive in order
					mu.Lock(ctx)
					order = append(order, i)
					sim.Sleep(ctx, 0)
					mu.Unlock()
				})
			}
		})
		if fmt.Sprint(order) != "[0 1 2 3 4 5]" {
			t.Errorf("seed %d: the lock went to %v, want the arrival order", seed, order)
		}
	}
}

func TestMutexTryLock(t *testing.T) {
	var mu sim.Mutex
	if !mu.TryLock() {
		t.Fatal("TryLock of a free mutex failed")
	}
	if mu.TryLock() {
		t.Fatal("TryLock of a held mutex succeeded")
	}
	mu.Unlock()
	if !mu.TryLock() {
		t.Fatal("TryLock after Unlock failed")
	}
	mu.Unlock()
	wantPanic(t, "Unlock of unlocked Mutex", mu.Unlock)
	wantFailure(t, func(w *sim.World) {
		w.Spawn("unlocker", func(ctx context.Context) {
			var mu sim.Mutex
			mu.Lock(ctx)
			mu.Unlock()
			mu.Unlock()
		})
	}, sim.FailPanic, "unlocker", "Unlock of unlocked Mutex")
}

func TestMutexLockCancelled(t *testing.T) {
	for _, seed := range testSeeds {
		var got []string
		runSeed(t, seed, func(w *sim.World) {
			var mu sim.Mutex
			w.Spawn("holder", func(ctx context.Context) {
				mu.Lock(ctx)
				sim.Sleep(ctx, 2*time.Second)
				mu.Unlock()
			})
			w.Spawn("impatient", func(ctx context.Context) {
				sim.Sleep(ctx, time.Millisecond)
				tctx, cancel := sim.WithTimeout(ctx, time.Second)
				defer cancel()
				err := mu.Lock(tctx)
				if !errors.Is(err, context.DeadlineExceeded) || w.Now() != 1001*time.Millisecond {
					t.Errorf("Lock returned %v at %v, want DeadlineExceeded at 1.001s", err, w.Now())
				}
				got = append(got, "impatient gave up")
			})
			w.Spawn("patient", func(ctx context.Context) {
				sim.Sleep(ctx, 2*time.Millisecond) // behind the impatient one
				mu.Lock(ctx)
				got = append(got, fmt.Sprint("patient locked at ", w.Now()))
				mu.Unlock()
				if !mu.TryLock() {
					t.Error("the mutex is still held after its last holder unlocked")
				}
			})
		})
		if want := "[impatient gave up patient locked at 2s]"; fmt.Sprint(got) != want {
			t.Errorf("seed %d: %v, want %s", seed, got, want)
		}
	}
}

// lockHandOff is a lock that its holder hands over to the longest waiter.
type lockHandOff struct {
	name     string
	hold     func(ctx context.Context) // the holder's acquisition
	handOver func()                    // the holder's release
	// take is the victim's acquisition and late the latecomer's, which
	// must exclude the victim; both return the release to defer.
	take, late func(ctx context.Context) (release func(), err error)
}

func lockHandOffs() []lockHandOff {
	var mu sim.Mutex
	var rw1, rw2 sim.RWMutex
	lock := func(ctx context.Context) (func(), error) { return mu.Unlock, mu.Lock(ctx) }
	write1 := func(ctx context.Context) (func(), error) { return rw1.Unlock, rw1.Lock(ctx) }
	read2 := func(ctx context.Context) (func(), error) { return rw2.RUnlock, rw2.RLock(ctx) }
	write2 := func(ctx context.Context) (func(), error) { return rw2.Unlock, rw2.Lock(ctx) }
	return []lockHandOff{
		{"Mutex", func(ctx context.Context) { mu.Lock(ctx) }, mu.Unlock, lock, lock},
		{"RWMutex writer after a reader", func(ctx context.Context) { rw1.RLock(ctx) }, rw1.RUnlock, write1, write1},
		{"RWMutex reader after a writer", func(ctx context.Context) { rw2.Lock(ctx) }, rw2.Unlock, read2, write2},
	}
}

// TestLockHandedToAbortedTask checks that a lock handed to a waiting task
// is not lost when the task is aborted before it runs: the task gets the
// lock, and its deferred release runs as its stack unwinds.
func TestLockHandedToAbortedTask(t *testing.T) {
	for _, tt := range lockHandOffs() {
		t.Run(tt.name, func(t *testing.T) {
			lateAt := time.Duration(-1)
			runSeed(t, 1, func(w *sim.World) {
				var victim *sim.Task
				w.Spawn("holder", func(ctx context.Context) {
					tt.hold(ctx)
					sim.Sleep(ctx, time.Second)
					tt.handOver()  // the victim is woken with the lock...
					victim.Abort() // ...and aborted before it runs
				})
				victim = w.Spawn("victim", func(ctx context.Context) {
					sim.Sleep(ctx, time.Millisecond)
					release, err := tt.take(ctx)
					if err != nil {
						return
					}
					defer release()
					sim.Sleep(ctx, time.Hour) // unwinds here
					t.Error("the aborted victim went on")
				})
				w.Spawn("latecomer", func(ctx context.Context) {
					sim.Sleep(ctx, 2*time.Second)
					tctx, cancel := sim.WithTimeout(ctx, time.Second)
					defer cancel()
					release, err := tt.late(tctx)
					if err != nil {
						t.Errorf("the lock was lost with the aborted victim: %v", err)
						return
					}
					lateAt = w.Now()
					release()
				})
			})
			if lateAt != 2*time.Second {
				t.Errorf("the latecomer locked at %v, want 2s", lateAt)
			}
		})
	}
}

// rwState tracks an RWMutex's holders for invariants.
type rwState struct {
	readers, writers, maxReaders int
}

func (s *rwState) check() error {
	if s.writers > 1 || (s.writers == 1 && s.readers > 0) {
		return fmt.Errorf("%d writers and %d readers hold the lock", s.writers, s.readers)
	}
	return nil
}

func TestRWMutexExclusion(t *testing.T) {
	for _, seed := range testSeeds {
		var s rwState
		runSeed(t, seed, func(w *sim.World) {
			var rw sim.RWMutex
			w.AddInvariant("writer alone", s.check)
			for i := range 8 {
				w.Spawn(fmt.Sprint("user-", i), func(ctx context.Context) {
					for range 5 {
						sim.Sleep(ctx, w.Rand().Duration(0, 2*time.Millisecond))
						if i%3 == 0 {
							rw.Lock(ctx)
							s.writers++
							sim.Sleep(ctx, w.Rand().Duration(0, time.Millisecond))
							s.writers--
							rw.Unlock()
							continue
						}
						rw.RLock(ctx)
						s.readers++
						s.maxReaders = max(s.maxReaders, s.readers)
						sim.Sleep(ctx, w.Rand().Duration(0, 2*time.Millisecond))
						s.readers--
						rw.RUnlock()
					}
				})
			}
		})
		if s.maxReaders < 2 {
			t.Errorf("seed %d: at most %d readers held the lock at once", seed, s.maxReaders)
		}
	}
}

func TestRWMutexReadersShare(t *testing.T) {
	var s rwState
	w := runSeed(t, 1, func(w *sim.World) {
		var rw sim.RWMutex
		for i := range 5 {
			w.Spawn(fmt.Sprint("reader-", i), func(ctx context.Context) {
				rw.RLock(ctx)
				s.readers++
				s.maxReaders = max(s.maxReaders, s.readers)
				sim.Sleep(ctx, time.Second)
				s.readers--
				rw.RUnlock()
			})
		}
	})
	if s.maxReaders != 5 || w.Now() != time.Second {
		t.Errorf("%d readers at once, run ended at %v; want all 5 together, done at 1s", s.maxReaders, w.Now())
	}
}

// rwEvent is when a task got or gave up an RWMutex.
type rwEvent struct {
	at   time.Duration
	what string
}

func (e rwEvent) String() string { return fmt.Sprintf("%s@%v", e.what, e.at) }

func TestRWMutexOrdering(t *testing.T) {
	const ms = time.Millisecond
	type user struct {
		name    string
		arrive  time.Duration
		write   bool
		hold    time.Duration
		timeout time.Duration // 0: none
	}
	tests := []struct {
		name  string
		users []user
		want  string
	}{
		{"a waiting writer holds back new readers", []user{
			{name: "r1", arrive: 0, hold: 2000 * ms},
			{name: "w", arrive: 500 * ms, write: true, hold: 1000 * ms},
			{name: "r2", arrive: 1000 * ms, hold: 100 * ms},
		}, "[r1@0s w@2s r2@3s]"},
		{"a cancelled writer lets the readers in", []user{
			{name: "r1", arrive: 0, hold: 5000 * ms},
			{name: "w", arrive: 500 * ms, write: true, hold: 1000 * ms, timeout: 1500 * ms},
			{name: "r2", arrive: 1000 * ms, hold: 100 * ms},
		}, "[r1@0s w gave up@2s r2@2s]"},
		{"readers waiting go before the next writer", []user{
			{name: "w1", arrive: 0, write: true, hold: 1000 * ms},
			{name: "r", arrive: 100 * ms, hold: 1000 * ms},
			{name: "w2", arrive: 200 * ms, write: true, hold: 1000 * ms},
		}, "[w1@0s r@1s w2@2s]"},
		{"a writer waits for every reader", []user{
			{name: "r1", arrive: 0, hold: 1000 * ms},
			{name: "r2", arrive: 0, hold: 3000 * ms},
			{name: "w", arrive: 100 * ms, write: true, hold: 1000 * ms},
		}, "[r1@0s r2@0s w@3s]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, seed := range testSeeds {
				var got []rwEvent
				runSeed(t, seed, func(w *sim.World) {
					var rw sim.RWMutex
					for _, u := range tt.users {
						w.Spawn(u.name, func(ctx context.Context) {
							sim.Sleep(ctx, u.arrive)
							if u.timeout > 0 {
								var cancel context.CancelFunc
								ctx, cancel = sim.WithTimeout(ctx, u.timeout)
								defer cancel()
							}
							lock, unlock := rw.RLock, rw.RUnlock
							if u.write {
								lock, unlock = rw.Lock, rw.Unlock
							}
							if err := lock(ctx); err != nil {
								got = append(got, rwEvent{w.Now(), u.name + " gave up"})
								return
							}
							got = append(got, rwEvent{w.Now(), u.name})
							sim.Sleep(ctx, u.hold)
							unlock()
						})
					}
				})
				if fmt.Sprint(got) != tt.want && !sameEventsAnyOrder(got, tt.want) {
					t.Errorf("seed %d: %v, want %s", seed, got, tt.want)
				}
			}
		})
	}
}

// sameEventsAnyOrder accepts events of the same instant in either order.
func sameEventsAnyOrder(got []rwEvent, want string) bool {
	if len(got) < 2 {
		return false
	}
	for i := 1; i < len(got); i++ {
		if got[i].at == got[i-1].at {
			swapped := append([]rwEvent(nil), got...)
			swapped[i], swapped[i-1] = swapped[i-1], swapped[i]
			if fmt.Sprint(swapped) == want {
				return true
			}
		}
	}
	return false
}

func TestRWMutexMisuse(t *testing.T) {
	tests := []struct {
		name string
		do   func(ctx context.Context, rw *sim.RWMutex)
		msg  string
	}{
		{"RUnlock unlocked", func(ctx context.Context, rw *sim.RWMutex) { rw.RUnlock() }, "RUnlock of unlocked RWMutex"},
		{"Unlock unlocked", func(ctx context.Context, rw *sim.RWMutex) { rw.Unlock() }, "Unlock of unlocked RWMutex"},
		{"Unlock of a read lock", func(ctx context.Context, rw *sim.RWMutex) { rw.RLock(ctx); rw.Unlock() }, "Unlock of unlocked RWMutex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFailure(t, func(w *sim.World) {
				w.Spawn("misuser", func(ctx context.Context) { tt.do(ctx, new(sim.RWMutex)) })
			}, sim.FailPanic, "misuser", tt.msg)
		})
	}
}

func TestWaitGroup(t *testing.T) {
	var waited []time.Duration
	w := runSeed(t, 2, func(w *sim.World) {
		var wg sim.WaitGroup
		wg.Add(3)
		for i := range 3 {
			w.Spawn(fmt.Sprint("worker-", i), func(ctx context.Context) {
				sim.Sleep(ctx, time.Duration(i+1)*time.Second)
				wg.Done()
			})
		}
		for i := range 2 {
			w.Spawn(fmt.Sprint("waiter-", i), func(ctx context.Context) {
				if err := wg.Wait(ctx); err != nil {
					t.Errorf("Wait: %v", err)
				}
				waited = append(waited, w.Now())
				if err := wg.Wait(ctx); err != nil || w.Now() != 3*time.Second {
					t.Errorf("Wait on a zero counter = %v at %v, want nil at once", err, w.Now())
				}
			})
		}
	})
	if fmt.Sprint(waited) != "[3s 3s]" || w.Now() != 3*time.Second {
		t.Errorf("waiters returned at %v, want both at 3s", waited)
	}
}

func TestWaitGroupGo(t *testing.T) {
	var names []string
	var waitedAt time.Duration
	runSeed(t, 2, func(w *sim.World) {
		w.Spawn("parent", func(ctx context.Context) {
			var wg sim.WaitGroup
			for i := range 3 {
				child := wg.Go(ctx, fmt.Sprint("child-", i), func(ctx context.Context) {
					sim.Sleep(ctx, time.Duration(3-i)*time.Second)
					names = append(names, sim.CurrentTask(ctx).Name())
				})
				if child.Daemon() || child.Name() != fmt.Sprint("child-", i) {
					t.Errorf("wg.Go started %v, daemon %v", child, child.Daemon())
				}
			}
			wg.Wait(ctx)
			waitedAt = w.Now()
		})
	})
	if fmt.Sprint(names) != "[child-2 child-1 child-0]" || waitedAt != 3*time.Second {
		t.Errorf("children finished %v, Wait returned at %v; want all three, then 3s", names, waitedAt)
	}
}

func TestWaitGroupNegative(t *testing.T) {
	wantFailure(t, func(w *sim.World) {
		w.Spawn("doner", func(ctx context.Context) {
			var wg sim.WaitGroup
			wg.Add(1)
			wg.Done()
			wg.Done()
		})
	}, sim.FailPanic, "doner", "negative WaitGroup counter")
}

func TestCondSignalAndBroadcast(t *testing.T) {
	for _, seed := range testSeeds {
		var woke []string
		runSeed(t, seed, func(w *sim.World) {
			mu := new(sim.Mutex)
			c := sim.NewCond(mu)
			for i := range 3 {
				w.Spawn(fmt.Sprint("waiter-", i), func(ctx context.Context) {
					sim.Sleep(ctx, time.Duration(i)*time.Millisecond) // wait in order
					mu.Lock(ctx)
					if err := c.Wait(ctx); err != nil {
						t.Errorf("Wait: %v", err)
					}
					if mu.TryLock() {
						t.Error("Wait returned without the lock")
					}
					woke = append(woke, fmt.Sprintf("%d@%v", i, w.Now()))
					mu.Unlock()
				})
			}
			w.Spawn("signaller", func(ctx context.Context) {
				sim.Sleep(ctx, time.Second)
				c.Signal()
				sim.Sleep(ctx, time.Second)
				c.Broadcast()
				c.Signal() // nobody left: a no-op
			})
		})
		if got := fmt.Sprint(woke); got != "[0@1s 1@2s 2@2s]" && got != "[0@1s 2@2s 1@2s]" {
			t.Errorf("seed %d: woke %v; want waiter 0 by Signal at 1s, the others by Broadcast at 2s", seed, woke)
		}
	}
}

func TestCondWaitReacquiresAfterCancel(t *testing.T) {
	var err error
	var at time.Duration
	runSeed(t, 1, func(w *sim.World) {
		mu := new(sim.Mutex)
		c := sim.NewCond(mu)
		w.Spawn("waiter", func(ctx context.Context) {
			mu.Lock(ctx)
			tctx, cancel := sim.WithTimeout(ctx, time.Second)
			defer cancel()
			err = c.Wait(tctx)
			at = w.Now()
			if mu.TryLock() {
				t.Error("Wait returned without the lock")
			}
			mu.Unlock() // would panic if the lock were not held
		})
		w.Spawn("holder", func(ctx context.Context) {
			sim.Sleep(ctx, 500*time.Millisecond)
			mu.Lock(ctx) // held when the waiter's deadline passes
			sim.Sleep(ctx, 2500*time.Millisecond)
			mu.Unlock()
		})
	})
	if !errors.Is(err, context.DeadlineExceeded) || at != 3*time.Second {
		t.Errorf("Wait returned %v at %v; want DeadlineExceeded at 3s, once the lock was free", err, at)
	}
}

// syncWorkload uses Mutex, RWMutex, WaitGroup, Cond and WaitQueue with
// random sleeps and cancellations.
func syncWorkload(w *sim.World) {
	var mu sim.Mutex
	var rw sim.RWMutex
	var wg sim.WaitGroup
	cond := sim.NewCond(&mu)
	ready, finished := 0, 0
	for i := range 5 {
		wg.Go(w.Context(), fmt.Sprint("worker-", i), func(ctx context.Context) {
			for range 3 {
				tctx, cancel := sim.WithTimeout(ctx, w.Rand().Duration(0, 2*time.Millisecond))
				if mu.Lock(tctx) == nil {
					ready++
					cond.Broadcast()
					sim.Sleep(ctx, w.Rand().Duration(0, time.Millisecond))
					mu.Unlock()
				}
				cancel()
				if i%2 == 0 && rw.Lock(ctx) == nil {
					sim.Sleep(ctx, w.Rand().Duration(0, time.Millisecond))
					rw.Unlock()
				} else if rw.RLock(ctx) == nil {
					sim.Sleep(ctx, w.Rand().Duration(0, time.Millisecond))
					rw.RUnlock()
				}
			}
			mu.Lock(ctx)
			finished++
			cond.Signal()
			mu.Unlock()
		})
	}
	w.Spawn("watcher", func(ctx context.Context) {
		mu.Lock(ctx)
		for finished < 5 {
			cond.Wait(ctx)
		}
		mu.Unlock()
		wg.Wait(ctx)
		sim.Logger(ctx).Info("done", "ready", ready)
	})
}

func TestSyncDeterminism(t *testing.T) { sameTraceTwice(t, syncWorkload) }
