package env

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"time"
)

// Env is one host's view of the world: a process of the system under test
// or a workload that drives it. A simulation gives each host its own Env;
// env/realenv gives a binary one backed by the operating system.
type Env interface {
	// Name is the host's name, unique in the cluster ("bank-server-2").
	Name() string
	// Addr is the host's IP address (processes 10.0.1.x, workloads
	// 10.0.0.x in a simulation).
	Addr() netip.Addr
	// Context is cancelled when the host is asked to shut down (a graceful
	// reboot in a simulation, SIGTERM in production). It carries the
	// simulation, so it can be passed to assertions and Buggify.
	Context() context.Context
	// Clock reads and waits on time: logical time in a simulation.
	Clock() Clock
	// Rand is the host's random source: the seed's stream in a simulation.
	Rand() Rand
	// Log returns the host's logger. In a simulation its records carry the
	// logical time, the event being processed, the host and the task.
	Log() *slog.Logger
	// Go starts fn as a new task of this host, with a context derived from
	// Context. In a simulation the task dies with the host when it crashes.
	Go(name string, fn func(ctx context.Context))
	// Net is the host's network: streams, datagrams and name lookup.
	Net() Network
	// Disk is the host's disk, which survives its reboots.
	Disk() Disk
	// Runtime makes the primitives behind Chan, Select, Mutex and
	// WaitGroup. Application code uses NewChan, NewMutex and NewWaitGroup
	// rather than calling it.
	Runtime() Runtime
}

// Clock is time as a host sees it. Durations are time.Duration; every wait
// takes the caller's context and returns its error if it ends first.
//
// In a simulation each host has its own clock, which may be offset from
// true logical time, drift from it (run fast or slow) and be stepped, as
// an NTP correction steps a real machine's clock (see the simulation's
// Clocks). As in package time, a clock has two readings: the wall clock
// (Now), which a step moves, backward too; and the monotonic clock
// (Monotonic), which never goes backward. Sleep, timers, tickers and
// WithTimeout count on the monotonic clock, as time.Sleep and time.Timer
// do; WithDeadline turns its wall-clock deadline into a duration when it
// is called, as context.WithDeadline does. Measure elapsed time with
// Monotonic, not with differences of Now: time.Time values from Now carry
// no monotonic reading.
type Clock interface {
	// Now returns the wall-clock time (in a simulation, a fixed epoch plus
	// the host's reading of logical time, so it is the same on every run
	// of a seed). It may jump, backward too.
	Now() time.Time
	// Monotonic returns the monotonic reading: time since a fixed origin
	// of this clock, which never goes backward and which wall-clock steps
	// do not move. The difference of two readings is an elapsed duration
	// (on a host whose clock drifts, as that host counts it).
	Monotonic() time.Duration
	// Sleep blocks for d, or until ctx is done (returning ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
	// After returns a channel that receives the time once, after d.
	After(d time.Duration) *Chan[time.Time]
	// NewTimer returns a Timer that fires once after d.
	NewTimer(d time.Duration) Timer
	// NewTicker returns a Timer that fires every period; a slow receiver
	// misses ticks rather than queueing them. It panics if period <= 0.
	NewTicker(period time.Duration) Timer
	// WithTimeout is context.WithTimeout on this clock.
	WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc)
	// WithDeadline is context.WithDeadline on this clock.
	WithDeadline(ctx context.Context, deadline time.Time) (context.Context, context.CancelFunc)
}

// Timer delivers the time on its channel when it fires, like time.Timer
// and time.Ticker.
type Timer interface {
	// C is the channel the time is sent on; it holds at most one value.
	C() *Chan[time.Time]
	// Stop prevents further firing and reports whether the timer was active.
	Stop() bool
	// Reset restarts the timer with d (the new period for a ticker) and
	// reports whether it was active.
	Reset(d time.Duration) bool
}

// Rand is a source of random numbers. In a simulation every call is one
// draw of the seed's counted stream, so it shows in the trace's RNG count.
type Rand interface {
	// Uint64 returns a uniformly distributed 64-bit value.
	Uint64() uint64
	// IntN returns a value in [0, n); it panics if n <= 0.
	IntN(n int) int
	// Int64N returns a value in [0, n); it panics if n <= 0.
	Int64N(n int64) int64
	// Float64 returns a value in [0, 1).
	Float64() float64
	// Shuffle permutes n elements with swap.
	Shuffle(n int, swap func(i, j int))
}

// Network opens streams and datagram sockets from this host. Addresses are
// "host:port", where host is an IP, a host name of the cluster, or empty
// (this host's own address, for listening). Every call blocks for the
// simulated latency of the operation and honours ctx.
type Network interface {
	// Listen binds a stream listener.
	Listen(ctx context.Context, address string) (net.Listener, error)
	// Dial connects a stream; it fails if nobody listens at address.
	Dial(ctx context.Context, address string) (net.Conn, error)
	// ListenPacket binds a datagram socket at address (":9000", or
	// "host:9000" for one of the host's own addresses). As a UDP socket
	// of package net, its WriteTo takes a *net.UDPAddr and refuses other
	// address types (EINVAL); to send to a host by name, resolve it with
	// LookupHost and address it with
	// net.UDPAddrFromAddrPort(netip.AddrPortFrom(addrs[0], 9000)).
	// ReadFrom returns the sender's *net.UDPAddr, to answer to.
	ListenPacket(ctx context.Context, address string) (net.PacketConn, error)
	// LookupHost returns the addresses of a host name.
	LookupHost(ctx context.Context, host string) ([]netip.Addr, error)
}

// Disk is a host's storage: files by slash-separated path, relative to the
// host's own root. Directories exist implicitly: creating a file creates
// its parents. Errors are *fs.PathError wrapping fs.ErrNotExist, fs.ErrExist
// or fs.ErrClosed, as package os returns them.
type Disk interface {
	// OpenFile opens name with os.O_* flags (O_RDONLY, O_RDWR, O_CREATE,
	// O_EXCL, O_TRUNC, O_APPEND) and permission bits for a new file. A
	// file it creates survives a crash only after SyncDir of its directory,
	// even if its data was synced.
	OpenFile(ctx context.Context, name string, flag int, perm fs.FileMode) (File, error)
	// Open opens name for reading.
	Open(ctx context.Context, name string) (File, error)
	// Create creates or truncates name, open for reading and writing; a new
	// name is durable only after SyncDir, as with OpenFile.
	Create(ctx context.Context, name string) (File, error)
	// Remove deletes a file; it is durable only after SyncDir of its
	// directory.
	Remove(ctx context.Context, name string) error
	// Rename moves a file, replacing any file at newname; it is durable
	// only after SyncDir.
	Rename(ctx context.Context, oldname, newname string) error
	// ReadDir lists a directory, sorted by name.
	ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error)
	// SyncDir makes the directory's entries (creates, renames, removes)
	// durable, like fsync on a directory.
	SyncDir(ctx context.Context, name string) error
	// Stat describes a file.
	Stat(ctx context.Context, name string) (fs.FileInfo, error)
}

// File is an open file. Its methods block the calling task for the I/O's
// latency. Data written is durable only after Sync returns nil.
type File interface {
	io.ReaderAt
	io.WriterAt
	io.ReadWriteSeeker
	io.Closer
	// Name is the path the file was opened with.
	Name() string
	// Sync makes everything written so far durable, or returns an error
	// after which the unsynced data is in an unknown state.
	Sync() error
	// Truncate changes the file's size.
	Truncate(size int64) error
	// Size returns the file's current size in bytes.
	Size() (int64, error)
}
