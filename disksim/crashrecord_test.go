package disksim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// unsyncedRecords returns the UnsyncedWrites records of a JSON trace.
func unsyncedRecords(t *testing.T, jsonl []byte) []trace.Record {
	t.Helper()
	var out []trace.Record
	rd := trace.NewReader(bytes.NewReader(jsonl))
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Op == disksim.UnsyncedWritesOp {
			out = append(out, r)
		}
	}
}

// unsynced is one change a crash test leaves unsynced: n bytes at off (of
// a value of their own), or a truncate to off when trunc.
type unsynced struct {
	off, n int64
	trunc  bool
}

func wr(off, n int64) unsynced { return unsynced{off: off, n: n} }

// appends is n unsynced writes of size bytes each, one after the other
// from off.
func appends(off, size int64, n int) []unsynced {
	var out []unsynced
	for i := range n {
		out = append(out, wr(off+int64(i)*size, size))
	}
	return out
}

// crashCase writes synced bytes of 'S' to wal.log and syncs it and its
// directory (none of it when synced is 0), then makes the changes of
// pending, unsynced, and crashes the disk: keeping the writes of keep
// when set, else as the seed draws.
type crashCase struct {
	name    string
	synced  int64
	pending []unsynced
	keep    *uint64
	seeds   []uint64
	want    map[string]string // attributes of the record, when known
}

func mask(m uint64) *uint64 { return &m }

// TestCrashRecordsUnsyncedWrites: a crash writes, for each file with
// unsynced writes, one UnsyncedWrites record that names each write's fate
// and the file's size before and after, which the bytes the file holds
// after the crash bear out; a file with none writes no record.
func TestCrashRecordsUnsyncedWrites(t *testing.T) {
	outcomes := map[string]int{}
	for _, tc := range []crashCase{
		{name: "dropped", synced: 2948, pending: []unsynced{wr(2948, 275)}, keep: mask(0),
			want: map[string]string{"writes": "off=2948 len=275 dropped", "size": "3223->2948",
				"dropped": "1", "kept": "0", "torn": "0", "unsynced": "1", "path": "wal.log", "disk": "db", "file": "1"}},
		{name: "kept and dropped", synced: 2948, pending: appends(2948, 300, 3), keep: mask(0b101),
			want: map[string]string{"writes": "off=2948 len=300 kept; off=3248 len=300 dropped; off=3548 len=300 kept",
				"size": "3848->3848", "dropped": "1", "kept": "2"}},
		{name: "truncate kept, write dropped", synced: 2948, pending: []unsynced{{off: 1000, trunc: true}, wr(1000, 50)},
			keep: mask(0b01), want: map[string]string{"writes": "truncate size=1000 kept; off=1000 len=50 dropped", "size": "1050->1000"}},
		{name: "many writes", synced: 512, pending: appends(512, 10, 20), keep: mask(0b1111_0000_0000_0000_0011),
			want: map[string]string{"writes": "off=512 len=10 kept; off=522 len=10 kept; off=532 len=10 dropped; " +
				"off=542 len=10 dropped; off=552 len=10 dropped; off=562 len=10 dropped; off=572 len=10 dropped; " +
				"off=582 len=10 dropped; 12 more: 8 dropped, 4 kept, 0 torn", "dropped": "14", "kept": "6", "unsynced": "20"}},
		{name: "new file, name not durable", pending: []unsynced{wr(0, 100)}, keep: mask(1),
			want: map[string]string{"size": "100->gone", "writes": "off=0 len=100 kept"}},
		{name: "only synced writes", synced: 2948},
		{name: "by the seed", synced: 700, pending: []unsynced{wr(700, 275), wr(975, 1500), wr(3000, 1024)},
			seeds: []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, seed := range cmpOr(tc.seeds, []uint64{1}) {
				checkCrashRecord(t, tc, seed, outcomes)
			}
		})
	}
	if outcomes["torn"] == 0 || outcomes["kept"] == 0 || outcomes["dropped"] == 0 {
		t.Errorf("fates seen: %v, want every one", outcomes)
	}
}

func cmpOr(a, b []uint64) []uint64 {
	if len(a) > 0 {
		return a
	}
	return b
}

// crashState is what a crash case saw: the file's size before the crash,
// its bytes after (nil if gone), and the run's UnsyncedWrites records.
type crashState struct {
	before  int64
	after   []byte
	gone    bool
	records []trace.Record
}

// runCrashCase runs tc with seed.
func runCrashCase(t *testing.T, tc crashCase, seed uint64, f filter) crashState {
	var st crashState
	var tr bytes.Buffer
	filteredTraced(t, seed, disksim.Config{}, f, &tr, func(ctx context.Context, d *disksim.Disk) error {
		fl, err := d.Create(ctx, "wal.log")
		if err != nil {
			return err
		}
		if tc.synced > 0 { // (a write of no bytes to a new file would be pending)
			if _, err := fl.Write(bytes.Repeat([]byte{'S'}, int(tc.synced))); err != nil {
				return err
			}
			fl.Sync()
			d.SyncDir(ctx, ".")
		}
		for i, u := range tc.pending {
			if u.trunc {
				err = fl.Truncate(u.off)
			} else {
				_, err = fl.WriteAt(bytes.Repeat([]byte{byte('a' + i)}, int(u.n)), u.off)
			}
			if err != nil {
				return err
			}
		}
		st.before, _ = fl.Size()
		if tc.keep != nil {
			d.CrashKeeping(*tc.keep)
		} else {
			d.Crash()
		}
		st.after, err = readAll(ctx, d, "wal.log")
		st.gone = errors.Is(err, fs.ErrNotExist)
		if st.gone {
			err = nil
		}
		return err
	})
	st.records = unsyncedRecords(t, tr.Bytes())
	return st
}

// checkCrashRecord runs tc with seed and checks its record against the
// file it left.
func checkCrashRecord(t *testing.T, tc crashCase, seed uint64, outcomes map[string]int) {
	t.Helper()
	st := runCrashCase(t, tc, seed, noFilter)
	if len(tc.pending) == 0 {
		if len(st.records) != 0 {
			t.Errorf("seed %d: UnsyncedWrites records %+v for a file without unsynced writes", seed, st.records)
		}
		return
	}
	if len(st.records) != 1 {
		t.Fatalf("seed %d: %d UnsyncedWrites records, want 1", seed, len(st.records))
	}
	r := st.records[0]
	if r.Kind != trace.KindLog || r.Name != "db:wal.log" || r.Obj != "file" {
		t.Errorf("seed %d: record %s %q %s, want a Log about file db:wal.log", seed, r.Kind, r.Name, r.Obj)
	}
	if !slices.IsSortedFunc(r.Attrs, func(a, b trace.Attr) int { return strings.Compare(a.Key, b.Key) }) {
		t.Errorf("seed %d: attributes not sorted: %v", seed, r.Attrs)
	}
	for k, v := range tc.want {
		if got := attr(r, k); got != v {
			t.Errorf("seed %d: %s=%q, want %q", seed, k, got, v)
		}
	}
	want := fmt.Sprintf("%d->%d", st.before, len(st.after))
	if st.gone {
		want = fmt.Sprintf("%d->gone", st.before)
	}
	if attr(r, "size") != want {
		t.Errorf("seed %d: size=%s, want %s (the bytes before and after)", seed, attr(r, "size"), want)
	}
	if !st.gone {
		checkFates(t, tc, seed, r, st.after, outcomes)
	}
}

// checkFates checks that each write the record lists holds, in the file
// after the crash, what its fate says: all its bytes (kept), none
// (dropped), or the bytes of some of its sector pieces (torn sectors=k/n).
func checkFates(t *testing.T, tc crashCase, seed uint64, r trace.Record, after []byte, outcomes map[string]int) {
	t.Helper()
	listed := strings.Split(attr(r, "writes"), "; ")
	for i, u := range tc.pending[:min(len(tc.pending), 8)] {
		fields := strings.Fields(listed[i])
		if u.trunc {
			continue
		}
		if len(fields) < 3 || fields[0] != "off="+strconv.FormatInt(u.off, 10) || fields[1] != "len="+strconv.FormatInt(u.n, 10) {
			t.Errorf("seed %d: write %d listed as %q, want off=%d len=%d", seed, i, listed[i], u.off, u.n)
			continue
		}
		outcomes[fields[2]]++
		if got := piecesKept(after, u, byte('a'+i)); got != fateOf(fields, u) {
			t.Errorf("seed %d: write %d is %q, but the file holds %s of it", seed, i, listed[i], got)
		}
	}
}

// piecesKept says which of u's sector pieces the file holds, each whole
// or not at all: "2/3", "" when one is held in part.
func piecesKept(after []byte, u unsynced, v byte) string {
	kept, n := 0, 0
	for at := u.off; at < u.off+u.n; n++ {
		next := min((at/512+1)*512, u.off+u.n)
		held := 0
		if at < int64(len(after)) {
			held = bytes.Count(after[at:min(next, int64(len(after)))], []byte{v})
		}
		switch int64(held) {
		case next - at:
			kept++
		case 0:
		default:
			return ""
		}
		at = next
	}
	return strconv.Itoa(kept) + "/" + strconv.Itoa(n)
}

// fateOf is the pieces a listed write's fate says the file holds.
func fateOf(fields []string, u unsynced) string {
	n := len(piecesOf(u))
	switch fields[2] {
	case "kept":
		return strconv.Itoa(n) + "/" + strconv.Itoa(n)
	case "dropped":
		return "0/" + strconv.Itoa(n)
	}
	if len(fields) == 4 {
		return strings.TrimPrefix(fields[3], "sectors=")
	}
	return "?"
}

// piecesOf splits u at the 512-byte sectors.
func piecesOf(u unsynced) []int64 {
	var out []int64
	for at := u.off; at < u.off+u.n; {
		next := min((at/512+1)*512, u.off+u.n)
		out = append(out, next-at)
		at = next
	}
	return out
}

// TestSuppressedTearIsRecordedKept: a torn write whose TornWrite fault the
// filter suppresses reaches the disk whole, and the crash's record says it
// was kept.
func TestSuppressedTearIsRecordedKept(t *testing.T) {
	tc := crashCase{synced: 512, pending: []unsynced{wr(512, 4096)}}
	for seed := range uint64(40) {
		rs := runCrashCase(t, tc, seed, noFilter).records
		if len(rs) != 1 {
			t.Fatalf("seed %d: %d UnsyncedWrites records, want 1", seed, len(rs))
		}
		if attr(rs[0], "torn") != "1" {
			continue
		}
		st := runCrashCase(t, tc, seed, keepOnly("DiskCrash"))
		if len(st.records) != 1 || attr(st.records[0], "writes") != "off=512 len=4096 kept" {
			t.Fatalf("seed %d: records %+v, want the write kept", seed, st.records)
		}
		if got := piecesKept(st.after, tc.pending[0], 'a'); got != "8/8" {
			t.Fatalf("seed %d: the file holds %s of the write, want it whole", seed, got)
		}
		return
	}
	t.Fatal("no seed of 40 tears the write")
}

// TestUnsyncedWritesSameSeedSameTrace: a seed with a crash run twice gives
// the same trace hash and the same UnsyncedWrites records, each written
// right after its DiskCrash fault and at its RNG count: the records make
// no draws of their own.
func TestUnsyncedWritesSameSeedSameTrace(t *testing.T) {
	tc := crashCase{synced: 700, pending: append(appends(700, 333, 12), wr(9000, 100))}
	for seed := range uint64(5) {
		var texts [2]string
		var hashes [2]uint64
		for i := range 2 {
			var log strings.Builder
			w := sim.New(sim.Config{Seed: seed, Log: &log, LogFilter: "warn"})
			d := disksim.New(w, disksim.Config{}).Disk("db")
			w.Spawn("test", func(ctx context.Context) { crashTwoFiles(ctx, d, tc) })
			if err := w.Run(); err != nil {
				t.Fatal(err)
			}
			texts[i], hashes[i] = log.String(), w.TraceHash()
		}
		if hashes[0] != hashes[1] || texts[0] != texts[1] {
			t.Fatalf("seed %d: hashes %x and %x, traces\n%s\n%s", seed, hashes[0], hashes[1], texts[0], texts[1])
		}
		checkFollowsCrash(t, seed, texts[0])
	}
}

// crashTwoFiles makes tc's unsynced writes to two files and crashes.
func crashTwoFiles(ctx context.Context, d *disksim.Disk, tc crashCase) {
	for _, name := range []string{"a.log", "b.log"} {
		f, _ := writeFile(ctx, d, name, make([]byte, tc.synced), true)
		d.SyncDir(ctx, ".")
		for _, u := range tc.pending {
			f.WriteAt(make([]byte, u.n), u.off)
		}
	}
	d.Crash()
}

// checkFollowsCrash checks that a trace's two UnsyncedWrites lines follow
// its DiskCrash line, each with its stamp (the same rng= count), and list
// eight writes and count the other five.
func checkFollowsCrash(t *testing.T, seed uint64, text string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "DiskCrash") })
	if i < 0 || i+2 >= len(lines) {
		t.Fatalf("seed %d: no DiskCrash followed by two records:\n%s", seed, text)
	}
	stamp, _, _ := strings.Cut(lines[i], " Fault{")
	for j, path := range []string{"a.log", "b.log"} {
		l := lines[i+1+j]
		if !strings.HasPrefix(l, stamp+" WARN ") || !strings.Contains(l, "disk crash: unsynced writes") ||
			!strings.Contains(l, " path="+path+" ") || !strings.Contains(l, "; 5 more: ") {
			t.Errorf("seed %d: line %d after DiskCrash (%s): %s", seed, j+1, stamp, l)
		}
	}
}

// The record of a crash names what became of each unsynced write: here the
// first write is synced, the second not, and the crash drops it.
func ExampleDisk_Crash() {
	w := sim.New(sim.Config{Seed: 1, Log: os.Stdout, LogFilter: "disksim=warn"})
	d := disksim.New(w, disksim.Config{}).Disk("backup")
	w.Spawn("db", func(ctx context.Context) {
		f, _ := d.Create(ctx, "wal.log")
		f.Write(make([]byte, 2948))
		f.Sync()
		d.SyncDir(ctx, ".")
		f.Write(make([]byte, 275))
		d.CrashKeeping(0) // keep none of the pending writes
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// t=0.008436s seq=5 rng=5 Fault{file=0 DiskCrash "backup"}
	// t=0.008436s seq=5 rng=5 WARN [db#1] disk crash: unsynced writes disk=backup dropped=1 file=1 kept=0 path=wal.log size=3223->2948 torn=0 unsynced=1 writes="off=2948 len=275 dropped"
}

// TestCrashRecordNamesTheDurablePath: a file renamed since its directory
// was last synced is back at its old path after a crash, which its record
// says, and a new file whose name was never synced is gone.
func TestCrashRecordNamesTheDurablePath(t *testing.T) {
	var tr bytes.Buffer
	filteredTraced(t, 1, disksim.Config{}, noFilter, &tr, func(ctx context.Context, d *disksim.Disk) error {
		f, err := writeFile(ctx, d, "wal.tmp", make([]byte, 100), true)
		if err != nil {
			return err
		}
		d.SyncDir(ctx, ".")
		d.Rename(ctx, "wal.tmp", "wal.log")
		f.Write(make([]byte, 50))
		g, _ := d.Create(ctx, "new.log")
		g.Write(make([]byte, 10))
		d.CrashKeeping(0b11)
		return nil
	})
	var got []string
	for _, r := range unsyncedRecords(t, tr.Bytes()) {
		got = append(got, attr(r, "path")+" "+attr(r, "size"))
	}
	if want := []string{"wal.log 150->150 at wal.tmp", "new.log 10->gone"}; !slices.Equal(got, want) {
		t.Errorf("records say %q, want %q", got, want)
	}
}

// TestSyncFailRecordsUnsyncedWrites: a failed sync resolves the writes it
// was to make durable as a crash would, and writes the UnsyncedWrites
// record of what reached the disk: the size after it is the size a crash
// then leaves.
func TestSyncFailRecordsUnsyncedWrites(t *testing.T) {
	cfg := disksim.Config{Faults: disksim.Faults{SyncFailP: 1}}
	for seed := range uint64(8) {
		var tr bytes.Buffer
		var after []byte
		filteredTraced(t, seed, cfg, filter{}, &tr, func(ctx context.Context, d *disksim.Disk) error {
			fl, err := d.Create(ctx, "wal.log")
			if err != nil {
				return err
			}
			for i := range 3 {
				if _, err := fl.Write(bytes.Repeat([]byte{byte('a' + i)}, 1000)); err != nil {
					return err
				}
			}
			if err := fl.Sync(); !errors.Is(err, syscall.EIO) {
				return fmt.Errorf("sync: %v, want EIO", err)
			}
			d.SyncDir(ctx, ".")
			d.Crash()
			after, err = readAll(ctx, d, "wal.log")
			return err
		})
		var fails []trace.Record
		for _, r := range unsyncedRecords(t, tr.Bytes()) {
			if r.Msg == "failed sync: unsynced writes" {
				fails = append(fails, r)
			}
		}
		if len(fails) != 1 {
			t.Fatalf("seed %d: %d records of the failed sync, want 1", seed, len(fails))
		}
		want := map[string]string{"path": "wal.log", "unsynced": "3", "size": "3000->" + strconv.Itoa(len(after))}
		for _, a := range fails[0].Attrs {
			if w, ok := want[a.Key]; ok && a.Value != w {
				t.Errorf("seed %d: %s=%s, want %s", seed, a.Key, a.Value, w)
			}
		}
	}
}
