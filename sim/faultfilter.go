package sim

import (
	"slices"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/trace"
)

// faultFilter decides which injected faults a run applies. Faults are
// numbered 1, 2, ... in the order their sites ask InjectFault; while no
// filter is set (the default) the numbers are not shown and every fault
// happens.
type faultFilter struct {
	on       bool
	all      bool     // keep every fault (numbered, for shrinking)
	keep     []uint64 // sorted fault numbers that may happen, unless all
	n        uint64   // faults numbered so far
	injected []trace.Record
	muted    bool // the record being written is a suppressed fault
}

// SetFaultFilter turns fault numbering on for the run and lets only the
// faults whose numbers are in keep happen; every other fault still makes
// its random draws, is not applied, and leaves a record with
// suppressed=true. A nil keep lets every fault happen (numbered). Call it
// before Run.
func (w *World) SetFaultFilter(keep []uint64) {
	w.filter = faultFilter{on: true, all: keep == nil, keep: slices.Sorted(slices.Values(keep))}
}

// InjectFault numbers a fault about to be injected, writes its trace record
// r (of Kind trace.KindFault) and reports whether the fault may happen. A
// site calls it after every random draw the fault needs and before it
// applies the fault, and applies it only on true. With no fault filter it
// is Record and returns true.
func (w *World) InjectFault(pkg string, r trace.Record) bool {
	f := &w.filter
	if !f.on {
		w.Record(pkg, r)
		return true
	}
	f.n++
	ok := f.all || slices.Contains(f.keep, f.n)
	r.Attrs = append(r.Attrs, trace.Attr{Key: "fault", Value: strconv.FormatUint(f.n, 10)})
	if !ok {
		r.Attrs = append(r.Attrs, trace.Attr{Key: "suppressed", Value: "true"})
	}
	slices.SortFunc(r.Attrs, func(a, b trace.Attr) int { return strings.Compare(a.Key, b.Key) })
	f.muted = !ok
	w.Record(pkg, r)
	f.muted = false
	w.stamp(&r)
	f.injected = append(f.injected, r)
	return ok
}

// InjectedFaults returns the trace record of every fault numbered so far,
// in order (the i-th is fault i+1), the suppressed ones included; empty
// unless SetFaultFilter was called.
func (w *World) InjectedFaults() []trace.Record { return slices.Clone(w.filter.injected) }
