package realenv_test

import (
	"context"
	"testing"

	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/env/envtest"
	"github.com/orrerysim/orrery/env/realenv"
)

func harness(t *testing.T, body func(ctx context.Context, e env.Env) error) {
	e, err := realenv.New(realenv.Options{Name: "test", Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := body(e.Context(), e); err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	envtest.Run(t, harness, envtest.Runtime, envtest.Clock, envtest.Disk)
}
