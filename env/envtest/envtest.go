// Package envtest is the conformance suite of env.Env: the behaviour every
// implementation (the simulation's, realenv's, one of your own) must share,
// so that code tested in the simulation behaves the same in production.
package envtest

import (
	"context"
	"errors"
	"testing"

	"github.com/orrerysim/orrery/env"
)

// Harness runs body in an Env of the implementation under test, in a task
// or goroutine that may block, and fails t if body returns an error.
type Harness func(t *testing.T, body func(ctx context.Context, e env.Env) error)

// Case is one conformance check.
type Case struct {
	Name string
	Body func(ctx context.Context, e env.Env) error
}

// Run runs every case of the suites as a subtest.
func Run(t *testing.T, h Harness, suites ...[]Case) {
	for _, suite := range suites {
		for _, c := range suite {
			t.Run(c.Name, func(t *testing.T) { h(t, c.Body) })
		}
	}
}

// fail is how checks report: errors.New with the expectation.
func fail(what string) error { return errors.New(what) }

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
