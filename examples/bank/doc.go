// Package bank is the first simulation to read: a bank server keeps
// accounts in memory and applies transfers, client workloads send
// concurrent transfers, and an invariant checks after every step that money
// is neither created nor destroyed.
//
// It carries a planted bug, "lost-update": the server reads two balances,
// waits, and writes them back, so a transfer that ran in between is lost.
// Run it with
//
//	go run ./cmd/orrery run bank --bug lost-update
//
// and the runner finds a seed that breaks the conservation law, prints the
// command that replays it, and the trace tools show why.
package bank
