package env

import (
	"context"
	"errors"
)

// Chan is a typed channel that works the same in a simulation and in
// production: Send, Recv and Select block in the Env's scheduler and can be
// abandoned through the context. Make one with NewChan.
type Chan[T any] struct {
	rt  Runtime
	raw RawChan
}

// NewChan returns a channel of e's runtime with the given buffer capacity
// (0 for unbuffered).
func NewChan[T any](e Env, capacity int) *Chan[T] {
	rt := e.Runtime()
	return &Chan[T]{rt: rt, raw: rt.NewChan(capacity)}
}

// WrapChan gives a type to a RawChan of rt. Implementations of Env use it
// to return typed channels (a Timer's, for example); application code uses
// NewChan.
func WrapChan[T any](rt Runtime, raw RawChan) *Chan[T] {
	return &Chan[T]{rt: rt, raw: raw}
}

// Send blocks until v is sent, or returns ctx's error. Sending on a closed
// channel panics, as in Go.
func (c *Chan[T]) Send(ctx context.Context, v T) error { return c.raw.Send(ctx, v) }

// Recv blocks until a value arrives (ok true) or the channel is closed and
// drained (ok false), or returns ctx's error.
func (c *Chan[T]) Recv(ctx context.Context) (v T, ok bool, err error) {
	x, ok, err := c.raw.Recv(ctx)
	if ok {
		v = as[T](x)
	}
	return v, ok, err
}

// TrySend sends v if it can without blocking and reports whether it did.
func (c *Chan[T]) TrySend(v T) bool { return c.raw.TrySend(v) }

// TryRecv receives without blocking: got reports whether anything was
// received, ok whether it was a value rather than the close.
func (c *Chan[T]) TryRecv() (v T, ok, got bool) {
	x, ok, got := c.raw.TryRecv()
	if ok {
		v = as[T](x)
	}
	return v, ok, got
}

// Close closes the channel: receivers drain what is buffered, then see ok
// false.
func (c *Chan[T]) Close() { c.raw.Close() }

// Len is the number of buffered values.
func (c *Chan[T]) Len() int { return c.raw.Len() }

// Cap is the buffer capacity.
func (c *Chan[T]) Cap() int { return c.raw.Cap() }

// RecvCase is a Select arm that receives into *dst.
func (c *Chan[T]) RecvCase(dst *T) Case { return c.RecvOKCase(dst, nil) }

// RecvOKCase is a Select arm that receives into *dst and reports in *ok
// whether a value (not the close) was received.
func (c *Chan[T]) RecvOKCase(dst *T, ok *bool) Case {
	cs := &recvCase[T]{dst: dst, okDst: ok}
	return Case{rt: c.rt, raw: c.raw.RecvCase(&cs.v, &cs.ok), done: cs.commit}
}

// SendCase is a Select arm that sends v.
func (c *Chan[T]) SendCase(v T) Case { return Case{rt: c.rt, raw: c.raw.SendCase(v)} }

// Case is one arm of Select, made by Chan.RecvCase, RecvOKCase or SendCase.
type Case struct {
	rt   Runtime
	raw  RawCase
	done func() // stores a received value into the caller's variable
}

type recvCase[T any] struct {
	v     any
	ok    bool
	dst   *T
	okDst *bool
}

func (c *recvCase[T]) commit() {
	if c.ok && c.dst != nil {
		*c.dst = as[T](c.v)
	}
	if c.okDst != nil {
		*c.okDst = c.ok
	}
}

// as converts a received value back to T. A nil interface value (a nil
// error sent on a Chan[error]) travels as a nil any, which a plain type
// assertion rejects; any other value that is not a T is a broken channel and
// panics.
func as[T any](x any) T {
	var zero T
	if x == nil && any(zero) == nil { // T is an interface type
		return zero
	}
	return x.(T)
}

// ErrNoCases is returned by Select and TrySelect given no cases: there is
// nothing to wait for, and waiting forever would hang the caller.
var ErrNoCases = errors.New("env: select with no cases")

// Select waits until one of cases can proceed, performs it and returns its
// index; when several are ready, one is chosen at random (by the seed, in a
// simulation). It returns ctx's error if ctx is done first.
func Select(ctx context.Context, cases ...Case) (int, error) {
	return selectCases(ctx, cases, true)
}

// TrySelect performs one ready case and returns its index, or returns -1 at
// once when none is ready.
func TrySelect(ctx context.Context, cases ...Case) (int, error) {
	return selectCases(ctx, cases, false)
}

func selectCases(ctx context.Context, cases []Case, block bool) (int, error) {
	if len(cases) == 0 {
		return -1, ErrNoCases
	}
	raw := make([]RawCase, len(cases))
	for i, c := range cases {
		raw[i] = c.raw
	}
	i, err := cases[0].rt.Select(ctx, raw, block)
	if i >= 0 && cases[i].done != nil {
		cases[i].done()
	}
	return i, err
}
