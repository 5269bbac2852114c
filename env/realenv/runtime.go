package realenv

import (
	"context"
	"reflect"
	"sync"
	"time"

	"github.com/orrerysim/orrery/env"
)

// runtime is env.Runtime on Go channels and reflect.Select.
type runtime struct{}

func (runtime) NewChan(capacity int) env.RawChan { return rawChan(make(chan any, capacity)) }
func (runtime) NewMutex() env.Mutex              { return &mutex{ch: make(chan struct{}, 1)} }
func (runtime) NewWaitGroup() env.WaitGroup      { return &waitGroup{} }

// Select builds a reflect.Select over the cases, plus ctx.Done() when it
// blocks or a default when it does not.
func (runtime) Select(ctx context.Context, cases []env.RawCase, block bool) (int, error) {
	sc := make([]reflect.SelectCase, len(cases), len(cases)+1)
	for i, c := range cases {
		switch c := c.(type) {
		case *recvCase:
			sc[i] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(c.ch)}
		case *sendCase:
			sc[i] = reflect.SelectCase{Dir: reflect.SelectSend, Chan: reflect.ValueOf(c.ch), Send: reflect.ValueOf(&c.v).Elem()}
		}
	}
	if block {
		sc = append(sc, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
	} else {
		sc = append(sc, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	i, v, ok := reflect.Select(sc)
	if i == len(cases) {
		if block {
			return -1, ctx.Err()
		}
		return -1, nil
	}
	if rc, isRecv := cases[i].(*recvCase); isRecv {
		if ok {
			*rc.dst = v.Interface()
		}
		if rc.ok != nil {
			*rc.ok = ok
		}
	}
	return i, nil
}

// WaitDone receives from ctx.Done(), forever for a context never done.
func (runtime) WaitDone(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// rawChan is a Go channel of values.
type rawChan chan any

func (c rawChan) Send(ctx context.Context, v any) error {
	select {
	case c <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c rawChan) Recv(ctx context.Context) (any, bool, error) {
	select {
	case v, ok := <-c:
		return v, ok, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

func (c rawChan) TrySend(v any) bool {
	select {
	case c <- v:
		return true
	default:
		return false
	}
}

func (c rawChan) TryRecv() (any, bool, bool) {
	select {
	case v, ok := <-c:
		return v, ok, true
	default:
		return nil, false, false
	}
}

func (c rawChan) Close()                                  { close(c) }
func (c rawChan) Len() int                                { return len(c) }
func (c rawChan) Cap() int                                { return cap(c) }
func (c rawChan) RecvCase(dst *any, ok *bool) env.RawCase { return &recvCase{ch: c, dst: dst, ok: ok} }
func (c rawChan) SendCase(v any) env.RawCase              { return &sendCase{ch: c, v: v} }

type recvCase struct {
	ch  chan any
	dst *any
	ok  *bool
}

type sendCase struct {
	ch chan any
	v  any
}

// mutex is a one-slot semaphore, so that Lock can give up with ctx.
type mutex struct{ ch chan struct{} }

func (m *mutex) Lock(ctx context.Context) error {
	select {
	case m.ch <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *mutex) TryLock() bool {
	select {
	case m.ch <- struct{}{}:
		return true
	default:
		return false
	}
}

func (m *mutex) Unlock() {
	select {
	case <-m.ch:
	default:
		panic("realenv: unlock of unlocked mutex")
	}
}

// waitGroup is a counter whose Wait can give up with ctx.
type waitGroup struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n returns to zero; nil while nobody waits
}

func (g *waitGroup) Add(delta int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n += delta
	if g.n < 0 {
		panic("realenv: negative WaitGroup counter")
	}
	if g.n == 0 && g.zero != nil {
		close(g.zero)
		g.zero = nil
	}
}

func (g *waitGroup) Done() { g.Add(-1) }

func (g *waitGroup) Wait(ctx context.Context) error {
	g.mu.Lock()
	if g.n == 0 {
		g.mu.Unlock()
		return nil
	}
	if g.zero == nil {
		g.zero = make(chan struct{})
	}
	zero := g.zero
	g.mu.Unlock()
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// clock is package time.
type clock struct{}

func (clock) Now() time.Time { return time.Now() }

// start is the origin of Monotonic.
var start = time.Now()

// Monotonic is time.Since(start), which uses the monotonic clock.
func (clock) Monotonic() time.Duration { return time.Since(start) }

func (clock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c clock) After(d time.Duration) *env.Chan[time.Time] { return c.NewTimer(d).C() }

func (clock) NewTimer(d time.Duration) env.Timer {
	tm := newTimer(0)
	tm.mu.Lock() // fire may run before t is set
	tm.t = time.AfterFunc(d, tm.fire)
	tm.mu.Unlock()
	return tm
}

func (clock) NewTicker(period time.Duration) env.Timer {
	if period <= 0 {
		panic("realenv: non-positive ticker period")
	}
	tm := newTimer(period)
	tm.mu.Lock()
	tm.t = time.AfterFunc(period, tm.fire)
	tm.mu.Unlock()
	return tm
}

func (clock) WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

func (clock) WithDeadline(ctx context.Context, t time.Time) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, t)
}

// timer delivers into a one-slot channel, dropping ticks a slow receiver
// misses; a ticker re-arms itself until stopped.
type timer struct {
	mu      sync.Mutex
	t       *time.Timer
	period  time.Duration
	stopped bool
	raw     rawChan
	c       *env.Chan[time.Time]
}

func newTimer(period time.Duration) *timer {
	raw := rawChan(make(chan any, 1))
	return &timer{period: period, raw: raw, c: env.WrapChan[time.Time](runtime{}, raw)}
}

func (tm *timer) fire() {
	tm.raw.TrySend(time.Now())
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if tm.period > 0 && !tm.stopped {
		tm.t.Reset(tm.period)
	}
}

func (tm *timer) C() *env.Chan[time.Time] { return tm.c }

func (tm *timer) Stop() bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.stopped = true
	return tm.t.Stop()
}

func (tm *timer) Reset(d time.Duration) bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.stopped = false
	if tm.period > 0 {
		tm.period = d
	}
	return tm.t.Reset(d)
}
