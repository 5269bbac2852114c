// Package vet is an analyzer that reports code which escapes the
// simulation: code that reads the wall clock, starts goroutines, blocks on
// Go channels or sync locks, draws from a global random source, touches the
// real disk or network, or lets map iteration order decide what happens
// next. A seed cannot replay any of these, so in a simulation they show up
// as a blocked task, a stall or a determinism mismatch, long after the
// line that caused them.
//
// Only simulated code is checked, that is the code the simulation runs:
//
//   - every file of a package that uses env.Env in a function signature or
//     a struct, or carries an //orrery:simulated comment in any file;
//   - in a _test.go file (of any package, and of its external _test
//     package), the bodies of the functions that take or return an
//     env.Env, an *orrery.State or an orrery.Driver (the processes,
//     workloads, invariants and a workload's New that a test defines), and
//     of the package's functions and methods that they call or refer to,
//     transitively. The harness around them (Test functions and what only
//     they call) is not checked, unless the file is marked
//     //orrery:simulated.
//
// Anything else is not checked, by design: the analyzer cannot tell code
// that runs in production or in a test harness, where the wall clock and
// goroutines are right, from code that runs in a simulation. So time.Now in
// a package that uses neither env.Env nor orrery's types is not reported,
// and orrery vet, finding nothing to check, says so. Mark such a package
// //orrery:simulated if a simulation runs its code.
//
// Every report names the env equivalent. A line that must stay as it is
// carries a comment saying why:
//
//	mu.Lock() //orrery:allow the critical section never blocks
//
// on the line or the line above; an //orrery:allow without a reason, or
// with no report to silence, is itself reported.
//
// Analyzer runs under `go vet -vettool=$(which orrery-vet)` (see
// cmd/orrery-vet) and under any golang.org/x/tools/go/analysis driver; Main
// is the whole command for a CLI that wants `orrery vet ./...`. This package
// links go/types: simulated code and Orrery's shipping API never import it.
package vet
