package sim

import "time"

// deadlines holds the pending deadlines of contexts, apart from the event
// queue: a binary min-heap by (time, seq), as the queue orders events, of
// the live ones only. A deadline takes its seq from the World's counter when
// it is set, as an event would, and the loop takes whichever of the two
// queues' heads comes first, so that it fires at the same instant and in
// the same order as an event of the queue would. What keeping it apart
// saves: a context cancelled before its deadline, the common case of a
// timeout per request, leaves the heap at once (the last entry, most often,
// removed in O(1)) and never becomes a cancelled event of the queue, which
// every operation of the queue would carry until it is shed.
type deadlines struct {
	keys []dlKey
	ev   Event // the event a firing deadline is handled as
	used int   // contexts taken from the chunk w.ctxSpare (newDeadlineCtx)
	kids ctxKids
	// oddErr holds the error of a context cancelled with an error other
	// than context.Canceled or context.DeadlineExceeded (errOdd).
	oddErr map[*simCtx]error
}

// dlKey is a pending deadline: the true time and seq it fires at, the seq
// of the event that was being processed when it was set (its cause in the
// trace), its context, whose dl is 1 + the key's index, and for a deadline
// on a host's clock (HostClock.WithDeadline), the clock and the reading it
// waits for.
type dlKey struct {
	at    time.Duration
	seq   uint64
	cause uint64
	c     *simCtx
	clock *HostClock
	due   time.Duration
}

func (k *dlKey) before(o *dlKey) bool {
	if k.at != o.at {
		return k.at < o.at
	}
	return k.seq < o.seq
}

// addDeadline queues c's deadline at true time at, with a new seq; on a
// host's clock, waiting for clock to read due.
func (w *World) addDeadline(c *simCtx, at time.Duration, clock *HostClock, due time.Duration) {
	w.seq++
	d := &w.deadlines
	n := len(d.keys)
	if n < cap(d.keys) {
		d.keys = d.keys[:n+1]
	} else {
		d.keys = append(d.keys, dlKey{})
	}
	// Field by field, in place: a composite literal would be built aside
	// and copied with the garbage collector's bulk barrier.
	k := &d.keys[n]
	k.at, k.seq, k.cause, k.c, k.clock, k.due = at, w.seq, w.cur, c, clock, due
	c.dl = int32(n + 1)
	if n > 0 && k.before(&d.keys[(n-1)/2]) {
		d.up(n)
	}
}

// removeDeadline drops c's pending deadline, if any.
func (w *World) removeDeadline(c *simCtx) {
	if c.dl == 0 {
		return
	}
	d := &w.deadlines
	i, last := int(c.dl-1), len(d.keys)-1
	c.dl = 0
	if i != last {
		d.keys[i] = d.keys[last]
		d.keys[i].c.dl = int32(i + 1)
	}
	d.keys[last].c, d.keys[last].clock = nil, nil
	d.keys = d.keys[:last]
	if i != last {
		d.fix(i)
	}
}

// retimeDeadline moves c's pending deadline to true time at with a new seq,
// keeping its cause, as World.reschedule moves an event, and returns the
// seq.
func (w *World) retimeDeadline(c *simCtx, at time.Duration) uint64 {
	d := &w.deadlines
	i := int(c.dl - 1)
	w.seq++
	d.keys[i].at, d.keys[i].seq = at, w.seq
	d.fix(i)
	return w.seq
}

// deadlineSeq returns the seq of c's pending deadline, 0 if none.
func (w *World) deadlineSeq(c *simCtx) uint64 {
	if c.dl == 0 {
		return 0
	}
	return w.deadlines.keys[c.dl-1].seq
}

// deadlineMayBeFirst is deadlineFirst's quick test, small enough to be
// inlined in the loop: false when no deadline is pending or a live event
// of the queue comes before the earliest (most often, a deadline is far).
func (w *World) deadlineMayBeFirst() bool {
	d := w.deadlines.keys
	return len(d) > 0 && (w.dead > 0 || len(w.queue.keys) == 0 || d[0].at <= w.queue.keys[0].at)
}

// deadlineFirst reports whether a deadline is pending and the earliest
// comes before every event left in the queue, cancelled events dropped.
func (w *World) deadlineFirst() bool {
	if len(w.deadlines.keys) == 0 {
		return false
	}
	if w.dead > 0 {
		w.dropCancelled()
	}
	if w.queue.len() == 0 {
		return true
	}
	k, d := &w.queue.keys[0], &w.deadlines.keys[0]
	return d.at < k.at || d.at == k.at && d.seq < k.seq
}

// nextDeadline returns the time of the earliest pending deadline.
func (w *World) nextDeadline() (time.Duration, bool) {
	if len(w.deadlines.keys) == 0 {
		return 0, false
	}
	return w.deadlines.keys[0].at, true
}

// processDeadline fires the earliest pending deadline, processed as the
// Timer event it stands for.
func (w *World) processDeadline() {
	d := &w.deadlines
	k := d.keys[0]
	last := len(d.keys) - 1
	d.keys[0] = d.keys[last]
	d.keys[last] = dlKey{}
	d.keys = d.keys[:last]
	if last > 0 {
		d.down(0)
	}
	k.c.dl = 0
	var id uint64
	if by := k.c.by(); by != nil {
		id = uint64(by.id)
	}
	ev := &d.ev
	*ev = Event{At: k.at, Seq: k.seq, Cause: k.cause, By: TaskID(id), ID: id, Op: OpTimer, h: (*ctxTimer)(k.c)}
	w.process(ev)
	d.ev.h = nil
}

// workloadDeadline reports whether a pending deadline is a workload's: a
// context's made by a task that is not a daemon (or has finished), as the
// queue counts a timer event.
func (w *World) workloadDeadline(daemon map[TaskID]bool) bool {
	for _, k := range w.deadlines.keys {
		if by := k.c.by(); by != nil && !daemon[by.id] {
			return true
		}
	}
	return false
}

// fix restores the order after the key at i changed.
func (d *deadlines) fix(i int) {
	if !d.up(i) {
		d.down(i)
	}
}

// up sifts the key at i up to its place and reports whether it moved.
func (d *deadlines) up(i int) bool {
	keys := d.keys
	k := keys[i]
	start := i
	for i > 0 {
		p := (i - 1) / 2
		if !k.before(&keys[p]) {
			break
		}
		keys[i] = keys[p]
		keys[i].c.dl = int32(i + 1)
		i = p
	}
	keys[i] = k
	k.c.dl = int32(i + 1)
	return i != start
}

// down sifts the key at i down to its place.
func (d *deadlines) down(i int) {
	keys, n := d.keys, len(d.keys)
	k := keys[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && keys[r].before(&keys[c]) {
			c = r
		}
		if !keys[c].before(&k) {
			break
		}
		keys[i] = keys[c]
		keys[i].c.dl = int32(i + 1)
		i = c
	}
	keys[i] = k
	k.c.dl = int32(i + 1)
}
