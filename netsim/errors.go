package netsim

import (
	"errors"
	"net"
	"strconv"
	"syscall"
)

// The errors of expected network conditions, usable with errors.Is. Stream
// errors come wrapped in a *net.OpError, as package net returns them. A read
// or write whose deadline passed fails with os.ErrDeadlineExceeded, as in
// package net.
var (
	// ErrConnectionRefused: nobody listens at the address dialed.
	ErrConnectionRefused = syscall.ECONNREFUSED
	// ErrConnectionReset: the peer aborted the connection or crashed.
	ErrConnectionReset = syscall.ECONNRESET
	// ErrUnknownHost: a host name that no host of the network has.
	ErrUnknownHost = errors.New("no such host")
	// ErrAddressInUse: listening on a port already taken.
	ErrAddressInUse = syscall.EADDRINUSE
)

// opError wraps err as package net does, with the operation and the
// addresses involved.
func opError(op string, local, remote net.Addr, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: local, Addr: remote, Err: err}
}

func itoa(n int) string { return strconv.Itoa(n) }
