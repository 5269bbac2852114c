package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// Host is a group of tasks that share a machine: its clock and its pauses.
// A host can be paused (Pause), as a garbage collection, a VM migration or
// SIGSTOP freeze a process: while it is paused its tasks do not run and
// the timers of its clock and of its tasks do not fire, while the network,
// the disks and the other hosts go on. Events keep being processed for it:
// bytes sent to it land in its receive buffers, its disk I/O completes,
// its contexts expire; the tasks they wake wait for the resume.
//
// A pause takes effect at the next park: the task running when its host is
// paused finishes its slice. At the resume everything that came due runs:
// the held tasks in the order they were woken, then the held timers in the
// order they fired. The host's clock kept running, so its tasks see the
// time jump. An aborted task (a crash) runs at once, paused or not.
//
// A task belongs to the host of the task that spawned it, or to the one
// SetHost gives it; a task of no host is never paused. A host that is
// never paused costs the engine nothing but a counter test.
type Host struct {
	w      *World
	name   string
	clock  *HostClock
	paused bool
	since  time.Duration // true time the current pause started
	resume EventRef      // the pending end of the current pause
	held   []*Task       // its tasks woken during the pause, in order
	timers []*Timer      // its timers that fired during the pause, in order
}

// ErrPaused is returned by Host.Pause for a host that is paused already.
var ErrPaused = errors.New("the host is paused already")

// NewHost returns the host called name (which names it in the trace and in
// failure reports). clock, if not nil, is its clock: the timers armed on it
// are held while the host is paused, and its reading is shown on the
// host's trace records while it differs from true time.
func NewHost(w *World, name string, clock *HostClock) *Host {
	h := &Host{w: w, name: name, clock: clock}
	if clock != nil {
		clock.host = h
	}
	return h
}

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// Clock returns the host's clock, nil if it has none.
func (h *Host) Clock() *HostClock { return h.clock }

// Paused reports whether the host is paused now.
func (h *Host) Paused() bool { return h.paused }

// SetHost makes t a task of h (nil: of no host). The tasks t spawns from
// then on belong to h too.
func (t *Task) SetHost(h *Host) {
	t.host = h
	if h != nil && t.w.tracer.on {
		t.w.tracer.hostOf(t.id, h)
	}
}

// Host returns the host t belongs to, nil if none.
func (t *Task) Host() *Host { return t.host }

// Pause freezes the host for d of true time (see Host), from now: it writes
// a Pause fault record naming the host and schedules the resume. It
// returns ErrPaused while the host is paused, and an error for a d that
// is not positive.
func (h *Host) Pause(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("pause %s for %v: the duration must be positive", h.name, d)
	}
	if h.paused {
		return fmt.Errorf("pause %s: %w", h.name, ErrPaused)
	}
	w := h.w
	if !h.inject("Pause", fmt.Sprintf("for=%v", d)) {
		return nil
	}
	h.paused, h.since = true, w.now
	w.paused++
	h.resume = w.Schedule(d, OpTimer, 0, 0, (*hostResume)(h))
	return nil
}

// Resume ends the host's pause at once (a crash, the end of the chaos
// phase): the resume is moved to now and happens after the current task
// or event. It does nothing for a host that is not paused.
func (h *Host) Resume() {
	if h.paused {
		h.resume = h.w.reschedule(h.resume, h.w.now)
	}
}

// hostResume handles the event that ends a host's pause.
type hostResume Host

func (hr *hostResume) HandleEvent(ev *Event) {
	h := (*Host)(hr)
	if !h.paused || h.resume.seq != ev.Seq {
		return
	}
	w := h.w
	h.paused, h.resume = false, EventRef{}
	w.paused--
	h.record("Resume", fmt.Sprintf("after=%v", w.now-h.since))
	for _, t := range h.held {
		t.held = false
		w.runnable = append(w.runnable, t)
	}
	clear(h.held)
	h.held = h.held[:0]
	timers := h.timers
	h.timers = nil
	for _, tm := range timers {
		if tm.held {
			tm.held = false
			tm.fire()
		}
	}
}

func (hr *hostResume) DescribeEvent(*Event) (string, string) { return hr.name, "resume" }

// hold keeps t, picked to run while its host is paused, for the resume.
func (h *Host) hold(t *Task) {
	t.held = true
	h.held = append(h.held, t)
}

// release lets a held task run now: it was aborted.
func (h *Host) release(t *Task) {
	for i, x := range h.held {
		if x == t {
			h.held = append(h.held[:i], h.held[i+1:]...)
			break
		}
	}
	t.held = false
	h.w.runnable = append(h.w.runnable, t)
}

// holdTimer keeps tm, which came due while its host is paused, to fire at
// the resume.
func (h *Host) holdTimer(tm *Timer) {
	tm.held = true
	h.timers = append(h.timers, tm)
}

// holds reports whether t, picked to run, must wait for its host's resume.
func (w *World) holds(t *Task) bool {
	h := t.host
	return h != nil && h.paused && !t.aborted && !w.tearingDown
}

func (h *Host) record(op, detail string) {
	if c := skewedClock(h); c != nil {
		detail += " clock=" + c.Reading()
	}
	h.w.Record("sim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: op,
		Obj: "host", Name: h.name, Detail: detail})
}

// inject is record for a fault about to be injected: it reports whether
// the fault may happen (see World.InjectFault).
func (h *Host) inject(op, detail string) bool {
	if c := skewedClock(h); c != nil {
		detail += " clock=" + c.Reading()
	}
	return h.w.InjectFault("sim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: op,
		Obj: "host", Name: h.name, Detail: detail})
}

// heldWaiting describes a held task for a failure report.
func (t *Task) heldWaiting() string {
	s := fmt.Sprintf("host %s paused since t=%s", t.host.name, seconds(t.host.since))
	if h := t.host; h.resume.seq != 0 && int(h.resume.slot) < len(t.w.queue.slab) {
		if ev := &t.w.queue.slab[h.resume.slot]; ev.Seq == h.resume.seq {
			s += " until t=" + seconds(ev.At)
		}
	}
	if t.waitingOn != "" {
		s += ", woken from " + t.waitingOn
	}
	return s
}
