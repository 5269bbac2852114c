package sim

import (
	"context"
	"time"
	"unsafe"
)

// Sleep blocks the calling task for d of logical time. It returns nil when
// the time has passed, or the context's error if ctx is done first. A
// negative or zero d yields to the other runnable tasks and returns at the
// same logical time, as time.Sleep returns at once.
func Sleep(ctx context.Context, d time.Duration) error {
	return sleep(ctx, d, nil)
}

// sleep is Sleep for d of true time, or, with a clock, until the clock
// has counted d: the sleep is retimed when the clock's rate changes, to
// end when it reads due, and sleeps again if it ended before.
func sleep(ctx context.Context, d time.Duration, clock *HostClock) error {
	var due time.Duration
	if clock != nil {
		due = clock.Mono() + max(d, 0)
		d = clock.delay(due - clock.Mono())
	}
	for {
		t := mustTask(ctx, "sim.Sleep")
		if err := t.check(ctx); err != nil {
			return err
		}
		w := t.w
		var ref EventRef
		if at := w.now + max(d, 0); at >= w.now && w.current == t {
			ref = w.scheduleSleep(t, at)
		} else { // past the end of time: Schedule panics
			ref = w.Schedule(max(d, 0), OpTimer, uint64(t.id), 0, (*taskTimer)(t))
		}
		t.sleepSeq, t.sleepRef, t.wakeAt = ref.seq, ref, w.now+max(d, 0)
		t.sleepClock, t.sleepDue = clock, due
		if clock != nil {
			clock.track(clockWait{seq: ref.seq, due: due, task: t})
		}
		// Parked as Task.park does. A task that waits on its own context
		// (whose cancel wakes it directly) and does not run the loop (in
		// Step, or with maxDriving tasks running it under this one) yields
		// at once, from this frame, instead of through Task.block's:
		// its resumption returns through one frame fewer, each of which costs
		// a mispredicted return after a switch.
		t.state = taskParked
		t.waitingOn = "sleep"
		if ctx != context.Context(t.ctx) || (w.inline && w.driving < maxDriving) || w.current != t {
			t.block(nil, ctx, "")
		} else {
			t.waitOwn = true
			t.sp = uintptr(unsafe.Pointer(&ref)) // for warmSwitch
			if !t.yield(struct{}{}) {
				t.aborted = true // the run is being torn down
				t.wokeBy = wakeAbort
			}
			t.waitingOn = ""
		}
		r := t.wokeBy
		if r == wakeSignal {
			t.goOn()
			if clock == nil || clock.Mono() >= due { // always, unless retiming went wrong
				return nil
			}
			d = clock.delay(due - clock.Mono())
			continue
		}
		if t.sleepSeq != 0 {
			w.Cancel(t.sleepRef)
			t.sleepSeq = 0
		}
		return t.interrupted(ctx, r)
	}
}

// taskTimer handles the Timer event of a sleeping task.
type taskTimer Task

func (tt *taskTimer) HandleEvent(ev *Event) {
	t := (*Task)(tt)
	if t.sleepSeq != ev.Seq {
		return
	}
	t.sleepSeq = 0
	t.w.wake(t, wakeSignal)
}

func (tt *taskTimer) DescribeEvent(ev *Event) (string, string) { return tt.name, "" }

// Timer sends the logical time on C once, after its duration, like
// time.Timer. Its channel has room for one value, so firing never blocks.
type Timer struct {
	C      *Chan[time.Duration]
	w      *World
	by     *Task
	period time.Duration // non-zero for a ticker
	ref    EventRef
	fn     func()        // AfterFunc's callback, called instead of sending on C
	gen    uint32        // bumped by Stop and Reset, so a callback's own Stop sticks
	clock  *HostClock    // the host clock durations count on; nil for true time
	due    time.Duration // the clock's monotonic reading the timer waits for
	held   bool          // it came due while its host was paused: it fires at the resume
}

// NewTimer returns a Timer that fires after d of logical time (at once for
// d <= 0). ctx only locates the World; cancelling it does not stop the timer.
func NewTimer(ctx context.Context, d time.Duration) *Timer {
	w := mustWorld(ctx, "sim.NewTimer")
	tm := &Timer{C: NewChan[time.Duration](1), w: w, by: w.current}
	tm.arm(max(d, 0))
	return tm
}

// After returns a channel that receives the logical time after d, for use
// in Select.
func After(ctx context.Context, d time.Duration) *Chan[time.Duration] {
	return NewTimer(ctx, d).C
}

func (tm *Timer) arm(d time.Duration) {
	var id uint64
	if tm.by != nil {
		id = uint64(tm.by.id)
	}
	w := tm.w
	at := w.now + d
	if c := tm.clock; c != nil {
		tm.due = c.Mono() + d
		at = w.now // c.delay(d), without reading the clock again
		if d > 0 {
			at = c.TrueAt(tm.due)
		}
	}
	if at >= w.now {
		tm.ref = w.scheduleTimer(tm, at, id)
	} else { // past the end of time: Schedule panics
		tm.ref = w.Schedule(at-w.now, OpTimer, id, 0, (*timerEvent)(tm))
	}
	if c := tm.clock; c != nil {
		c.track(clockWait{seq: tm.ref.seq, due: tm.due, timer: tm})
	}
}

// Stop prevents the timer from firing. It returns false if the timer had
// already fired or been stopped. A value already sent stays in C.
func (tm *Timer) Stop() bool {
	tm.gen++
	if tm.held {
		tm.held = false
		return true
	}
	if tm.ref.seq == 0 {
		return false
	}
	tm.w.Cancel(tm.ref)
	tm.ref = EventRef{}
	return true
}

// Reset stops the timer and starts it again with duration d (the period, for
// a ticker). It returns whether the timer was active.
func (tm *Timer) Reset(d time.Duration) bool {
	if tm.period > 0 && d <= 0 {
		panic("sim: Ticker.Reset: non-positive period " + d.String())
	}
	active := tm.Stop()
	if tm.period > 0 {
		tm.period = d
	}
	tm.arm(max(d, 0))
	return active
}

// timerEvent handles a Timer's events, keeping HandleEvent and
// DescribeEvent out of Timer's API.
type timerEvent Timer

// HandleEvent fires the timer: the time goes into C unless C is full, and a
// ticker schedules its next tick.
func (te *timerEvent) HandleEvent(ev *Event) {
	tm := (*Timer)(te)
	if tm.ref.seq != ev.Seq {
		return
	}
	tm.ref = EventRef{}
	if tm.w.paused > 0 {
		if h := tm.host(); h != nil && h.paused {
			h.holdTimer(tm)
			return
		}
	}
	tm.fire()
}

// fire fires the timer, which came due: its callback runs or the time goes
// into C, and a ticker is armed again.
func (tm *Timer) fire() {
	if c := tm.clock; c != nil && c.Mono() < tm.due { // the clock was slowed
		tm.arm(tm.due - c.Mono())
		return
	}
	gen := tm.gen
	if tm.fn != nil {
		tm.fn()
	} else {
		tm.C.TrySend(tm.w.now)
	}
	if tm.period > 0 && tm.gen == gen {
		tm.arm(tm.period)
	}
}

// host returns the host whose pause holds the timer: its clock's, else its
// task's.
func (tm *Timer) host() *Host {
	if tm.clock != nil && tm.clock.host != nil {
		return tm.clock.host
	}
	if tm.by != nil {
		return tm.by.host
	}
	return nil
}

// DescribeEvent names the task that made the timer.
func (te *timerEvent) DescribeEvent(ev *Event) (string, string) {
	tm := (*Timer)(te)
	if tm.period > 0 {
		return taskName(tm.by), "ticker"
	}
	return taskName(tm.by), "timer"
}

// AfterFunc calls f in the event handler after d of logical time (at once
// for d <= 0), like time.AfterFunc, and returns a Timer whose C is nil. f
// runs outside any task, so it must not block: it may send with TrySend,
// schedule events or spawn tasks. Reset arms it again; Stop cancels it.
func AfterFunc(ctx context.Context, d time.Duration, f func()) *Timer {
	w := mustWorld(ctx, "sim.AfterFunc")
	tm := &Timer{w: w, by: w.current, fn: f}
	tm.arm(max(d, 0))
	return tm
}

// TickFunc calls f in the event handler every period of logical time until
// the returned Ticker is stopped; C is nil. It panics if the period is not
// positive, as time.NewTicker does.
func TickFunc(ctx context.Context, period time.Duration, f func()) *Ticker {
	if period <= 0 {
		panic("sim.TickFunc: non-positive period " + period.String())
	}
	w := mustWorld(ctx, "sim.TickFunc")
	tm := &Timer{w: w, by: w.current, period: period, fn: f}
	tm.arm(period)
	return tm
}

// Ticker sends the logical time on C every period, dropping ticks a slow
// receiver misses, like time.Ticker.
type Ticker = Timer

// NewTicker returns a Ticker with the given period. It panics if the period
// is not positive, as time.NewTicker does.
func NewTicker(ctx context.Context, period time.Duration) *Ticker {
	if period <= 0 {
		panic("sim.NewTicker: non-positive period " + period.String())
	}
	w := mustWorld(ctx, "sim.NewTicker")
	tm := &Timer{C: NewChan[time.Duration](1), w: w, by: w.current, period: period}
	tm.arm(period)
	return tm
}

// Drifted returns a clock reading that runs ahead of Now by at most the
// configured MaxDrift and never goes backwards, like FoundationDB's timer():
// code that compares two hosts' clocks, or trusts a lease, meets the skew a
// real cluster has. Each reading is one call of the main stream. It is one
// clock for the whole run; a HostClock gives each host a clock of its own
// (its env.Clock in a simulation), which code should prefer.
func (w *World) Drifted() time.Duration {
	ahead := w.now + w.rng.Duration(0, w.cfg.MaxDrift)
	w.drifted = max(w.drifted, ahead)
	return w.drifted
}
