package assert

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// AlwaysSome asserts that at least one of the named conditions holds every
// time the call is evaluated ("some replica has the entry"): it is
// Always(a || b || ...), but a failure lists every condition by name, in
// sorted order. An empty map has no true condition, so it fails.
func AlwaysSome(ctx context.Context, conds map[string]bool, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compound(w, opAlwaysSome, anyTrue(conds), conds, msg, details)
	}
}

// SometimesAll asserts that, at least once across a run, all the named
// conditions hold together in one evaluation ("every replica caught up
// while the partition was on"). This is Antithesis's definition: it is
// Sometimes(a && b && ...), not "each condition held at some point"; for
// that, write one Sometimes per condition. An empty map holds vacuously.
// The first passing evaluation of a seed is recorded with every condition.
func SometimesAll(ctx context.Context, conds map[string]bool, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compound(w, opSometimesAll, allTrue(conds), conds, msg, details)
	}
}

// SometimesEach counts its evaluations per distinct value, one bucket per
// value as fmt's %v prints it ("each node was leader at some point", "every
// error code was returned"). Across a run it must be evaluated at least
// once, and Results and Merge report one row per bucket, so a report shows
// which values the run covered. The first evaluation of each bucket in a
// seed is recorded in the trace. Values are compared with ==, as map keys
// are; use values that print the same in every run (not pointers to
// scalars, whose %v is an address).
func SometimesEach[T comparable](ctx context.Context, msg string, value T, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		each(w, msg, value, details)
	}
}

// anyTrue and allTrue range over the map directly: an OR and an AND do not
// depend on the order in which they meet the values, and only what they
// report (condAttrs) must be in sorted order.
func anyTrue(conds map[string]bool) bool {
	for _, ok := range conds {
		if ok {
			return true
		}
	}
	return false
}

func allTrue(conds map[string]bool) bool {
	for _, ok := range conds {
		if !ok {
			return false
		}
	}
	return true
}

// compound evaluates AlwaysSome or SometimesAll in w.
//
//go:noinline
func compound(w *sim.World, o *op, ok bool, conds map[string]bool, msg string, details []any) {
	e := site(w, o, msg)
	if e == nil || !e.observe(ok) {
		return
	}
	report(w, o, e, ok, msg, details, condAttrs(conds))
}

// condAttrs lists the conditions in sorted key order. The names are cloned
// and the map is ranged over directly (no iterator closure, which would
// capture it) so that the caller's map does not escape: outside a
// simulation a map literal argument stays on the caller's stack.
func condAttrs(conds map[string]bool) []trace.Attr {
	attrs := make([]trace.Attr, 0, len(conds))
	for k, ok := range conds { // any order: sorted below
		attrs = append(attrs, trace.Attr{Key: strings.Clone(k), Value: strconv.FormatBool(ok)})
	}
	slices.SortFunc(attrs, func(a, b trace.Attr) int { return strings.Compare(a.Key, b.Key) })
	return attrs
}

// each evaluates SometimesEach in w.
//
//go:noinline
func each[T comparable](w *sim.World, msg string, value T, details []any) {
	e := site(w, opSometimesEach, msg)
	if e == nil {
		return
	}
	b := bucketOf(e, value)
	e.evaluated++
	e.passed++
	b.hits++
	if b.hits == 1 {
		report(w, opSometimesEach, e, true, msg, details, []trace.Attr{{Key: "bucket", Value: b.label}})
	}
}

// bucketOf finds value's bucket, creating it on first sight. Values of the
// first call's type are looked up without formatting them; other types (one
// message used with two types) and NaNs, which equal nothing, go by label.
func bucketOf[T comparable](e *entry, value T) *bucket {
	if e.values == nil {
		e.values = make(map[T]*bucket)
	}
	byValue, typed := e.values.(map[T]*bucket)
	typed = typed && value == value // false only for a NaN
	if typed {
		if b := byValue[value]; b != nil {
			return b
		}
	}
	label := fmt.Sprint(value)
	b := e.buckets[label]
	if b == nil {
		b = &bucket{label: label}
		e.buckets[label] = b
	}
	if typed {
		byValue[value] = b
	}
	return b
}
