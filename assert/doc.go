// Package assert states what must be true of a simulated system, with the
// semantics of Antithesis's assertions: an assertion's message is its
// identity, and properties come in two families.
//
// An Always property must hold every time it is evaluated; one false
// evaluation fails the seed:
//
//	assert.Always(ctx, bal >= 0, "balance never negative", "account", id, "balance", bal)
//
// A Sometimes property must hold at least once across a run of many seeds.
// It never fails a seed, but a run in which it never held fails: it proves
// the faults never drove the system down that path, so the Always
// properties passed for lack of trying.
//
//	assert.Sometimes(ctx, resp.Err != nil, "a client saw a timeout")
//
// The families: Always, AlwaysOrUnreachable, Sometimes, Reachable and
// Unreachable; the numeric comparisons AlwaysGreaterThan ...
// SometimesLessThanOrEqualTo, which report both values; AlwaysSome and
// SometimesAll over named conditions; and SometimesEach, which counts its
// evaluations per distinct value.
//
// Every function takes the context the simulated task received, which
// carries the World. Outside a simulation (sim.FromContext(ctx) is nil, as
// in production) every call returns at once and allocates nothing, so
// assertions can stay in the code that ships. As with log/slog, turning a
// detail into an `any` is the caller's work: constants, pointers, errors
// and small integers cost nothing, but a string or a large number held in a
// variable is boxed on the heap before the call. In a hot loop of
// production code, guard such calls with sim.FromContext(ctx) != nil.
//
// Details are key/value pairs as for slog (slog.Attr values work too). They
// are formatted only when an evaluation is recorded: a failure, written
// into the trace as an ERROR record of kind "Assert" and reported by
// World.Run as a *sim.Failure of kind sim.FailAssertion; or the first pass
// of a Sometimes-family assertion in a seed, a DEBUG record. Records go
// into the trace hash, so a seed run twice evaluates the same assertions in
// the same order or the hashes differ.
//
// Each World keeps a table of the assertions its run evaluated, without a
// fixed size: Results returns it, sorted by message. Merge adds up the
// tables of many seeds, and Missing lists the assertions that the whole run
// never exercised. A numeric Sometimes form that never held keeps its
// evaluation nearest to holding (Result.Closest), so that such a run says
// how near it came and which seed to replay to see it:
//
//	FAIL  Sometimes "queue fills" at q/q.go:42 never held in 1000 seeds: 3000 evaluations, the nearest left=97 right=100 (seed 0x5e1f...)
//
// An assertion that no seed reached is in no table; package assert/catalog
// finds every call site in the source and turns them into empty rows to
// merge in, so that Missing sees them too.
package assert
