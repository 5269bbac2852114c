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

// WaitDone parks the calling task until ctx is done and returns its error;
// a failure report lists the task as waiting on "its context
// (env.WaitDone)". It schedules nothing: a context that is never done
// keeps the task parked until the run ends.
func (Runtime) WaitDone(ctx context.Context) error {
	var q sim.WaitQueue // nobody wakes it: only ctx ends the wait
	return q.Wait(ctx, "its context (env.WaitDone)")
}

// rawChan adapts sim.Chan[any] to env.RawChan.
type rawChan struct{ *sim.Chan[any] }

func (c rawChan) RecvCase(dst *any, ok *bool) env.RawCase { return c.Chan.RecvOKCase(dst, ok) }
func (c rawChan) SendCase(v any) env.RawCase              { return c.Chan.SendCase(v) }

// Clock is env.Clock on a World's logical time: Now is sim.Epoch plus the
// time since the run started. With H set it is that host's clock instead:
// Now is H's wall reading, Monotonic its monotonic reading, and every wait
// ends at the true instant H's reading reaches its end (see sim.HostClock).
type Clock struct {
	W *sim.World
	H *sim.HostClock // nil: true logical time
}

var _ env.Clock = Clock{}

// Now returns the host's wall-clock time (logical time without H).
func (c Clock) Now() time.Time {
	if c.H != nil {
		return c.H.Now()
	}
	return c.W.Time()
}

// Monotonic returns the host's monotonic reading (logical time without H),
// which never goes backward.
func (c Clock) Monotonic() time.Duration {
	if c.H != nil {
		return c.H.Mono()
	}
	return c.W.Now()
}

// Sleep is sim.Sleep on the clock.
func (c Clock) Sleep(ctx context.Context, d time.Duration) error {
	if c.H != nil {
		return c.H.Sleep(ctx, d)
	}
	return sim.Sleep(ctx, d)
}

// After returns a channel that receives the time after d.
func (c Clock) After(d time.Duration) *env.Chan[time.Time] { return c.NewTimer(d).C() }

// NewTimer returns a timer that fires once after d.
func (c Clock) NewTimer(d time.Duration) env.Timer {
	t := c.newTimer()
	if c.H != nil {
		t.tm = c.H.AfterFunc(c.W.Context(), d, t.fire)
	} else {
		t.tm = sim.AfterFunc(c.W.Context(), d, t.fire)
	}
	return t
}

// NewTicker returns a timer that fires every period.
func (c Clock) NewTicker(period time.Duration) env.Timer {
	t := c.newTimer()
	if c.H != nil {
		t.tm = c.H.TickFunc(c.W.Context(), period, t.fire)
	} else {
		t.tm = sim.TickFunc(c.W.Context(), period, t.fire)
	}
	return t
}

// WithTimeout is sim.WithTimeout on the clock.
func (c Clock) WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if c.H != nil {
		return c.H.WithTimeout(ctx, d)
	}
	return sim.WithTimeout(ctx, d)
}

// WithDeadline is sim.WithDeadline on the clock: the deadline is a reading
// of this host's wall clock.
func (c Clock) WithDeadline(ctx context.Context, t time.Time) (context.Context, context.CancelFunc) {
	if c.H != nil {
		return c.H.WithDeadline(ctx, t)
	}
	return sim.WithDeadline(ctx, t)
}

func (c Clock) newTimer() *timer {
	raw := rawChan{sim.NewChan[any](1)}
	return &timer{now: c.Now, raw: raw, c: env.WrapChan[time.Time](Runtime{}, raw)}
}

// timer is env.Timer over a sim timer whose callback drops the time into a
// one-slot channel, so a slow receiver misses ticks as with time.Ticker.
type timer struct {
	now func() time.Time
	tm  *sim.Timer
	raw rawChan
	c   *env.Chan[time.Time]
}

func (t *timer) fire()                      { t.raw.TrySend(t.now()) }
func (t *timer) C() *env.Chan[time.Time]    { return t.c }
func (t *timer) Stop() bool                 { return t.tm.Stop() }
func (t *timer) Reset(d time.Duration) bool { return t.tm.Reset(d) }
