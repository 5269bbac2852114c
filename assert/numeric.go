package assert

import (
	"cmp"
	"context"
	"fmt"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// The numeric assertions compare two values of any ordered type (int,
// float64, time.Duration, ...) and report both, as "left" and "right",
// when they are recorded: a failure says by how much a bound was missed,
// which a bare Always(ctx, x < y, ...) cannot. The Always forms follow
// Always's rule and the Sometimes forms Sometimes's. A comparison with a NaN
// is false, as in Go. Being generic, they box nothing outside a simulation.

// AlwaysGreaterThan asserts left > right every time, as Always does.
func AlwaysGreaterThan[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opAlwaysGT, left > right, left, right, msg, details)
	}
}

// AlwaysGreaterThanOrEqualTo asserts left >= right every time, as Always
// does.
func AlwaysGreaterThanOrEqualTo[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opAlwaysGE, left >= right, left, right, msg, details)
	}
}

// AlwaysLessThan asserts left < right every time, as Always does.
func AlwaysLessThan[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opAlwaysLT, left < right, left, right, msg, details)
	}
}

// AlwaysLessThanOrEqualTo asserts left <= right every time, as Always does.
func AlwaysLessThanOrEqualTo[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opAlwaysLE, left <= right, left, right, msg, details)
	}
}

// SometimesGreaterThan asserts left > right at least once across a run, as
// Sometimes does.
func SometimesGreaterThan[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opSometimesGT, left > right, left, right, msg, details)
	}
}

// SometimesGreaterThanOrEqualTo asserts left >= right at least once across
// a run, as Sometimes does.
func SometimesGreaterThanOrEqualTo[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opSometimesGE, left >= right, left, right, msg, details)
	}
}

// SometimesLessThan asserts left < right at least once across a run, as
// Sometimes does.
func SometimesLessThan[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opSometimesLT, left < right, left, right, msg, details)
	}
}

// SometimesLessThanOrEqualTo asserts left <= right at least once across a
// run, as Sometimes does.
func SometimesLessThanOrEqualTo[T cmp.Ordered](ctx context.Context, left, right T, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		compare(w, opSometimesLE, left <= right, left, right, msg, details)
	}
}

// compare evaluates a numeric assertion in w; the values are formatted only
// when the evaluation is recorded.
//
//go:noinline
func compare[T cmp.Ordered](w *sim.World, o *op, ok bool, left, right T, msg string, details []any) {
	e := site(w, o, msg)
	if e == nil {
		return
	}
	if e.mark != nil {
		observeMark(e.mark, o, ok, left, right, msg)
	}
	if !ok && o.kind == KindSometimes && e.passed == 0 {
		observeClosest(e, o, left, right)
	}
	if !e.observe(ok) {
		return
	}
	sides := []trace.Attr{{Key: "left", Value: fmt.Sprint(left)}, {Key: "right", Value: fmt.Sprint(right)}}
	report(w, o, e, ok, msg, details, sides)
}
