package sim

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// HostClock is one host's clock: a reading of true logical time with an
// offset and a drift rate, as a real machine's clock differs from true time.
// The event queue stays on true time; the clock converts both ways.
//
// Monotonic and wall readings follow Go's time package. Mono is the
// monotonic reading: it starts at Offset, advances by (1+DriftPPM/1e6) per
// unit of true time, and never goes backward. Now is the wall reading:
// Epoch plus Mono plus every Step so far, so a backward Step moves Now back
// while Mono, and every duration, timer, Sleep, ticker and WithTimeout
// measured on it, goes on. WithDeadline takes a wall time and, as Go does
// for a time.Time without a monotonic reading, turns it into a duration on
// the monotonic clock when it is called.
//
// A change of drift (SetDrift) applies from the instant it is made: every
// Sleep, timer, ticker and deadline of the clock that is still pending is
// moved to the true instant at which the clock, at its new rate, reaches
// its end (keeping its cause in the trace). The zero HostClock of a World (NewHostClock with zero
// offset and drift) reads true time exactly and schedules exactly as the
// World's own Sleep and timers do.
type HostClock struct {
	w    *World
	name string
	host *Host         // the host it belongs to, if any (NewHost)
	base time.Duration // true time at which the current rate started
	mono time.Duration // monotonic reading at base
	ppm  int64         // drift rate, parts per million
	step time.Duration // sum of wall steps: Now = Epoch + Mono + step
	// waits are the clock's pending waits (and some that have ended since:
	// they are dropped when the list is next compacted), in the order they
	// were armed, for SetDrift to retime. A clock that has never drifted
	// does not keep them (tracked is false): its first SetDrift finds
	// them in the event queue (adopt), so that the clocks of most hosts
	// cost their waits nothing.
	waits   []clockWait
	tracked bool
}

// clockWait is a wait on a HostClock: a sleeping task, a timer or a
// context's deadline, pending on the event seq until the clock reads due.
type clockWait struct {
	seq   uint64
	due   time.Duration
	task  *Task
	timer *Timer
	ctx   *simCtx
}

// ref returns the event the wait is pending on now (nil for a context's
// deadline, which is not an event of the queue).
func (cw *clockWait) ref() *EventRef {
	switch {
	case cw.task != nil:
		return &cw.task.sleepRef
	case cw.timer != nil:
		return &cw.timer.ref
	}
	return nil
}

// pending reports whether the wait still waits on the event it was armed
// (or last retimed) with.
func (cw *clockWait) pending() bool {
	if cw.ctx != nil {
		return cw.ctx.w.deadlineSeq(cw.ctx) == cw.seq
	}
	if cw.task != nil && cw.task.sleepSeq != cw.seq {
		return false
	}
	return cw.ref().seq == cw.seq
}

// track adds a wait, dropping ended ones when the list is full; a clock
// that has never drifted keeps none.
func (c *HostClock) track(cw clockWait) {
	if !c.tracked {
		return
	}
	if len(c.waits) == cap(c.waits) {
		c.compact()
		// Mostly live: grow, so that the next compaction is as many waits
		// away as there are live ones, not one wait away.
		if n := len(c.waits); n >= cap(c.waits)/2 {
			c.waits = slices.Grow(c.waits, n+1)
		}
	}
	c.waits = append(c.waits, cw)
}

func (c *HostClock) compact() {
	live := c.waits[:0]
	for _, cw := range c.waits {
		if cw.pending() {
			live = append(live, cw)
		}
	}
	clear(c.waits[len(live):])
	c.waits = live
}

// retime moves every pending wait to the true instant the clock, at its
// current rate, reads its end.
func (c *HostClock) retime() {
	c.compact()
	for i := range c.waits {
		cw := &c.waits[i]
		at := c.TrueAt(cw.due)
		if cw.ctx != nil {
			cw.seq = c.w.retimeDeadline(cw.ctx, at)
			cw.ctx.deadline = at
			continue
		}
		r := cw.ref()
		*r = c.w.reschedule(*r, at)
		cw.seq = r.seq
		if cw.task != nil {
			cw.task.sleepSeq, cw.task.wakeAt = r.seq, at
		}
	}
}

// MaxDriftPPM bounds a HostClock's drift rate: faster or slower than true
// time by at most half.
const MaxDriftPPM = 500_000

// NewHostClock returns the clock of the host name (which names it in the
// trace), reading offset at the current true time and drifting by ppm parts
// per million. It panics if |ppm| exceeds MaxDriftPPM.
func NewHostClock(w *World, name string, offset time.Duration, ppm int64) *HostClock {
	checkPPM(ppm)
	return &HostClock{w: w, name: name, base: w.now, mono: w.now + offset, ppm: ppm, tracked: ppm != 0}
}

// adopt starts tracking the clock's waits: those pending now are found in
// the event queue and listed in the order they were armed (their seq), as
// track would have listed them.
func (c *HostClock) adopt() {
	c.tracked = true
	for _, k := range c.w.queue.keys {
		ev := &c.w.queue.slab[k.slot]
		if ev.dead {
			continue
		}
		if cw, ok := c.waitOf(ev); ok {
			c.waits = append(c.waits, cw)
		}
	}
	for _, k := range c.w.deadlines.keys {
		if k.clock == c {
			c.waits = append(c.waits, clockWait{seq: k.seq, due: k.due, ctx: k.c})
		}
	}
	slices.SortFunc(c.waits, func(a, b clockWait) int { return cmp.Compare(a.seq, b.seq) })
}

// waitOf returns the wait of this clock that ev is pending for, if any.
func (c *HostClock) waitOf(ev *Event) (clockWait, bool) {
	switch h := ev.h.(type) {
	case *timerEvent:
		if tm := (*Timer)(h); tm.clock == c && tm.ref.seq == ev.Seq {
			return clockWait{seq: ev.Seq, due: tm.due, timer: tm}, true
		}
	case *taskTimer:
		if t := (*Task)(h); t.sleepClock == c && t.sleepSeq == ev.Seq {
			return clockWait{seq: ev.Seq, due: t.sleepDue, task: t}, true
		}
	}
	return clockWait{}, false
}

func checkPPM(ppm int64) {
	if ppm > MaxDriftPPM || ppm < -MaxDriftPPM {
		panic(fmt.Sprintf("sim: drift %d ppm is beyond ±%d", ppm, MaxDriftPPM))
	}
}

// World returns the World the clock belongs to.
func (c *HostClock) World() *World { return c.w }

// Name returns the host the clock belongs to.
func (c *HostClock) Name() string { return c.name }

// DriftPPM returns the current drift rate.
func (c *HostClock) DriftPPM() int64 { return c.ppm }

// Skewed reports whether the clock reads anything but true time now or
// later: an offset, a drift or a step.
func (c *HostClock) Skewed() bool {
	return c.ppm != 0 || c.step != 0 || c.mono != c.base
}

// drifted returns dt (not negative) of true time as the clock counts it,
// dt + floor(dt*ppm/1e6): rounded down, so a clock never reads ahead of its
// rate. It never decreases as dt grows, since |ppm| < 1e6.
func drifted(dt time.Duration, ppm int64) time.Duration {
	if ppm == 0 { // most clocks: no divisions
		return dt
	}
	d := int64(dt)
	frac := (d % 1e6) * ppm
	q := frac / 1e6
	if frac%1e6 < 0 {
		q-- // floor, not truncation, for a slow clock
	}
	return time.Duration(d + (d/1e6)*ppm + q)
}

// MonoAt returns the clock's monotonic reading at true time t, which must
// not be before the last SetDrift.
func (c *HostClock) MonoAt(t time.Duration) time.Duration {
	return c.mono + drifted(t-c.base, c.ppm)
}

// Mono returns the monotonic reading now.
func (c *HostClock) Mono() time.Duration { return c.MonoAt(c.w.now) }

// Now returns the host's wall-clock reading now.
func (c *HostClock) Now() time.Time { return epochPlus(c.Mono() + c.step) }

// epochUnix is Epoch in seconds since 1970.
var epochUnix = Epoch.Unix()

// epochPlus returns Epoch.Add(d), the same time.Time to the bit (in UTC,
// without a monotonic reading), in a few instructions: Time.Add reads
// and rebuilds both of a time's encoded words.
func epochPlus(d time.Duration) time.Time {
	return time.Unix(epochUnix+int64(d/time.Second), int64(d%time.Second)).UTC()
}

// TrueAt returns the earliest true time, not before now, at which the
// monotonic reading is at least m: the inverse of MonoAt. When that time
// is beyond what a Duration holds, it returns math.MaxInt64: never.
func (c *HostClock) TrueAt(m time.Duration) time.Duration {
	now := c.w.now
	dm := m - c.mono
	if m <= c.MonoAt(now) {
		return now
	}
	if dm < 0 { // m - c.mono overflowed: further than a Duration holds
		return math.MaxInt64
	}
	if c.ppm == 0 { // most clocks: no drift, no search
		if c.base > math.MaxInt64-dm {
			return math.MaxInt64
		}
		return max(c.base+dm, now)
	}
	est := float64(dm) * 1e6 / float64(1e6+c.ppm)
	if est >= float64(math.MaxInt64-c.base)-1e9 {
		// Beyond a Duration, or too near its end for the search below,
		// which steps from an estimate that float64 rounds to 1 us there.
		return math.MaxInt64
	}
	dt := time.Duration(est)
	for drifted(dt, c.ppm) < dm {
		dt++
	}
	for dt > 0 && drifted(dt-1, c.ppm) >= dm {
		dt--
	}
	return max(c.base+dt, now)
}

// delay returns how much true time passes, from now, until the clock has
// counted d more.
func (c *HostClock) delay(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return c.TrueAt(c.Mono()+d) - c.w.now
}

// Step jumps the wall clock by d (back for a negative d), as an NTP
// correction does; Mono, timers and sleeps are unaffected. It writes a
// ClockStep fault record naming the host.
func (c *HostClock) Step(d time.Duration) {
	c.step += d
	if !c.w.InjectFault("sim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: "ClockStep",
		Obj: "host", Name: c.name, Detail: fmt.Sprintf("step=%v clock=%s", d, c.format())}) {
		c.step -= d // suppressed: the record shows the reading it would have had
	}
}

// SetDrift changes the drift rate from now on (see HostClock for armed
// timers). It writes a ClockDrift fault record naming the host.
func (c *HostClock) SetDrift(ppm int64) {
	checkPPM(ppm)
	c.setDrift(ppm)
	c.record("ClockDrift", fmt.Sprintf("ppm=%d clock=%s", ppm, c.format()))
}

// InjectDrift is SetDrift as an injected fault: it asks the fault filter
// with the ClockDrift record (see World.InjectFault), changes the rate
// only if the fault may happen, and reports whether it did. With no
// filter it is SetDrift.
func (c *HostClock) InjectDrift(ppm int64) bool {
	checkPPM(ppm)
	if !c.w.InjectFault("sim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: "ClockDrift",
		Obj: "host", Name: c.name, Detail: fmt.Sprintf("ppm=%d clock=%s", ppm, c.format())}) {
		return false
	}
	c.setDrift(ppm)
	return true
}

func (c *HostClock) setDrift(ppm int64) {
	c.mono, c.base, c.ppm = c.Mono(), c.w.now, ppm
	if !c.tracked {
		c.adopt()
	}
	c.retime()
}

func (c *HostClock) record(op, detail string) {
	c.w.Record("sim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: op,
		Obj: "host", Name: c.name, Detail: detail})
}

// format renders the wall reading as the trace shows it: seconds since
// Epoch, as t= shows true time, to the nanosecond.
func (c *HostClock) format() string {
	return fmt.Sprintf("%.9fs", (c.Mono() + c.step).Seconds())
}

// Reading renders the host's wall reading for the trace: seconds since
// Epoch to the nanosecond ("1.000200000s").
func (c *HostClock) Reading() string { return c.format() }

// Sleep blocks the calling task until the clock has counted d, or ctx is
// done (returning its error).
// It is inlined in its callers: one frame fewer between a sleeping task
// and its switch.
func (c *HostClock) Sleep(ctx context.Context, d time.Duration) error {
	return sleep(ctx, d, c)
}

// AfterFunc is sim.AfterFunc on this clock: f runs when the clock has
// counted d; Reset counts on this clock too.
func (c *HostClock) AfterFunc(ctx context.Context, d time.Duration, f func()) *Timer {
	w := mustWorld(ctx, "sim.HostClock.AfterFunc")
	tm := &Timer{w: w, by: w.current, fn: f, clock: c}
	tm.arm(max(d, 0))
	return tm
}

// TickFunc is sim.TickFunc on this clock: f runs each time the clock has
// counted another period since the last tick.
func (c *HostClock) TickFunc(ctx context.Context, period time.Duration, f func()) *Ticker {
	if period <= 0 {
		panic("sim.HostClock.TickFunc: non-positive period " + period.String())
	}
	w := mustWorld(ctx, "sim.HostClock.TickFunc")
	tm := &Timer{w: w, by: w.current, period: period, fn: f, clock: c}
	tm.arm(period)
	return tm
}

// WithTimeout returns a context that expires when the clock has counted d.
// Its Deadline is the wall reading now plus d.
func (c *HostClock) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if p := quickParent(parent); p != nil && p.w == c.w && c.ppm == 0 {
		// What slowTimeout does on a clock that does not drift, under a
		// parent that quickDeadline takes, in this frame: Mono is c.mono
		// plus the true time since c.base, and TrueAt of a reading d ahead
		// is d ahead of now.
		w := c.w
		mono := c.mono + (w.now - c.base)
		wall, at := mono+c.step, w.now+d
		// slowTimeout's tests: d positive, and no reading or time beyond
		// a Duration.
		if d > 0 && at > w.now && mono+d > mono && wall+d > wall && (wall < mono) == (c.step < 0) {
			sc := w.quickDeadline(p, at, wall+d, c, mono+d)
			if c.tracked {
				c.track(clockWait{seq: w.seq, due: mono + d, ctx: sc})
			}
			return sc, sc.cancelFunc()
		}
	}
	return c.slowTimeout(parent, d)
}

// slowTimeout is WithTimeout in every case.
func (c *HostClock) slowTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	mono := c.Mono()
	wall := mono + c.step // Now is Epoch plus wall
	if d <= 0 || mono > math.MaxInt64-d || (wall < mono) != (c.step < 0) || wall > math.MaxInt64-d {
		return c.WithDeadline(parent, c.Now().Add(d))
	}
	// WithDeadline's arithmetic without time.Time's: its deadline is
	// Epoch plus wall plus d, d ahead of Now.
	return c.withDeadline(parent, mono+d, wall+d)
}

// WithDeadline returns a context that expires when the host's wall clock,
// counted on its monotonic clock from now, reaches deadline. Its Deadline
// reports deadline as given.
func (c *HostClock) WithDeadline(parent context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	w := mustWorld(parent, "sim.HostClock.WithDeadline")
	due := c.Mono() + deadline.Sub(c.Now())
	var sc *simCtx
	var cancel context.CancelFunc
	if deadline.Sub(c.Now()) <= 0 {
		sc, cancel = w.withDeadline(parent, w.now-1, deadline.Sub(Epoch), nil, 0) // already past on this clock
	} else {
		sc, cancel = c.withDeadline(parent, due, deadline.Sub(Epoch))
	}
	sc.show(deadline)
	return sc, cancel
}

// withDeadline returns a context that expires when the clock reads due,
// whose Deadline reports Epoch plus shownAt.
func (c *HostClock) withDeadline(parent context.Context, due, shownAt time.Duration) (*simCtx, context.CancelFunc) {
	w := mustWorld(parent, "sim.HostClock.WithDeadline")
	sc, cancel := w.withDeadline(parent, c.TrueAt(due), shownAt, c, due)
	if sc.dl != 0 && c.tracked {
		c.track(clockWait{seq: w.deadlineSeq(sc), due: due, ctx: sc})
	}
	return sc, cancel
}
