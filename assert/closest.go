package assert

import (
	"cmp"
	"fmt"
	"math"

	"github.com/orrerysim/orrery/trace"
)

// closest is a numeric Sometimes form's evaluation nearest to holding in
// a run while it has not held: how far it was (gap, see observeClosest)
// and its two values, which only Results formats.
type closest struct {
	gap         float64
	left, right any
}

// observeClosest keeps left and right when they are nearer to holding
// than the nearest evaluation before them in the run, for an evaluation
// of a numeric Sometimes form that did not hold. The gap is how far the
// values were from holding: right - left for the GreaterThan forms, left
// - right for the LessThan ones (0 when a strict form missed by being
// equal). A run that never reaches the assertion's path then says how
// near it came, and which seed came nearest (Result.Closest). Strings and
// NaNs are not measured.
func observeClosest[T cmp.Ordered](e *entry, o *op, left, right T) {
	l, lok := toFloat(left)
	r, rok := toFloat(right)
	if !lok || !rok {
		return
	}
	gap := -float64(o.sign) * (l - r)
	if math.IsNaN(gap) || math.IsInf(gap, 0) || (e.closest != nil && gap >= e.closest.gap) {
		return
	}
	if e.closest == nil {
		e.closest = new(closest)
	}
	*e.closest = closest{gap: gap, left: left, right: right}
}

// setClosest fills in r's Closest and Gap from e's nearest evaluation,
// when e has one and has not held.
func (e *entry) setClosest(r *Result) {
	if e.closest == nil || e.passed > 0 {
		return
	}
	c := e.closest
	r.Closest = formatAttrs([]trace.Attr{{Key: "left", Value: fmt.Sprint(c.left)}, {Key: "right", Value: fmt.Sprint(c.right)}})
	r.Gap = c.gap
}

// addClosest keeps, of m's and r's nearest evaluations, the nearer, or of
// two as near the one of the lower seed, so that merging does not depend
// on order; once the merged assertion has held, neither.
func (m *Result) addClosest(r Result) {
	if r.Closest != "" && (m.Closest == "" || r.Gap < m.Gap || (r.Gap == m.Gap && r.ClosestSeed < m.ClosestSeed)) {
		m.Closest, m.Gap, m.ClosestSeed = r.Closest, r.Gap, r.ClosestSeed
	}
	if m.Passed > 0 {
		m.Closest, m.Gap, m.ClosestSeed = "", 0, 0
	}
}
