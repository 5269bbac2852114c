// Package netsim is the simulated network: TCP-like streams that are
// net.Conn and net.Listener, and datagram sockets that are net.PacketConn,
// between hosts with real IP addresses, on the simulation's logical clock.
// Ordinary Go code (bufio, encoding/gob, net/textproto, a hand-written RPC)
// runs on it unchanged.
//
// A write appends to the connection's send buffer (64 KiB; a larger write
// waits for room); a ProcessSendBuffer event moves the buffered bytes onto
// the wire, and a DataDelivery event puts them in the peer's receive buffer
// after a latency, in order. Close sends a FIN after every earlier byte
// (FinDelivery, then io.EOF for the reader); an abort or a crash resets the
// connection at once (ECONNRESET for the peer). Dialing an address nobody
// listens on is refused.
//
// The zero Config is realistic latency and no faults. Faults (clogs,
// partitions, random closes, bit flips, partial I/O, connect failures,
// half-open connections, cuts, datagram loss, duplication and reordering)
// are named probabilities in Faults, zero meaning off; StandardFaults gives
// the default levels and SwarmFaults draws a mix per seed. Every injected
// fault is a trace record, and every event prints in the trace as
//
//	t=1.234000s seq=47 rng=1203 Network{conn=3 DataDelivery bytes=64 10.0.0.1:40001->10.0.1.1:7000} cause=41
package netsim
