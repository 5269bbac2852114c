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
package trace
