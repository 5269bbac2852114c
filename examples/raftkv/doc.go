// Package raftkv is a replicated key-value store on etcd's raft library
// (go.etcd.io/raft/v3), and the simulation that tests it: code Orrery did
// not write, hosted as a user would host it.
//
// Each node (kv-1, kv-2, kv-3; or five) drives a raft.RawNode from one
// task, as the raft package's documentation prescribes: on a tick of the
// host's clock, a message from a peer or a client's request, it handles
// every Ready in order: persist the HardState, entries and snapshot to the
// simulated disk and sync them, then send the messages, then apply the
// committed entries, then Advance. The disk holds a write-ahead log of
// checksummed records, the latest raft snapshot and a checkpoint of the
// store (kv.db); a node that crashes or is shut down recovers from them
// on its next boot. Every 40 applied entries a node takes a snapshot and
// compacts its log; a follower too far behind receives the leader's
// snapshot. Nodes talk over the simulated network in checksummed,
// length-prefixed frames of raftpb.Message, and dial again after any
// failure. Raft's randomized election timeout is its own: it draws it from
// crypto/rand, which the simulation serves from the seed.
//
// Clients send gets, puts and appends to random nodes, each write under a
// client ID and sequence number that its retries keep, so that the store
// (its dedup table) applies it once. A write is answered once applied; a
// get asks raft for a read index (ReadIndex) and is answered once the
// store has applied it. Clients record what they saw with package check.
//
// What must hold: at most one leader per term (an invariant over what the
// nodes publish), the linearizability of the whole history (checked with
// porcupine at the end of every seed), every acknowledged append in the
// values read after the faults healed, exactly once, and liveness: every
// request answered within 10 s of the faults healing.
//
// Three planted bugs break it, each found in the first seeds:
//
//	go run ./cmd/orrery run raftkv --bug stale-reads     # a follower answers gets from its own store
//	go run ./cmd/orrery run raftkv --bug ack-on-propose  # a write acknowledged when proposed, not applied
//	go run ./cmd/orrery run raftkv --bug double-apply    # a restart forgets its applied index
package raftkv
