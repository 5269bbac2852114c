package envtest

import (
	"context"
	"errors"

	"github.com/orrerysim/orrery/env"
)

// Runtime is the suite of channels, Select, Mutex and WaitGroup.
var Runtime = []Case{
	{"buffered channel", func(ctx context.Context, e env.Env) error {
		c := env.NewChan[int](e, 3)
		for i := range 3 {
			if err := c.Send(ctx, i); err != nil {
				return err
			}
		}
		if c.Len() != 3 || c.Cap() != 3 || c.TrySend(9) {
			return fail("a full channel of 3: Len, Cap or TrySend wrong")
		}
		c.Close()
		for i := range 3 {
			if v, ok, err := c.Recv(ctx); err != nil || !ok || v != i {
				return fail("values not received in order")
			}
		}
		if _, ok, err := c.Recv(ctx); ok || err != nil {
			return fail("a drained closed channel did not report ok=false")
		}
		return nil
	}},
	{"unbuffered channel between tasks", func(ctx context.Context, e env.Env) error {
		c := env.NewChan[string](e, 0)
		e.Go("sender", func(ctx context.Context) { c.Send(ctx, "hi") })
		if v, ok, err := c.Recv(ctx); err != nil || !ok || v != "hi" {
			return fail("did not receive from another task")
		}
		if _, _, got := c.TryRecv(); got {
			return fail("TryRecv on an empty channel received")
		}
		return nil
	}},
	{"nil interface values", func(ctx context.Context, e env.Env) error {
		c := env.NewChan[error](e, 4)
		for range 4 {
			c.TrySend(nil)
		}
		if v, ok, err := c.Recv(ctx); err != nil || !ok || v != nil {
			return fail("Recv of a nil error: " + errString(err))
		}
		if v, ok, got := c.TryRecv(); !ok || !got || v != nil {
			return fail("TryRecv of a nil error did not receive it")
		}
		v := errors.New("placeholder")
		if i, err := env.Select(ctx, c.RecvCase(&v)); err != nil || i != 0 || v != nil {
			return fail("Select's RecvCase of a nil error did not store nil")
		}
		v = errors.New("placeholder")
		var ok bool
		if i, err := env.Select(ctx, c.RecvOKCase(&v, &ok)); err != nil || i != 0 || !ok || v != nil {
			return fail("Select's RecvOKCase of a nil error did not store nil")
		}
		return nil
	}},
	{"receive gives up with its context", func(ctx context.Context, e env.Env) error {
		c := env.NewChan[int](e, 0)
		cctx, cancel := e.Clock().WithTimeout(ctx, 0)
		defer cancel()
		if _, _, err := c.Recv(cctx); !errors.Is(err, context.DeadlineExceeded) {
			return fail("Recv on an expired context: " + errString(err))
		}
		return nil
	}},
	{"select", func(ctx context.Context, e env.Env) error {
		a, b := env.NewChan[int](e, 1), env.NewChan[int](e, 1)
		b.TrySend(7)
		var got int
		if i, err := env.Select(ctx, a.RecvCase(&got), b.RecvCase(&got)); err != nil || i != 1 || got != 7 {
			return fail("Select did not take the ready receive")
		}
		if i, err := env.Select(ctx, a.SendCase(5)); err != nil || i != 0 || a.Len() != 1 {
			return fail("Select did not send")
		}
		if i, _ := env.TrySelect(ctx, b.RecvCase(&got)); i != -1 {
			return fail("TrySelect on nothing ready did not return -1")
		}
		b.Close()
		var ok bool
		if i, err := env.Select(ctx, b.RecvOKCase(&got, &ok)); err != nil || i != 0 || ok {
			return fail("Select on a closed channel did not report ok=false")
		}
		if _, err := env.Select(ctx); !errors.Is(err, env.ErrNoCases) {
			return fail("Select of no cases: " + errString(err))
		}
		cctx, cancel := e.Clock().WithTimeout(ctx, 0)
		defer cancel()
		c := env.NewChan[int](e, 0)
		if _, err := env.Select(cctx, c.RecvCase(&got)); !errors.Is(err, context.DeadlineExceeded) {
			return fail("Select on an expired context: " + errString(err))
		}
		return nil
	}},
	{"mutex", func(ctx context.Context, e env.Env) error {
		m := env.NewMutex(e)
		if err := m.Lock(ctx); err != nil {
			return err
		}
		if m.TryLock() {
			return fail("TryLock took a held lock")
		}
		cctx, cancel := e.Clock().WithTimeout(ctx, 0)
		defer cancel()
		if err := m.Lock(cctx); !errors.Is(err, context.DeadlineExceeded) {
			return fail("Lock on an expired context: " + errString(err))
		}
		m.Unlock()
		if !m.TryLock() {
			return fail("TryLock failed on a free lock")
		}
		m.Unlock()
		return nil
	}},
	{"wait group", func(ctx context.Context, e env.Env) error {
		g := env.NewWaitGroup(e)
		done := env.NewChan[int](e, 2)
		g.Add(2)
		for i := range 2 {
			e.Go("worker", func(ctx context.Context) {
				done.Send(ctx, i)
				g.Done()
			})
		}
		if err := g.Wait(ctx); err != nil {
			return err
		}
		if done.Len() != 2 {
			return fail("Wait returned before the workers finished")
		}
		g.Add(1)
		cctx, cancel := e.Clock().WithTimeout(ctx, 0)
		defer cancel()
		if err := g.Wait(cctx); !errors.Is(err, context.DeadlineExceeded) {
			return fail("Wait on an expired context: " + errString(err))
		}
		return nil
	}},
}
