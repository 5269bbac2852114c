package fixes

import (
	"context"
	"math/rand"
	randv2 "math/rand/v2"
	"time"

	"github.com/orrerysim/orrery/env"
)

func Task(ctx context.Context, e env.Env, deadline time.Time) time.Duration {
	start := time.Now()             // want `time.Now reads the wall clock`
	time.Sleep(time.Millisecond)    // want `time.Sleep waits on the wall clock`
	left := time.Until(deadline)    // want `time.Until reads the wall clock`
	_ = rand.Intn(3)                // want `math/rand.Intn draws from the global source`
	_ = randv2.Int64N(3)            // want `math/rand/v2.Int64N draws from the global source`
	_ = randv2.Int()                // want `math/rand/v2.Int draws from the global source`
	return time.Since(start) + left // want `time.Since reads the wall clock`
}

// NoContext has an env but no context: time.Sleep has no fix.
func NoContext(e env.Env) {
	time.Sleep(time.Millisecond) // want `time.Sleep waits on the wall clock`
}

// TwoEnvs has two: which one to use is not mechanical.
func TwoEnvs(a, b env.Env) time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}

// Shadowed: the inner e is not an env.Env, the outer one is hidden.
func Shadowed(e env.Env) time.Time {
	{
		e := 1
		_ = e
		return time.Now() // want `time.Now reads the wall clock`
	}
}

// Closure: the env of the enclosing function is in scope.
func Closure(node env.Env) func() time.Time {
	return func() time.Time {
		return time.Now() // want `time.Now reads the wall clock`
	}
}

type node struct {
	name string
	e    env.Env
}

// Field: a method reaches the env through its receiver.
func (n *node) Field() time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}

type twoEnvs struct{ a, b env.Env }

// TwoFields: which field to use is not mechanical.
func (t twoEnvs) TwoFields() time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}
