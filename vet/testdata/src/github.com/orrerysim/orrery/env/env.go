// Package env is a stand-in for Orrery's env package: the analyzer only
// needs its import path and the names it reports.
package env

import (
	"context"
	"time"
)

type Env interface {
	Context() context.Context
	Clock() Clock
	Rand() Rand
	Go(name string, fn func(ctx context.Context))
}

type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type Rand interface {
	IntN(n int) int
	Int64N(n int64) int64
	Float64() float64
	Uint64() uint64
	Shuffle(n int, swap func(i, j int))
}

type Chan[T any] struct{}

func NewChan[T any](e Env, capacity int) *Chan[T] { return &Chan[T]{} }

func (c *Chan[T]) Send(ctx context.Context, v T) error { return nil }
