// Package chaos decides which faults a run meets: FoundationDB's Buggify
// (rare code paths enabled per call site and per seed), and the fault
// configuration of a simulation (network, disk and process faults, fixed or
// drawn per seed in swarm mode).
package chaos
