package disksim

import (
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// Storage is the disks of one simulation, one per owner.
type Storage struct {
	w      *sim.World
	cfg    Config
	disks  map[string]*Disk
	nextID uint64
}

// New returns the storage of w with the model cfg. It panics on an invalid
// Config, which is code, not input; Validate says what is wrong.
func New(w *sim.World, cfg Config) *Storage {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return &Storage{w: w, cfg: cfg, disks: map[string]*Disk{}}
}

// Disk returns the disk of owner (a host name), creating it empty on first
// use. It survives the owner's reboots.
func (s *Storage) Disk(owner string) *Disk {
	d, ok := s.disks[owner]
	if !ok {
		d = &Disk{s: s, owner: owner, names: map[string]*inode{}, durableNames: map[string]*inode{}}
		s.disks[owner] = d
	}
	return d
}

// SetFaults replaces the faults of every disk; Heal turns them off.
func (s *Storage) SetFaults(f Faults) { s.cfg.Faults = f }

// Heal ends every fault of every disk: no new fault is injected and
// throttling ends at once, as the network's Heal lifts partitions.
// Operations already queued behind a stall complete when they were to, and
// new ones queue behind them.
func (s *Storage) Heal() {
	s.cfg.Faults = Faults{}
	for _, d := range s.disks {
		d.throttled = 0
	}
}

// Disk is one owner's files.
type Disk struct {
	s            *Storage
	owner        string
	names        map[string]*inode // the namespace as the running process sees it
	durableNames map[string]*inode // the namespace as a crash would leave it
	free         []*ioOp           // finished operations, for reuse
	open         []*file
	busyUntil    time.Duration // the device is busy with earlier operations until then
	stallUntil   time.Duration
	throttled    time.Duration // latencies ×10 until then
}

var _ env.Disk = (*Disk)(nil)

// inode is a file's contents: what reads see, and what survives a crash.
type inode struct {
	id      uint64
	data    image   // current contents, pending writes included
	durable image   // contents a crash keeps for sure
	pending []write // writes and truncates since the last Sync, in order
	arena   []byte  // the pending writes' data, reused once none is pending
}

// keep copies a pending write's data into the inode's arena.
func (ino *inode) keep(p []byte) []byte {
	if len(ino.pending) == 0 {
		ino.arena = ino.arena[:0]
	}
	start := len(ino.arena)
	ino.arena = append(ino.arena, p...)
	return ino.arena[start:len(ino.arena):len(ino.arena)]
}

// write is one pending change of a file: data at off, or (data nil) a
// truncate to size.
type write struct {
	off  int64
	data []byte
	size int64
}

// clean turns a user's path into the disk's key: slash-separated, relative
// to the disk's root. A leading "/" is the root; ".." and empty elements
// are refused, so no path escapes the disk.
func clean(name string) (string, bool) {
	p := strings.TrimPrefix(name, "/")
	if p == "" {
		return ".", true
	}
	return p, fs.ValidPath(p)
}

// dirOf returns the directory of a cleaned path ("." at the root).
func dirOf(p string) string { return path.Dir(p) }

// used is the bytes stored on the disk, for the capacity limit.
func (d *Disk) used() int64 {
	var n int64
	for _, ino := range d.names {
		n += ino.data.size
	}
	return n
}

func (d *Disk) fault(p float64) bool {
	return p > 0 && d.s.w.Rand().Bool(p)
}

// inject numbers a fault about to be injected, writes its record as record
// does, and reports whether it may happen (see sim.World.InjectFault).
func (d *Disk) inject(fault string, f *file, detail string) bool {
	r := trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: fault, Obj: "file", Detail: detail}
	if f != nil {
		r.ID, r.Name = f.ino.id, d.owner+":"+f.name
	} else {
		r.Name = d.owner
	}
	return d.s.w.InjectFault("disksim", r)
}

// inodes returns the disk's files in a fixed order (by id), the live and
// the durable ones, each once.
func (d *Disk) inodes() []*inode {
	var out []*inode
	seen := map[*inode]bool{}
	for _, m := range []map[string]*inode{d.names, d.durableNames} {
		for _, ino := range m {
			if !seen[ino] {
				seen[ino] = true
				out = append(out, ino)
			}
		}
	}
	slices.SortFunc(out, func(a, b *inode) int { return int(a.id) - int(b.id) })
	return out
}

// CloseFiles closes every open file without losing anything: what a
// process's exit does (the operating system keeps its unsynced writes).
func (d *Disk) CloseFiles() { d.closeAll() }

func (d *Disk) closeAll() {
	for _, f := range d.open {
		f.closed = true
	}
	d.open = nil
}
