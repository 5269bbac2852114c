package disksim_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"slices"
	"testing"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// filter is the fault filter of a test run: none, every fault kept
// (numbered), or only the faults named ops.
type filter struct {
	set bool     // a filter is set
	ops []string // nil: keep every fault; else the names of those kept
}

var (
	noFilter = filter{}
	keepAll  = filter{set: true}
	keepNone = filter{set: true, ops: []string{}}
)

func keepOnly(ops ...string) filter { return filter{set: true, ops: ops} }

// keepOps is the keep list of the fault filter that keeps, of the faults
// all (as a run keeping every fault numbers them), those named ops.
func keepOps(all []trace.Record, ops []string) []sim.FaultID {
	keep := []sim.FaultID{}
	for _, r := range all {
		if id, ok := sim.FaultOf(r); ok && slices.Contains(ops, r.Op) {
			keep = append(keep, id)
		}
	}
	return keep
}

// filtered is run with the fault filter f. For a filter that keeps some
// faults, it first runs with every fault kept, to learn their names.
func filtered(t *testing.T, seed uint64, cfg disksim.Config, f filter, body func(ctx context.Context, d *disksim.Disk) error) *sim.World {
	t.Helper()
	return filteredTraced(t, seed, cfg, f, nil, body)
}

// filteredTraced is filtered writing the run's JSON trace to tr, if not
// nil.
func filteredTraced(t *testing.T, seed uint64, cfg disksim.Config, f filter, tr io.Writer, body func(ctx context.Context, d *disksim.Disk) error) *sim.World {
	t.Helper()
	w := sim.New(sim.Config{Seed: seed, Trace: tr})
	switch {
	case f.set && f.ops == nil:
		w.SetFaultFilter(nil)
	case f.set:
		w.SetFaultFilter(keepOps(filtered(t, seed, cfg, keepAll, body).InjectedFaults(), f.ops))
	}
	d := disksim.New(w, cfg).Disk("db")
	w.Spawn("test", func(ctx context.Context) {
		if err := body(ctx, d); err != nil {
			t.Errorf("seed %d: %v", seed, err)
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return w
}

// injected describes the faults w numbered: "SyncFail TornWrite(suppressed)".
func injected(w *sim.World) string {
	var b []byte
	for i, r := range w.InjectedFaults() {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, r.Op...)
		if attr(r, "suppressed") == "true" {
			b = append(b, "(suppressed)"...)
		}
	}
	return string(b)
}

func attr(r trace.Record, key string) string {
	for _, a := range r.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// syncFailSeed is a seed whose failed sync tears the write of
// TestFaultFilterSuppressesSyncFail (its no-filter case checks it).
const syncFailSeed = 3

// TestFaultFilterSuppressesSyncFail: a failed sync and the write it tears
// are faults of their own. A suppressed SyncFail lets the sync succeed; a
// suppressed TornWrite applies its write whole. Either way the sync makes
// the draws of the unfiltered run, and a run without the filter numbers
// no TornWrite.
func TestFaultFilterSuppressesSyncFail(t *testing.T) {
	want := syncFailRun(t, noFilter)
	for _, tc := range []struct {
		name     string
		filter   filter
		syncErr  bool
		whole    bool // the write survives whole, not torn
		injected string
		torn     int // TornWrite faults counted
	}{
		{"no filter", noFilter, true, false, "", 0},
		{"every fault", keepAll, true, false, "SyncFail TornWrite DiskCrash", 1},
		{"sync fail suppressed", keepNone, false, true, "SyncFail(suppressed) DiskCrash(suppressed)", 0},
		{"tear suppressed", keepOnly("SyncFail", "DiskCrash"), true, true, "SyncFail TornWrite(suppressed) DiskCrash", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := syncFailRun(t, tc.filter)
			if (got.syncErr != nil) != tc.syncErr {
				t.Errorf("sync: %v, want an error %v", got.syncErr, tc.syncErr)
			}
			n := bytes.Count(got.data, syncFailData[:1])
			torn := n > 0 && n < len(syncFailData)
			if whole := bytes.Equal(got.data, syncFailData); whole != tc.whole || (!whole && !torn) {
				t.Errorf("after the crash the file holds %d bytes, %d of them written; want the write whole %v, else torn",
					len(got.data), n, tc.whole)
			}
			if got.rng != want.rng {
				t.Errorf("RNG count after the sync %d, want %d (the unfiltered run's)", got.rng, want.rng)
			}
			if s := injected(got.w); s != tc.injected {
				t.Errorf("injected faults %q, want %q", s, tc.injected)
			}
			if n := faultCount(got.w, "TornWrite"); n != tc.torn {
				t.Errorf("%d TornWrite faults counted, want %d", n, tc.torn)
			}
		})
	}
}

// syncFailData is written in six sectors, so that a tear has pieces.
var syncFailData = bytes.Repeat([]byte{0xFF}, 3000)

// syncFailResult is what syncFailRun saw.
type syncFailResult struct {
	w       *sim.World
	syncErr error
	rng     uint64 // RNG count after the sync
	data    []byte // the file, read after the crash
}

// syncFailRun writes syncFailData to a new file, syncs it (a sync that
// fails, SyncFailP being 1), crashes the disk and reads the file back.
func syncFailRun(t *testing.T, f filter) syncFailResult {
	var res syncFailResult
	cfg := disksim.Config{Faults: disksim.Faults{SyncFailP: 1}}
	res.w = filtered(t, syncFailSeed, cfg, f, func(ctx context.Context, d *disksim.Disk) error {
		file, err := writeFile(ctx, d, "f", syncFailData, false)
		if err != nil {
			return err
		}
		if err := d.SyncDir(ctx, "."); err != nil {
			return err
		}
		res.syncErr = file.Sync()
		res.rng = sim.FromContext(ctx).RNGCalls()
		d.Crash()
		res.data, err = readAll(ctx, d, "f")
		return err
	})
	return res
}

// TestFaultFilterSuppressesDiskCrash: a crash or a wipe the fault filter
// suppresses draws what a kept one draws, then leaves the disk as a
// process's exit does: nothing lost, the unsynced writes still pending,
// and no UnsyncedWrites record says otherwise.
func TestFaultFilterSuppressesDiskCrash(t *testing.T) {
	for _, tc := range []struct {
		name       string
		crash      func(d *disksim.Disk)
		filter     filter
		lost       bool // the unsynced file is gone
		fault      string
		suppressed string
		reports    int // UnsyncedWrites records
	}{
		{"crash, no filter", (*disksim.Disk).Crash, noFilter, true, "DiskCrash", "", 1},
		{"crash kept", (*disksim.Disk).Crash, keepAll, true, "DiskCrash", "", 1},
		{"crash suppressed", (*disksim.Disk).Crash, keepNone, false, "DiskCrash", "true", 0},
		{"wipe, no filter", (*disksim.Disk).Wipe, noFilter, true, "DiskWipe", "", 0},
		{"wipe kept", (*disksim.Disk).Wipe, keepAll, true, "DiskWipe", "", 0},
		{"wipe suppressed", (*disksim.Disk).Wipe, keepNone, false, "DiskWipe", "true", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := crashRun(t, tc.crash, noFilter)
			got := crashRun(t, tc.crash, tc.filter)
			lost := errors.Is(got.readErr, fs.ErrNotExist)
			if lost != tc.lost || (!lost && (got.readErr != nil || !bytes.Equal(got.data, crashData))) {
				t.Errorf("after the crash: %d bytes, %v; want lost %v, else intact", len(got.data), got.readErr, tc.lost)
			}
			if wantAfter := map[bool]int{false: got.pending[0]}[tc.lost]; got.pending[1] != wantAfter {
				t.Errorf("%d writes pending after the crash (%d before), want %d", got.pending[1], got.pending[0], wantAfter)
			}
			if got.rng != want.rng {
				t.Errorf("RNG count %v around the crash, want %v (the unfiltered run's)", got.rng, want.rng)
			}
			if tc.fault == "DiskCrash" && got.rng[1]-got.rng[0] < uint64(got.pending[0]) {
				t.Errorf("the crash made %d draws for %d pending writes", got.rng[1]-got.rng[0], got.pending[0])
			}
			fs := got.w.InjectedFaults()
			if tc.filter.set && (len(fs) != 1 || fs[0].Op != tc.fault || attr(fs[0], "suppressed") != tc.suppressed || fs[0].RNG != want.rng[1]) {
				t.Errorf("injected faults %+v, want %s at rng=%d, suppressed=%q", fs, tc.fault, want.rng[1], tc.suppressed)
			}
			if n := faultCount(got.w, tc.fault); n != map[bool]int{true: 1}[tc.lost] {
				t.Errorf("%d %s faults counted", n, tc.fault)
			}
			if rs := unsyncedRecords(t, got.trace); len(rs) != tc.reports {
				t.Errorf("%d UnsyncedWrites records, want %d: %+v", len(rs), tc.reports, rs)
			}
		})
	}
}

// crashData is written, unsynced, to a new file before the crash.
var crashData = bytes.Repeat([]byte{0xAA}, 2000)

// crashResult is what crashRun saw.
type crashResult struct {
	w       *sim.World
	pending [2]int    // writes pending before and after the crash
	rng     [2]uint64 // RNG count before and after the crash
	data    []byte    // the file, read after the crash
	readErr error
	trace   []byte // the run's JSON trace
}

// crashRun writes crashData to a new file without syncing it or its
// directory, crashes the disk with crash and reads the file back.
func crashRun(t *testing.T, crash func(*disksim.Disk), f filter) crashResult {
	var res crashResult
	var tr bytes.Buffer
	res.w = filteredTraced(t, 7, disksim.Config{}, f, &tr, func(ctx context.Context, d *disksim.Disk) error {
		if _, err := writeFile(ctx, d, "new", crashData, false); err != nil {
			return err
		}
		w := sim.FromContext(ctx)
		res.pending[0], res.rng[0] = d.PendingWrites(), w.RNGCalls()
		crash(d)
		res.pending[1], res.rng[1] = d.PendingWrites(), w.RNGCalls()
		res.data, res.readErr = readAll(ctx, d, "new")
		return nil
	})
	res.trace = tr.Bytes()
	return res
}
