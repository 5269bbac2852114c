package disksim

import (
	"cmp"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/trace"
)

// UnsyncedWritesOp is the op of the record a disk crash writes, right
// after its DiskCrash fault, for each file that had unsynced writes: what
// the crash did to each of them and the file's size before and after, the
// facts a durability bug turns on. `orrery trace show --kind
// UnsyncedWrites` shows them. It is a WARN log record (Kind Log), not a
// fault: it reports the draws the crash made and makes none of its own,
// and adds nothing to a run's fault counts; a crash the fault filter
// suppresses loses nothing and writes none. Its attributes, in key order:
//
//   - disk, path: the disk (its owner) and the file's path before the
//     crash; file: its number, which its Storage events name (file=1),
//     with the path it was opened by.
//   - dropped, kept, torn, unsynced: how many unsynced writes (and
//     truncates) the crash dropped, kept whole and tore, of how many.
//   - size: the file's size before and after, "3223->2948"; "3223->gone"
//     for a file whose name was never made durable (SyncDir), which the
//     crash removes; "3223->2948 at old.log" for a file whose rename was
//     not made durable, which the crash moves back.
//   - writes: each write's offset, length and fate, in order,
//     "off=2948 len=275 dropped; off=3223 len=1024 torn sectors=1/2" (of
//     its pieces, one per sector it touches, how many reached the disk), a
//     truncate as "truncate size=1000 kept"; after the first eight, a count
//     of the rest by fate, "; 12 more: 5 dropped, 4 kept, 3 torn".
//
// A record at a crash of disk "backup" whose one unsynced write it dropped:
//
//	WARN [db#1] disk crash: unsynced writes disk=backup dropped=1 file=1 kept=0 path=wal.log size=3223->2948 torn=0 unsynced=1 writes="off=2948 len=275 dropped"
const UnsyncedWritesOp = "UnsyncedWrites"

// The messages of UnsyncedWrites records: a crash's, and a failed sync's
// (SyncFail), which resolves the writes it was to make durable as a crash
// would; the file's size after is then what reached the disk, while the
// process still reads its cache.
const (
	unsyncedWritesMsg = "disk crash: unsynced writes"
	syncFailedMsg     = "failed sync: unsynced writes"
)

// maxListedWrites is how many writes a record lists one by one; it counts
// the rest by fate.
const maxListedWrites = 8

// outcome is what reached the disk of one unsynced write at a crash.
type outcome uint8

const (
	dropped outcome = iota // nothing
	kept                   // the whole write
	torn                   // some of its sector pieces, not all
)

func (o outcome) String() string { return [...]string{"dropped", "kept", "torn"}[o] }

// outcome returns what reached the disk of ft's write once settled, and
// for a torn one how many of its pieces: a tear that kept every piece or
// none is a write kept or dropped.
func (ft fate) outcome() (outcome, int) {
	switch k := count(ft.torn); {
	case ft.keep || (ft.torn != nil && k == len(ft.torn)):
		return kept, 0
	case k == 0:
		return dropped, 0
	default:
		return torn, k
	}
}

// recordFates writes the UnsyncedWrites record of each file of the
// settled fates of a crash, which come grouped by file (as inodes lists
// them), before the files' contents are reset to what survived.
func (d *Disk) recordFates(fates []fate) {
	live, durable := pathsOf(d.names), pathsOf(d.durableNames)
	for len(fates) > 0 {
		n := 1
		for n < len(fates) && fates[n].ino == fates[0].ino {
			n++
		}
		ino := fates[0].ino
		path := cmp.Or(live[ino], durable[ino])
		d.recordFile(unsyncedWritesMsg, fates[:n], path, d.sizeAfterCrash(ino, path, durable[ino]))
		fates = fates[n:]
	}
}

// recordSyncFail writes the UnsyncedWrites record of a failed sync of f,
// whose settled fates are those of the writes it was to make durable: the
// size after is the size on the disk.
func (d *Disk) recordSyncFail(f *file, fates []fate) {
	if len(fates) == 0 {
		return
	}
	path := cmp.Or(pathsOf(d.names)[f.ino], f.name)
	d.recordFile(syncFailedMsg, fates, path, itoa64(f.ino.durable.size))
}

// sizeAfterCrash is the size of ino after a crash, path being its path
// before and durable after it ("" for none): "gone" for a file whose name
// was never made durable (SyncDir), "2948 at old.log" for one whose rename
// was not.
func (d *Disk) sizeAfterCrash(ino *inode, path, durable string) string {
	switch {
	case durable == "":
		return "gone"
	case d.durableNames[path] != ino:
		return itoa64(ino.durable.size) + " at " + durable
	}
	return itoa64(ino.durable.size)
}

// pathsOf maps each file of a namespace to its path, the least one for a
// file of several (a rename made durable in its new directory only), so
// that the map is the same whatever the order of names.
func pathsOf(names map[string]*inode) map[*inode]string {
	out := make(map[*inode]string, len(names))
	for p, ino := range names {
		if q, ok := out[ino]; !ok || p < q {
			out[ino] = p
		}
	}
	return out
}

// recordFile writes the UnsyncedWrites record of one file's fates, with
// message msg: path is the file's path, after its size after the fates.
func (d *Disk) recordFile(msg string, fates []fate, path, after string) {
	ino := fates[0].ino
	writes, tally := describeFates(fates)
	attrs := []trace.Attr{
		{Key: "disk", Value: d.owner},
		{Key: "file", Value: strconv.FormatUint(ino.id, 10)},
		{Key: "path", Value: path},
		{Key: "size", Value: itoa64(ino.data.size) + "->" + after},
		{Key: "unsynced", Value: itoa(len(fates))},
		{Key: "writes", Value: writes},
	}
	for o, n := range tally {
		attrs = append(attrs, trace.Attr{Key: outcome(o).String(), Value: itoa(n)})
	}
	slices.SortFunc(attrs, func(a, b trace.Attr) int { return strings.Compare(a.Key, b.Key) })
	d.s.w.Record("disksim", trace.Record{Level: slog.LevelWarn, Kind: trace.KindLog, Op: UnsyncedWritesOp,
		Obj: "file", ID: ino.id, Name: d.owner + ":" + path, Msg: msg, Attrs: attrs})
}

// describeFates lists the first maxListedWrites of fates, "off=2948
// len=275 dropped; off=3223 len=1024 torn sectors=1/2", and counts the
// rest, "; 12 more: 5 dropped, 4 kept, 3 torn"; tally counts every fate
// by outcome.
func describeFates(fates []fate) (string, [3]int) {
	var b strings.Builder
	var tally, rest [3]int
	for i, ft := range fates {
		o, k := ft.outcome()
		tally[o]++
		if i >= maxListedWrites {
			rest[o]++
			continue
		}
		if i > 0 {
			b.WriteString("; ")
		}
		describeFate(&b, ft, o, k)
	}
	if n := len(fates) - maxListedWrites; n > 0 {
		b.WriteString("; " + itoa(n) + " more: " + itoa(rest[dropped]) + " dropped, " +
			itoa(rest[kept]) + " kept, " + itoa(rest[torn]) + " torn")
	}
	return b.String(), tally
}

// describeFate writes one write's fate o, k of its pieces kept if torn.
func describeFate(b *strings.Builder, ft fate, o outcome, k int) {
	if ft.wr.data == nil {
		b.WriteString("truncate size=" + itoa64(ft.wr.size) + " " + o.String())
		return
	}
	b.WriteString("off=" + itoa64(ft.wr.off) + " len=" + itoa(len(ft.wr.data)) + " " + o.String())
	if o == torn {
		b.WriteString(" sectors=" + strconv.Itoa(k) + "/" + strconv.Itoa(len(ft.torn)))
	}
}
