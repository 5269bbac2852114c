package assert

import (
	"context"

	"github.com/orrerysim/orrery/sim"
)

// Always asserts that cond holds every time the call is evaluated. A false
// cond fails the seed with a sim.FailAssertion failure naming the
// assertion, its call site and the details, and writes an ERROR record
// into the trace. Across a run of many seeds, an Always that was never
// evaluated is reported by Missing: a property that was never checked
// proves nothing. Use AlwaysOrUnreachable for code that may rightly never
// run.
//
// msg is the assertion's identity: calls with the same message are one
// assertion. details are key/value pairs as for log/slog ("account", id,
// "balance", bal), formatted only when they are reported.
func Always(ctx context.Context, cond bool, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		check(w, opAlways, cond, msg, details)
	}
}

// AlwaysOrUnreachable is Always for code that a run may never reach (a
// recovery path, a rare branch): a false cond fails the seed, but never
// evaluating it is not reported by Missing.
func AlwaysOrUnreachable(ctx context.Context, cond bool, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		check(w, opAlwaysOrUnreachable, cond, msg, details)
	}
}

// Sometimes asserts that cond holds at least once across a run of many
// seeds. It never fails a seed: it counts evaluations and passes, writes a
// DEBUG record the first time cond holds in a seed, and Missing reports it
// when no seed of the run saw cond hold. A Sometimes that never fired
// proves the faults never drove the system down that path, so the other
// assertions passed for lack of trying.
func Sometimes(ctx context.Context, cond bool, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		check(w, opSometimes, cond, msg, details)
	}
}

// Reachable asserts that the call is evaluated at least once across a run:
// it marks a path that the simulation must exercise (a leader change, a
// retry after a timeout). Missing reports it when no seed reached it.
func Reachable(ctx context.Context, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		check(w, opReachable, true, msg, details)
	}
}

// Unreachable asserts that the call is never evaluated: reaching it fails
// the seed, as a false Always does. Mark the paths that a correct system
// never takes (a committed entry lost, a second leader in a term).
func Unreachable(ctx context.Context, msg string, details ...any) {
	if w := sim.FromContext(ctx); w != nil {
		check(w, opUnreachable, false, msg, details)
	}
}

// check evaluates a boolean assertion in w.
//
//go:noinline
func check(w *sim.World, o *op, ok bool, msg string, details []any) {
	e := site(w, o, msg)
	if e == nil || !e.observe(ok) {
		return
	}
	report(w, o, e, ok, msg, details, nil)
}
