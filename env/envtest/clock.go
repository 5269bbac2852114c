package envtest

import (
	"context"
	"errors"
	"time"

	"github.com/orrerysim/orrery/env"
)

// Clock is the suite of time: Sleep, timers, tickers and deadlines. Its
// durations are milliseconds, so that it runs fast on a real clock too.
var Clock = []Case{
	{"sleep", func(ctx context.Context, e env.Env) error {
		start := e.Clock().Now()
		if err := e.Clock().Sleep(ctx, 2*time.Millisecond); err != nil {
			return err
		}
		if e.Clock().Now().Sub(start) < 2*time.Millisecond {
			return fail("Sleep returned early")
		}
		return nil
	}},
	{"monotonic counts sleep", func(ctx context.Context, e env.Env) error {
		start := e.Clock().Monotonic()
		if err := e.Clock().Sleep(ctx, 2*time.Millisecond); err != nil {
			return err
		}
		if e.Clock().Monotonic()-start < 2*time.Millisecond {
			return fail("Monotonic counted less than a Sleep of 2ms")
		}
		return nil
	}},
	{"timer fires once and stops", func(ctx context.Context, e env.Env) error {
		tm := e.Clock().NewTimer(time.Millisecond)
		if _, ok, err := tm.C().Recv(ctx); err != nil || !ok {
			return fail("the timer did not fire")
		}
		stopped := e.Clock().NewTimer(time.Millisecond)
		if !stopped.Stop() {
			return fail("Stop of an active timer reported false")
		}
		e.Clock().Sleep(ctx, 3*time.Millisecond)
		if _, _, got := stopped.C().TryRecv(); got {
			return fail("a stopped timer fired")
		}
		return nil
	}},
	{"ticker ticks", func(ctx context.Context, e env.Env) error {
		tk := e.Clock().NewTicker(time.Millisecond)
		defer tk.Stop()
		for range 3 {
			if _, ok, err := tk.C().Recv(ctx); err != nil || !ok {
				return fail("the ticker did not tick")
			}
		}
		return nil
	}},
	{"after and timeout", func(ctx context.Context, e env.Env) error {
		var at time.Time
		if _, err := env.Select(ctx, e.Clock().After(time.Millisecond).RecvCase(&at)); err != nil || at.IsZero() {
			return fail("After did not deliver the time")
		}
		cctx, cancel := e.Clock().WithTimeout(ctx, time.Millisecond)
		defer cancel()
		if err := e.Clock().Sleep(cctx, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			return fail("a Sleep past the deadline: " + errString(err))
		}
		dctx, cancel2 := e.Clock().WithDeadline(ctx, e.Clock().Now().Add(time.Millisecond))
		defer cancel2()
		if err := env.WaitDone(dctx, e); !errors.Is(err, context.DeadlineExceeded) {
			return fail("WaitDone on a deadline: " + errString(err))
		}
		return nil
	}},
}
