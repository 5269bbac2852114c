package netsim

import (
	"errors"
	"math"
	"os"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// deadline is a socket's read, write or accept deadline, as package net
// keeps one: set from a wall-clock time.Time, it is turned into a reading
// of the monotonic clock of the socket's host when it is set (so a later
// step of the wall clock does not move it), and it passes when that clock
// reads it. A host without a clock (SetClock) counts true logical time,
// and a time.Time then reads as sim.Epoch plus it. An operation started
// after the deadline passed fails at once, before it looks at any data; one
// blocked when it passes wakes and fails. The zero deadline is none.
type deadline struct {
	at    time.Duration // the host's monotonic reading at which it passes
	on    bool
	timer *sim.Timer // wakes the blocked operations when it passes; made on first use
}

// set sets the deadline to t (the zero time: none), as h's clock reads t
// now.
func (d *deadline) set(h *Host, t time.Time) { d.at, d.on = h.monoOf(t) }

// monoOf returns the reading of h's monotonic clock at which its wall
// clock reads t, as the two read now: its clock's, or true logical time
// (from sim.Epoch) without one; and false for the zero time, which is no
// deadline. It checks the zero time itself, so that set, called for every
// SetDeadline, is inlined.
func (h *Host) monoOf(t time.Time) (time.Duration, bool) {
	if t.IsZero() {
		return 0, false
	}
	if c := h.clock; c != nil {
		return addSat(c.Mono(), sub(t, c.Now())), true
	}
	now := h.n.w.Now()
	return addSat(now, sub(t, sim.Epoch.Add(now))), true
}

// maxSubSeconds bounds the seconds between two times that sub computes
// itself: their difference in nanoseconds cannot overflow.
const maxSubSeconds = 9e9

// sub is t.Sub(u) for a u without a monotonic reading (as monoOf gives
// it), in a few instructions when the two are less than 285 years apart:
// Time.Sub decodes both times twice and checks its result by adding it
// back.
func sub(t, u time.Time) time.Duration {
	if s := t.Unix() - u.Unix(); s > -maxSubSeconds && s < maxSubSeconds {
		return time.Duration(s)*time.Second + time.Duration(t.Nanosecond()-u.Nanosecond())
	}
	return t.Sub(u)
}

// passed reports whether the deadline is set and h's clock has reached it.
func (d *deadline) passed(h *Host) bool {
	if !d.on {
		return false
	}
	return h.mono() >= d.at
}

// addSat returns a+b, held at the bounds of a time.Duration instead of
// wrapping: a deadline centuries away is far, not past.
func addSat(a, b time.Duration) time.Duration {
	switch {
	case b > 0 && a > math.MaxInt64-b:
		return math.MaxInt64
	case b < 0 && a < math.MinInt64-b:
		return math.MinInt64
	}
	return a + b
}

// mono returns h's monotonic reading now, as monoOf reads it, without the
// wall-clock time, which every check of a deadline would compute for
// nothing.
func (h *Host) mono() time.Duration {
	if h.clock == nil {
		return h.n.w.Now()
	}
	return h.clock.Mono()
}

// SetClock makes c the host's clock: the deadlines of its connections,
// listeners and datagram sockets are times of c's wall clock (as its
// env.Clock's Now gives them) and pass when c reads them, so a host whose
// clock runs fast times out early in true time, as a real machine does.
// Without a clock a host counts true logical time (sim.Epoch plus the
// World's time). A simulation built with package orrery gives every host
// its clock. Set it before the host's sockets are used: a deadline timer
// already made stays on the clock it was made on.
func (h *Host) SetClock(c *sim.HostClock) { h.clock = c }

// waitOn parks the calling task on q until it is woken, the deadline dl
// of a socket of h passes (a timeout error) or the task's context is done.
// The deadline is kept by a timer on h's clock, made on first use and
// re-armed after: a socket with a deadline on every call allocates nothing
// per wait. Tasks blocked on one socket share its timer (they share its
// deadline), so the last one to leave stops it.
func waitOn(h *Host, q *sim.WaitQueue, what string, dl *deadline) error {
	w := h.n.w
	t := w.Current()
	if t == nil {
		return errors.New("netsim: blocking I/O outside a simulated task")
	}
	if !dl.on {
		return q.WaitTask(t, what)
	}
	left := dl.at - h.mono()
	if left <= 0 {
		return errDeadline
	}
	if dl.timer == nil {
		dl.timer = h.afterFunc(left, func() { q.WakeAll() })
	} else {
		dl.timer.Reset(left)
	}
	defer stopLast(dl.timer, q)
	if err := q.WaitTask(t, what); err != nil {
		return err
	}
	if dl.passed(h) {
		return errDeadline
	}
	return nil
}

// stopLast stops the deadline's timer when the last task waiting on q
// leaves: the others, woken or not, still need it at the deadline.
func stopLast(tm *sim.Timer, q *sim.WaitQueue) {
	if q.Len() == 0 {
		tm.Stop()
	}
}

// afterFunc runs f when h's clock has counted d.
func (h *Host) afterFunc(d time.Duration, f func()) *sim.Timer {
	ctx := h.n.w.Context()
	if h.clock != nil {
		return h.clock.AfterFunc(ctx, d, f)
	}
	return sim.AfterFunc(ctx, d, f)
}

// errDeadline is the error of an operation whose deadline passed; as in
// package net, its Timeout() is true.
var errDeadline = os.ErrDeadlineExceeded
