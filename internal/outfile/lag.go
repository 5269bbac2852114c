package outfile

import (
	"sync/atomic"
	"time"
)

// Lag tells a writer that buffers its output when what it holds has
// waited long enough, in real time, to be written: Arm when the buffer
// takes its first byte, Due on each later write, Clear after a flush. The
// real time decides when bytes are written, never what they are, so a
// simulation may buffer its trace with one and stay deterministic. The
// zero Lag waits DefaultLag.
type Lag struct {
	Wait  time.Duration // how long a byte may wait; zero means DefaultLag
	due   atomic.Bool
	timer *time.Timer
	armed bool
}

// DefaultLag is how long the zero Lag lets a byte wait.
const DefaultLag = 10 * time.Millisecond

// Arm starts the wait, unless it is running.
func (l *Lag) Arm() {
	if l.armed {
		return
	}
	l.armed = true
	d := l.Wait
	if d == 0 {
		d = DefaultLag
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(d, func() { l.due.Store(true) })
		return
	}
	l.timer.Reset(d)
}

// Due reports whether the wait armed last has ended.
func (l *Lag) Due() bool { return l.due.Load() }

// Clear ends the wait: the buffer was written.
func (l *Lag) Clear() {
	l.due.Store(false)
	l.armed = false
}

// Stop releases the timer, for good.
func (l *Lag) Stop() {
	if l.timer != nil {
		l.timer.Stop()
	}
	l.armed = false
}
