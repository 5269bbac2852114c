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
// # The API
//
// What the code under test calls, and ships with: Publish and Published
// (values a process makes known to workloads and invariants), Hosts,
// HostsWithTag and Lookup (the cluster's hosts), Instance (which instance
// of its Process or Workload a host is), Planted (a planted bug switched
// on), Buggify and BuggifyWithProb (fault points), Reboot, RebootTag,
// StepClock, SetClockDrift and Network (faults a workload injects by hand:
// the netsim.Controls). These
// link no part of the harness: no testing, no flags, no command line, no
// Go parser.
//
// What describes a simulation: Simulation, Process, Workload (with Driver
// and Funcs), Invariant, Clocks (each host's clock skew and clock faults:
// NTPClocks, NTPClockFaults), and the fault configuration of package chaos.
//
// What runs one: Run sweeps many seeds across cores with Options and
// returns a Report (WriteTable, WriteJSON, ReadReport, MergeReports);
// ParseSeed and SeedAt name seeds. Every failing seed comes with the
// command that replays it.
//
// The harness lives in packages of its own, which only tests and
// simulation binaries import: orrerytest.Test runs a simulation inside go
// test, with -orrery.* flags and ORRERY_* environment variables; cli.Main
// gives a simulation binary the run, replay, list, report and trace
// commands; assert/catalog finds the assertions a run must reach.
package orrery
