package simenv

import (
	"context"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// Runtime is env.Runtime on the simulation's scheduler. The zero value is
// ready to use; every blocking call finds its World through ctx.
type Runtime struct{}

var _ env.Runtime = Runtime{}

// NewChan returns a sim.Chan carrying untyped values.
func (Runtime) NewChan(capacity int) env.RawChan { return rawChan{sim.NewChan[any](capacity)} }

// NewMutex returns a sim.Mutex.
func (Runtime) NewMutex() env.Mutex { return new(sim.Mutex) }

// NewWaitGroup returns a sim.WaitGroup.
func (Runtime) NewWaitGroup() env.WaitGroup { return new(sim.WaitGroup) }

// Select runs sim.Select (or sim.TrySelect when block is false) over cases
// made by this Runtime's channels.
func (Runtime) Select(ctx context.Context, cases []env.RawCase, block bool) (int, error) {
	sc := make([]sim.Case, len(cases))
	for i, c := range cases {
		sc[i] = c.(sim.Case)
	}
	if !block {
		return sim.TrySelect(ctx, sc...), nil
	}
	return sim.Select(ctx, sc...)
}

// rawChan adapts sim.Chan[any] to env.RawChan.
type rawChan struct{ *sim.Chan[any] }

func (c rawChan) RecvCase(dst *any, ok *bool) env.RawCase { return c.Chan.RecvOKCase(dst, ok) }
func (c rawChan) SendCase(v any) env.RawCase              { return c.Chan.SendCase(v) }

// Clock is env.Clock on a World's logical time: Now is sim.Epoch plus the
// time since the run started.
type Clock struct{ W *sim.World }

var _ env.Clock = Clock{}

// Now returns the logical wall-clock time.
func (c Clock) Now() time.Time { return c.W.Time() }

// Sleep is sim.Sleep.
func (c Clock) Sleep(ctx context.Context, d time.Duration) error { return sim.Sleep(ctx, d) }

// After returns a channel that receives the time after d.
func (c Clock) After(d time.Duration) *env.Chan[time.Time] { return c.NewTimer(d).C() }

// NewTimer returns a timer that fires once after d.
func (c Clock) NewTimer(d time.Duration) env.Timer {
	t := c.newTimer()
	t.tm = sim.AfterFunc(c.W.Context(), d, t.fire)
	return t
}

// NewTicker returns a timer that fires every period.
func (c Clock) NewTicker(period time.Duration) env.Timer {
	t := c.newTimer()
	t.tm = sim.TickFunc(c.W.Context(), period, t.fire)
	return t
}

// WithTimeout is sim.WithTimeout.
func (c Clock) WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return sim.WithTimeout(ctx, d)
}

// WithDeadline is sim.WithDeadline.
func (c Clock) WithDeadline(ctx context.Context, t time.Time) (context.Context, context.CancelFunc) {
	return sim.WithDeadline(ctx, t)
}

func (c Clock) newTimer() *timer {
	raw := rawChan{sim.NewChan[any](1)}
	return &timer{w: c.W, raw: raw, c: env.WrapChan[time.Time](Runtime{}, raw)}
}

// timer is env.Timer over a sim timer whose callback drops the time into a
// one-slot channel, so a slow receiver misses ticks as with time.Ticker.
type timer struct {
	w   *sim.World
	tm  *sim.Timer
	raw rawChan
	c   *env.Chan[time.Time]
}

func (t *timer) fire()                      { t.raw.TrySend(t.w.Time()) }
func (t *timer) C() *env.Chan[time.Time]    { return t.c }
func (t *timer) Stop() bool                 { return t.tm.Stop() }
func (t *timer) Reset(d time.Duration) bool { return t.tm.Reset(d) }
