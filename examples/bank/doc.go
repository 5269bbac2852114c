// Package bank is the first simulation to read: a bank server keeps
// accounts in memory and serves transfers over the simulated network, four
// client workloads dial it and send concurrent transfers in the checksummed,
// length-prefixed frames of package env/frame, and an invariant checks after
// every step that money is neither created nor destroyed. The network meets
// chaos.Standard()'s faults: partial reads and writes, random closes, bit
// flips (caught by the checksum), connect failures; with --swarm,
// partitions and clogs too.
//
// It carries a planted bug, "lost-update": the server reads two balances,
// waits, and writes them back, so a transfer that ran in between is lost.
// Run it with
//
//	go run ./cmd/orrery run bank --bug lost-update
//
// and the runner finds a seed that breaks the conservation law, prints the
// command that replays it, and explains the failure from its trace.
package bank
