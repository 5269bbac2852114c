package envtest_test

import (
	"context"
	"testing"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envtest"
	"github.com/orrerysim/orrery/env/realenv"
)

// A conformance test of an env.Env implementation runs the suites through
// a Harness that gives each case an Env and fails the test on an error.
func ExampleRun() {
	_ = func(t *testing.T) {
		envtest.Run(t, func(t *testing.T, body func(ctx context.Context, e env.Env) error) {
			e, err := realenv.New(realenv.Options{Root: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if err := body(e.Context(), e); err != nil {
				t.Fatal(err)
			}
		}, envtest.Runtime, envtest.Clock, envtest.Disk, envtest.Network)
	}
}
