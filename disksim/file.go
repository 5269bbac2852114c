package disksim

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// The errors of expected disk conditions, as package os returns them
// inside an *fs.PathError.
var (
	// ErrNoSpace: the disk is full.
	ErrNoSpace = syscall.ENOSPC
	// errEIO is a failed Sync.
	errEIO = syscall.EIO
	// errNegative is an offset below zero.
	errNegative = errors.New("negative offset")
)

// file is an open file: the env.File of OpenFile.
type file struct {
	d      *Disk
	ino    *inode
	name   string
	flag   int
	pos    int64
	closed bool
}

var _ env.File = (*file)(nil)

func (f *file) err(op string, err error) error { return &fs.PathError{Op: op, Path: f.name, Err: err} }

// Name returns the path the file was opened with.
func (f *file) Name() string { return f.name }

func (f *file) check(op string, write bool) error {
	switch {
	case f.closed:
		return f.err(op, fs.ErrClosed)
	case write && f.flag&(os.O_WRONLY|os.O_RDWR) == 0:
		return f.err(op, syscall.EBADF)
	case !write && f.flag&os.O_WRONLY != 0:
		return f.err(op, syscall.EBADF)
	}
	return nil
}

// ReadAt reads len(p) bytes at off, returning io.EOF when it reaches the
// end first.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if err := f.check("read", false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, f.err("readat", errNegative)
	}
	d := f.d
	if err := d.waitOwn(d.op(f, sim.OpReadComplete, len(p), off)); err != nil {
		return 0, f.err("read", err)
	}
	if f.closed {
		return 0, f.err("read", fs.ErrClosed)
	}
	src := off
	if d.fault(d.s.cfg.Faults.MisdirectedReadP) {
		to := max(0, off+int64(d.s.w.Rand().IntN(17)-8)*d.s.cfg.sector())
		if d.inject("MisdirectedRead", f, "off="+itoa64(off)+" from="+itoa64(to)) {
			src = to
		}
	}
	n := f.ino.data.readAt(p, src)
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	if d.fault(d.s.cfg.Faults.ReadCorruptP) && n > 0 {
		if bit := d.s.w.Rand().IntN(n * 8); d.inject("ReadCorrupt", f, "off="+itoa64(off)) {
			p[bit/8] ^= 1 << (bit % 8)
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt writes p at off; the data is durable once Sync returns nil.
func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if err := f.check("write", true); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, f.err("writeat", errNegative)
	}
	if f.flag&os.O_APPEND != 0 {
		return 0, f.err("writeat", errors.New("os: invalid use of WriteAt on file opened with O_APPEND"))
	}
	return f.writeAt(p, off)
}

func (f *file) writeAt(p []byte, off int64) (int, error) {
	d := f.d
	if c := d.s.cfg.Capacity; c > 0 && off+int64(len(p)) > f.ino.data.size &&
		d.used()+off+int64(len(p))-f.ino.data.size > c {
		return 0, f.err("write", ErrNoSpace)
	}
	d.store(f, p, off)
	if err := d.waitOwn(d.op(f, sim.OpWriteComplete, len(p), off)); err != nil {
		return 0, f.err("write", err)
	}
	return len(p), nil
}

// store applies a write to the file's cache and records it as pending,
// applying the write faults. A write of no bytes changes nothing, as on a
// regular file: not the size, even at an offset beyond it (a pending write
// of no data would read as a truncate to 0).
func (d *Disk) store(f *file, p []byte, off int64) {
	if len(p) == 0 {
		return
	}
	ft, r := &d.s.cfg.Faults, d.s.w.Rand()
	ino := f.ino
	if d.fault(ft.PhantomWriteP) && d.inject("PhantomWrite", f, "off="+itoa64(off)+" bytes="+itoa(len(p))) {
		return
	}
	data := ino.keep(p)
	if d.fault(ft.WriteCorruptP) && len(data) > 0 {
		if bit := r.IntN(len(data) * 8); d.inject("WriteCorrupt", f, "off="+itoa64(off)) {
			data[bit/8] ^= 1 << (bit % 8)
		}
	}
	if d.fault(ft.MisdirectedWriteP) {
		to := max(0, off+int64(r.IntN(17)-8)*d.s.cfg.sector())
		if d.inject("MisdirectedWrite", f, "off="+itoa64(off)+" to="+itoa64(to)) {
			off = to
		}
	}
	if ft.UnwrittenGarbage && off > ino.data.size {
		hole := make([]byte, off-ino.data.size)
		for i := range hole {
			hole[i] = byte(r.Uint64())
		}
		ino.data.writeAt(hole, ino.data.size)
	}
	wr := write{off: off, data: data}
	ino.data.apply(wr)
	ino.pending = append(ino.pending, wr)
}

// Read reads from the file's position.
func (f *file) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.pos)
	f.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Write writes at the file's position (at the end with O_APPEND).
func (f *file) Write(p []byte) (int, error) {
	if err := f.check("write", true); err != nil {
		return 0, err
	}
	if f.flag&os.O_APPEND != 0 {
		f.pos = f.ino.data.size
	}
	n, err := f.writeAt(p, f.pos)
	f.pos += int64(n)
	return n, err
}

// Seek sets the position for Read and Write.
func (f *file) Seek(offset int64, whence int) (int64, error) {
	if f.closed {
		return 0, f.err("seek", fs.ErrClosed)
	}
	switch whence {
	case io.SeekCurrent:
		offset += f.pos
	case io.SeekEnd:
		offset += f.ino.data.size
	case io.SeekStart:
	default:
		return 0, f.err("seek", fs.ErrInvalid)
	}
	if offset < 0 {
		return 0, f.err("seek", fs.ErrInvalid)
	}
	f.pos = offset
	return offset, nil
}

// Sync makes everything written so far durable, or fails with EIO leaving
// it in an unknown state.
func (f *file) Sync() error {
	if f.closed {
		return f.err("sync", fs.ErrClosed)
	}
	o := f.d.op(f, sim.OpSyncComplete, 0, -1)
	o.k = len(f.ino.pending)
	if err := f.d.waitOwn(o); err != nil {
		return f.err("sync", err)
	}
	return nil
}

// Truncate changes the file's size; like a write, it is durable after Sync.
func (f *file) Truncate(size int64) error {
	if err := f.check("truncate", true); err != nil {
		return err
	}
	if size < 0 {
		return f.err("truncate", fs.ErrInvalid)
	}
	wr := write{size: size}
	f.ino.data.apply(wr)
	f.ino.pending = append(f.ino.pending, wr)
	return f.opErr("truncate", f.d.waitOwn(f.d.op(f, sim.OpTruncateComplete, 0, size)))
}

func (f *file) opErr(op string, err error) error {
	if err != nil {
		return f.err(op, err)
	}
	return nil
}

// Size returns the file's size.
func (f *file) Size() (int64, error) {
	if f.closed {
		return 0, f.err("stat", fs.ErrClosed)
	}
	return f.ino.data.size, nil
}

// Close closes the file; it does not sync it.
func (f *file) Close() error {
	if f.closed {
		return f.err("close", fs.ErrClosed)
	}
	f.closed = true
	for i, g := range f.d.open {
		if g == f {
			f.d.open = append(f.d.open[:i], f.d.open[i+1:]...)
			break
		}
	}
	return nil
}
