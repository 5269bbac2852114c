package sim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// TestAbortAfterCancelUnwinds: a task whose context is cancelled and that
// is aborted before it runs again (a crash cancels the context of the
// process it kills) unwinds from its blocking call: it does not get the
// context's error back to handle, whichever call it was parked in.
func TestAbortAfterCancelUnwinds(t *testing.T) {
	for _, call := range blockingCalls() {
		t.Run(call.name, func(t *testing.T) {
			went, unwound := 0, 0
			runSeed(t, 1, func(w *sim.World) {
				block := call.setup(w)
				victim := w.Spawn("victim", func(ctx context.Context) {
					defer func() { unwound++ }()
					block(ctx)
					went++
				})
				w.Spawn("killer", func(ctx context.Context) {
					sim.Sleep(ctx, time.Second)
					victim.Cancel() // wakes it with context.Canceled...
					victim.Abort()  // ...and it is aborted before it runs
				})
			})
			if went != 0 || unwound != 1 {
				t.Errorf("after the call: %d statements ran, %d defers; want 0 and 1", went, unwound)
			}
		})
	}
}

// signalledCall is a blocking call that another task ends (signal), and
// a check that what the call was handed is not left with the aborted task.
type signalledCall struct {
	name  string
	setup func(w *sim.World) (block func(context.Context) error, signal func(context.Context), after func(context.Context) error)
}

func signalledCalls() []signalledCall {
	return []signalledCall{
		{name: "Chan.Recv", setup: func(*sim.World) (func(context.Context) error, func(context.Context), func(context.Context) error) {
			ch := sim.NewChan[int](0)
			return func(ctx context.Context) error { _, _, err := ch.Recv(ctx); return err },
				func(ctx context.Context) { ch.TrySend(1) }, func(context.Context) error { return nil }
		}},
		{name: "Chan.Send", setup: func(*sim.World) (func(context.Context) error, func(context.Context), func(context.Context) error) {
			ch := sim.NewChan[int](0)
			return func(ctx context.Context) error { return ch.Send(ctx, 1) },
				func(ctx context.Context) { ch.TryRecv() }, func(context.Context) error { return nil }
		}},
		{name: "Select", setup: func(*sim.World) (func(context.Context) error, func(context.Context), func(context.Context) error) {
			ch := sim.NewChan[int](0)
			return func(ctx context.Context) error { _, err := sim.Select(ctx, ch.RecvCase(nil)); return err },
				func(ctx context.Context) { ch.TrySend(1) }, func(context.Context) error { return nil }
		}},
		{name: "WaitGroup.Wait", setup: func(*sim.World) (func(context.Context) error, func(context.Context), func(context.Context) error) {
			var wg sim.WaitGroup
			wg.Add(1)
			return wg.Wait, func(context.Context) { wg.Done() }, func(context.Context) error { return nil }
		}},
		{name: "Mutex.Lock", setup: func(*sim.World) (func(context.Context) error, func(context.Context), func(context.Context) error) {
			var mu sim.Mutex
			mu.TryLock()
			return mu.Lock, func(context.Context) { mu.Unlock() }, func(context.Context) error {
				if !mu.TryLock() {
					return errors.New("the lock handed to the aborted task is still held")
				}
				return nil
			}
		}},
		{name: "RWMutex.Lock", setup: func(*sim.World) (func(context.Context) error, func(context.Context), func(context.Context) error) {
			var rw sim.RWMutex
			rw.RLock(context.Background())
			return rw.Lock, func(context.Context) { rw.RUnlock() }, func(ctx context.Context) error {
				return soon(ctx, rw.RLock, rw.RUnlock)
			}
		}},
		{name: "RWMutex.RLock", setup: func(*sim.World) (func(context.Context) error, func(context.Context), func(context.Context) error) {
			var rw sim.RWMutex
			rw.Lock(context.Background())
			return rw.RLock, func(context.Context) { rw.Unlock() }, func(ctx context.Context) error {
				return soon(ctx, rw.Lock, rw.Unlock)
			}
		}},
	}
}

// TestAbortAfterSignalUnwinds: a task woken by what it waited for and
// aborted before it runs (a crash in the same step) unwinds from its
// blocking call instead of returning into its code; a lock handed to it
// is given back.
func TestAbortAfterSignalUnwinds(t *testing.T) {
	for _, call := range signalledCalls() {
		t.Run(call.name, func(t *testing.T) {
			went, unwound := 0, 0
			var afterErr error
			runSeed(t, 1, func(w *sim.World) {
				block, signal, after := call.setup(w)
				victim := w.Spawn("victim", func(ctx context.Context) {
					defer func() { unwound++ }()
					block(ctx)
					went++
				})
				w.Spawn("killer", func(ctx context.Context) {
					sim.Sleep(ctx, time.Second)
					signal(ctx)    // wakes it with what it waited for...
					victim.Abort() // ...and it is aborted before it runs
					victim.Join(ctx)
					afterErr = after(ctx)
				})
			})
			if went != 0 || unwound != 1 || afterErr != nil {
				t.Errorf("after the call: %d statements ran, %d defers, %v; want 0, 1 and nil", went, unwound, afterErr)
			}
		})
	}
}

// TestAbortOfTheRunningTask: a task that aborts itself does not return
// from Abort; its defers run.
func TestAbortOfTheRunningTask(t *testing.T) {
	went, unwound := 0, 0
	runSeed(t, 1, func(w *sim.World) {
		var self *sim.Task
		self = w.Spawn("self", func(ctx context.Context) {
			defer func() { unwound++ }()
			sim.Sleep(ctx, time.Second)
			self.Abort()
			went++
		})
	})
	if went != 0 || unwound != 1 {
		t.Errorf("after Abort: %d statements ran, %d defers; want 0 and 1", went, unwound)
	}
}

// TestAbortedWriterLetsReadersIn: a writer waiting for an RWMutex holds
// back new readers; aborted, it stops holding them back.
func TestAbortedWriterLetsReadersIn(t *testing.T) {
	readAt := time.Duration(-1)
	runSeed(t, 1, func(w *sim.World) {
		var rw sim.RWMutex
		w.Spawn("reader", func(ctx context.Context) {
			rw.RLock(ctx)
			sim.Sleep(ctx, time.Hour)
			rw.RUnlock()
		})
		writer := w.Spawn("writer", func(ctx context.Context) {
			sim.Sleep(ctx, time.Millisecond)
			rw.Lock(ctx)
		})
		w.Spawn("late reader", func(ctx context.Context) {
			sim.Sleep(ctx, time.Second)
			writer.Abort()
			writer.Join(ctx)
			rw.RLock(ctx)
			readAt = w.Now()
			rw.RUnlock()
		})
	})
	if readAt != time.Second {
		t.Errorf("the late reader read at %v, want 1s", readAt)
	}
}

// soon takes a lock with lock, which must not keep it waiting, and
// releases it.
func soon(ctx context.Context, lock func(context.Context) error, unlock func()) error {
	ctx, cancel := sim.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if err := lock(ctx); err != nil {
		return fmt.Errorf("the lock is still held: %w", err)
	}
	unlock()
	return nil
}
