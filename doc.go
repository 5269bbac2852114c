// Package orrery describes and runs deterministic simulations of
// distributed systems written in Go.
//
// A Simulation names the processes of the system under test (servers, each
// with a Main written against env.Env), the workloads that drive and check
// them, the invariants that must hold after every step, and the faults to
// inject. Each seed runs the whole cluster in one goroutine-at-a-time world
// on a logical clock, so a failing seed replays bit for bit.
//
// A seed runs in phases: the processes boot; every workload's Setup runs;
// then every Run, with faults on (the chaos phase, bounded by
// Chaos.Duration); then the faults heal and every Check runs. A failed
// invariant, assertion or workload, a panic, a deadlock or a stall fails
// the seed.
//
// Run sweeps many seeds across cores and returns a Report; Test does the
// same inside go test, with -orrery.* flags; Main gives a simulation binary
// the run, replay, trace and report commands. Every failing seed comes with
// the command that replays it.
package orrery
