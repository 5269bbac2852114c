package harness

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/orrerysim/orrery/env"
)

type process struct {
	Main func(e env.Env) error
}

// In a test file, only the functions that take an env.Env are simulated
// code: the harness around them may read files and the clock.
func TestServer(t *testing.T) {
	start := time.Now()
	_, _ = os.ReadFile("testdata/config")
	p := process{Main: func(e env.Env) error {
		<-e.Context().Done() // want `receive from ctx.Done\(\) blocks outside the simulation's scheduler: use env.WaitDone`
		go func() {}()       // want `go statement starts a goroutine`
		return nil
	}}
	_ = p
	_ = time.Since(start)
	//orrery:allow
	_ = time.Now()
}

func workload(ctx context.Context, e env.Env) error {
	time.Sleep(time.Millisecond) // want `time.Sleep waits on the wall clock`
	//orrery:allow the next line is allowed // want `//orrery:allow silences nothing`
	return nil
}
