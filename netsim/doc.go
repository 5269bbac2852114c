// Package netsim is the simulated network: TCP-like streams that are
// net.Conn and net.Listener, and datagram sockets that are net.PacketConn,
// between hosts with real IP addresses, on the simulation's logical clock.
// Ordinary Go code (bufio, encoding/gob, net/textproto, a hand-written RPC)
// runs on it unchanged. A *Host is the env.Network of the code running on
// it: Listen, Dial, ListenPacket and LookupHost take "host:port" addresses
// whose host is an IP, a host name given to AddHost, or empty for the host
// itself.
//
// # Streams
//
// A write appends to the connection's send buffer (64 KiB; a larger write
// waits for room); a ProcessSendBuffer event moves the buffered bytes onto
// the wire, as many as the peer's receive window has room for, and a
// DataDelivery event puts them in the peer's receive buffer after a
// latency, in order. The receive window (Config.ReceiveWindow, 128 KiB by
// default, as Linux's) counts the bytes the peer has not read yet, arrived
// or on their way: a peer that does not read stops the data once its
// window is full, and the writer once its send buffer is full too, as over
// TCP. Two peers that both write more than the two hold before reading
// deadlock, as they would on a real network, and the deadlock report says
// that each waits in "conn write (send buffer full, peer's receive window
// full)". A read that frees room reopens the window at once (a real window
// update takes a trip back). Close sends a FIN after every earlier byte
// (FinDelivery, then io.EOF for the reader); an abort (SetLinger(0), Kill)
// or a crash resets the connection at once (ErrConnectionReset for the
// peer). Dialing an address nobody listens on is refused
// (ErrConnectionRefused) after the connect latency. Errors are *net.OpError
// values wrapping these causes, as package net returns them. Deadlines
// are times of the host's clock (Host.SetClock; true logical time without
// one) and, as in package net, an operation started once its deadline has
// passed fails at once, data waiting or not, and one blocked when it passes
// wakes, both with os.ErrDeadlineExceeded (a net.Error whose Timeout is
// true); a later deadline makes the socket usable again. Methods without
// a context (Read, Write, Accept) block on the calling task's context, so
// cancelling a process's tasks interrupts them.
//
// # Faults
//
// The zero Config is realistic latency (100-600 µs per chunk, 1-11 ms to
// connect, 1-6 ms for Accept to hand a connection over, 10-100 µs to bind)
// and no faults. Faults are named probabilities and durations in
// Faults, zero meaning off: latency shapes and per-pair latency, clogs,
// partitions, host send/receive partitions, cuts, random closes, bit flips,
// partial I/O, connect failures, half-open connections and datagram loss,
// duplication and reordering. StandardFaults gives the default levels and
// SwarmFaults draws a mix per seed. Faults of the network as a whole
// (partitions, cuts) strike while StartChaos runs; Heal ends every fault
// for the final checks. Tests and fault injectors also control the network
// by hand: Partition, SendPartition, RecvPartition, Clog, ReadClog, Cut,
// Kill, Stable, and Host.Crash for a process crash. In a simulation built
// with package orrery, workloads reach these controls (Controls, not the
// whole Network) with orrery.Network(ctx); docs/faults.md is the guide.
//
// Every injected fault is a trace record, and every event prints in the
// trace as
//
//	t=1.234000s seq=47 rng=1203 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=41
//	t=2.500000s seq=49 rng=1211 Connection{id=5 PartitionRestore 10.0.1.1<->10.0.1.2} cause=12 infra
package netsim
