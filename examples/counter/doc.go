// Package counter is an HTTP service under simulation, written with
// net/http as any Go service is: a cache process answers clients
// (POST /incr/{key}, GET /count/{key}) and keeps the counters it has seen
// in memory, in front of a store process that holds them durably (a log of
// checksummed frames on its disk, env/frame) and updates them by
// compare-and-set (PUT /v/{key} with the version it expects). Both are
// ordinary http.Handlers served by env/envhttp; the cache calls the store,
// and the clients call the cache, with envhttp's *http.Client.
//
// The network meets resets, partial reads and writes, connect failures,
// and with --swarm clogs, partitions and cuts; both processes crash and
// reboot. The clients check what a counter promises: it never goes back as
// a client sees it, and once the faults heal the store holds at least
// every increment a client saw acknowledged and every value a client read,
// and no more increments than were sent.
//
// It carries a planted bug, "optimistic-write": when a write to the store
// fails on the network, the cache takes it for one that went through ("the
// store was only slow"), acknowledges the increment and remembers the new
// count. Clients then read a count that was never stored. Only a fault (a
// write to the store that never arrives) shows it:
//
//	go run ./cmd/orrery run counter --bug optimistic-write
package counter
