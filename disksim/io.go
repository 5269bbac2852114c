package disksim

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// ioOp is one operation in flight: the task that issued it waits until its
// Storage event completes it.
type ioOp struct {
	d      *Disk
	f      *file
	op     sim.Op
	n      int   // bytes
	off    int64 // offset, -1 when it does not apply
	k      int   // for a sync: how many pending writes it covers
	done   bool
	err    error
	waiter sim.WaitQueue
}

// latency returns how long an operation of n bytes takes from now, and
// keeps the device busy for its share of the IOPS.
func (d *Disk) latency(op sim.Op, n int) time.Duration {
	c, w := &d.s.cfg, d.s.w
	var lo, hi time.Duration
	switch op {
	case sim.OpReadComplete:
		lo, hi = pick(c.ReadMin, c.ReadMax, 50*time.Microsecond, 200*time.Microsecond)
	case sim.OpSyncComplete:
		lo, hi = pick(c.SyncMin, c.SyncMax, time.Millisecond, 5*time.Millisecond)
	default:
		lo, hi = pick(c.WriteMin, c.WriteMax, 100*time.Microsecond, 500*time.Microsecond)
	}
	base := w.Rand().Duration(lo, hi) + time.Duration(int64(n)*int64(time.Second)/c.bandwidth())
	d.episodes()
	now := w.Now()
	if d.throttled > now {
		base *= 10
	}
	start := max(now, d.busyUntil, d.stallUntil)
	d.busyUntil = start + time.Second/time.Duration(c.iops())
	return start - now + base
}

// episodes may start a stall or a throttling episode.
func (d *Disk) episodes() {
	f, w := &d.s.cfg.Faults, d.s.w
	if d.fault(f.StallP) {
		lo, hi := pick(f.StallMin, f.StallMax, 50*time.Millisecond, 500*time.Millisecond)
		if until := w.Now() + w.Rand().Duration(lo, hi); d.inject("Stall", nil, "until="+until.String()) {
			d.stallUntil = until
		}
	}
	if d.fault(f.ThrottleP) {
		dur := f.ThrottleFor
		if dur == 0 {
			dur = time.Second
		}
		if d.inject("Throttle", nil, "for="+dur.String()) {
			d.throttled = w.Now() + dur
		}
	}
}

// errOutsideTask is the error of I/O attempted outside a simulated task
// (during setup, in an event handler).
var errOutsideTask = errors.New("disksim: I/O outside a simulated task")

// waitOwn is wait on the running task's own context: file I/O takes none.
func (d *Disk) waitOwn(o *ioOp) error {
	t := d.s.w.Current()
	if t == nil {
		return errOutsideTask
	}
	return d.wait(t.Context(), o)
}

// wait issues op and parks the calling task until it completes or ctx is
// done.
func (d *Disk) wait(ctx context.Context, o *ioOp) error {
	w := d.s.w
	if w.Current() == nil {
		return errOutsideTask
	}
	id := uint64(0)
	if o.f != nil {
		id = o.f.ino.id
	}
	w.Schedule(d.latency(o.op, o.n), o.op, id, int64(o.n), o)
	for !o.done {
		if err := o.waiter.Wait(ctx, waitReason[o.op]); err != nil {
			return err // the op completes without us, and is not reused
		}
	}
	err := o.err
	d.release(o)
	return err
}

// waitReason is what a task waiting for an operation is parked on, for
// deadlock reports.
var waitReason = map[sim.Op]string{
	sim.OpReadComplete: "disk read", sim.OpWriteComplete: "disk write", sim.OpSyncComplete: "disk sync",
	sim.OpOpenComplete: "disk open", sim.OpTruncateComplete: "disk truncate",
}

// op returns a fresh operation, reusing a finished one.
func (d *Disk) op(f *file, kind sim.Op, n int, off int64) *ioOp {
	var o *ioOp
	if k := len(d.free); k > 0 {
		o, d.free = d.free[k-1], d.free[:k-1]
	} else {
		o = &ioOp{}
	}
	*o = ioOp{d: d, f: f, op: kind, n: n, off: off}
	return o
}

func (d *Disk) release(o *ioOp) {
	if len(d.free) < 64 {
		d.free = append(d.free, o)
	}
}

// HandleEvent completes the operation: a sync makes its writes durable
// (or fails), the rest only wake their task.
func (o *ioOp) HandleEvent(*sim.Event) {
	if o.op == sim.OpSyncComplete && o.f != nil {
		o.err = o.d.completeSync(o.f, o.k)
	}
	o.done = true
	o.waiter.WakeAll()
}

// DescribeEvent names the file ("db:wal.log") and the bytes and offset.
func (o *ioOp) DescribeEvent(*sim.Event) (string, string) {
	name := o.d.owner
	if o.f != nil {
		name += ":" + o.f.name
	}
	detail := ""
	if o.n > 0 || o.op == sim.OpReadComplete || o.op == sim.OpWriteComplete {
		detail = "bytes=" + strconv.Itoa(o.n)
	}
	if o.off >= 0 {
		detail += " off=" + strconv.FormatInt(o.off, 10)
	}
	return name, detail
}

// completeSync makes the first k pending writes of f durable, unless the
// sync fails: then each of them is resolved as a crash would, and the rest
// of the data in the cache will never reach the disk by this sync or any
// later one. A failure the fault filter suppresses draws the writes' fates
// all the same, then lets the sync succeed.
func (d *Disk) completeSync(f *file, k int) error {
	ino := f.ino
	k = min(k, len(ino.pending))
	if d.fault(d.s.cfg.Faults.SyncFailP) {
		fates := make([]fate, k)
		for i, wr := range ino.pending[:k] {
			fates[i] = d.resolve(ino, wr)
		}
		if d.inject("SyncFail", f, "writes="+strconv.Itoa(k)) {
			d.settle(f, fates)
			d.recordSyncFail(f, fates)
			ino.pending = ino.pending[k:]
			return errEIO
		}
	}
	if k == len(ino.pending) {
		// The common case: everything written is synced, so the durable
		// image can share the live pages the writes touched.
		for _, wr := range ino.pending {
			ino.durable.share(&ino.data, wr)
		}
	} else {
		for _, wr := range ino.pending[:k] {
			ino.durable.apply(wr)
		}
	}
	ino.pending = ino.pending[k:]
	return nil
}
