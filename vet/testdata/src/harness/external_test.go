package harness_test

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// The external test package is checked as the package's own tests are.

func invariant(s *orrery.State) error {
	return check(time.Now()) // want `time.Now reads the wall clock`
}

func check(t time.Time) error {
	go func() {}() // want `go statement starts a goroutine`
	return nil
}

func workload(e env.Env) error { return invariant(nil) }

func TestExternal(t *testing.T) {
	_ = time.Now()
	_ = workload
}
