// Package vet is an analyzer that reports code which escapes the
// simulation: code that reads the wall clock, starts goroutines, blocks on
// Go channels or sync locks, draws from a global random source, touches the
// real disk or network, or lets map iteration order decide what happens
// next. A seed cannot replay any of these, so in a simulation they show up
// as a blocked task, a stall or a determinism mismatch, long after the
// line that caused them.
//
// Only simulated code is checked: the packages that use env.Env in a
// function signature or a struct, or carry an //orrery:simulated comment in
// any file. In a _test.go file, only the bodies of the functions that take
// an env.Env are (the processes and workloads a test defines, not the
// harness around them), unless the file itself is marked. Every report
// names the env equivalent. A line that
// must stay as it is carries a comment saying why:
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
