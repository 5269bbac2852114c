package assert

import (
	"cmp"
	"math"
	"reflect"

	"github.com/orrerysim/orrery/sim"
)

// OnWatermark calls fn, during w's run, each time a numeric assertion
// (AlwaysGreaterThan ... SometimesLessThanOrEqualTo) comes closer than
// ever before in the run to flipping: a Sometimes form to holding, an
// Always form to failing. score measures how close, as the signed
// distance left - right or right - left, whichever grows towards the
// flip; a higher score is closer (a SometimesGreaterThan(ctx, height, 8,
// ...) evaluated at height 5 scores -3, at height 6 -2). Evaluations that
// flip it (a Sometimes that holds, an Always that fails) are not scored:
// OnFirstHit and the failure tell those. Values of string type are not
// scored, nor NaNs. fn runs at the evaluation, as OnFirstHit's does: it
// must not draw from w or block. A later call replaces fn; nil stops the
// scoring.
//
// Scoring costs nothing while no function is set: it is what an explorer
// climbs by (orrery.Explore), and it writes nothing into the trace.
func OnWatermark(w *sim.World, fn func(msg string, score float64)) {
	r := registryOf(w)
	r.onMark = fn
	for _, e := range r.entries { // any order: each entry on its own
		e.mark = r.newMark(ops[e.fn])
	}
}

// watermark is a numeric assertion's best score in a run.
type watermark struct {
	best float64
	fn   func(msg string, score float64)
}

// newMark returns the watermark of a new entry of o, nil when o is not
// numeric or no function is set.
func (r *registry) newMark(o *op) *watermark {
	if r.onMark == nil || o == nil || o.sign == 0 {
		return nil
	}
	return &watermark{best: math.Inf(-1), fn: r.onMark}
}

// observeMark scores an evaluation of a numeric assertion that did not
// flip it, and tells the watermark's function of a new best.
func observeMark[T cmp.Ordered](m *watermark, o *op, ok bool, left, right T, msg string) {
	if ok != (o.kind == KindAlways) {
		return // a Sometimes that holds, an Always that fails
	}
	l, lok := toFloat(left)
	r, rok := toFloat(right)
	if !lok || !rok {
		return
	}
	if score := float64(o.sign) * (l - r); score > m.best { // false for a NaN
		m.best = score
		m.fn(msg, score)
	}
}

// toFloat converts a value of an ordered type to float64; false for a
// string.
func toFloat[T cmp.Ordered](v T) (float64, bool) {
	switch x := any(v).(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return float64(x), true
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return float64(rv.Int()), true
	case rv.CanUint():
		return float64(rv.Uint()), true
	case rv.CanFloat():
		return rv.Float(), true
	}
	return 0, false
}
