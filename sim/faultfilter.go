package sim

import (
	"cmp"
	"slices"
	"time"

	"github.com/orrerysim/orrery/trace"
)

// faultFilter decides which injected faults a run applies. While no filter
// is set (the default) faults are not named and every fault happens.
type faultFilter struct {
	on  bool
	all bool // keep every fault (named, for shrinking)
	// The faults to keep (see FaultID): by number; by ordinal, per name
	// and target; by time, per name and target, earliest first, each time
	// used by the first fault at or after it.
	nums     []uint64
	nth      map[faultKey][]uint64
	at       map[faultKey][]time.Duration
	n        uint64              // faults named so far
	count    map[faultKey]uint64 // faults named so far, per name and target
	injected []trace.Record
	muted    bool // the record being written is a suppressed fault
}

type faultKey struct{ op, target string }

// SetFaultFilter turns fault naming on for the run and lets only the
// faults keep names happen (see FaultID for its forms); every other fault
// still makes its random draws, is not applied, and leaves a record with
// suppressed=true. A fault named by time is the first fault of its name
// and target at or after that time that no other entry of keep kept. A nil
// keep lets every fault happen (named). Call it before Run.
func (w *World) SetFaultFilter(keep []FaultID) {
	f := faultFilter{on: true, all: keep == nil, nth: map[faultKey][]uint64{},
		at: map[faultKey][]time.Duration{}, count: map[faultKey]uint64{}}
	for _, id := range keep {
		k := faultKey{id.Op, id.Target}
		switch {
		case id.Op == "":
			f.nums = append(f.nums, id.N)
		case id.N > 0:
			f.nth[k] = append(f.nth[k], id.N)
		default:
			f.at[k] = append(f.at[k], id.At)
		}
	}
	for _, ts := range f.at { // no output depends on the order of this loop
		slices.Sort(ts)
	}
	w.filter = f
}

// kept names the fault r records and reports whether it may happen; a
// time of keep that keeps it is used up.
func (f *faultFilter) kept(r *trace.Record, now time.Duration) (FaultID, bool) {
	k := faultKey{r.Op, faultTarget(r.Obj, r.Name, r.Detail)}
	f.n++
	f.count[k]++
	id := FaultID{Op: k.op, Target: k.target, N: f.count[k]}
	if f.all || slices.Contains(f.nums, f.n) || slices.Contains(f.nth[k], id.N) {
		return id, true
	}
	if ts := f.at[k]; len(ts) > 0 && ts[0] <= now {
		f.at[k] = ts[1:]
		return id, true
	}
	return id, false
}

// InjectFault names a fault about to be injected, writes its trace record
// r (of Kind trace.KindFault) and reports whether the fault may happen. A
// site calls it after every random draw the fault needs and before it
// applies the fault, and applies it only on true. With no fault filter it
// is Record and returns true; with one, the record names the fault by
// ordinal (attribute fault) and says suppressed=true if it does not happen.
func (w *World) InjectFault(pkg string, r trace.Record) bool {
	f := &w.filter
	if !f.on {
		w.Record(pkg, r)
		return true
	}
	id, ok := f.kept(&r, w.now)
	r.Attrs = append(r.Attrs, trace.Attr{Key: "fault", Value: id.String()})
	if !ok {
		r.Attrs = append(r.Attrs, trace.Attr{Key: "suppressed", Value: "true"})
	}
	slices.SortFunc(r.Attrs, func(a, b trace.Attr) int { return cmp.Compare(a.Key, b.Key) })
	f.muted = !ok
	w.Record(pkg, r)
	f.muted = false
	w.stamp(&r)
	f.injected = append(f.injected, r)
	return ok
}

// FaultFilterSet reports whether SetFaultFilter was called for this run:
// a site whose faults are recorded only while faults are being named (a
// torn write, apart from its crash) asks it.
func (w *World) FaultFilterSet() bool { return w.filter.on }

// InjectedFaults returns the trace record of every fault named so far, in
// order (the i-th is fault number i+1), the suppressed ones included;
// empty unless SetFaultFilter was called. FaultOf reads a record's fault.
func (w *World) InjectedFaults() []trace.Record { return slices.Clone(w.filter.injected) }

// FaultOf returns the fault a record of InjectedFaults names, by ordinal,
// and false for a record that names none.
func FaultOf(r trace.Record) (FaultID, bool) {
	i := slices.IndexFunc(r.Attrs, func(a trace.Attr) bool { return a.Key == "fault" })
	if i < 0 {
		return FaultID{}, false
	}
	id, err := ParseFaultID(r.Attrs[i].Value)
	return id, err == nil && id.Op != ""
}
