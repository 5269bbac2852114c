// Command orrery runs the tools around Orrery simulations. Its trace
// commands read the JSON Lines traces that a run writes (orrerytest.Test with
// ORRERY_TRACE=out.jsonl, or --trace out.jsonl), streaming through files
// of millions of records.
//
// Usage:
//
//	orrery [--color=auto|always|never] <command> [flags]
//
// # orrery trace show
//
//	orrery trace show FILE [--around SEQ [--before N] [--after N]]
//	                       [--from X] [--to X] [--no-infra]
//	                       [--kind K] [--proc P] [--conn C] [--level L]
//
// Show prints the records of the trace FILE ("-" for the standard input),
// one line each:
//
//	t=0.050000s seq=5 rng=6 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=4
//	t=0.070000s seq=7 rng=7 ERROR [bank/checker#20] failure: invariant conservation violated total=99
//
// --around SEQ shows the records of that seq with --before and --after
// records on either side (5 by default). --from and --to take a seq
// ("1200") or a logical time with its unit ("1.5s", "200ms"): a seq is a
// position in the trace (from its first record, to its last), a time
// cuts by the t= stamp, both ends included. The filters keep infrastructure
// events out (--no-infra), or keep one kind or op (--kind Network, --kind
// DataDelivery, --kind Log, --kind Fault), one process or task (--proc bank
// keeps bank/client-2), one connection (--conn 3), or records at a level
// and above (--level warn: error, warn, info, debug, trace); --before and
// --after count the records that pass them. A show that selects nothing
// (a range that ends before it starts, a kind, process or connection the
// range does not hold) is an error that says which option left nothing.
//
// # orrery trace why
//
//	orrery trace why FILE [SEQ] [--recent N] [--max N]
//
// Why prints the causal chain of the event SEQ, by default of the failure
// (the event being processed when the run logged "failure: ..."): the
// event that scheduled it, the one that scheduled that, back to the setup
// of the run (the newest 200 by default, --max 0 for all, saying how many
// were left out); the connections on the chain with the events that
// established them; and the last N events before it (10 by default, 0 for
// none), those on the chain marked with '*'.
//
// # orrery trace diff
//
//	orrery trace diff A B [--no-infra] [--context N]
//
// Diff compares two traces of one simulation (a seed run twice, or two
// seeds) and prints where they part: the number of common records, the
// RNG call count of the last one, N common records before the split (3 by
// default) and each side's first diverging records, marked '-' for A and
// '+' for B. The seeds of the two Start records are not compared.
// --no-infra skips infrastructure events on both sides. Messages call A
// "a" and B "b".
//
// # orrery trace html
//
//	orrery trace html FILE -o PAGE [--title T] [--focus SEQ]
//
// Html writes one self-contained page (no network access): a swimlane per
// task on a logical-time axis that zooms and pans, arrows for causes that
// cross lanes, the failure (or --focus) selected; a click on an event shows
// its record and highlights its causal chain; the search box jumps to a
// seq. PAGE is written only when the whole trace was read.
//
// # orrery vet
//
//	orrery vet [PACKAGES]
//
// Vet reports code that escapes the simulation in the packages given
// (./... by default) and their tests: wall-clock time, goroutines, Go
// channels and sync locks, global random sources, the real disk and
// network, map order that decides what happens next; each report names
// the env equivalent (see package vet; cmd/orrery-vet runs the same
// analyzer under go vet -vettool). Exit 0 when clean, 1 with findings.
// It checks simulated code only: the packages that use env.Env (or carry
// an //orrery:simulated comment) and, in test files, the processes,
// workloads and invariants and what they call. In packages with neither
// it reports nothing and says that it found nothing to check. Only this
// command links the analyzer: a simulation binary of your own built on
// cli.Main does not.
//
// Usage lines, and the replay commands that run prints, name the program
// as it was invoked: orrery when installed, go tool orrery when run as a
// tool of your module, go run ./cmd/orrery from Orrery's repository.
//
// # Colour
//
// On a terminal the output is coloured (the stamp dim, ERROR logs red, WARN
// yellow, faults magenta, infrastructure events cyan, diff's sides red and
// green), unless the environment sets NO_COLOR. --color=always colours a
// pipe too (for less -R), --color=never nowhere.
//
// # Exit status
//
// 0 on success and for identical traces, 1 when trace diff finds that the
// traces differ (or, for run and replay, a seed failed), 2 for a usage
// error or bad input: a missing, empty or truncated file, a file that is
// not a trace, a seq the trace does not hold, the traces of two different
// simulations, an option that selects nothing. 3 is a crash of orrery
// itself, with its stack; 130 and 143 a run stopped by SIGINT or SIGTERM
// (see cli.Main). An error is one line on the standard error,
// "orrery: what: why":
//
//	orrery: out.jsonl: show: trace line 812: truncated record: the file ends inside it
package main
