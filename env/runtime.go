package env

import "context"

// Runtime makes the coordination primitives of one Env. Each implementation
// (the simulation's, realenv's) provides its own; the typed wrappers in this
// package (Chan, Select, NewMutex, NewWaitGroup) are how application code
// reaches it.
type Runtime interface {
	// NewChan returns an untyped channel with the given buffer capacity
	// (0 for unbuffered).
	NewChan(capacity int) RawChan
	// NewMutex returns an unlocked Mutex.
	NewMutex() Mutex
	// NewWaitGroup returns a WaitGroup with a zero counter.
	NewWaitGroup() WaitGroup
	// Select waits until one of cases can proceed and performs it,
	// returning its index. With block false it returns -1 at once when
	// none is ready. Cases come from this Runtime's RawChans.
	Select(ctx context.Context, cases []RawCase, block bool) (int, error)
	// WaitDone blocks until ctx is done and returns its error (forever
	// for a context that is never done). In a simulation the task waits
	// on its context, and a failure report says so.
	WaitDone(ctx context.Context) error
}

// RawChan is the untyped channel a Runtime makes; Chan[T] gives it a type.
// Its methods mean what Chan's do.
type RawChan interface {
	Send(ctx context.Context, v any) error
	Recv(ctx context.Context) (v any, ok bool, err error)
	TrySend(v any) bool
	TryRecv() (v any, ok, got bool)
	Close()
	Len() int
	Cap() int
	// RecvCase is a receive for Select that stores into *dst and *ok.
	RecvCase(dst *any, ok *bool) RawCase
	// SendCase is a send of v for Select.
	SendCase(v any) RawCase
}

// RawCase is one arm of a Runtime's Select; only the Runtime that made it
// knows what is inside.
type RawCase any

// Mutex is a mutual exclusion lock whose Lock waits in the Env's scheduler
// and can be abandoned through ctx.
type Mutex interface {
	// Lock blocks until the lock is held, or returns ctx's error.
	Lock(ctx context.Context) error
	// TryLock takes the lock if it is free and reports whether it did.
	TryLock() bool
	// Unlock releases the lock; it panics if the lock is not held.
	Unlock()
}

// WaitGroup waits for a collection of tasks to finish, like sync.WaitGroup.
type WaitGroup interface {
	// Add adds delta to the counter; it panics if the counter goes negative.
	Add(delta int)
	// Done decrements the counter by one.
	Done()
	// Wait blocks until the counter is zero, or returns ctx's error.
	Wait(ctx context.Context) error
}

// NewMutex returns an unlocked Mutex of e's runtime.
func NewMutex(e Env) Mutex { return e.Runtime().NewMutex() }

// NewWaitGroup returns a WaitGroup of e's runtime.
func NewWaitGroup(e Env) WaitGroup { return e.Runtime().NewWaitGroup() }

// WaitDone blocks until ctx is done and returns its error: how a server's
// Main waits for its shutdown. Use it instead of <-ctx.Done(), a Go channel
// receive that the simulation cannot see.
func WaitDone(ctx context.Context, e Env) error {
	return e.Runtime().WaitDone(ctx)
}
