package disksim

import (
	"log/slog"
	"maps"
	"strconv"

	"github.com/orrerysim/orrery/trace"
)

// Crash resolves every pending write by the crash model and closes every
// open file: synced data survives; each unsynced write is dropped, kept or
// torn at sector granularity; namespace changes not made durable by
// SyncDir are undone. After its DiskCrash fault, the trace says what the
// crash did to each file with unsynced writes, a record each (see
// UnsyncedWritesOp).
//
// The crash's effect on the disk is one fault, DiskCrash, that the fault
// filter (sim.World.SetFaultFilter) may suppress: a suppressed crash still
// draws the fate of every pending write, then leaves the disk as a
// process's exit does (CloseFiles): every file closed, nothing lost (and
// no UnsyncedWrites record), the unsynced writes still pending, to be
// synced or lost later. While a filter is set, each write the crash tears
// is a fault of its own too, TornWrite (see Faults).
func (d *Disk) Crash() { d.crash(nil) }

// CrashKeeping crashes the disk keeping exactly the pending writes whose
// bit is set in keep (bit i for the i-th pending write in PendingWrites
// order), for tests that enumerate every crash state (see Subsets).
func (d *Disk) CrashKeeping(keep uint64) { d.crash(&keep) }

// PendingWrites is how many writes a crash would now resolve.
func (d *Disk) PendingWrites() int {
	n := 0
	for _, ino := range d.inodes() {
		n += len(ino.pending)
	}
	return n
}

// Wipe deletes everything on the disk, as a crash that loses the device.
// It is a fault, DiskWipe, that the fault filter may suppress: a
// suppressed wipe leaves the disk as a process's exit does (CloseFiles).
func (d *Disk) Wipe() {
	d.closeAll()
	if !d.inject("DiskWipe", nil, "") {
		return
	}
	clear(d.names)
	clear(d.durableNames)
}

func (d *Disk) crash(keep *uint64) {
	d.closeAll()
	inos := d.inodes()
	var fates []fate
	i := uint(0)
	for _, ino := range inos {
		for _, wr := range ino.pending {
			if keep != nil {
				fates = append(fates, fate{ino: ino, wr: wr, keep: *keep&(1<<i) != 0})
			} else {
				fates = append(fates, d.resolve(ino, wr))
			}
			i++
		}
	}
	if !d.inject("DiskCrash", nil, "") {
		return
	}
	d.settle(nil, fates)
	d.recordFates(fates)
	for _, ino := range inos {
		ino.pending = nil
		ino.data = ino.durable.snapshot()
	}
	d.names = maps.Clone(d.durableNames)
}

// fate is what a crash or a failed sync does to one pending write: keep
// applies it whole; torn, for a torn write, says which of its pieces (one
// per device sector it touches) reach the disk; neither drops it.
type fate struct {
	ino  *inode
	wr   write
	keep bool
	torn []bool
}

// resolve draws a pending write's fate at a crash or a failed sync,
// applying nothing: dropped, kept whole, or (a write, not a truncate)
// torn, each sector piece kept or lost on its own.
func (d *Disk) resolve(ino *inode, wr write) fate {
	r := d.s.w.Rand()
	switch r.IntN(3) {
	case 0:
		return fate{ino: ino, wr: wr}
	case 1:
		return fate{ino: ino, wr: wr, keep: true}
	}
	if wr.data == nil {
		return fate{ino: ino, wr: wr, keep: r.Bool(0.5)}
	}
	return fate{ino: ino, wr: wr, torn: d.tearDraws(wr)}
}

// tearDraws draws, for each piece of wr that falls in one device sector,
// counted from the file's offset 0, whether it reaches the disk.
func (d *Disk) tearDraws(wr write) []bool {
	r, ss := d.s.w.Rand(), d.s.cfg.sector()
	end := wr.off + int64(len(wr.data))
	var kept []bool
	for at := wr.off; at < end; at = min((at/ss+1)*ss, end) {
		kept = append(kept, r.Bool(0.5))
	}
	return kept
}

// settle makes the fates durable, in order, after their crash or failed
// sync happened (f is the file of a failed sync, nil at a crash). While a
// fault filter is set, each torn write (some of its pieces kept, some
// lost) first asks it as a TornWrite fault of its own; one it suppresses
// is applied whole, and its fate becomes kept, so that the fates say what
// reached the disk.
func (d *Disk) settle(f *file, fates []fate) {
	filtered := d.s.w.FaultFilterSet()
	for i := range fates {
		ft := &fates[i]
		switch {
		case ft.keep:
			ft.ino.durable.apply(ft.wr)
		case ft.torn != nil:
			if kept := count(ft.torn); kept > 0 && kept < len(ft.torn) {
				if filtered && !d.injectTear(f, *ft, kept) {
					ft.ino.durable.apply(ft.wr)
					ft.keep, ft.torn = true, nil
					continue
				}
			}
			d.tear(*ft)
		}
	}
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// tear applies the pieces of a torn write that its fate keeps.
func (d *Disk) tear(ft fate) {
	ss, wr := d.s.cfg.sector(), ft.wr
	end := wr.off + int64(len(wr.data))
	for i, at := 0, wr.off; at < end; i++ {
		next := min((at/ss+1)*ss, end)
		if ft.torn[i] {
			ft.ino.durable.writeAt(wr.data[at-wr.off:next-wr.off], at)
		}
		at = next
	}
}

// injectTear asks the fault filter for the TornWrite fault of ft, kept of
// whose pieces reach the disk, f being the file of a failed sync or nil at
// a crash.
func (d *Disk) injectTear(f *file, ft fate, kept int) bool {
	name := d.owner
	if f != nil {
		name += ":" + f.name
	}
	return d.s.w.InjectFault("disksim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindFault, Op: tornWrite,
		Obj: "file", ID: ft.ino.id, Name: name, Detail: "off=" + itoa64(ft.wr.off) + " bytes=" + itoa(len(ft.wr.data)) +
			" sectors=" + strconv.Itoa(kept) + "/" + strconv.Itoa(len(ft.torn))})
}

// tornWrite is the fault of one write torn by a crash or a failed sync,
// some of its sector pieces kept and some lost (see Faults). A "tear" that
// keeps every piece or none is a write kept or dropped, part of its
// crash's or failed sync's fault.
const tornWrite = "TornWrite"
