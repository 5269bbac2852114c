// Command pingpong is a small simulation on the Orrery engine: a client sends
// pings to a server over a channel, the server answers after a random delay,
// and the client gives up waiting after a timeout and retries. It prints the
// event trace (ORRERY_LOG=trace by default) and the run's summary.
//
//	go run ./examples/pingpong -seed 7
package main
