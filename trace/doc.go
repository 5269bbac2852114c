// Package trace defines the records of an Orrery event trace and their two
// encodings: the one-line text form people read and the JSON Lines form tools
// read.
//
// A trace is the story of one seed. Every processed event is a record (a
// timer firing, bytes delivered on a connection, a disk write completing), and
// so is every application log line and every injected fault. Each record is
// stamped with the logical time, the seq of the event being processed and the
// count of main-stream RNG calls so far, which together locate it exactly in
// the execution:
//
//	t=1.234000s seq=48 rng=1203 Timer{task=12 "bank/client-2"} cause=30
//	t=1.234000s seq=48 rng=1203 INFO [bank/client-2#12] transfer done amount=5
//
// The package is a leaf: the engine (package sim) writes records through it,
// and the trace tools read them back, so the writer and the readers cannot
// disagree about the format.
//
// # Reading traces
//
// The reading side works on JSON Lines files of millions of records without
// loading them: NewReader decodes one record at a time, and the three tools
// behind "orrery trace" stream through it.
//
//   - Show prints the records near a seq, in a stretch of time, or of one
//     kind, process or connection.
//   - Why follows an event's causes back to the setup of the run: every
//     event record carries the seq of the event that scheduled it (Cause),
//     so the tool does what a person would do by searching the trace by
//     hand. Asked about seq 0, it explains the failure.
//   - Diff finds where two traces part: a seed run twice (nondeterminism)
//     or two seeds of one simulation (where the failing path begins).
//
// The tools rely on three conventions of the engine: the first record is a
// Start record whose attributes "sim" and "seed" name the simulation and the
// seed; a failing seed writes a log record at level ERROR whose message
// starts with FailurePrefix; connections are established by a "Connection"
// event with Op "ConnectionReady" and Obj "conn".
package trace
